//! The OCI registry over real HTTP on 127.0.0.1:0, on SQLite and PostgreSQL: the token flow,
//! monolithic and chunked pushes with their failure modes, pulls with ranges, manifests by tag
//! and digest, tag immutability, pagination, catalog, referrers, mounts, deletes, tenant
//! isolation, artifact licenses with expiry and revocation, the pull audit and the garbage
//! collector.

#![allow(clippy::unwrap_used)]

use consign_test_support::hub::{enrolled_target, with_hub};
use consign_test_support::registry::{
    OCI_INDEX, OCI_MANIFEST, Registry, access_token, digest, error_code, image_manifest,
};
use consign_test_support::s3::Moto;

use chrono::{Duration, Utc};
use consign_server::testing::TestHub;
use reqwest::Method;
use serde_json::{Value, json};
use service::artifact_licenses::{self, NewArtifactLicense};
use service::testing::Backend;
use service::testing::world::World;

/// Runs `test` on a SQLite hub whose registry keeps blobs in a bucket of a real
/// S3-compatible server (moto), and checks nothing else lands in the bucket's root.
async fn with_s3_hub<F, Fut>(test: F) -> Moto
where
    F: FnOnce(TestHub) -> Fut,
    Fut: std::future::Future<Output = TestHub>,
{
    let moto = Moto::start().await;
    let hub = TestHub::start_with(|s| moto.configure(s)).await;
    test(hub).await.stop().await;
    assert!(
        moto.keys()
            .await
            .iter()
            .all(|k| k.starts_with("registry/sha256/")),
        "{:?}",
        moto.keys().await
    );
    assert_eq!(moto.open_multipart_uploads().await, 0);
    moto
}

async fn the_token_flow_and_basic_auth_admit_only_valid_credentials(hub: &TestHub, world: &World) {
    let anonymous = Registry::new(hub.url(""), None);
    let response = anonymous.send(Method::GET, "/v2/").await;
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        challenge,
        format!(
            r#"Bearer realm="{}/v2/token",service="consign""#,
            hub.url("")
        )
    );
    assert_eq!(
        response.headers()["docker-distribution-api-version"],
        "registry/2.0"
    );
    assert_eq!(error_code(response).await, "UNAUTHORIZED");

    let vendor = Registry::signed_in(hub, &world.vendor_admin).await;
    assert_eq!(vendor.send(Method::GET, "/v2/").await.status(), 200);
    let token: Value = vendor
        .send(
            Method::GET,
            "/v2/token?service=consign&scope=repository:acme/app:pull,push",
        )
        .await
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let bearer = |t: &str| anonymous.http.get(hub.url("/v2/")).bearer_auth(t).send();
    assert_eq!(bearer(&token).await.unwrap().status(), 200);
    let forged = format!("{}00", &token[..token.len() - 2]);
    assert_eq!(bearer(&forged).await.unwrap().status(), 401);
    assert_eq!(bearer("garbage").await.unwrap().status(), 401);
    let wrong = Registry::new(hub.url(""), Some("consign_pat_nope".into()));
    assert_eq!(wrong.send(Method::GET, "/v2/token").await.status(), 401);
    assert_eq!(anonymous.send(Method::GET, "/v2/token").await.status(), 401);
}

