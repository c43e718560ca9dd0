//! Pull-through from an upstream repository, against Debian's `docker-registry` (Distribution)
//! on loopback behind HTTP basic authentication: a vendor links an artifact to a repository
//! there (the password kept sealed), then its members and licensed customers pull it from the
//! hub by tag and digest, byte for byte; unlicensed customers are refused and fetch nothing;
//! pulls are audited; what was fetched is kept, so it is still served once the upstream is
//! gone, while what was never fetched fails with a message naming the upstream. A wrong
//! password is reported the same way.

#![allow(clippy::unwrap_used)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use consign_server::testing::TestHub;
use consign_test_support::hub::{with_hub, with_hub_adjusted};
use consign_test_support::registry::{
    Registry, digest, error_code, image_manifest, license_artifact,
};
use reqwest::Method;
use sea_orm::ConnectionTrait;
use service::registry::upstream::{self, NewUpstream};
use service::testing::Backend;
use service::testing::world::World;

/// The upstreams here are on loopback, which a hub refuses unless its operator allows it.
fn private_upstreams(settings: &mut consign_server::Settings) {
    settings.registry_upstream_private = true;
}

/// The user name the test support's registry client signs in with.
const USER: &str = "anyone";
const PASSWORD: &str = "s3cret-upstream-password";

