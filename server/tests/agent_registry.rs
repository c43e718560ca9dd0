//! The agent pulling its deployments' images from the hub's own registry with its own
//! credential: the vendor pushes an image to the hub with the real Docker engine and removes it
//! locally; a real `consign-agent` of a licensed customer logs in (private Docker config, the
//! credential on stdin) and deploys it, and the pull is audited with its target; an agent of a
//! customer holding only the application license deploys too (the license lets it pull the
//! images its versions reference). `docker login` with an agent credential is checked directly
//! too.

#![allow(clippy::unwrap_used)]

#[path = "../../agent/tests/support/built_agent.rs"]
mod built_agent;
#[path = "../../agent/tests/support/docker.rs"]
#[allow(dead_code)]
mod docker;

use built_agent::agent_binary;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use consign_server::testing::TestHub;
use service::artifact_licenses::{self, NewArtifactLicense};
use service::auth::Actor;
use service::deployments::{self, NewDeployment};
use service::licenses::{self, NewLicense};
use service::testing::world::World;
use service::versions::{self, NewVersion, Package};
use service::{applications, targets};
use types::protocol::DeploymentState;
use types::{
    ApplicationId, ApplicationKind, ApplicationName, ApplicationVersionId, ChannelName,
    CustomerOrganizationId, VersionName,
};