async fn chunked_uploads_check_order_length_and_digest_and_keep_nothing_half_stored(
    vendor: &Registry,
) {
    let content: Vec<u8> = (0..30u8).collect();
    let d = digest(&content);
    let start = vendor
        .send(Method::POST, "/v2/acme/app/blobs/uploads/")
        .await;
    assert_eq!(start.status(), 202);
    assert_eq!(start.headers()["range"], "0-0");
    let location = start.headers()["location"].to_str().unwrap().to_string();
    let patch = |range: &str, body: &[u8]| {
        vendor
            .request(Method::PATCH, &location)
            .header("content-range", range.to_string())
            .header("content-type", "application/octet-stream")
            .body(body.to_vec())
            .send()
    };
    let first = patch("0-9", &content[..10]).await.unwrap();
    assert_eq!(first.status(), 202);
    assert_eq!(first.headers()["range"], "0-9");
    // A chunk that does not start where the upload ends.
    let gap = patch("20-29", &content[20..]).await.unwrap();
    assert_eq!(gap.status(), 416);
    assert_eq!(error_code(gap).await, "BLOB_UPLOAD_INVALID");
    // A chunk shorter than its Content-Range: refused, and cut off again.
    let short = patch("10-19", &content[10..15]).await.unwrap();
    assert_eq!(short.status(), 400);
    let status = vendor.send(Method::GET, &location).await;
    assert_eq!(status.status(), 204);
    assert_eq!(status.headers()["range"], "0-9");
    assert_eq!(
        patch("10-19", &content[10..20]).await.unwrap().status(),
        202
    );
    // The wrong digest discards the upload and stores nothing.
    let wrong = digest(b"something else");
    let finish = vendor
        .request(Method::PUT, &format!("{location}?digest={wrong}"))
        .body(content[20..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(finish.status(), 400);
    assert_eq!(error_code(finish).await, "DIGEST_INVALID");
    assert_eq!(vendor.send(Method::GET, &location).await.status(), 404);
    for d in [&d, &wrong] {
        let head = vendor
            .send(Method::HEAD, &format!("/v2/acme/app/blobs/{d}"))
            .await;
        assert_eq!(head.status(), 404);
    }

    // Done right: two chunks, then PUT with the last one.
    let start = vendor
        .send(Method::POST, "/v2/acme/app/blobs/uploads/")
        .await;
    let location = start.headers()["location"].to_str().unwrap().to_string();
    let patch = |range: &str, body: &[u8]| {
        vendor
            .request(Method::PATCH, &location)
            .header("content-range", range.to_string())
            .body(body.to_vec())
            .send()
    };
    assert_eq!(patch("0-14", &content[..15]).await.unwrap().status(), 202);
    let finish = vendor
        .request(Method::PUT, &format!("{location}?digest={d}"))
        .header("content-range", "15-29")
        .body(content[15..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(finish.status(), 201);
    assert_eq!(finish.headers()["docker-content-digest"], d.as_str());
    assert_eq!(
        finish.headers()["location"],
        format!("/v2/acme/app/blobs/{d}").as_str()
    );
    // Cancelling an upload.
    let start = vendor
        .send(Method::POST, "/v2/acme/app/blobs/uploads/")
        .await;
    let location = start.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(vendor.send(Method::DELETE, &location).await.status(), 204);
    assert_eq!(vendor.send(Method::GET, &location).await.status(), 404);
    // A monolithic push with the wrong digest.
    let response = vendor
        .request(
            Method::POST,
            &format!("/v2/acme/app/blobs/uploads/?digest={wrong}"),
        )
        .body(content.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response).await, "DIGEST_INVALID");
}

async fn blobs_are_served_whole_or_by_range(vendor: &Registry) {
    let content: Vec<u8> = (0..100u8).collect();
    let d = vendor.push_blob("acme/app", &content).await;
    let path = format!("/v2/acme/app/blobs/{d}");
    let head = vendor.send(Method::HEAD, &path).await;
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], "100");
    assert_eq!(head.headers()["docker-content-digest"], d.as_str());
    let whole = vendor.send(Method::GET, &path).await;
    assert_eq!(whole.bytes().await.unwrap().as_ref(), content.as_slice());
    let part = vendor
        .request(Method::GET, &path)
        .header("range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], "bytes 10-19/100");
    assert_eq!(part.bytes().await.unwrap().as_ref(), &content[10..20]);
    let bad = vendor
        .request(Method::GET, &path)
        .header("range", "bytes=100-")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 416);
    assert_eq!(bad.headers()["content-range"], "bytes */100");
    let unknown = vendor
        .send(
            Method::GET,
            &format!("/v2/acme/app/blobs/{}", digest(b"nope")),
        )
        .await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(error_code(unknown).await, "BLOB_UNKNOWN");
    let malformed = vendor
        .send(Method::GET, "/v2/acme/app/blobs/sha256:xyz")
        .await;
    assert_eq!(malformed.status(), 400);
    assert_eq!(error_code(malformed).await, "DIGEST_INVALID");
}

async fn manifests_are_checked_stored_and_served_by_tag_and_digest(
    hub: &TestHub,
    world: &World,
    vendor: &Registry,
) {
    let config = br#"{"os":"linux"}"#;
    let config_digest = vendor.push_blob("acme/app", config).await;
    let missing = digest(b"never pushed");
    let dangling = image_manifest(&config_digest, config.len(), &missing, 12);
    let response = vendor.put_manifest("acme/app", "1.0", &dangling).await;
    assert_eq!(response.status(), 400);
    assert_eq!(error_code(response).await, "MANIFEST_BLOB_UNKNOWN");
    let odd = json!({"schemaVersion": 2, "mediaType": "application/x-nonsense", "config": {}});
    let response = vendor.put_manifest("acme/app", "1.0", &odd).await;
    assert_eq!(response.status(), 400);
    assert_eq!(error_code(response).await, "MANIFEST_INVALID");
    let huge = vendor
        .request(Method::PUT, "/v2/acme/app/manifests/huge")
        .header("content-type", OCI_MANIFEST)
        .body(vec![b' '; 4 * 1024 * 1024 + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    assert_eq!(error_code(huge).await, "MANIFEST_INVALID");
    // Nothing of the refused manifests was kept.
    let tags: Value = vendor
        .send(Method::GET, "/v2/acme/app/tags/list")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tags["tags"], json!([]));

    let (manifest_digest, _) = vendor.push_image("acme/app", "1.0", b"layer one").await;
    let by_tag = vendor.send(Method::GET, "/v2/acme/app/manifests/1.0").await;
    assert_eq!(by_tag.status(), 200);
    assert_eq!(by_tag.headers()["content-type"], OCI_MANIFEST);
    assert_eq!(
        by_tag.headers()["docker-content-digest"],
        manifest_digest.as_str()
    );
    let bytes = by_tag.bytes().await.unwrap();
    assert_eq!(digest(&bytes), manifest_digest);
    let by_digest = vendor
        .send(
            Method::GET,
            &format!("/v2/acme/app/manifests/{manifest_digest}"),
        )
        .await;
    assert_eq!(by_digest.bytes().await.unwrap(), bytes);
    let head = vendor
        .send(Method::HEAD, "/v2/acme/app/manifests/1.0")
        .await;
    assert_eq!(head.status(), 200);
    assert_eq!(
        head.headers()["content-length"],
        bytes.len().to_string().as_str()
    );
    let unknown = vendor.send(Method::GET, "/v2/acme/app/manifests/9.9").await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(error_code(unknown).await, "MANIFEST_UNKNOWN");
    // Pushing by digest checks the digest.
    let manifest: Value = serde_json::from_slice(&bytes).unwrap();
    let wrong = vendor
        .put_manifest("acme/app", &digest(b"x"), &manifest)
        .await;
    assert_eq!(error_code(wrong).await, "DIGEST_INVALID");

    // Tags are immutable by default; the same content again is fine.
    assert_eq!(
        vendor
            .put_manifest("acme/app", "1.0", &manifest)
            .await
            .status(),
        201
    );
    let mut moved = manifest.clone();
    moved["annotations"] = json!({"note": "rebuilt"});
    let refused = vendor.put_manifest("acme/app", "1.0", &moved).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(error_code(refused).await, "DENIED");
    service::registry::settings::set_tags_mutable(&hub.services, &world.vendor_admin, true)
        .await
        .unwrap();
    let accepted = vendor.put_manifest("acme/app", "1.0", &moved).await;
    assert_eq!(accepted.status(), 201);
    let now = vendor
        .send(Method::HEAD, "/v2/acme/app/manifests/1.0")
        .await;
    assert_eq!(
        now.headers()["docker-content-digest"],
        digest(&serde_json::to_vec(&moved).unwrap()).as_str()
    );
    service::registry::settings::set_tags_mutable(&hub.services, &world.vendor_admin, false)
        .await
        .unwrap();
}

async fn tag_lists_and_the_catalog_paginate(vendor: &Registry) {
    for tag in ["1.1", "2.0"] {
        vendor.push_image("acme/app", tag, tag.as_bytes()).await;
    }
    vendor.push_image("acme/tools", "1.0", b"tools").await;
    let first = vendor.send(Method::GET, "/v2/acme/app/tags/list?n=2").await;
    assert_eq!(
        first.headers()["link"],
        r#"</v2/acme/app/tags/list?n=2&last=1.1>; rel="next""#
    );
    let body: Value = first.json().await.unwrap();
    assert_eq!(body, json!({"name": "acme/app", "tags": ["1.0", "1.1"]}));
    let second = vendor
        .send(Method::GET, "/v2/acme/app/tags/list?n=2&last=1.1")
        .await;
    assert!(second.headers().get("link").is_none());
    let body: Value = second.json().await.unwrap();
    assert_eq!(body["tags"], json!(["2.0"]));
    let catalog: Value = vendor
        .send(Method::GET, "/v2/_catalog")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(catalog["repositories"], json!(["acme/app", "acme/tools"]));
    let page = vendor.send(Method::GET, "/v2/_catalog?n=1").await;
    assert_eq!(
        page.headers()["link"],
        r#"</v2/_catalog?n=1&last=acme%2Fapp>; rel="next""#
    );
}

async fn referrers_list_the_manifests_whose_subject_is_given(vendor: &Registry) {
    let subject = vendor
        .send(Method::HEAD, "/v2/acme/app/manifests/2.0")
        .await;
    let subject_digest = subject.headers()["docker-content-digest"]
        .to_str()
        .unwrap()
        .to_string();
    let subject_size: usize = subject.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let empty = vendor.push_blob("acme/app", b"{}").await;
    let sbom = vendor.push_blob("acme/app", b"an sbom").await;
    let referrer = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": "application/vnd.example.sbom",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty, "size": 2},
        "layers": [{"mediaType": "text/plain", "digest": sbom, "size": 7}],
        "subject": {"mediaType": OCI_MANIFEST, "digest": subject_digest, "size": subject_size},
        "annotations": {"org.example.kind": "sbom"},
    });
    let referrer_digest = digest(&serde_json::to_vec(&referrer).unwrap());
    let pushed = vendor
        .put_manifest("acme/app", &referrer_digest, &referrer)
        .await;
    assert_eq!(pushed.status(), 201);
    assert_eq!(pushed.headers()["oci-subject"], subject_digest.as_str());
    let listed = vendor
        .send(
            Method::GET,
            &format!("/v2/acme/app/referrers/{subject_digest}"),
        )
        .await;
    assert_eq!(listed.headers()["content-type"], OCI_INDEX);
    let index: Value = listed.json().await.unwrap();
    assert_eq!(index["manifests"].as_array().unwrap().len(), 1, "{index}");
    assert_eq!(index["manifests"][0]["digest"], referrer_digest.as_str());
    assert_eq!(
        index["manifests"][0]["artifactType"],
        "application/vnd.example.sbom"
    );
    assert_eq!(
        index["manifests"][0]["annotations"]["org.example.kind"],
        "sbom"
    );
    let filtered = vendor
        .send(
            Method::GET,
            &format!(
                "/v2/acme/app/referrers/{subject_digest}?artifactType=application/vnd.example.other"
            ),
        )
        .await;
    assert_eq!(filtered.headers()["oci-filters-applied"], "artifactType");
    let index: Value = filtered.json().await.unwrap();
    assert_eq!(index["manifests"], json!([]));
}