/// Distribution on `127.0.0.1:port`, storing under `dir`, behind basic auth for `USER`.
struct Upstream {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_upstream() -> Upstream {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let hash = bcrypt::hash(PASSWORD, 4).unwrap();
    std::fs::write(dir.path().join("htpasswd"), format!("{USER}:{hash}\n")).unwrap();
    let config = format!(
        "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {root}\n  delete:\n    enabled: true\nauth:\n  htpasswd:\n    realm: upstream\n    path: {htpasswd}\nhttp:\n  addr: 127.0.0.1:{port}\n",
        root = dir.path().join("data").display(),
        htpasswd = dir.path().join("htpasswd").display(),
    );
    let config_path = dir.path().join("config.yml");
    std::fs::write(&config_path, config).unwrap();
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(&config_path)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("docker-registry runs (cargo xtask setup --test installs it)");
    let up = Upstream {
        child,
        port,
        _dir: dir,
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/v2/"))
            .send()
            .await
        {
            assert_eq!(r.status(), 401, "the upstream asks for credentials");
            return up;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("docker-registry did not start on port {port}");
}

/// Pushes an image (a config and one layer) tagged `tag` to the upstream: its manifest's bytes.
async fn push_upstream_image(port: u16, repo: &str, tag: &str, layer: &[u8]) -> Vec<u8> {
    let upstream = Registry::new(format!("http://127.0.0.1:{port}"), Some(PASSWORD.into()));
    let config = format!("{{\"tag\":\"{tag}\"}}").into_bytes();
    let c = upstream.push_blob_in_session(repo, &config).await;
    let l = upstream.push_blob_in_session(repo, layer).await;
    let manifest = image_manifest(&c, config.len(), &l, layer.len());
    let put = upstream.put_manifest(repo, tag, &manifest).await;
    assert_eq!(put.status(), 201, "{:?}", put.text().await);
    serde_json::to_vec(&manifest).unwrap()
}

async fn pull_through(hub: TestHub) -> TestHub {
    let up = start_upstream().await;
    let layer = b"the layer the vendor keeps elsewhere".to_vec();
    let manifest = push_upstream_image(up.port, "acme/web", "1.0", &layer).await;
    let manifest_digest = digest(&manifest);
    let layer_digest = digest(&layer);
    // Pushed upstream, never fetched by the hub.
    push_upstream_image(up.port, "acme/web", "2.0", b"another layer").await;

    let world = World::build(&hub.services).await;
    let repo = "acme/mirror".to_string();
    let linked = upstream::link(
        &hub.services,
        &world.vendor_rw,
        "mirror",
        NewUpstream {
            url: format!("http://127.0.0.1:{}", up.port),
            repository: "acme/web".into(),
            username: Some(USER.into()),
            password: Some(PASSWORD.into()),
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    assert!(linked.has_password);
    // Readers may not link; nobody sees the password again, and it is sealed at rest.
    assert!(
        upstream::link(
            &hub.services,
            &world.vendor_ro,
            "other",
            NewUpstream {
                url: "https://registry.example.com".into(),
                repository: "acme/web".into(),
                ..NewUpstream::default()
            },
            chrono::Utc::now(),
        )
        .await
        .is_err()
    );
    let stored = service::testing::connection(&hub.services)
        .query_one_raw(sea_orm::Statement::from_string(
            service::testing::connection(&hub.services).get_database_backend(),
            "SELECT password_sealed FROM artifact_upstream",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<String>("", "password_sealed")
        .unwrap();
    assert!(!stored.contains(PASSWORD), "the password is sealed");

    // A customer without a license sees nothing, and the hub fetches nothing for it.
    let customer = Registry::signed_in(&hub, &world.customer_ro).await;
    let refused = customer
        .send(Method::GET, &format!("/v2/{repo}/manifests/1.0"))
        .await;
    assert_eq!(refused.status(), 404);
    assert_eq!(error_code(refused).await, "NAME_UNKNOWN");

    // The vendor pulls by tag: the upstream's manifest, byte for byte, then its blobs.
    let vendor = Registry::signed_in(&hub, &world.vendor_ro).await;
    let got = vendor
        .send(Method::GET, &format!("/v2/{repo}/manifests/1.0"))
        .await;
    assert_eq!(got.status(), 200);
    assert_eq!(
        got.headers()["docker-content-digest"].to_str().unwrap(),
        manifest_digest
    );
    assert_eq!(got.bytes().await.unwrap().as_ref(), manifest.as_slice());
    let blob = vendor
        .send(Method::GET, &format!("/v2/{repo}/blobs/{layer_digest}"))
        .await;
    assert_eq!(blob.status(), 200);
    assert_eq!(blob.bytes().await.unwrap().as_ref(), layer.as_slice());

    // Licensed, the customer pulls it by tag and by digest.
    license_artifact(&hub, &world.vendor_rw, world.customer, &repo).await;
    for reference in ["1.0", manifest_digest.as_str()] {
        let got = customer
            .send(Method::GET, &format!("/v2/{repo}/manifests/{reference}"))
            .await;
        assert_eq!(got.status(), 200, "{reference}");
        assert_eq!(got.bytes().await.unwrap().as_ref(), manifest.as_slice());
    }
    let blob = customer
        .send(Method::GET, &format!("/v2/{repo}/blobs/{layer_digest}"))
        .await;
    assert_eq!(blob.bytes().await.unwrap().as_ref(), layer.as_slice());

    // Every pull is in the audit, each with the digest it got.
    let artifact = consign_test_support::registry::artifact_id(&hub, &world.vendor_ro, &repo).await;
    let pulls = service::registry::pulls::recent(&hub.services, artifact, 50)
        .await
        .unwrap();
    assert_eq!(pulls.len(), 3, "{pulls:?}");
    assert!(
        pulls.iter().all(|p| p.digest == manifest_digest),
        "{pulls:?}"
    );

    // Many pulls of a tag the hub has not fetched yet, at once: each gets it whole.
    let fresh = push_upstream_image(up.port, "acme/web", "3.0", b"a layer pulled by many").await;
    let pulls: Vec<_> = (0..8)
        .map(|_| {
            let vendor = vendor.clone();
            let path = format!("/v2/{repo}/manifests/3.0");
            tokio::spawn(async move {
                let got = vendor.send(Method::GET, &path).await;
                (got.status().as_u16(), got.bytes().await.unwrap().to_vec())
            })
        })
        .collect();
    for pull in pulls {
        let (status, body) = pull.await.unwrap();
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        assert_eq!(body, fresh);
    }

    // The upstream goes away: what was fetched is still served; what never was names it.
    drop(up);
    let got = customer
        .send(Method::GET, &format!("/v2/{repo}/manifests/1.0"))
        .await;
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), manifest.as_slice());
    let blob = customer
        .send(Method::GET, &format!("/v2/{repo}/blobs/{layer_digest}"))
        .await;
    assert_eq!(blob.status(), 200);
    let missing = vendor
        .send(Method::GET, &format!("/v2/{repo}/manifests/2.0"))
        .await;
    assert_eq!(missing.status(), 502);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "UNAVAILABLE");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("acme/web"), "{message}");
    assert!(!message.contains(PASSWORD), "{message}");

    // Listed for the vendor without its password; unlinked, the kept copy is still served.
    let listed = upstream::list(&hub.services, &world.vendor_ro)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].0, "mirror");
    assert_eq!(listed[0].1.repository, "acme/web");
    assert!(
        upstream::unlink(&hub.services, &world.vendor_ro, "mirror")
            .await
            .is_err()
    );
    upstream::unlink(&hub.services, &world.vendor_rw, "mirror")
        .await
        .unwrap();
    assert!(
        upstream::list(&hub.services, &world.vendor_ro)
            .await
            .unwrap()
            .is_empty()
    );
    let kept = customer
        .send(Method::GET, &format!("/v2/{repo}/manifests/1.0"))
        .await;
    assert_eq!(kept.status(), 200);
    let gone = vendor
        .send(Method::GET, &format!("/v2/{repo}/manifests/2.0"))
        .await;
    assert_eq!(gone.status(), 404);
    hub
}

#[tokio::test]
async fn licensed_pulls_go_through_to_the_upstream_and_stay_cached_on_sqlite() {
    with_hub_adjusted(Backend::Sqlite, private_upstreams, pull_through).await;
}

#[tokio::test]
async fn licensed_pulls_go_through_to_the_upstream_and_stay_cached_on_postgresql() {
    with_hub_adjusted(Backend::Postgres, private_upstreams, pull_through).await;
}

/// A wrong password: the pull fails with the upstream named and what to check, never a 500.
async fn a_wrong_password_is_reported(hub: TestHub) -> TestHub {
    let up = start_upstream().await;
    push_upstream_image(up.port, "acme/web", "1.0", b"layer").await;
    let world = World::build(&hub.services).await;
    upstream::link(
        &hub.services,
        &world.vendor_rw,
        "mirror",
        NewUpstream {
            url: format!("http://127.0.0.1:{}/", up.port),
            repository: "acme/web".into(),
            username: Some(USER.into()),
            password: Some("wrong".into()),
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let vendor = Registry::signed_in(&hub, &world.vendor_ro).await;
    let failed = vendor
        .send(Method::GET, "/v2/acme/mirror/manifests/1.0")
        .await;
    assert_eq!(failed.status(), 502);
    let body: serde_json::Value = failed.json().await.unwrap();
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("credentials"), "{message}");
    hub
}

#[tokio::test]
async fn a_wrong_upstream_password_is_reported_not_a_server_error() {
    with_hub_adjusted(
        Backend::Sqlite,
        private_upstreams,
        a_wrong_password_is_reported,
    )
    .await;
}

/// With the default settings, an upstream on the hub's own network is refused: a literal
/// private address when it is linked, a name resolving only to loopback when it is pulled,
/// and in neither case does the hub connect to it.
async fn private_upstreams_are_refused(hub: TestHub) -> TestHub {
    let world = World::build(&hub.services).await;
    // A listener that counts the connections it gets.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let link = |url: String| {
        upstream::link(
            &hub.services,
            &world.vendor_rw,
            "inside",
            NewUpstream {
                url,
                repository: "acme/web".into(),
                username: None,
                password: None,
            },
            chrono::Utc::now(),
        )
    };
    for literal in [
        format!("http://127.0.0.1:{port}"),
        "http://169.254.169.254".to_string(),
        "http://10.0.0.8:5000".to_string(),
        format!("http://[::1]:{port}"),
    ] {
        let refused = link(literal.clone()).await.unwrap_err();
        assert!(
            matches!(&refused, service::Error::InvalidInput { field, .. } if *field == "url"),
            "{literal}: {refused:?}"
        );
        assert!(refused.to_string().contains("private"), "{refused}");
    }
    // A name is checked when it is resolved, so one that only resolves to loopback links but
    // is never fetched from.
    link(format!("http://localhost:{port}")).await.unwrap();
    let vendor = Registry::signed_in(&hub, &world.vendor_ro).await;
    let refused = vendor
        .send(Method::GET, "/v2/acme/inside/manifests/1.0")
        .await;
    assert_eq!(refused.status(), 502);
    let body: serde_json::Value = refused.json().await.unwrap();
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("no public address"), "{message}");
    assert!(
        listener.accept().is_err(),
        "the hub connected to an upstream on loopback"
    );
    hub
}

#[tokio::test]
async fn upstreams_on_private_networks_are_refused_by_default() {
    with_hub(Backend::Sqlite, private_upstreams_are_refused).await;
}
