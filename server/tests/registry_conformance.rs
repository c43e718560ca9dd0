//! The places where the OCI distribution-spec conformance suite (v1.1.1 and its current
//! rewrite) found the registry wrong, one test each against the spec's wording, over real HTTP
//! on SQLite and PostgreSQL: a malformed tag is an unknown manifest, referrers of a repository
//! nothing was pushed to are an empty index, `?tag=` tags a push by digest, a malformed `n` is
//! `PAGINATION_NUMBER_INVALID`, non-distributable layers and sparse indexes are accepted,
//! sha512 content works end to end, and a repository is listed only once something in it is
//! committed.

#![allow(clippy::unwrap_used)]

use consign_server::testing::TestHub;
use consign_test_support::hub::with_hub;
use consign_test_support::registry::{
    OCI_CONFIG, OCI_INDEX, OCI_LAYER, OCI_MANIFEST, Registry, digest, error_code, image_manifest,
};
use reqwest::Method;
use serde_json::{Value, json};
use service::testing::Backend;
use service::testing::world::World;
use sha2::{Digest as _, Sha512};

fn sha512(bytes: &[u8]) -> String {
    format!("sha512:{}", hex::encode(Sha512::digest(bytes)))
}

/// "If the manifest is not found in the repository, the response code MUST be 404" (pull,
/// GET/HEAD of a manifest): a reference that cannot be a tag names no manifest. Pushing under
/// such a tag is still refused, with the spec's `TAG_INVALID`.
async fn a_malformed_tag_names_no_manifest(vendor: &Registry, anonymous: &Registry) {
    let config = vendor.push_blob("acme/app", b"{}").await;
    let layer = vendor.push_blob("acme/app", b"a layer").await;
    vendor.push_image("acme/app", "1.0", b"an image").await;
    for method in [Method::GET, Method::HEAD] {
        let response = vendor
            .send(
                method.clone(),
                "/v2/acme/app/manifests/.INVALID_MANIFEST_NAME",
            )
            .await;
        assert_eq!(response.status(), 404, "{method}");
    }
    let body = vendor
        .send(Method::GET, "/v2/acme/app/manifests/.INVALID_MANIFEST_NAME")
        .await;
    assert_eq!(error_code(body).await, "MANIFEST_UNKNOWN");
    // Only once the caller has shown it may read the repository.
    let challenged = anonymous
        .send(Method::GET, "/v2/acme/app/manifests/.INVALID_MANIFEST_NAME")
        .await;
    assert_eq!(challenged.status(), 401);
    let manifest = image_manifest(&config, 2, &layer, 7);
    let refused = vendor.put_manifest("acme/app", "-bad", &manifest).await;
    assert_eq!(refused.status(), 400);
    assert_eq!(error_code(refused).await, "TAG_INVALID");
    // A malformed digest stays a bad request.
    let bad_digest = vendor
        .send(Method::GET, "/v2/acme/app/manifests/sha256:totallywrong")
        .await;
    assert_eq!(bad_digest.status(), 400);
}

/// "A registry that supports the referrers API MUST NOT return a 404 Not Found to a referrers
/// API requests": a repository nothing was pushed to has an empty index. Another tenant still
/// cannot tell whether it exists.
async fn referrers_of_an_empty_repository_are_an_empty_index(
    vendor: &Registry,
    stranger: &Registry,
) {
    let subject = digest(b"nothing");
    let path = format!("/v2/acme/never-pushed/referrers/{subject}");
    let response = vendor.send(Method::GET, &path).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], OCI_INDEX);
    let index: Value = response.json().await.unwrap();
    assert_eq!(
        index,
        json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []})
    );
    assert_eq!(stranger.send(Method::GET, &path).await.status(), 404);
}