async fn blobs_mount_across_repositories_and_deletes_remove_what_they_name(vendor: &Registry) {
    let d = vendor.push_blob("acme/app", b"shared layer").await;
    let mounted = vendor
        .send(
            Method::POST,
            &format!("/v2/acme/copy/blobs/uploads/?mount={d}&from=acme/app"),
        )
        .await;
    assert_eq!(mounted.status(), 201);
    assert_eq!(
        mounted.headers()["location"],
        format!("/v2/acme/copy/blobs/{d}").as_str()
    );
    assert_eq!(
        vendor
            .send(Method::HEAD, &format!("/v2/acme/copy/blobs/{d}"))
            .await
            .status(),
        200
    );
    // Mounting what the source lacks starts an ordinary upload instead.
    let fallback = vendor
        .send(
            Method::POST,
            &format!(
                "/v2/acme/copy/blobs/uploads/?mount={}&from=acme/app",
                digest(b"absent")
            ),
        )
        .await;
    assert_eq!(fallback.status(), 202);

    let tagged = vendor
        .send(Method::HEAD, "/v2/acme/app/manifests/1.1")
        .await;
    let tagged_digest = tagged.headers()["docker-content-digest"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        vendor
            .send(Method::DELETE, "/v2/acme/app/manifests/1.1")
            .await
            .status(),
        202
    );
    assert_eq!(
        vendor
            .send(Method::GET, "/v2/acme/app/manifests/1.1")
            .await
            .status(),
        404
    );
    // The manifest outlives its tag until it is deleted by digest.
    let by_digest = format!("/v2/acme/app/manifests/{tagged_digest}");
    assert_eq!(vendor.send(Method::GET, &by_digest).await.status(), 200);
    assert_eq!(vendor.send(Method::DELETE, &by_digest).await.status(), 202);
    assert_eq!(vendor.send(Method::GET, &by_digest).await.status(), 404);
    assert_eq!(
        vendor
            .send(Method::DELETE, &format!("/v2/acme/copy/blobs/{d}"))
            .await
            .status(),
        202
    );
    assert_eq!(
        vendor
            .send(Method::HEAD, &format!("/v2/acme/copy/blobs/{d}"))
            .await
            .status(),
        404
    );
    // Still there in the repository it came from.
    assert_eq!(
        vendor
            .send(Method::HEAD, &format!("/v2/acme/app/blobs/{d}"))
            .await
            .status(),
        200
    );
}

