//! `cargo xtask bench-deploy`: the deployment benchmarks of `server/examples/deploy_bench.rs`
//! against the release hub and agent on this machine:
//!
//! - deploy and update latency, from the REST call returning to the real agent running
//!   `docker compose up` on this machine's Docker (20 deploy/update/undeploy cycles);
//! - how many simulated agents one hub holds with heartbeats flowing (1,000, 5,000, then
//!   10,000 held for 60 s with heartbeats every 5 s), the hub's memory and CPU;
//! - deploy overhead: the same compose file brought up by Consign (API call → every container
//!   started) and by a bare `docker compose up -d`, alternating, 20 times each;
//! - the agent's idle memory (`cargo xtask bench` measures it too).
//!
//! `--only latency,overhead,swarm,memory` runs a subset.

use std::path::{Path, PathBuf};

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
    /// Rounds of the overhead comparison (each side).
    pub overhead_runs: usize,
    /// Which parts run: `latency`, `overhead`, `swarm`, `memory`.
    pub only: Vec<String>,
    /// Debug builds instead of release ones.
    pub dev: bool,
}

/// The parts `bench-deploy` runs unless `--only` says otherwise.
pub const PARTS: &[&str] = &["latency", "overhead", "swarm", "memory"];

impl Default for Options {
    fn default() -> Self {
        Self {
            cycles: 20,
            steps: "1000,5000,10000".into(),
            heartbeat_secs: 5,
            hold_secs: 60,
            overhead_runs: 20,
            only: PARTS.iter().map(|p| (*p).to_string()).collect(),
            dev: false,
        }
    }
}

/// The release binaries the benchmarks run.
pub struct Release {
    /// `examples/deploy_bench`.
    pub driver: PathBuf,
    /// `consign-server`.
    pub hub: PathBuf,
    /// `consign-agent`.
    pub agent: PathBuf,
}

/// Builds the release hub, the benchmark driver and (with `agent`) the release agent; with
/// `dev`, the debug builds instead (quicker to build, slower to run: say so with the figures).
pub fn build(agent: bool, dev: bool) -> Result<Release> {
    let profile: &[&str] = if dev { &[] } else { &["--release"] };
    cmd::run(cmd::cargo().args(["build"]).args(profile).args([
        "-p",
        "consign-server",
        "--bin",
        "consign-server",
        "--example",
        "deploy_bench",
    ]))?;
    if agent {
        cmd::run(cmd::cargo().args(["build"]).args(profile).args([
            "-p",
            "consign-agent",
            "--bin",
            "consign-agent",
        ]))?;
    }
    let target_dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let release =
        std::path::absolute(Path::new(&target_dir).join(if dev { "debug" } else { "release" }))?;
    Ok(Release {
        driver: release.join("examples").join("deploy_bench"),
        hub: release.join("consign-server"),
        agent: release.join("consign-agent"),
    })
}

/// A scratch directory for one benchmark run.
pub fn work_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("consign-bench-{name}-{}", std::process::id()))
}

/// Parses the `--only` list.
pub fn parse_only(list: &str) -> Result<Vec<String>> {
    let parts: Vec<String> = list
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if let Some(bad) = parts.iter().find(|p| !PARTS.contains(&p.as_str())) {
        anyhow::bail!("--only: unknown part {bad:?} (known: {})", PARTS.join(", "));
    }
    Ok(parts)
}

/// Builds the release hub, agent and benchmark driver, then runs the benchmarks.
pub fn run(options: &Options) -> Result<()> {
    let wants = |part: &str| options.only.iter().any(|p| p == part);
    let Release { driver, hub, agent } = build(true, options.dev)?;
    let work = work_dir("deploy");
    if wants("latency") {
        latency(options, &driver, &hub, &agent, &work)?;
    }
    if wants("overhead") {
        println!(
            "xtask: deploy overhead, Consign against a bare `docker compose up -d` ({} rounds)",
            options.overhead_runs
        );
        cmd::run(
            std::process::Command::new(&driver)
                .arg("--hub")
                .arg(&hub)
                .arg("--work")
                .arg(&work)
                .arg("overhead")
                .arg("--agent")
                .arg(&agent)
                .args(["--runs", &options.overhead_runs.to_string()]),
        )
        .context("the overhead benchmark failed")?;
    }
    if wants("swarm") {
        swarm(options, &driver, &hub, &work)?;
    }
    if wants("memory") {
        bench::agent_idle_memory()?;
    }
    Ok(())
}

fn latency(options: &Options, driver: &Path, hub: &Path, agent: &Path, work: &Path) -> Result<()> {
    println!(
        "xtask: deploy latency ({} cycles, real agent, Docker)",
        options.cycles
    );
    cmd::run(
        std::process::Command::new(driver)
            .arg("--hub")
            .arg(hub)
            .arg("--work")
            .arg(work)
            .arg("latency")
            .arg("--agent")
            .arg(agent)
            .args(["--cycles", &options.cycles.to_string()]),
    )
    .context("the latency benchmark failed")
}

fn swarm(options: &Options, driver: &Path, hub: &Path, work: &Path) -> Result<()> {
    println!(
        "xtask: agents held by one hub (steps {}, heartbeats every {} s, held {} s)",
        options.steps, options.heartbeat_secs, options.hold_secs
    );
    cmd::run(
        std::process::Command::new(driver)
            .arg("--hub")
            .arg(hub)
            .arg("--work")
            .arg(work)
            .arg("swarm")
            .args(["--steps", &options.steps])
            .args(["--heartbeat", &options.heartbeat_secs.to_string()])
            .args(["--hold", &options.hold_secs.to_string()]),
    )
    .context("the swarm benchmark failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_takes_known_parts() {
        assert_eq!(
            parse_only("overhead, latency").unwrap(),
            ["overhead", "latency"]
        );
        assert!(parse_only("latency,nope").is_err());
        assert_eq!(Options::default().only, PARTS);
    }
}
