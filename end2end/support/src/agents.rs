//! Real agents on a real hub: a hub that serves this build's `consign-agent`, agent processes
//! enrolled on it with a target's one-time secret, and polling until something holds.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use server::testing::TestHub;
use service::auth::Actor;
use types::{CustomerOrganizationId, DeploymentTargetId};

use crate::agent_binary;

/// How long a new agent may take to come online: a loaded 2-core machine running other
/// Docker tests is slow, and a test that waits less only fails for the wrong reason.
pub const ONLINE_WITHIN: Duration = Duration::from_secs(180);

/// Polls `probe` every 100 ms until it gives a value; fails the test, naming `what`, once
/// `limit` has passed.
pub async fn wait_for<T>(
    what: &str,
    limit: Duration,
    mut probe: impl AsyncFnMut() -> Option<T>,
) -> T {
    let start = Instant::now();
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A hub that serves this build's agent (to install commands and self-updates) and asks
/// agents for a heartbeat every `heartbeat_secs`.
pub async fn hub_serving_the_agent(heartbeat_secs: u32) -> TestHub {
    let binary = agent_binary();
    TestHub::start_with(move |s| {
        s.agent_binary = Some(binary);
        s.agent_heartbeat_secs = heartbeat_secs;
    })
    .await
}

/// `<binary> run` for `target` against the hub at `hub_url`, enrolling with `secret`, keeping
/// its state in `state_dir`, reconnecting at least every 2 s, and killed when dropped.
pub fn agent_command(
    binary: &Path,
    hub_url: &str,
    target: DeploymentTargetId,
    secret: &str,
    state_dir: &Path,
) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(binary);
    command
        .arg("run")
        .env("CONSIGN_HUB_URL", hub_url)
        .env("CONSIGN_TARGET_ID", target.to_string())
        .env("CONSIGN_ENROLMENT_SECRET", secret)
        .env("CONSIGN_AGENT_STATE_DIR", state_dir)
        .env("CONSIGN_BACKOFF_CAP_SECS", "2")
        .kill_on_drop(true);
    command
}

/// Waits until the hub sees `target`'s agent connected.
pub async fn wait_online(hub: &TestHub, target: DeploymentTargetId) {
    wait_for("the agent online", ONLINE_WITHIN, async || {
        hub.services.agents.presence(target)
    })
    .await;
}

/// A running `consign-agent` process of a new deployment target, enrolled with the target's
/// one-time secret and connected. The process is killed when this is dropped.
#[derive(Debug)]
pub struct RunningAgent {
    /// The agent process.
    pub process: tokio::process::Child,
    /// Its target.
    pub target: DeploymentTargetId,
    /// Its state folder (credential, Docker config, deployments).
    pub state: tempfile::TempDir,
}

impl RunningAgent {
    /// Creates the target `name` as `actor` (for `customer`, or the vendor's own with `None`),
    /// starts this build's agent for it and waits until it is online.
    pub async fn enrol(
        hub: &TestHub,
        actor: &Actor,
        name: &str,
        customer: Option<CustomerOrganizationId>,
    ) -> Self {
        Self::enrol_with(hub, actor, name, customer, |_| {}).await
    }

    /// Like [`RunningAgent::enrol`], with `adjust` changing the agent's command first (its
    /// environment, for example).
    pub async fn enrol_with(
        hub: &TestHub,
        actor: &Actor,
        name: &str,
        customer: Option<CustomerOrganizationId>,
        adjust: impl FnOnce(&mut tokio::process::Command),
    ) -> Self {
        let issued = service::targets::create(&hub.services, actor, name, customer, Utc::now())
            .await
            .unwrap();
        let target = issued.target.id;
        let state = tempfile::tempdir().unwrap();
        let mut command = agent_command(
            &agent_binary(),
            &hub.url(""),
            target,
            &issued.secret,
            state.path(),
        );
        adjust(&mut command);
        let process = command.spawn().unwrap();
        wait_online(hub, target).await;
        Self {
            process,
            target,
            state,
        }
    }

    /// Kills the agent and waits until it has exited.
    pub async fn stop(mut self) {
        self.process.start_kill().unwrap();
        let _ = self.process.wait().await;
    }
}