async fn other_tenants_cannot_tell_a_repository_exists_and_readers_cannot_push(
    hub: &TestHub,
    world: &World,
) {
    let stranger = Registry::signed_in(hub, &world.other_vendor).await;
    for path in [
        "/v2/acme/app/manifests/1.0",
        "/v2/acme/nothing-here/manifests/1.0",
    ] {
        let response = stranger.send(Method::GET, path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], "NAME_UNKNOWN");
        assert!(!body.to_string().contains("exist"), "{body}");
    }
    let response = stranger
        .send(Method::POST, "/v2/acme/app/blobs/uploads/")
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(error_code(response).await, "DENIED");
    let catalog: Value = stranger
        .send(Method::GET, "/v2/_catalog")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(catalog["repositories"], json!([]));
    let mount = stranger
        .send(Method::POST, "/v2/umbrella/x/blobs/uploads/?mount=sha256:0000000000000000000000000000000000000000000000000000000000000000&from=acme/app")
        .await;
    assert_eq!(mount.status(), 202, "a foreign source is never mounted");

    let reader = Registry::signed_in(hub, &world.vendor_ro).await;
    assert_eq!(
        reader
            .send(Method::GET, "/v2/acme/app/manifests/1.0")
            .await
            .status(),
        200
    );
    let response = reader
        .send(Method::POST, "/v2/acme/app/blobs/uploads/")
        .await;
    assert_eq!(response.status(), 403);
    let response = reader
        .send(Method::DELETE, "/v2/acme/app/manifests/1.0")
        .await;
    assert_eq!(response.status(), 403);
    let customer = Registry::signed_in(hub, &world.customer_admin).await;
    let response = customer
        .send(Method::POST, "/v2/acme/app/blobs/uploads/")
        .await;
    assert_eq!(response.status(), 403);
}

async fn the_registry_speaks_the_distribution_spec(hub: TestHub) -> TestHub {
    let world = World::build(&hub.services).await;
    let vendor = Registry::signed_in(&hub, &world.vendor_rw).await;
    the_token_flow_and_basic_auth_admit_only_valid_credentials(&hub, &world).await;
    chunked_uploads_check_order_length_and_digest_and_keep_nothing_half_stored(&vendor).await;
    blobs_are_served_whole_or_by_range(&vendor).await;
    manifests_are_checked_stored_and_served_by_tag_and_digest(&hub, &world, &vendor).await;
    tag_lists_and_the_catalog_paginate(&vendor).await;
    referrers_list_the_manifests_whose_subject_is_given(&vendor).await;
    blobs_mount_across_repositories_and_deletes_remove_what_they_name(&vendor).await;
    other_tenants_cannot_tell_a_repository_exists_and_readers_cannot_push(&hub, &world).await;
    hub
}

#[tokio::test]
async fn the_registry_speaks_the_distribution_spec_on_sqlite() {
    with_hub(Backend::Sqlite, the_registry_speaks_the_distribution_spec).await;
}

#[tokio::test]
async fn the_registry_speaks_the_distribution_spec_on_postgresql() {
    with_hub(Backend::Postgres, the_registry_speaks_the_distribution_spec).await;
}

#[tokio::test]
async fn the_registry_speaks_the_distribution_spec_on_s3() {
    with_s3_hub(the_registry_speaks_the_distribution_spec).await;
}

