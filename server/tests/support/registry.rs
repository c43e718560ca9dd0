//! Helpers shared by the registry tests: a registry client speaking raw HTTP, content digests
//! and small manifests.

#![allow(dead_code)]

use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// `sha256:<hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// A registry client authenticating with HTTP Basic (password = access token), or anonymous.
#[derive(Clone)]
pub struct Registry {
    pub http: reqwest::Client,
    pub base: String,
    pub secret: Option<String>,
}

impl Registry {
    pub fn new(base: String, secret: Option<String>) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base,
            secret,
        }
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let r = self.http.request(method, format!("{}{path}", self.base));
        match &self.secret {
            Some(s) => r.basic_auth("anyone", Some(s)),
            None => r,
        }
    }

    pub async fn send(&self, method: Method, path: &str) -> Response {
        self.request(method, path).send().await.unwrap()
    }

    /// Pushes a blob in one request; returns its digest.
    pub async fn push_blob(&self, repo: &str, bytes: &[u8]) -> String {
        let d = digest(bytes);
        let response = self
            .request(
                Method::POST,
                &format!("/v2/{repo}/blobs/uploads/?digest={d}"),
            )
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        d
    }

    /// Puts a manifest under `reference`.
    pub async fn put_manifest(&self, repo: &str, reference: &str, manifest: &Value) -> Response {
        let media_type = manifest["mediaType"]
            .as_str()
            .unwrap_or(OCI_MANIFEST)
            .to_string();
        self.request(Method::PUT, &format!("/v2/{repo}/manifests/{reference}"))
            .header("content-type", media_type)
            .body(serde_json::to_vec(manifest).unwrap())
            .send()
            .await
            .unwrap()
    }

    /// Pushes a small image (a config and one layer) as `repo:tag`; returns the manifest's
    /// digest and its layer's digest.
    pub async fn push_image(&self, repo: &str, tag: &str, layer: &[u8]) -> (String, String) {
        let config = format!("{{\"architecture\":\"amd64\",\"os\":\"linux\",\"tag\":\"{tag}\"}}");
        let config_digest = self.push_blob(repo, config.as_bytes()).await;
        let layer_digest = self.push_blob(repo, layer).await;
        let manifest = image_manifest(&config_digest, config.len(), &layer_digest, layer.len());
        let response = self.put_manifest(repo, tag, &manifest).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        (
            digest(&serde_json::to_vec(&manifest).unwrap()),
            layer_digest,
        )
    }
}

/// An OCI image manifest with one config and one layer.
pub fn image_manifest(config: &str, config_size: usize, layer: &str, layer_size: usize) -> Value {
    json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": config_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer, "size": layer_size}],
    })
}

/// The `errors[0].code` of an error response.
pub async fn error_code(response: Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["errors"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}