/// "PUT /v2/<name>/manifests/<digest>?tag=<tag1>&tag=<tag2>… the registry … MUST include an
/// OCI-Tag response header for each tag applied."
async fn a_push_by_digest_with_tags_tags_it(vendor: &Registry) {
    let config = vendor.push_blob("acme/tagged", br#"{"os":"linux"}"#).await;
    let layer = vendor.push_blob("acme/tagged", b"tagged layer").await;
    let manifest = image_manifest(&config, 14, &layer, 12);
    let bytes = serde_json::to_vec(&manifest).unwrap();
    let d = digest(&bytes);
    let response = vendor
        .request(
            Method::PUT,
            &format!("/v2/acme/tagged/manifests/{d}?tag=1.0&tag=latest"),
        )
        .header("content-type", OCI_MANIFEST)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let tags: Vec<&str> = response
        .headers()
        .get_all("oci-tag")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(tags, ["1.0", "latest"]);
    for tag in ["1.0", "latest"] {
        let head = vendor
            .send(Method::HEAD, &format!("/v2/acme/tagged/manifests/{tag}"))
            .await;
        assert_eq!(head.headers()["docker-content-digest"], d.as_str());
    }
    let bad = vendor
        .request(
            Method::PUT,
            &format!("/v2/acme/tagged/manifests/{d}?tag=no%20spaces"),
        )
        .header("content-type", OCI_MANIFEST)
        .body(serde_json::to_vec(&manifest).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(error_code(bad).await, "TAG_INVALID");
}

/// "If the `n` query parameter is not a valid integer, the registry SHOULD return a 400 Bad
/// Request with the PAGINATION_NUMBER_INVALID error code."
async fn a_malformed_page_size_is_a_bad_request(vendor: &Registry) {
    for path in ["/v2/acme/tagged/tags/list?n=abc", "/v2/_catalog?n=-1"] {
        let response = vendor.send(Method::GET, path).await;
        assert_eq!(response.status(), 400, "{path}");
        assert_eq!(error_code(response).await, "PAGINATION_NUMBER_INVALID");
    }
}

/// Non-distributable layers "MAY" be absent from the registry, and "an index MAY reference
/// manifests that are not present" (sparse): both are accepted and served.
async fn foreign_layers_and_sparse_indexes_are_accepted(vendor: &Registry) {
    let config = vendor
        .push_blob("acme/foreign", br#"{"os":"windows"}"#)
        .await;
    let never_pushed = digest(b"a base layer only its vendor distributes");
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config, "size": 16},
        "layers": [{
            "mediaType": "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "digest": never_pushed,
            "size": 1024,
            "urls": ["https://example.com/base.tar.gz"],
        }],
    });
    let pushed = vendor.put_manifest("acme/foreign", "1.0", &manifest).await;
    assert_eq!(pushed.status(), 201, "{}", pushed.text().await.unwrap());
    assert_eq!(vendor.status("/v2/acme/foreign/manifests/1.0").await, 200);
    // A layer of an ordinary type must still be pushed first.
    let mut ordinary = manifest.clone();
    ordinary["layers"][0]["mediaType"] = json!(OCI_LAYER);
    let refused = vendor.put_manifest("acme/foreign", "1.1", &ordinary).await;
    assert_eq!(error_code(refused).await, "MANIFEST_BLOB_UNKNOWN");

    let index = json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": digest(b"linux/arm64, not mirrored"), "size": 500,
             "platform": {"os": "linux", "architecture": "arm64"}},
        ],
    });
    let sparse = vendor.put_manifest("acme/foreign", "multi", &index).await;
    assert_eq!(sparse.status(), 201);
    assert_eq!(vendor.status("/v2/acme/foreign/manifests/multi").await, 200);
}

