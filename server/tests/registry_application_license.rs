//! An application license lets the customer's people and agents pull, from the hub's own
//! registry, the images that the versions it grants reference (and nothing else): over real
//! HTTP with the OCI client of `consign_test_support::registry`, on SQLite and PostgreSQL, and
//! with the real Docker engine (`docker login` with an agent's credential, `docker pull`).
//! Pushing stays the vendor's; revoking the license ends the pulls.

#![allow(clippy::unwrap_used)]

use chrono::Utc;
use consign_server::testing::TestHub;
use consign_test_support::apps::{self, NewApplication};
use consign_test_support::docker::{ImagesGuard, TestImage, with_config as docker};
use consign_test_support::hub::{enrolled_target, with_hub};
use consign_test_support::registry::{Registry, access_token, error_code};
use reqwest::Method;
use serde_json::{Value, json};
use service::licenses;
use service::testing::Backend;
use service::testing::world::World;

/// A compose file with one service per image.
fn compose(images: &[String]) -> String {
    let mut file = String::from("services:\n");
    for (i, image) in images.iter().enumerate() {
        file.push_str(&format!("  s{i}:\n    image: {image}\n"));
    }
    file
}

/// A registry client with the credential of a new target's agent, enrolled by `actor` for
/// `customer`.
async fn agent_client(
    hub: &TestHub,
    actor: &service::auth::Actor,
    customer: types::CustomerOrganizationId,
) -> Registry {
    let (_, credential) = enrolled_target(hub, actor, Some(customer)).await;
    Registry::with_secret(hub, &credential)
}

async fn pulls_what_granted_versions_reference(hub: TestHub) -> TestHub {
    let world = World::build(&hub.services).await;
    let host = hub.address.to_string();
    let vendor = Registry::signed_in(&hub, &world.vendor_admin).await;
    let (_, web_layer) = vendor.push_image("acme/web", "1.0", b"web one").await;
    vendor.push_image("acme/web", "2.0", b"web two").await;
    let (db_digest, _) = vendor.push_image("acme/db", "1.0", b"db").await;
    vendor.push_image("acme/beta", "1.0", b"beta only").await;
    vendor
        .push_image("acme/elsewhere", "1.0", b"other host")
        .await;

    let shop = NewApplication::named("Shop")
        // Licensed: stable. The database is pinned by digest.
        .version(
            "1.0",
            &compose(&[
                format!("{host}/acme/web:1.0"),
                format!("{host}/acme/db@{db_digest}"),
                "redis:7".into(),
            ]),
        )
        // Not licensed: the beta channel.
        .version_with(
            "2.0-beta",
            "beta",
            &compose(&[
                format!("{host}/acme/web:2.0"),
                format!("{host}/acme/beta:1.0"),
            ]),
            None,
        )
        // Licensed, but the image is on another registry: grants nothing here.
        .version(
            "1.1",
            &compose(&["registry.example.com:5000/acme/elsewhere:1.0".into()]),
        )
        .licensed_to(world.customer)
        .create(&hub, &world.vendor_rw)
        .await;
    let granted = shop.licenses[0];

    let agent = agent_client(&hub, &world.customer_rw, world.customer).await;
    let person = Registry::signed_in(&hub, &world.customer_ro).await;
    for client in [&agent, &person] {
        assert_eq!(client.status("/v2/acme/web/manifests/1.0").await, 200);
        assert_eq!(
            client
                .status(&format!("/v2/acme/web/blobs/{web_layer}"))
                .await,
            200
        );
        assert_eq!(
            client
                .status(&format!("/v2/acme/db/manifests/{db_digest}"))
                .await,
            200
        );
        // Only what a granted version names: not another tag of the same repository…
        let other_tag = client.send(Method::GET, "/v2/acme/web/manifests/2.0").await;
        assert_eq!(other_tag.status(), 403);
        assert_eq!(error_code(other_tag).await, "DENIED");
        assert_eq!(client.status("/v2/acme/db/manifests/1.0").await, 403);
        // …nor a repository only an unlicensed version names, nor one named on another host.
        for path in [
            "/v2/acme/beta/manifests/1.0",
            "/v2/acme/elsewhere/manifests/1.0",
        ] {
            let unknown = client.send(Method::GET, path).await;
            assert_eq!(unknown.status(), 404, "{path}");
            assert_eq!(error_code(unknown).await, "NAME_UNKNOWN");
        }
        let tags: Value = client
            .send(Method::GET, "/v2/acme/web/tags/list")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(tags["tags"], json!(["1.0"]));
        let catalog: Value = client
            .send(Method::GET, "/v2/_catalog")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(catalog["repositories"], json!(["acme/db", "acme/web"]));
        // Pulling never includes pushing.
        let push = client
            .send(Method::POST, "/v2/acme/web/blobs/uploads/")
            .await;
        assert_eq!(push.status(), 403);
        assert_eq!(error_code(push).await, "DENIED");
    }

    // A customer without the license pulls nothing.
    let stranger = agent_client(&hub, &world.vendor_rw, world.second_customer).await;
    assert_eq!(stranger.status("/v2/acme/web/manifests/1.0").await, 404);

    // Revoking the license ends the pulls at once.
    licenses::revoke(&hub.services, &world.vendor_rw, granted, Utc::now())
        .await
        .unwrap();
    for client in [&agent, &person] {
        assert_eq!(client.status("/v2/acme/web/manifests/1.0").await, 404);
        assert_eq!(
            client
                .status(&format!("/v2/acme/db/manifests/{db_digest}"))
                .await,
            404
        );
    }
    hub
}