async fn wait_for<T>(what: &str, limit: Duration, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Runs a command on a blocking thread; panics with its output unless it succeeds.
async fn run(mut command: Command) -> String {
    tokio::task::spawn_blocking(move || {
        let out = command.output().unwrap();
        assert!(
            out.status.success(),
            "{command:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    })
    .await
    .unwrap()
}

/// `docker --config <dir> login <host> --password-stdin`; whether it succeeded.
async fn docker_login(config: &Path, host: &str, secret: &str) -> bool {
    let (config, host, secret) = (config.to_path_buf(), host.to_string(), secret.to_string());
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new("docker")
            .arg("--config")
            .arg(&config)
            .args(["login", "--username", "agent", "--password-stdin", &host])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(secret.as_bytes())
            .unwrap();
        child.wait().unwrap().success()
    })
    .await
    .unwrap()
}

fn compose(image: &str) -> String {
    format!(
        r#"services:
  web:
    image: {image}
    command: ["sh", "-c", "mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 1s
      timeout: 2s
      retries: 5
"#
    )
}

/// An application with a version per `(name, image)`, licensed to `customers`.
async fn application(
    hub: &TestHub,
    vendor: &Actor,
    versions: &[(&str, &str)],
    customers: &[CustomerOrganizationId],
) -> (ApplicationId, Vec<ApplicationVersionId>) {
    let db = &hub.services.db;
    let now = Utc::now();
    let app = applications::create(
        db,
        vendor,
        ApplicationName::parse("Web").unwrap(),
        ApplicationKind::Docker,
        now,
    )
    .await
    .unwrap()
    .id;
    let mut ids = Vec::new();
    for (name, image) in versions {
        let version = versions::create(
            db,
            vendor,
            app,
            NewVersion {
                name: VersionName::parse(*name).unwrap(),
                channel: ChannelName::stable(),
                link_template: None,
                package: Package::Compose {
                    compose_file: compose(image),
                    env_template: None,
                },
            },
            now,
        )
        .await
        .unwrap();
        ids.push(version.id);
    }
    for customer in customers {
        licenses::create(
            db,
            vendor,
            NewLicense {
                name: None,
                customer_organization_id: *customer,
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
    }
    (app, ids)
}

/// A running agent process of a new target, enrolled with its one-time secret.
struct Agent {
    process: tokio::process::Child,
    target: types::DeploymentTargetId,
    state: tempfile::TempDir,
}

async fn start_agent(hub: &TestHub, actor: &Actor, customer: CustomerOrganizationId) -> Agent {
    let issued = targets::create(&hub.services, actor, "edge", Some(customer), Utc::now())
        .await
        .unwrap();
    let state = tempfile::tempdir().unwrap();
    let process = tokio::process::Command::new(agent_binary())
        .arg("run")
        .env("CONSIGN_HUB_URL", hub.url(""))
        .env("CONSIGN_TARGET_ID", issued.target.id.to_string())
        .env("CONSIGN_ENROLMENT_SECRET", &issued.secret)
        .env("CONSIGN_AGENT_STATE_DIR", state.path())
        .env("CONSIGN_BACKOFF_CAP_SECS", "2")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let target = issued.target.id;
    wait_for("the agent online", Duration::from_secs(180), async || {
        hub.services.agents.presence(target)
    })
    .await;
    Agent {
        process,
        target,
        state,
    }
}

#[tokio::test]
async fn an_agent_pulls_its_image_from_the_hub_registry_with_its_own_credential() {
    let binary = agent_binary();
    let hub = TestHub::start_with(move |s| {
        s.agent_binary = Some(binary);
        s.agent_heartbeat_secs = 2;
    })
    .await;
    let s = hub.services.clone();
    let w = World::build(&s.db).await;
    let host = hub.address.to_string();
    let image = format!("{host}/acme/web:1.0");
    // A second tag for the customer holding only the application license: the engine is shared, and compose pulls only
    // a reference it does not have locally.
    let other_tag = format!("{host}/acme/web:2.0");

    // The vendor pushes the image with the Docker engine, then removes it locally so the
    // agent's pull really reaches the hub.
    let vendor_secret = service::access_tokens::create(&s.db, &w.vendor_rw, "push".into(), None)
        .await
        .unwrap()
        .1;
    let work = tempfile::tempdir().unwrap();
    let vendor_config = work.path().join("vendor");
    assert!(docker_login(&vendor_config, &host, &vendor_secret).await);
    // Two imports of the same files differ in their config (its creation time), so 2.0 has a
    // manifest of its own: an agent that already holds 1.0 still has to download it, and the
    // hub records that pull.
    let local = docker::TestImage::build();
    let local_two = docker::TestImage::build();
    for (reference, source) in [(&image, &local.tag), (&other_tag, &local_two.tag)] {
        let mut tag = Command::new("docker");
        tag.args(["tag", source, reference]);
        run(tag).await;
        let mut push = Command::new("docker");
        push.arg("--config")
            .arg(&vendor_config)
            .args(["push", reference]);
        run(push).await;
        let mut remove = Command::new("docker");
        remove.args(["rmi", reference]);
        run(remove).await;
    }
    drop(local);
    drop(local_two);

    let (app, versions) = application(
        &hub,
        &w.vendor_rw,
        &[("1.0", &image), ("2.0", &other_tag)],
        &[w.customer, w.second_customer],
    )
    .await;
    let artifacts = service::registry::listing::artifacts(&s.db, &w.vendor_admin)
        .await
        .unwrap();
    let web = artifacts.iter().find(|a| a.name == "web").unwrap().id;
    artifact_licenses::create(
        &s.db,
        &w.vendor_admin,
        NewArtifactLicense {
            name: "Web image".into(),
            customer: w.customer,
            expires_at: None,
            items: vec![(web, None)],
        },
    )
    .await
    .unwrap();

    // The licensed customer's agent deploys it.
    let mut licensed = start_agent(&hub, &w.customer_rw, w.customer).await;
    let d = deployments::create(
        &s,
        &w.customer_rw,
        NewDeployment {
            target_id: licensed.target,
            application_id: app,
            version_id: versions[0],
            env: None,
            logs_enabled: false,
            repair_drift: true,
        },
        Utc::now(),
    )
    .await
    .unwrap();
    let _guard = docker::ProjectGuard(d.project_name.clone());
    let _image_gone = (ImageGuard(image.clone()), ImageGuard(other_tag.clone()));
    let status = wait_for("healthy", Duration::from_secs(180), async || {
        let now = deployments::get(&s.db, &w.customer_ro, d.id).await.unwrap();
        let status = now.status?;
        assert_ne!(
            status.state,
            DeploymentState::Error.as_str(),
            "{}",
            status.message
        );
        (status.state == DeploymentState::Healthy.as_str()).then_some(status)
    })
    .await;
    let pulls = service::registry::pulls::recent(&s.db, web.0, 10)
        .await
        .unwrap();
    assert!(
        pulls
            .iter()
            .any(|p| p.deployment_target_id == Some(licensed.target)
                && p.customer_organization_id == Some(w.customer)
                && p.user_id.is_none()),
        "{pulls:?}"
    );
    // The login lives in the agent's private Docker config, and the credential shows nowhere.
    let config = licensed.state.path().join("docker-config");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&config).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o700);
    let config_json = std::fs::read_to_string(config.join("config.json")).unwrap();
    assert!(config_json.contains(&host), "{config_json}");
    let credential = std::fs::read_to_string(licensed.state.path().join("credential")).unwrap();
    assert!(credential.trim().starts_with("consign_agent_"));
    assert!(!status.message.contains(credential.trim()));

    // `docker login` takes the agent's credential directly; a wrong one is refused.
    let login_dir = work.path().join("agent-login");
    assert!(docker_login(&login_dir, &host, credential.trim()).await);
    assert!(
        !docker_login(
            &work.path().join("wrong"),
            &host,
            &format!("consign_agent_{}", "0".repeat(64))
        )
        .await
    );

    // A customer with the application license but no artifact license: the license lets its
    // agent pull the images of the versions it grants.
    let mut app_licensed = start_agent(&hub, &w.vendor_rw, w.second_customer).await;
    let second = deployments::create(
        &s,
        &w.vendor_rw,
        NewDeployment {
            target_id: app_licensed.target,
            application_id: app,
            version_id: versions[1],
            env: None,
            logs_enabled: false,
            repair_drift: true,
        },
        Utc::now(),
    )
    .await
    .unwrap();
    let _second_guard = docker::ProjectGuard(second.project_name.clone());
    wait_for("healthy", Duration::from_secs(240), async || {
        let now = deployments::get(&s.db, &w.vendor_rw, second.id)
            .await
            .unwrap();
        let status = now.status?;
        assert_ne!(
            status.state,
            DeploymentState::Error.as_str(),
            "{}",
            status.message
        );
        assert!(
            !status.message.contains("consign_agent_"),
            "{}",
            status.message
        );
        (status.state == DeploymentState::Healthy.as_str()).then_some(())
    })
    .await;
    let pulls = service::registry::pulls::recent(&s.db, web.0, 20)
        .await
        .unwrap();
    assert!(
        pulls
            .iter()
            .any(|p| p.deployment_target_id == Some(app_licensed.target)
                && p.customer_organization_id == Some(w.second_customer)),
        "{pulls:?}"
    );

    for agent in [&mut licensed, &mut app_licensed] {
        agent.process.start_kill().unwrap();
        let _ = agent.process.wait().await;
    }
    hub.stop().await;
}

/// Removes a pulled image whatever the test did.
struct ImageGuard(String);

impl Drop for ImageGuard {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rmi", "-f", &self.0]).output();
    }
}