/// A blob of several multipart parts through object storage: pushed in chunks, verified,
/// stored once for two repositories, served whole and by range; a wrong digest leaves
/// nothing in the bucket.
async fn large_blobs_stream_through_object_storage(hub: TestHub) -> TestHub {
    let world = World::build(&hub.services).await;
    let vendor = Registry::signed_in(&hub, &world.vendor_rw).await;
    // 20 MiB + 3 bytes: two full 8 MiB parts and a short last one.
    let content: Vec<u8> = (0..20 * 1024 * 1024 + 3)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let d = digest(&content);
    let start = vendor
        .send(Method::POST, "/v2/acme/big/blobs/uploads/")
        .await;
    let location = start.headers()["location"].to_str().unwrap().to_string();
    let mut at = 0;
    for chunk in content.chunks(7 * 1024 * 1024) {
        let response = vendor
            .request(Method::PATCH, &location)
            .header("content-range", format!("{at}-{}", at + chunk.len() - 1))
            .header("content-type", "application/octet-stream")
            .body(chunk.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
        at += chunk.len();
    }
    // A wrong digest first: refused, and the bucket holds nothing.
    let wrong = vendor
        .request(
            Method::PUT,
            &format!("{location}?digest={}", digest(b"not it")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);
    assert_eq!(error_code(wrong).await, "DIGEST_INVALID");
    let parsed = service::registry::Digest::parse(&d).unwrap();
    assert_eq!(hub.registry.store().size(&parsed).await.unwrap(), None);
    assert!(
        hub.registry.store().list().await.unwrap().is_empty(),
        "nothing may be stored for a refused upload"
    );

    // Then the whole blob in one request, and the same again into a second repository.
    vendor.push_blob("acme/big", &content).await;
    vendor.push_blob("acme/copy", &content).await;
    assert_eq!(
        hub.registry.store().size(&parsed).await.unwrap(),
        Some(content.len() as u64)
    );
    assert_eq!(hub.registry.store().list().await.unwrap().len(), 1);
    let path = format!("/v2/acme/big/blobs/{d}");
    let whole = vendor.send(Method::GET, &path).await;
    assert_eq!(whole.status(), 200);
    assert!(whole.bytes().await.unwrap().as_ref() == content.as_slice());
    let from = 8 * 1024 * 1024 - 5;
    let part = vendor
        .request(Method::GET, &path)
        .header("range", format!("bytes={from}-{}", from + 9))
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.bytes().await.unwrap().as_ref(),
        &content[from..from + 10]
    );
    hub
}

#[tokio::test]
async fn large_blobs_stream_through_object_storage_on_s3() {
    with_s3_hub(large_blobs_stream_through_object_storage).await;
}

async fn agents_pull_what_their_customers_licenses_grant(hub: TestHub) -> TestHub {
    let world = World::build(&hub.services).await;
    let vendor = Registry::signed_in(&hub, &world.vendor_admin).await;
    let (one, one_layer) = vendor.push_image("acme/app", "1.0", b"agent app").await;
    vendor
        .push_image("acme/other", "1.0", b"not licensed")
        .await;
    let (target, credential) = enrolled_target(&hub, &world.customer_rw, None).await;
    let agent = Registry::new(hub.url(""), Some(credential.clone()));

    // Logged in (the credential is valid), but nothing is licensed yet.
    assert_eq!(agent.send(Method::GET, "/v2/").await.status(), 200);
    let response = agent.send(Method::GET, "/v2/acme/app/manifests/1.0").await;
    assert_eq!(response.status(), 404);
    assert_eq!(error_code(response).await, "NAME_UNKNOWN");

    let artifacts = service::registry::listing::artifacts(&hub.services, &world.vendor_admin)
        .await
        .unwrap();
    let app = artifacts.iter().find(|a| a.name == "app").unwrap().id;
    artifact_licenses::create(
        &hub.services,
        &world.vendor_admin,
        NewArtifactLicense {
            name: "App".into(),
            customer: world.customer,
            expires_at: None,
            items: vec![(app, None)],
        },
    )
    .await
    .unwrap();
    // HTTP Basic, then the token flow docker uses.
    assert_eq!(
        agent
            .send(Method::GET, "/v2/acme/app/manifests/1.0")
            .await
            .status(),
        200
    );
    let token: Value = agent
        .send(
            Method::GET,
            "/v2/token?service=consign&scope=repository:acme/app:pull",
        )
        .await
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let with_token = |path: &str| agent.http.get(hub.url(path)).bearer_auth(&token).send();
    assert_eq!(
        with_token(&format!("/v2/acme/app/blobs/{one_layer}"))
            .await
            .unwrap()
            .status(),
        200
    );
    let other = with_token("/v2/acme/other/manifests/1.0").await.unwrap();
    assert_eq!(other.status(), 404);
    let catalog: Value = with_token("/v2/_catalog")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(catalog["repositories"], json!(["acme/app"]));
    // An agent never pushes or deletes.
    let push = agent
        .send(Method::POST, "/v2/acme/app/blobs/uploads/")
        .await;
    assert_eq!(push.status(), 403);
    assert_eq!(error_code(push).await, "DENIED");
    let delete = agent
        .send(Method::DELETE, &format!("/v2/acme/app/manifests/{one}"))
        .await;
    assert_eq!(delete.status(), 403);

    // The pull is audited with the target (and its customer), not a person.
    let pulls = service::registry::pulls::recent(&hub.services, app, 10)
        .await
        .unwrap();
    assert_eq!(pulls.len(), 1, "{pulls:?}");
    assert_eq!(pulls[0].deployment_target_id, Some(target));
    assert_eq!(pulls[0].customer_organization_id, Some(world.customer));
    assert_eq!(pulls[0].user_id, None);
    assert_eq!(pulls[0].digest, one);

    // Another customer's agent sees nothing; a vendor-managed target's agent pulls it all.
    let (_, second) = enrolled_target(&hub, &world.vendor_rw, Some(world.second_customer)).await;
    let second = Registry::new(hub.url(""), Some(second));
    let response = second.send(Method::GET, "/v2/acme/app/manifests/1.0").await;
    assert_eq!(response.status(), 404);
    let (_, own) = enrolled_target(&hub, &world.vendor_rw, None).await;
    let own = Registry::new(hub.url(""), Some(own));
    assert_eq!(
        own.send(Method::GET, "/v2/acme/other/manifests/1.0")
            .await
            .status(),
        200
    );

    // Deleting the target cuts its agent off, token included.
    service::targets::delete(&hub.services, &world.customer_rw, target)
        .await
        .unwrap();
    assert_eq!(agent.send(Method::GET, "/v2/").await.status(), 401);
    assert_eq!(with_token("/v2/").await.unwrap().status(), 401);
    hub
}

#[tokio::test]
async fn agents_pull_what_their_customers_licenses_grant_on_sqlite() {
    with_hub(
        Backend::Sqlite,
        agents_pull_what_their_customers_licenses_grant,
    )
    .await;
}

#[tokio::test]
async fn agents_pull_what_their_customers_licenses_grant_on_postgresql() {
    with_hub(
        Backend::Postgres,
        agents_pull_what_their_customers_licenses_grant,
    )
    .await;
}

/// The story of `customers_pull_only_what_their_licenses_grant`: a vendor's two versions of
/// `acme/app` and an `acme/secret`, and a read-only customer member signed in to the registry.
struct Grants {
    hub: TestHub,
    world: World,
    customer: Registry,
    /// Manifest and layer digests of `acme/app:1.0` and `acme/app:2.0`.
    one: (String, String),
    two: (String, String),
    app: types::ArtifactId,
    secret: types::ArtifactId,
}

async fn customers_pull_only_what_their_licenses_grant(hub: TestHub) -> TestHub {
    let world = World::build(&hub.services).await;
    let vendor = Registry::signed_in(&hub, &world.vendor_admin).await;
    let one = vendor.push_image("acme/app", "1.0", b"app one").await;
    let two = vendor.push_image("acme/app", "2.0", b"app two").await;
    vendor.push_image("acme/secret", "1.0", b"secret").await;
    let customer = Registry::signed_in(&hub, &world.customer_ro).await;
    let artifacts = service::registry::listing::artifacts(&hub.services, &world.vendor_admin)
        .await
        .unwrap();
    let id_of = |name: &str| artifacts.iter().find(|a| a.name == name).unwrap().id;
    let story = Grants {
        app: id_of("app"),
        secret: id_of("secret"),
        hub,
        world,
        customer,
        one,
        two,
    };
    an_unlicensed_customer_cannot_tell_the_repository_exists(&story).await;
    a_tag_license_grants_that_tag_and_nothing_else(&story).await;
    every_pull_is_recorded_with_who_and_which_version(&story).await;
    an_expired_license_says_why_and_renewal_and_revocation_take_effect(&story).await;
    only_the_vendors_writers_grant_and_only_their_own_artifacts(&story).await;
    story.hub
}

async fn an_unlicensed_customer_cannot_tell_the_repository_exists(story: &Grants) {
    let response = story
        .customer
        .send(Method::GET, "/v2/acme/app/manifests/1.0")
        .await;
    assert_eq!(response.status(), 404);
    assert_eq!(error_code(response).await, "NAME_UNKNOWN");
}

async fn a_tag_license_grants_that_tag_and_nothing_else(story: &Grants) {
    let Grants {
        hub,
        world,
        customer,
        one: (one, one_layer),
        two: (two, two_layer),
        ..
    } = story;
    artifact_licenses::create(
        &hub.services,
        &world.vendor_admin,
        NewArtifactLicense {
            name: "App 1.x".into(),
            customer: world.customer,
            expires_at: None,
            items: vec![(story.app, Some("1.0".into()))],
        },
    )
    .await
    .unwrap();
    assert_eq!(
        customer
            .send(Method::GET, "/v2/acme/app/manifests/1.0")
            .await
            .status(),
        200
    );
    assert_eq!(
        customer
            .send(Method::GET, &format!("/v2/acme/app/manifests/{one}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        customer
            .send(Method::GET, &format!("/v2/acme/app/blobs/{one_layer}"))
            .await
            .status(),
        200
    );
    for path in [
        "/v2/acme/app/manifests/2.0".to_string(),
        format!("/v2/acme/app/manifests/{two}"),
        format!("/v2/acme/app/blobs/{two_layer}"),
    ] {
        let response = customer.send(Method::GET, &path).await;
        assert_eq!(response.status(), 403, "{path}");
        assert_eq!(error_code(response).await, "DENIED");
    }
    let tags: Value = customer
        .send(Method::GET, "/v2/acme/app/tags/list")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tags["tags"], json!(["1.0"]));
    let catalog: Value = customer
        .send(Method::GET, "/v2/_catalog")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(catalog["repositories"], json!(["acme/app"]));
    assert_eq!(
        customer
            .send(Method::GET, "/v2/acme/secret/manifests/1.0")
            .await
            .status(),
        404
    );
    // Another customer of the same vendor still sees nothing.
    let second = service::testing::world::member(
        &hub.services,
        &world.vendor_admin,
        "ops@initech.test",
        types::Role::ReadOnly,
        Some(world.second_customer),
    )
    .await;
    let second = Registry::signed_in(hub, &second).await;
    assert_eq!(
        second
            .send(Method::GET, "/v2/acme/app/manifests/1.0")
            .await
            .status(),
        404
    );
}

async fn every_pull_is_recorded_with_who_and_which_version(story: &Grants) {
    let Grants { hub, world, .. } = story;
    let pulls = service::registry::pulls::recent(&hub.services, story.app, 10)
        .await
        .unwrap();
    let customer_pulls: Vec<_> = pulls
        .iter()
        .filter(|p| p.customer_organization_id == Some(world.customer))
        .collect();
    assert_eq!(customer_pulls.len(), 2, "{pulls:?}");
    assert!(
        customer_pulls
            .iter()
            .all(|p| p.user_id == Some(world.customer_ro.user_id))
    );
    assert!(
        customer_pulls
            .iter()
            .any(|p| p.reference == "1.0" && p.digest == story.one.0)
    );
}

async fn an_expired_license_says_why_and_renewal_and_revocation_take_effect(story: &Grants) {
    let Grants {
        hub,
        world,
        customer,
        ..
    } = story;
    let secret = artifact_licenses::create(
        &hub.services,
        &world.vendor_admin,
        NewArtifactLicense {
            name: "Secret".into(),
            customer: world.customer,
            expires_at: Some(Utc::now() - Duration::minutes(1)),
            items: vec![(story.secret, None)],
        },
    )
    .await
    .unwrap();
    let response = customer
        .send(Method::GET, "/v2/acme/secret/manifests/1.0")
        .await;
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "DENIED");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{body}"
    );
    artifact_licenses::set_expiry(
        &hub.services,
        &world.vendor_admin,
        secret.id,
        Some(Utc::now() + Duration::days(1)),
    )
    .await
    .unwrap();
    assert_eq!(
        customer
            .send(Method::GET, "/v2/acme/secret/manifests/1.0")
            .await
            .status(),
        200
    );
    artifact_licenses::revoke(&hub.services, &world.vendor_admin, secret.id)
        .await
        .unwrap();
    assert_eq!(
        customer
            .send(Method::GET, "/v2/acme/secret/manifests/1.0")
            .await
            .status(),
        404
    );
}