#[tokio::test]
async fn customers_pull_the_images_their_licensed_versions_reference_on_sqlite() {
    with_hub(Backend::Sqlite, pulls_what_granted_versions_reference).await;
}

#[tokio::test]
async fn customers_pull_the_images_their_licensed_versions_reference_on_postgresql() {
    with_hub(Backend::Postgres, pulls_what_granted_versions_reference).await;
}

#[tokio::test]
async fn docker_pulls_a_licensed_versions_image_with_an_agent_credential() {
    let hub = TestHub::start(None, None).await;
    let world = World::build(&hub.services).await;
    let host = hub.address.to_string();
    let licensed = format!("{host}/acme/web:1.0");
    let unlicensed = format!("{host}/acme/web:9.9");
    let _cleanup = ImagesGuard(vec![licensed.clone(), unlicensed.clone()]);
    let work = tempfile::tempdir().unwrap();

    // The vendor pushes two tags with the Docker engine and removes them locally.
    let vendor_config = work.path().join("vendor");
    let vendor_secret = access_token(&hub, &world.vendor_rw).await;
    let login = [
        "login",
        "--username",
        "any",
        "--password-stdin",
        host.as_str(),
    ];
    assert!(docker(&vendor_config, &login, Some(&vendor_secret)).await.0);
    let local = TestImage::build();
    for reference in [&licensed, &unlicensed] {
        assert!(
            docker(&vendor_config, &["tag", &local.tag, reference], None)
                .await
                .0
        );
        let (ok, err) = docker(&vendor_config, &["push", reference], None).await;
        assert!(ok, "{err}");
        assert!(docker(&vendor_config, &["rmi", reference], None).await.0);
    }
    drop(local);

    let web = NewApplication::named("Web")
        .version("1.0", &compose(std::slice::from_ref(&licensed)))
        .version_with(
            "9.9",
            "edge",
            &compose(std::slice::from_ref(&unlicensed)),
            None,
        )
        .create(&hub, &world.vendor_rw)
        .await;
    let granted = apps::license(&hub, &world.vendor_rw, world.customer, web.id).await;

    // The customer's agent credential logs in, pulls the licensed image, not the other one,
    // and cannot push.
    let agent_config = work.path().join("agent");
    let (_, credential) = enrolled_target(&hub, &world.customer_rw, Some(world.customer)).await;
    assert!(docker(&agent_config, &login, Some(&credential)).await.0);
    let (ok, err) = docker(&agent_config, &["pull", &licensed], None).await;
    assert!(ok, "{err}");
    let (ok, err) = docker(&agent_config, &["pull", &unlicensed], None).await;
    assert!(!ok);
    assert!(err.to_lowercase().contains("denied"), "{err}");
    let (ok, err) = docker(&agent_config, &["push", &licensed], None).await;
    assert!(!ok, "an agent pushed");
    assert!(err.to_lowercase().contains("denied"), "{err}");

    // Revoked: the next pull fails.
    assert!(docker(&agent_config, &["rmi", &licensed], None).await.0);
    licenses::revoke(&hub.services, &world.vendor_rw, granted, Utc::now())
        .await
        .unwrap();
    let (ok, _) = docker(&agent_config, &["pull", &licensed], None).await;
    assert!(!ok, "pulled after the license was revoked");
    hub.stop().await;
}
