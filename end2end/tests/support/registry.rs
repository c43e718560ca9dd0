//! Pushing to the hub's registry over its HTTP API, for the browser tests that need artifacts.
//! Included with `#[path]` by the tests that use it.

use serde_json::json;
use sha2::{Digest as _, Sha256};

/// The OCI digest of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Pushes `config` and `layer` as blobs and a manifest over them as `repo:tag`, with HTTP
/// Basic (the access token as password); returns the manifest's digest.
pub async fn push(
    base: &str,
    secret: &str,
    repo: &str,
    tag: &str,
    (config_type, config): (&str, &[u8]),
    (layer_type, layer): (&str, &[u8]),
) -> String {
    let http = reqwest::Client::new();
    for blob in [config, layer] {
        let response = http
            .post(format!(
                "{base}/v2/{repo}/blobs/uploads/?digest={}",
                digest(blob)
            ))
            .basic_auth("vendor", Some(secret))
            .body(blob.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    }
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": config_type, "digest": digest(config), "size": config.len()},
        "layers": [{"mediaType": layer_type, "digest": digest(layer), "size": layer.len()}],
    }))
    .unwrap();
    let response = http
        .put(format!("{base}/v2/{repo}/manifests/{tag}"))
        .basic_auth("vendor", Some(secret))
        .header("content-type", "application/vnd.oci.image.manifest.v1+json")
        .body(manifest.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    digest(&manifest)
}
