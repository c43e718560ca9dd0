//! An application license lets the customer's people and agents pull, from the hub's own
//! registry, the images that the versions it grants reference (and nothing else): over real
//! HTTP with the OCI client of `support::registry`, on SQLite and PostgreSQL, and with the real
//! Docker engine (`docker login` with an agent's credential, `docker pull`). Pushing stays the
//! vendor's; revoking the license ends the pulls.

#![allow(clippy::unwrap_used)]

mod support;

#[path = "../../agent/tests/support/docker.rs"]
#[allow(dead_code)]
mod docker;

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use chrono::Utc;
use consign_server::testing::TestHub;
use reqwest::Method;
use serde_json::{Value, json};
use service::auth::Actor;
use service::licenses::{self, NewLicense};
use service::testing::world::World;
use service::testing::{Backend, TestDb};
use service::versions::{self, NewVersion, Package};
use support::registry::{Registry, error_code};
use types::{
    ApplicationId, ApplicationKind, ApplicationName, ChannelName, CustomerOrganizationId,
    LicenseId, VersionName,
};

async fn secret_for(hub: &TestHub, actor: &Actor) -> String {
    service::access_tokens::create(&hub.services.db, actor, "registry".into(), None)
        .await
        .unwrap()
        .1
}

async fn enrolled_agent(hub: &TestHub, actor: &Actor, customer: CustomerOrganizationId) -> String {
    let issued = service::targets::create(&hub.services, actor, "edge", Some(customer), Utc::now())
        .await
        .unwrap();
    service::targets::enroll(&hub.services, issued.target.id, &issued.secret, Utc::now())
        .await
        .unwrap()
        .unwrap()
}

fn compose(images: &[String]) -> String {
    let mut file = String::from("services:\n");
    for (i, image) in images.iter().enumerate() {
        file.push_str(&format!("  s{i}:\n    image: {image}\n"));
    }
    file
}

async fn application(hub: &TestHub, vendor: &Actor, name: &str) -> ApplicationId {
    service::applications::create(
        &hub.services.db,
        vendor,
        ApplicationName::parse(name).unwrap(),
        ApplicationKind::Docker,
        Utc::now(),
    )
    .await
    .unwrap()
    .id
}

async fn publish(
    hub: &TestHub,
    vendor: &Actor,
    app: ApplicationId,
    name: &str,
    channel: &str,
    images: &[String],
) {
    versions::create(
        &hub.services.db,
        vendor,
        app,
        NewVersion {
            name: VersionName::parse(name).unwrap(),
            channel: ChannelName::parse(channel.to_string()).unwrap(),
            link_template: None,
            package: Package::Compose {
                compose_file: compose(images),
                env_template: None,
            },
        },
        Utc::now(),
    )
    .await
    .unwrap();
}

async fn license(
    hub: &TestHub,
    vendor: &Actor,
    customer: CustomerOrganizationId,
    app: ApplicationId,
) -> LicenseId {
    licenses::create(
        &hub.services.db,
        vendor,
        NewLicense {
            name: None,
            customer_organization_id: customer,
            application_id: app,
            versions: None,
            channels: vec![ChannelName::stable()],
            expires_at: None,
            entitlements: BTreeMap::new(),
        },
        Utc::now(),
    )
    .await
    .unwrap()
    .id
}

async fn status(client: &Registry, path: &str) -> u16 {
    client.send(Method::GET, path).await.status().as_u16()
}