async fn only_the_vendors_writers_grant_and_only_their_own_artifacts(story: &Grants) {
    let Grants { hub, world, .. } = story;
    let by_customer = artifact_licenses::create(
        &hub.services,
        &world.customer_admin,
        NewArtifactLicense {
            name: "Self-service".into(),
            customer: world.customer,
            expires_at: None,
            items: vec![(story.secret, None)],
        },
    )
    .await;
    assert!(
        matches!(by_customer, Err(service::Error::Forbidden { .. })),
        "{by_customer:?}"
    );
    let foreign = artifact_licenses::create(
        &hub.services,
        &world.other_vendor,
        NewArtifactLicense {
            name: "Theft".into(),
            customer: world.other_customer,
            expires_at: None,
            items: vec![(story.secret, None)],
        },
    )
    .await;
    assert!(
        matches!(foreign, Err(service::Error::NotFound { .. })),
        "{foreign:?}"
    );
}

#[tokio::test]
async fn customers_pull_only_what_their_licenses_grant_on_sqlite() {
    with_hub(
        Backend::Sqlite,
        customers_pull_only_what_their_licenses_grant,
    )
    .await;
}

#[tokio::test]
async fn customers_pull_only_what_their_licenses_grant_on_postgresql() {
    with_hub(
        Backend::Postgres,
        customers_pull_only_what_their_licenses_grant,
    )
    .await;
}

