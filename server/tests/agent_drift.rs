//! Drift with a real hub, a real `consign-agent` and this machine's Docker engine: a container
//! removed by hand comes back by itself and the repair shows in the status history; on a
//! deployment that opted out, a killed container is only reported.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

#[path = "../../agent/tests/support/built_agent.rs"]
mod built_agent;
#[path = "../../agent/tests/support/docker.rs"]
#[allow(dead_code)]
mod docker;

use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Utc;
use consign_server::testing::TestHub;
use service::deployments::{self, Deployment, NewDeployment, StatusEntry};
use service::testing::world::World;
use service::versions::{self, NewVersion, Package};
use service::{Services, applications, targets};
use types::protocol::DeploymentState;
use types::{ApplicationKind, ApplicationName, ChannelName, DeploymentTargetId, VersionName};

/// Polls `probe` every 200 ms until it gives a value; a loaded machine gets a generous limit.
async fn wait_for<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(
            start.elapsed() < Duration::from_secs(240),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
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

/// The vendor's own target with a running agent, and a published version of an application.
struct Setup {
    hub: TestHub,
    world: World,
    target: DeploymentTargetId,
    application: types::ApplicationId,
    version: types::ApplicationVersionId,
    agent: tokio::process::Child,
    _state: tempfile::TempDir,
}

async fn setup(image: &str) -> Setup {
    let binary = built_agent::agent_binary();
    let hub = TestHub::start_with(move |s| {
        s.agent_binary = Some(binary);
        s.agent_heartbeat_secs = 2;
    })
    .await;
    let s = hub.services.clone();
    let world = World::build(&s.db).await;
    let now = Utc::now();
    let application = applications::create(
        &s.db,
        &world.vendor_rw,
        ApplicationName::parse("Drift").unwrap(),
        ApplicationKind::Docker,
        now,
    )
    .await
    .unwrap()
    .id;
    let version = versions::create(
        &s.db,
        &world.vendor_rw,
        application,
        NewVersion {
            name: VersionName::parse("1.0").unwrap(),
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
    .unwrap()
    .id;
    let issued = targets::create(&s, &world.vendor_rw, "lab", None, now)
        .await
        .unwrap();
    let state = tempfile::tempdir().unwrap();
    let agent = tokio::process::Command::new(built_agent::agent_binary())
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
    wait_for("the agent online", async || s.agents.presence(target)).await;
    Setup {
        hub,
        world,
        target,
        application,
        version,
        agent,
        _state: state,
    }
}

impl Setup {
    fn services(&self) -> &Services {
        &self.hub.services
    }

    async fn deploy(&self, repair_drift: bool) -> Deployment {
        deployments::create(
            self.services(),
            &self.world.vendor_rw,
            NewDeployment {
                target_id: self.target,
                application_id: self.application,
                version_id: self.version,
                env: None,
                logs_enabled: false,
                repair_drift,
            },
            Utc::now(),
        )
        .await
        .unwrap()
    }

    async fn latest(&self, d: &Deployment) -> Option<StatusEntry> {
        deployments::get(&self.services().db, &self.world.vendor_ro, d.id)
            .await
            .unwrap()
            .status
    }

    async fn history(&self, d: &Deployment) -> Vec<StatusEntry> {
        deployments::statuses(&self.services().db, &self.world.vendor_ro, d.id, 200)
            .await
            .unwrap()
    }

    async fn wait_healthy(&self, d: &Deployment) {
        wait_for("healthy", async || {
            self.latest(d)
                .await
                .filter(|s| s.state == DeploymentState::Healthy.as_str())
        })
        .await;
    }
}

fn container_of(project: &str) -> String {
    let id = docker::output(Command::new("docker").args([
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.compose.project={project}"),
    ]));
    id.trim().to_string()
}

#[tokio::test]
async fn a_removed_container_comes_back_and_an_opted_out_deployment_only_reports_drift() {
    let image = docker::TestImage::build();
    let mut setup = setup(&image.tag).await;
    let repaired = setup.deploy(true).await;
    let _repaired_guard = docker::ProjectGuard(repaired.project_name.clone());
    let reported = setup.deploy(false).await;
    let _reported_guard = docker::ProjectGuard(reported.project_name.clone());
    setup.wait_healthy(&repaired).await;
    setup.wait_healthy(&reported).await;

    // Step 1: someone removes one container and kills the other behind the agent's back.
    let removed = container_of(&repaired.project_name);
    docker::run(Command::new("docker").args(["rm", "-f", &removed]));
    let killed = container_of(&reported.project_name);
    docker::run(Command::new("docker").args(["kill", &killed]));

    // Step 2: the agent brings the removed one back, and the history says so.
    wait_for("the repair in the history", async || {
        setup.history(&repaired).await.into_iter().find(|s| {
            s.state == DeploymentState::Progressing.as_str()
                && s.message == "drift: service web is not running; repairing (attempt 1)"
        })
    })
    .await;
    setup.wait_healthy(&repaired).await;
    let back = container_of(&repaired.project_name);
    assert!(!back.is_empty() && back != removed, "a new container runs");

    // Step 3: the opted-out deployment reports the drift and leaves the container down.
    let report = wait_for("the drift report", async || {
        setup
            .latest(&reported)
            .await
            .filter(|s| s.message.contains("repair is off for this deployment"))
    })
    .await;
    assert_ne!(
        report.state,
        DeploymentState::Healthy.as_str(),
        "{report:?}"
    );
    assert!(
        report
            .message
            .starts_with("drift: service web is not running"),
        "{report:?}"
    );
    let status = docker::output(Command::new("docker").args([
        "inspect",
        "-f",
        "{{.State.Status}}",
        &killed,
    ]));
    assert_eq!(status.trim(), "exited", "nobody restarted it");
    assert!(
        !setup
            .history(&reported)
            .await
            .iter()
            .any(|s| s.message.contains("repairing")),
        "no repair was attempted"
    );

    setup.agent.start_kill().unwrap();
    let _ = setup.agent.wait().await;
    setup.hub.stop().await;
}