async fn pulls_what_granted_versions_reference(hub: TestHub) -> TestHub {
    let world = World::build(&hub.services.db).await;
    let host = hub.address.to_string();
    let vendor = Registry::new(
        hub.url(""),
        Some(secret_for(&hub, &world.vendor_admin).await),
    );
    let (_, web_layer) = vendor.push_image("acme/web", "1.0", b"web one").await;
    vendor.push_image("acme/web", "2.0", b"web two").await;
    let (db_digest, _) = vendor.push_image("acme/db", "1.0", b"db").await;
    vendor.push_image("acme/beta", "1.0", b"beta only").await;
    vendor
        .push_image("acme/elsewhere", "1.0", b"other host")
        .await;

    let app = application(&hub, &world.vendor_rw, "Shop").await;
    // Licensed: stable. The database is pinned by digest.
    publish(
        &hub,
        &world.vendor_rw,
        app,
        "1.0",
        "stable",
        &[
            format!("{host}/acme/web:1.0"),
            format!("{host}/acme/db@{db_digest}"),
            "redis:7".into(),
        ],
    )
    .await;
    // Not licensed: the beta channel.
    publish(
        &hub,
        &world.vendor_rw,
        app,
        "2.0-beta",
        "beta",
        &[
            format!("{host}/acme/web:2.0"),
            format!("{host}/acme/beta:1.0"),
        ],
    )
    .await;
    // Licensed, but the image is on another registry: grants nothing here.
    publish(
        &hub,
        &world.vendor_rw,
        app,
        "1.1",
        "stable",
        &["registry.example.com:5000/acme/elsewhere:1.0".into()],
    )
    .await;
    let granted = license(&hub, &world.vendor_rw, world.customer, app).await;

    let agent = Registry::new(
        hub.url(""),
        Some(enrolled_agent(&hub, &world.customer_rw, world.customer).await),
    );
    let person = Registry::new(
        hub.url(""),
        Some(secret_for(&hub, &world.customer_ro).await),
    );
    for client in [&agent, &person] {
        assert_eq!(status(client, "/v2/acme/web/manifests/1.0").await, 200);
        assert_eq!(
            status(client, &format!("/v2/acme/web/blobs/{web_layer}")).await,
            200
        );
        assert_eq!(
            status(client, &format!("/v2/acme/db/manifests/{db_digest}")).await,
            200
        );
        // Only what a granted version names: not another tag of the same repository…
        let other_tag = client.send(Method::GET, "/v2/acme/web/manifests/2.0").await;
        assert_eq!(other_tag.status(), 403);
        assert_eq!(error_code(other_tag).await, "DENIED");
        assert_eq!(status(client, "/v2/acme/db/manifests/1.0").await, 403);
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
    let stranger = Registry::new(
        hub.url(""),
        Some(enrolled_agent(&hub, &world.vendor_rw, world.second_customer).await),
    );
    assert_eq!(status(&stranger, "/v2/acme/web/manifests/1.0").await, 404);

    // Revoking the license ends the pulls at once.
    licenses::revoke(&hub.services.db, &world.vendor_rw, granted, Utc::now())
        .await
        .unwrap();
    for client in [&agent, &person] {
        assert_eq!(status(client, "/v2/acme/web/manifests/1.0").await, 404);
        assert_eq!(
            status(client, &format!("/v2/acme/db/manifests/{db_digest}")).await,
            404
        );
    }
    hub
}

#[tokio::test]
async fn customers_pull_the_images_their_licensed_versions_reference_on_sqlite() {
    let hub = TestHub::start(None, None).await;
    pulls_what_granted_versions_reference(hub)
        .await
        .stop()
        .await;
}

#[tokio::test]
async fn customers_pull_the_images_their_licensed_versions_reference_on_postgresql() {
    let db = TestDb::new(Backend::Postgres).await;
    let hub = TestHub::start(Some(db.url.clone()), None).await;
    pulls_what_granted_versions_reference(hub)
        .await
        .stop()
        .await;
    db.close().await;
}

/// `docker --config <dir> <args>`, with `stdin` fed; whether it succeeded, and its error output.
async fn docker(config: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut command = Command::new("docker");
    command.arg("--config").arg(config).args(args);
    let stdin = stdin.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let mut pipe = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            pipe.write_all(text.as_bytes()).unwrap();
        }
        drop(pipe);
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .unwrap()
}

/// Removes local images whatever the test did.
struct Images(Vec<String>);

impl Drop for Images {
    fn drop(&mut self) {
        for image in &self.0 {
            let _ = Command::new("docker").args(["rmi", "-f", image]).output();
        }
    }
}

#[tokio::test]
async fn docker_pulls_a_licensed_versions_image_with_an_agent_credential() {
    let hub = TestHub::start(None, None).await;
    let world = World::build(&hub.services.db).await;
    let host = hub.address.to_string();
    let licensed = format!("{host}/acme/web:1.0");
    let unlicensed = format!("{host}/acme/web:9.9");
    let _cleanup = Images(vec![licensed.clone(), unlicensed.clone()]);
    let work = tempfile::tempdir().unwrap();

    // The vendor pushes two tags with the Docker engine and removes them locally.
    let vendor_config = work.path().join("vendor");
    let vendor_secret = secret_for(&hub, &world.vendor_rw).await;
    let login = [
        "login",
        "--username",
        "any",
        "--password-stdin",
        host.as_str(),
    ];
    assert!(docker(&vendor_config, &login, Some(&vendor_secret)).await.0);
    let local = docker::TestImage::build();
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

    let app = application(&hub, &world.vendor_rw, "Web").await;
    publish(
        &hub,
        &world.vendor_rw,
        app,
        "1.0",
        "stable",
        std::slice::from_ref(&licensed),
    )
    .await;
    publish(
        &hub,
        &world.vendor_rw,
        app,
        "9.9",
        "edge",
        std::slice::from_ref(&unlicensed),
    )
    .await;
    let granted = license(&hub, &world.vendor_rw, world.customer, app).await;

    // The customer's agent credential logs in, pulls the licensed image, not the other one,
    // and cannot push.
    let agent_config = work.path().join("agent");
    let credential = enrolled_agent(&hub, &world.customer_rw, world.customer).await;
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
    licenses::revoke(&hub.services.db, &world.vendor_rw, granted, Utc::now())
        .await
        .unwrap();
    let (ok, _) = docker(&agent_config, &["pull", &licensed], None).await;
    assert!(!ok, "pulled after the license was revoked");
    hub.stop().await;
}