async fn the_collector_frees_what_nothing_references(hub: TestHub) -> TestHub {
    let world = World::build(&hub.services).await;
    let vendor = Registry::signed_in(&hub, &world.vendor_admin).await;
    let (manifest, layer) = vendor.push_image("acme/app", "1.0", b"kept layer").await;
    let orphan = vendor
        .push_blob("acme/app", b"pushed for a manifest that never came")
        .await;
    let start = vendor
        .send(Method::POST, "/v2/acme/app/blobs/uploads/")
        .await;
    let upload = start.headers()["location"].to_str().unwrap().to_string();
    // Asked of the blob store itself, so the same test holds for files and object storage.
    let stored = async |d: &str| {
        let d = service::registry::Digest::parse(d).unwrap();
        hub.registry.store().size(&d).await.unwrap().is_some()
    };
    assert!(stored(&orphan).await);

    let now = service::registry::gc::Policy {
        upload_ttl: std::time::Duration::ZERO,
        grace: std::time::Duration::ZERO,
    };
    // Within the grace period nothing goes.
    let report = service::registry::gc::run(&hub.services, &hub.registry, Default::default())
        .await
        .unwrap();
    assert_eq!(report, Default::default());
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let report = service::registry::gc::run(&hub.services, &hub.registry, now)
        .await
        .unwrap();
    assert_eq!(
        (report.uploads, report.links, report.blobs),
        (1, 1, 1),
        "{report:?}"
    );
    assert!(!stored(&orphan).await);
    assert!(stored(&layer).await);
    assert_eq!(vendor.send(Method::GET, &upload).await.status(), 404);
    assert_eq!(
        vendor
            .send(Method::GET, "/v2/acme/app/manifests/1.0")
            .await
            .status(),
        200
    );

    // Once the manifest is deleted, its blobs follow.
    vendor
        .send(
            Method::DELETE,
            &format!("/v2/acme/app/manifests/{manifest}"),
        )
        .await;
    let report = service::registry::gc::run(&hub.services, &hub.registry, now)
        .await
        .unwrap();
    assert_eq!((report.links, report.blobs), (2, 2), "{report:?}");
    assert!(!stored(&layer).await);
    hub
}

#[tokio::test]
async fn the_collector_frees_what_nothing_references_on_sqlite() {
    with_hub(Backend::Sqlite, the_collector_frees_what_nothing_references).await;
}

#[tokio::test]
async fn the_collector_frees_what_nothing_references_on_s3() {
    with_s3_hub(the_collector_frees_what_nothing_references).await;
}

#[tokio::test]
async fn the_collector_frees_what_nothing_references_on_postgresql() {
    with_hub(
        Backend::Postgres,
        the_collector_frees_what_nothing_references,
    )
    .await;
}

