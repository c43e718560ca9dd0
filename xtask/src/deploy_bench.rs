//! `cargo xtask bench-deploy`: the deployment benchmarks of `server/examples/deploy_bench.rs`
//! against the release hub and agent on this machine:
//!
//! - deploy and update latency, from the REST call returning to the real agent running
//!   `docker compose up` on this machine's Docker (20 deploy/update/undeploy cycles);
//! - how many simulated agents one hub holds with heartbeats flowing (1,000, 5,000, then
//!   10,000 held for 60 s with heartbeats every 5 s), the hub's memory and CPU;
//! - the agent's idle memory (`cargo xtask bench` measures it too).

use std::path::Path;

use anyhow::{Context, Result};

use crate::{bench, cmd};

/// What to run.
#[derive(Debug)]
pub struct Options {
    /// Deploy/update cycles.
    pub cycles: usize,
    /// Simulated agents, in steps.
    pub steps: String,
    /// Heartbeat interval the hub announces to the simulated agents.
    pub heartbeat_secs: u32,
    /// Seconds the full swarm is held.
    pub hold_secs: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            cycles: 20,
            steps: "1000,5000,10000".into(),
            heartbeat_secs: 5,
            hold_secs: 60,
        }
    }
}

/// Builds the release hub, agent and benchmark driver, then runs both benchmarks.
pub fn run(options: &Options) -> Result<()> {
    cmd::run(cmd::cargo().args([
        "build",
        "--release",
        "-p",
        "consign-server",
        "--bin",
        "consign-server",
        "--example",
        "deploy_bench",
    ]))?;
    cmd::run(cmd::cargo().args([
        "build",
        "--release",
        "-p",
        "consign-agent",
        "--bin",
        "consign-agent",
    ]))?;
    let target_dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let release = Path::new(&target_dir).join("release");
    let driver = release.join("examples").join("deploy_bench");
    let hub = release.join("consign-server");
    let agent = release.join("consign-agent");
    let work = std::env::temp_dir().join(format!("consign-bench-deploy-{}", std::process::id()));
    println!(
        "xtask: deploy latency ({} cycles, real agent, Docker)",
        options.cycles
    );
    cmd::run(
        std::process::Command::new(&driver)
            .arg("--hub")
            .arg(&hub)
            .arg("--work")
            .arg(&work)
            .arg("latency")
            .arg("--agent")
            .arg(&agent)
            .args(["--cycles", &options.cycles.to_string()]),
    )
    .context("the latency benchmark failed")?;
    println!(
        "xtask: agents held by one hub (steps {}, heartbeats every {} s, held {} s)",
        options.steps, options.heartbeat_secs, options.hold_secs
    );
    cmd::run(
        std::process::Command::new(&driver)
            .arg("--hub")
            .arg(&hub)
            .arg("--work")
            .arg(&work)
            .arg("swarm")
            .args(["--steps", &options.steps])
            .args(["--heartbeat", &options.heartbeat_secs.to_string()])
            .args(["--hold", &options.hold_secs.to_string()]),
    )
    .context("the swarm benchmark failed")?;
    bench::agent_idle_memory()
}
