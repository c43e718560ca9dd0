//! `cargo xtask sample` against a real hub with the real Docker engine: the built xtask binary
//! builds and pushes the image and creates the application, version, customer and license
//! through the REST API; a second run reuses all of it. What it made is then read back from the
//! hub's own services.

#![allow(clippy::unwrap_used)]

use chrono::Utc;
use consign_server::testing::TestHub;
use service::testing::world::World;
use service::version_images::ImageSource;

async fn sample(hub: &TestHub, token: &str) -> String {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["sample", "--hub", &hub.url(""), "--token", token])
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sample_command_sets_up_a_deployable_application_once() {
    let hub = TestHub::start(None, None).await;
    let s = &hub.services;
    let w = World::build(s).await;
    let host = hub.address.to_string();
    let image = format!("{host}/acme/sample-web:1.0.0");
    let token = service::access_tokens::create(s, &w.vendor_rw, "sample".into(), None)
        .await
        .unwrap()
        .1;

    let first = sample(&hub, &token).await;
    assert!(
        first.contains(&format!("image {image}: built and pushed")),
        "{first}"
    );
    assert!(
        first.contains("application \"Sample web app\": created"),
        "{first}"
    );
    assert!(
        first.contains("customer \"Sample customer\": created"),
        "{first}"
    );
    assert!(
        first.contains(&format!("{}/targets", hub.url(""))),
        "{first}"
    );

    let second = sample(&hub, &token).await;
    assert!(second.contains("already in the hub's registry"), "{second}");
    assert_eq!(second.matches(": already there").count(), 4, "{second}");

    // The image is in the registry, and the version page would say so.
    let artifacts = service::registry::listing::artifacts(s, &w.vendor_admin)
        .await
        .unwrap();
    let pushed = artifacts.iter().find(|a| a.name == "sample-web").unwrap();
    assert_eq!(pushed.tags.len(), 1);
    assert_eq!(pushed.tags[0].name, "1.0.0");

    let apps = service::applications::list(s, &w.vendor_admin, Utc::now())
        .await
        .unwrap();
    let apps: Vec<_> = apps.iter().filter(|a| a.name == "Sample web app").collect();
    assert_eq!(apps.len(), 1);
    let app = apps[0].id;
    let versions = service::versions::list(s, &w.vendor_admin, app)
        .await
        .unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].name, "1.0.0");
    assert_eq!(versions[0].channel.as_str(), "stable");
    let service::versions::Package::Compose { compose_file, .. } = &versions[0].package else {
        panic!("not a compose version");
    };
    assert!(
        compose_file.contains(&format!("image: {image}")),
        "{compose_file}"
    );
    assert!(compose_file.contains("healthcheck:"), "{compose_file}");
    let images = service::version_images::of_application(s, &w.vendor_admin, app, &host)
        .await
        .unwrap();
    assert!(
        matches!(
            &images[&versions[0].id][0].source,
            ImageSource::Hub { present: true, .. }
        ),
        "{images:?}"
    );

    let customers = service::customers::list(s, &w.vendor_admin).await.unwrap();
    let customer: Vec<_> = customers
        .iter()
        .filter(|c| c.name == "Sample customer")
        .collect();
    assert_eq!(customer.len(), 1);
    let licenses = service::licenses::list(s, &w.vendor_admin).await.unwrap();
    let granted: Vec<_> = licenses
        .iter()
        .filter(|l| l.application_id == app && l.customer_organization_id == customer[0].id)
        .collect();
    assert_eq!(granted.len(), 1);
    assert!(granted[0].revoked_at.is_none());
    hub.stop().await;
}