/// sha512 content: "registries SHOULD support sha512" for blobs (monolithic and chunked
/// uploads, GET/HEAD, mounts, deletes) and for manifests pushed and pulled by a sha512 digest.
async fn sha512_blobs_and_manifests_work_end_to_end(vendor: &Registry) {
    // Monolithic.
    let config = br#"{"architecture":"amd64"}"#;
    let config_digest = sha512(config);
    let response = vendor
        .request(
            Method::POST,
            &format!("/v2/acme/long/blobs/uploads/?digest={config_digest}"),
        )
        .body(config.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.headers()["docker-content-digest"],
        config_digest.as_str()
    );
    // Chunked, with the algorithm named up front.
    let layer = vec![7u8; 3000];
    let layer_digest = sha512(&layer);
    let started = vendor
        .send(
            Method::POST,
            "/v2/acme/long/blobs/uploads/?digest-algorithm=sha512",
        )
        .await;
    assert_eq!(started.status(), 202);
    let location = started.headers()["location"].to_str().unwrap().to_string();
    let patched = vendor
        .request(Method::PATCH, &location)
        .header("content-type", "application/octet-stream")
        .header("content-range", "0-1999")
        .body(layer[..2000].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 202);
    let location = patched.headers()["location"].to_str().unwrap().to_string();
    let separator = if location.contains('?') { '&' } else { '?' };
    let finished = vendor
        .request(
            Method::PUT,
            &format!("{location}{separator}digest={layer_digest}"),
        )
        .header("content-type", "application/octet-stream")
        .header("content-range", "2000-2999")
        .body(layer[2000..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(finished.status(), 201, "{}", finished.text().await.unwrap());
    // A sha256 session finished with a sha512 digest is hashed again, and checked.
    let other = b"hashed twice".to_vec();
    let started = vendor
        .send(Method::POST, "/v2/acme/long/blobs/uploads/")
        .await;
    let location = started.headers()["location"].to_str().unwrap().to_string();
    let separator = if location.contains('?') { '&' } else { '?' };
    let wrong = vendor
        .request(
            Method::PUT,
            &format!("{location}{separator}digest={}", sha512(b"something else")),
        )
        .body(other.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(wrong).await, "DIGEST_INVALID");

    // Served whole and by HEAD.
    let got = vendor
        .send(Method::GET, &format!("/v2/acme/long/blobs/{layer_digest}"))
        .await;
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), layer.as_slice());
    let absent = vendor
        .send(
            Method::GET,
            &format!("/v2/acme/long/blobs/{}", sha512(b"absent")),
        )
        .await;
    assert_eq!(absent.status(), 404);

    // A manifest naming them, pushed and pulled by its sha512 digest.
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": OCI_LAYER, "digest": layer_digest, "size": layer.len()}],
    });
    let bytes = serde_json::to_vec(&manifest).unwrap();
    let manifest_digest = sha512(&bytes);
    let pushed = vendor
        .put_manifest("acme/long", &manifest_digest, &manifest)
        .await;
    assert_eq!(pushed.status(), 201, "{}", pushed.text().await.unwrap());
    assert_eq!(
        pushed.headers()["docker-content-digest"],
        manifest_digest.as_str()
    );
    let pulled = vendor
        .send(
            Method::GET,
            &format!("/v2/acme/long/manifests/{manifest_digest}"),
        )
        .await;
    assert_eq!(pulled.status(), 200);
    assert_eq!(pulled.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // Mounted into another repository, then deleted there.
    let mounted = vendor
        .send(
            Method::POST,
            &format!("/v2/acme/long-copy/blobs/uploads/?mount={layer_digest}&from=acme/long"),
        )
        .await;
    assert_eq!(mounted.status(), 201);
    let path = format!("/v2/acme/long-copy/blobs/{layer_digest}");
    assert_eq!(vendor.send(Method::HEAD, &path).await.status(), 200);
    assert_eq!(vendor.send(Method::DELETE, &path).await.status(), 202);
    assert_eq!(vendor.send(Method::HEAD, &path).await.status(), 404);
}

/// "The list of available repositories" holds a repository only once something in it is
/// committed: an upload started and abandoned leaves nothing listed.
async fn only_committed_repositories_are_catalogued(vendor: &Registry) {
    let started = vendor
        .send(Method::POST, "/v2/acme/abandoned/blobs/uploads/")
        .await;
    assert_eq!(started.status(), 202);
    let catalog: Value = vendor
        .send(Method::GET, "/v2/_catalog")
        .await
        .json()
        .await
        .unwrap();
    let listed: Vec<&str> = catalog["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(!listed.contains(&"acme/abandoned"), "{listed:?}");
    assert!(listed.contains(&"acme/tagged"), "{listed:?}");
}

async fn the_registry_passes_where_the_conformance_suite_failed(hub: TestHub) -> TestHub {
    let world = World::build(&hub.services).await;
    let vendor = Registry::signed_in(&hub, &world.vendor_rw).await;
    let stranger = Registry::signed_in(&hub, &world.other_vendor).await;
    let anonymous = Registry::anonymous(&hub);
    a_malformed_tag_names_no_manifest(&vendor, &anonymous).await;
    referrers_of_an_empty_repository_are_an_empty_index(&vendor, &stranger).await;
    a_push_by_digest_with_tags_tags_it(&vendor).await;
    a_malformed_page_size_is_a_bad_request(&vendor).await;
    foreign_layers_and_sparse_indexes_are_accepted(&vendor).await;
    sha512_blobs_and_manifests_work_end_to_end(&vendor).await;
    only_committed_repositories_are_catalogued(&vendor).await;
    hub
}

#[tokio::test]
async fn the_registry_passes_where_the_conformance_suite_failed_on_sqlite() {
    with_hub(
        Backend::Sqlite,
        the_registry_passes_where_the_conformance_suite_failed,
    )
    .await;
}

#[tokio::test]
async fn the_registry_passes_where_the_conformance_suite_failed_on_postgresql() {
    with_hub(
        Backend::Postgres,
        the_registry_passes_where_the_conformance_suite_failed,
    )
    .await;
}