async fn page(
    hub: &TestHub,
    path: &str,
    email: &str,
    organization: types::OrganizationId,
) -> String {
    let user = service::accounts::authenticate(
        &hub.services,
        email,
        service::testing::world::PASSWORD.into(),
    )
    .await
    .unwrap();
    let session = service::sessions::start(&hub.services, &user, Some(organization))
        .await
        .unwrap();
    reqwest::Client::new()
        .get(hub.url(path))
        .header(
            "cookie",
            format!("{}={session}", service::sessions::COOKIE_NAME),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_portals_list_artifacts_with_pull_commands_and_customers_see_only_licensed_ones() {
    let hub = TestHub::start(None, None).await;
    let world = World::build(&hub.services).await;
    let vendor = Registry::signed_in(&hub, &world.vendor_admin).await;
    let (digest, _) = vendor.push_image("acme/app", "1.0", b"portal layer").await;
    vendor
        .push_image("acme/secret", "1.0", b"secret layer")
        .await;
    vendor.send(Method::GET, "/v2/acme/app/manifests/1.0").await;
    let host = hub.address.to_string();

    let html = page(
        &hub,
        "/artifacts",
        "admin@acme.test",
        world.vendor_admin.organization_id,
    )
    .await;
    for expected in [
        "data-repository=\"acme/app\"".to_string(),
        "data-repository=\"acme/secret\"".to_string(),
        format!("docker pull {host}/acme/app:1.0"),
        format!("oras pull {host}/acme/app:1.0"),
        digest[..19].to_string(),
        "1 downloads".to_string(),
        "create-artifact-license-form".to_string(),
    ] {
        assert!(
            html.contains(&expected),
            "{expected:?} missing from the page:\n{html}"
        );
    }

    let artifacts = service::registry::listing::artifacts(&hub.services, &world.vendor_admin)
        .await
        .unwrap();
    let app = artifacts.iter().find(|a| a.name == "app").unwrap().id;
    artifact_licenses::create(
        &hub.services,
        &world.vendor_admin,
        NewArtifactLicense {
            name: "App".into(),
            customer: world.customer,
            expires_at: None,
            items: vec![(app, None)],
        },
    )
    .await
    .unwrap();
    let html = page(
        &hub,
        "/portal",
        "ro@globex.test",
        world.vendor_admin.organization_id,
    )
    .await;
    assert!(html.contains("data-repository=\"acme/app\""), "{html}");
    assert!(
        html.contains(&format!("docker pull {host}/acme/app:1.0")),
        "{html}"
    );
    assert!(!html.contains("acme/secret"), "{html}");
    hub.stop().await;
}

#[tokio::test]
async fn the_registry_can_also_answer_on_an_address_of_its_own() {
    let data = tempfile::tempdir().unwrap();
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
    };
    let registry_address = free();
    let settings = consign_server::Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data.path().join("data"),
        site_root: data.path().join("site"),
        registry_listen: Some(registry_address),
        registry_gc_minutes: 0,
        ..Default::default()
    };
    let database_url = settings.database_url();
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .unwrap();
    let hub_address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let hub = tokio::spawn(consign_server::run(settings, listener, async move {
        let _ = stopped.await;
    }));
    let base = format!("http://{registry_address}");
    let http = reqwest::Client::new();
    let mut challenge = None;
    for _ in 0..100 {
        if let Ok(r) = http.get(format!("{base}/v2/")).send().await {
            challenge = Some(r);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let challenge = challenge.expect("the registry address answers");
    assert_eq!(challenge.status(), 401);
    // Tokens come from the hub's own address, where the registry also answers.
    assert_eq!(
        challenge.headers()["www-authenticate"],
        format!(r#"Bearer realm="http://{hub_address}/v2/token",service="consign""#).as_str()
    );
    let services = service::Services::new(service::db::connect(&database_url).await.unwrap());
    let admin = service::testing::world::vendor(&services, "Acme", "admin@acme.test").await;
    let (_, secret) = service::access_tokens::create(&services, &admin, "ci".into(), None)
        .await
        .unwrap();
    let registry = Registry::new(base.clone(), Some(secret));
    registry.push_image("acme/app", "1.0", b"own address").await;
    assert_eq!(
        registry
            .send(Method::GET, "/v2/acme/app/tags/list")
            .await
            .status(),
        200
    );
    // Only the registry: the portals are not there.
    assert_eq!(
        http.get(format!("{base}/")).send().await.unwrap().status(),
        404
    );
    stop.send(()).unwrap();
    hub.await.unwrap().unwrap();
}

/// A registry token from `/v2/token` for `secret`, sent as HTTP Basic.
async fn registry_token(hub: &TestHub, secret: &str) -> String {
    let answer: Value = Registry::new(hub.url(""), Some(secret.to_string()))
        .send(Method::GET, "/v2/token?service=consign")
        .await
        .json()
        .await
        .unwrap();
    answer["token"].as_str().unwrap().to_string()
}

/// The status of `/v2/_catalog` with a registry token.
async fn catalog_status(hub: &TestHub, token: &str) -> u16 {
    reqwest::Client::new()
        .get(hub.url("/v2/_catalog"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_registry_token_dies_with_the_credential_it_was_obtained_with() {
    let hub = TestHub::start(None, None).await;
    let world = World::build(&hub.services).await;

    // A revoked personal access token.
    let (pat, secret) =
        service::access_tokens::create(&hub.services, &world.vendor_rw, "ci".into(), None)
            .await
            .unwrap();
    let token = registry_token(&hub, &secret).await;
    assert_eq!(catalog_status(&hub, &token).await, 200);
    service::access_tokens::revoke(&hub.services, &world.vendor_rw, pat.id)
        .await
        .unwrap();
    assert_eq!(catalog_status(&hub, &token).await, 401);

    // Another token of the same person is not affected; removing them from the vendor is.
    let other = registry_token(&hub, &access_token(&hub, &world.vendor_rw).await).await;
    assert_eq!(catalog_status(&hub, &other).await, 200);
    service::members::remove(
        &hub.services,
        &world.vendor_admin,
        world.vendor_rw.user_id,
        None,
    )
    .await
    .unwrap();
    assert_eq!(catalog_status(&hub, &other).await, 401);

    // An agent that enrols again gets a new credential; tokens from the old one stop.
    let (target, credential) = enrolled_target(&hub, &world.customer_rw, None).await;
    let token = registry_token(&hub, &credential).await;
    assert_eq!(catalog_status(&hub, &token).await, 200);
    let rotated =
        service::targets::rotate_secret(&hub.services, &world.customer_rw, target, Utc::now())
            .await
            .unwrap();
    service::targets::enroll(&hub.services, target, &rotated.secret, Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(catalog_status(&hub, &token).await, 401);
    hub.stop().await;
}

#[tokio::test]
async fn refused_cancelled_and_abandoned_uploads_leave_no_repository_behind() {
    let hub = TestHub::start(None, None).await;
    let world = World::build(&hub.services).await;
    let vendor = Registry::signed_in(&hub, &world.vendor_admin).await;
    let catalog = async || -> Value {
        let body: Value = vendor
            .send(Method::GET, "/v2/_catalog")
            .await
            .json()
            .await
            .unwrap();
        body["repositories"].clone()
    };

    // Started and cancelled.
    let start = vendor
        .send(Method::POST, "/v2/acme/cancelled/blobs/uploads/")
        .await;
    assert_eq!(start.status(), 202);
    let location = start.headers()["location"].to_str().unwrap().to_string();
    let cancel = vendor
        .request(Method::DELETE, &location)
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), 204);
    // Started and never finished.
    let start = vendor
        .send(Method::POST, "/v2/acme/abandoned/blobs/uploads/")
        .await;
    assert_eq!(start.status(), 202);
    // A whole blob with the wrong digest.
    let refused = vendor
        .request(
            Method::POST,
            &format!(
                "/v2/acme/refused/blobs/uploads/?digest={}",
                digest(b"something else")
            ),
        )
        .header("content-type", "application/octet-stream")
        .body(b"content".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(error_code(refused).await, "DIGEST_INVALID");

    assert_eq!(catalog().await, json!([]));
    let listed = service::registry::listing::artifacts(&hub.services, &world.vendor_admin)
        .await
        .unwrap();
    assert!(listed.is_empty(), "{listed:?}");

    // A committed manifest is what makes a repository.
    vendor.push_image("acme/app", "1.0", b"committed").await;
    assert_eq!(catalog().await, json!(["acme/app"]));
    let listed = service::registry::listing::artifacts(&hub.services, &world.vendor_admin)
        .await
        .unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|a| a.repository.as_str())
            .collect::<Vec<_>>(),
        ["acme/app"]
    );
    hub.stop().await;
}
