//! Drift with a real hub, a real `consign-agent` and this machine's Docker engine: a container
//! removed by hand comes back by itself and the repair shows in the status history; on a
//! deployment that opted out, a killed container is only reported.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::Duration;

use chrono::Utc;
use consign_server::testing::TestHub;
use consign_test_support::agents::{RunningAgent, hub_serving_the_agent};
use consign_test_support::apps::{NewApplication, web_compose};
use consign_test_support::docker::{self, containers_of};
use service::Services;
use service::deployments::{self, Deployment, NewDeployment, StatusEntry};
use service::testing::world::World;
use types::protocol::DeploymentState;

/// Polls `probe` until it gives a value; a loaded machine gets a generous limit.
async fn wait_for<T>(what: &str, probe: impl AsyncFnMut() -> Option<T>) -> T {
    consign_test_support::wait_for(what, Duration::from_secs(240), probe).await
}

/// The vendor's own target with a running agent, and a published version of an application.
struct Setup {
    hub: TestHub,
    world: World,
    application: types::ApplicationId,
    version: types::ApplicationVersionId,
    agent: RunningAgent,
}

async fn setup(image: &str) -> Setup {
    let hub = hub_serving_the_agent(2).await;
    let world = World::build(&hub.services).await;
    let drift = NewApplication::named("Drift")
        .version("1.0", &web_compose(image))
        .create(&hub, &world.vendor_rw)
        .await;
    let agent = RunningAgent::enrol(&hub, &world.vendor_rw, "lab", None).await;
    Setup {
        hub,
        world,
        application: drift.id,
        version: drift.versions[0],
        agent,
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
                target_id: self.agent.target,
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
        deployments::get(self.services(), &self.world.vendor_ro, d.id)
            .await
            .unwrap()
            .status
    }

    async fn history(&self, d: &Deployment) -> Vec<StatusEntry> {
        deployments::statuses(self.services(), &self.world.vendor_ro, d.id, 200)
            .await
            .unwrap()
    }

    async fn wait_healthy(&self, d: &Deployment) {
        wait_for("healthy", async || {
            self.latest(d)
                .await
                .filter(|s| s.state == DeploymentState::Healthy)
        })
        .await;
    }
}

#[tokio::test]
async fn a_removed_container_comes_back_and_an_opted_out_deployment_only_reports_drift() {
    let image = docker::TestImage::build();
    let setup = setup(&image.tag).await;
    let repaired = setup.deploy(true).await;
    let _repaired_guard = docker::ProjectGuard(repaired.project_name.clone());
    let reported = setup.deploy(false).await;
    let _reported_guard = docker::ProjectGuard(reported.project_name.clone());
    setup.wait_healthy(&repaired).await;
    setup.wait_healthy(&reported).await;

    // Step 1: someone removes one container and kills the other behind the agent's back.
    let removed = containers_of(&repaired.project_name);
    docker::run(Command::new("docker").args(["rm", "-f", &removed]));
    let killed = containers_of(&reported.project_name);
    docker::run(Command::new("docker").args(["kill", &killed]));

    // Step 2: the agent brings the removed one back, and the history says so.
    wait_for("the repair in the history", async || {
        setup.history(&repaired).await.into_iter().find(|s| {
            s.state == DeploymentState::Progressing
                && s.message == "drift: service web is not running; repairing (attempt 1)"
        })
    })
    .await;
    setup.wait_healthy(&repaired).await;
    let back = containers_of(&repaired.project_name);
    assert!(!back.is_empty() && back != removed, "a new container runs");

    // Step 3: the opted-out deployment reports the drift and leaves the container down.
    let report = wait_for("the drift report", async || {
        setup
            .latest(&reported)
            .await
            .filter(|s| s.message.contains("repair is off for this deployment"))
    })
    .await;
    assert_ne!(report.state, DeploymentState::Healthy, "{report:?}");
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

    setup.agent.stop().await;
    setup.hub.stop().await;
}
