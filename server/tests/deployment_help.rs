//! What a newcomer reads where they deploy: the deploy form says that logs are off unless
//! ticked and that `healthy` needs a healthcheck; a deployment that is `running` without one
//! says why it is not `healthy`, and one without logs says how to get them. Checked in the
//! server-rendered HTML a browser receives.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::Utc;
use consign_server::testing::TestHub;
use service::deployments;
use service::licenses::{self, NewLicense};
use service::testing::world::{PASSWORD, World, new_deployment};
use service::versions::{self, NewVersion, Package};
use service::{accounts, applications, sessions, targets};
use types::protocol::{DeploymentState, StatusReport};
use types::{ApplicationKind, ApplicationName, ChannelName, VersionName};

async fn page(hub: &TestHub, session: &str, path: &str) -> String {
    let response = reqwest::Client::new()
        .get(hub.url(path))
        .header("cookie", format!("{}={session}", sessions::COOKIE_NAME))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

#[tokio::test]
async fn the_deploy_form_and_a_running_deployment_say_what_healthy_and_logs_need() {
    let hub = TestHub::start(None, None).await;
    let s = &hub.services;
    let w = World::build(s).await;
    let now = Utc::now();
    let app = applications::create(
        s,
        &w.vendor_rw,
        ApplicationName::parse("Shop").unwrap(),
        ApplicationKind::Docker,
        now,
    )
    .await
    .unwrap()
    .id;
    let version = versions::create(
        s,
        &w.vendor_rw,
        app,
        NewVersion {
            name: VersionName::parse("1.0").unwrap(),
            channel: ChannelName::stable(),
            link_template: None,
            package: Package::Compose {
                compose_file: "services:\n  web:\n    image: busybox\n".into(),
                env_template: None,
            },
        },
        now,
    )
    .await
    .unwrap()
    .id;
    licenses::create(
        s,
        &w.vendor_rw,
        NewLicense {
            name: None,
            customer_organization_id: w.customer,
            application_id: app,
            versions: None,
            channels: vec![ChannelName::stable()],
            expires_at: None,
            entitlements: BTreeMap::new(),
        },
        now,
    )
    .await
    .unwrap();
    let target = targets::create(s, &w.vendor_rw, "edge", Some(w.customer), now)
        .await
        .unwrap()
        .target
        .id;
    let user = accounts::authenticate(s, "rw@acme.test", PASSWORD.into())
        .await
        .unwrap();
    let session = sessions::start(s, &user, Some(w.vendor_rw.organization_id))
        .await
        .unwrap();

    let form = page(&hub, &session, &format!("/targets/{target}")).await;
    assert!(form.contains("id=\"deploy-help\""), "{form}");
    assert!(form.contains("only when this box is ticked"), "{form}");
    assert!(form.contains("healthcheck:"), "{form}");

    let d = deployments::create(s, &w.vendor_rw, new_deployment(target, app, version), now)
        .await
        .unwrap();
    let path = format!("/deployments/{}", d.id);
    let before = page(&hub, &session, &path).await;
    assert!(!before.contains("id=\"no-healthcheck\""), "not running yet");
    assert!(before.contains("id=\"logs-off\""), "{before}");

    // What the agent reports for containers that are up without healthchecks.
    service::agent_session::record_status(
        s,
        target,
        StatusReport {
            deployment_id: d.id,
            revision_id: Some(d.revision_id),
            state: DeploymentState::Running,
            message: "1 running, no healthchecks".into(),
            observed_at: Utc::now(),
        },
    )
    .await
    .unwrap();
    let running = page(&hub, &session, &path).await;
    assert!(running.contains("id=\"no-healthcheck\""), "{running}");
    assert!(
        running.contains("Publish a version whose compose file defines one"),
        "{running}"
    );
    hub.stop().await;
}
