//! The deployment benchmarks behind `cargo xtask bench-deploy` (run by it against the release
//! hub and agent; not a test).
//!
//! - `latency`: a real hub process, a real `consign-agent` process and this machine's Docker.
//!   Each cycle deploys a Compose app through the REST API, updates it, and undeploys it. The
//!   latency is from the API call returning to the agent executing `docker compose … up`: a
//!   `docker` shim first on the agent's `PATH` writes a nanosecond timestamp and `exec`s the
//!   real docker, so the observation point is the spawn itself, with no log parsing. The
//!   container `create` event (`docker events`) is reported beside it.
//! - `overhead`: the same compose file brought up by Consign (API call → every container
//!   started, real agent and Docker) and by a bare `docker compose up -d`, alternating.
//! - `soak` ([`soak`]): simulated agents reporting statuses, logs and metrics at a heavy rate
//!   while API clients deploy, update and undeploy; 5xx count, latency, memory, database size.
//! - `storm` ([`storm`]): simulated agents connected, the hub killed with SIGKILL and restarted;
//!   how long until every agent is back, with the real agent's reconnect backoff.
//! - `swarm`: one hub process and N simulated agents in this process (tokio-tungstenite,
//!   the real protocol: `hello`, `welcome`, `desired_state`, `heartbeat` / `heartbeat_ack`),
//!   their targets seeded straight into the hub's SQLite before it starts. Reports how many
//!   connect and stay connected, heartbeat acknowledgements per second, and the hub's
//!   resident memory and CPU.
//! - `console` ([`console`]): the vendor console's pages with a big seeded fleet (500 targets,
//!   5,000 deployments): p50 and p99 of full responses, and their HTML size.

// A benchmark tool: printing is its job; a failed setup step ends it with the reason.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

mod console;
mod overhead;
mod sim;
mod soak;
mod storm;

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::{Parser, Subcommand};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use service::Services;
use service::auth::Actor;
use service::versions::{NewVersion, Package};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;
use types::protocol::{AgentMessage, HubMessage, PROTOCOL_VERSION};
use types::{ApplicationKind, ApplicationName, ChannelName, VersionName};

#[derive(Parser)]
struct Cli {
    /// The hub binary (release).
    #[arg(long)]
    hub: PathBuf,
    /// A scratch directory (removed first).
    #[arg(long)]
    work: PathBuf,
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Deploy and update latency with a real agent and Docker.
    Latency {
        /// The agent binary (release).
        #[arg(long)]
        agent: PathBuf,
        /// Deploy/update/undeploy cycles.
        #[arg(long, default_value_t = 20)]
        cycles: usize,
    },
    /// The same compose file brought up by Consign and by a bare `docker compose up -d`.
    Overhead {
        /// The agent binary (release).
        #[arg(long)]
        agent: PathBuf,
        /// Runs of each, alternating.
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Simulated agents reporting while API clients deploy, update and undeploy.
    Soak(soak::Options),
    /// Simulated agents connected, the hub killed with SIGKILL and restarted.
    Storm {
        /// How many agents.
        #[arg(long, default_value_t = 10_000)]
        agents: usize,
        /// The heartbeat interval the hub announces, in seconds.
        #[arg(long, default_value_t = 15)]
        heartbeat: u32,
    },
    /// The vendor console's pages timed with a big seeded fleet.
    Console(console::Options),
    /// Simulated agents held by one hub.
    Swarm {
        /// How many agents, in steps (`1000,5000,10000`).
        #[arg(long, value_delimiter = ',', default_value = "1000,5000,10000")]
        steps: Vec<usize>,
        /// The heartbeat interval the hub announces, in seconds.
        #[arg(long, default_value_t = 5)]
        heartbeat: u32,
        /// How long the full swarm is held, in seconds.
        #[arg(long, default_value_t = 60)]
        hold: u64,
    },
}

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Prepares the hub's data directory (database with migrations, keys) in this process.
async fn prepare(data: &Path) -> Result<Services> {
    prepare_on(data, None).await
}

/// [`prepare`] on the database at `database_url` (SQLite under `data` when `None`).
async fn prepare_on(data: &Path, database_url: Option<&str>) -> Result<Services> {
    let settings = consign_server::Settings {
        data_dir: data.to_path_buf(),
        site_root: data.join("site"),
        database_url: database_url.map(|u| u.to_string().into()),
        ..consign_server::Settings::default()
    };
    Ok(consign_server::prepare(&settings).await?.services)
}

/// How a hub process is started (again, for a restart).
#[derive(Clone)]
struct HubSpec {
    binary: PathBuf,
    data: PathBuf,
    heartbeat: u32,
    agent: Option<PathBuf>,
    database_url: Option<String>,
    port: u16,
}

/// A running hub process, stopped on drop.
struct Hub {
    child: Child,
    port: u16,
}

impl Hub {
    async fn start(
        binary: &Path,
        data: &Path,
        heartbeat: u32,
        agent: Option<&Path>,
    ) -> Result<Self> {
        let spec = HubSpec {
            binary: binary.to_path_buf(),
            data: data.to_path_buf(),
            heartbeat,
            agent: agent.map(Path::to_path_buf),
            database_url: None,
            port: free_port()?,
        };
        let hub = Self::spawn(&spec)?;
        hub.wait_ready(Duration::from_secs(30)).await?;
        Ok(hub)
    }

    /// Starts the process without waiting for it to be ready.
    fn spawn(spec: &HubSpec) -> Result<Self> {
        let mut c = Command::new(&spec.binary);
        c.env("CONSIGN_LISTEN", format!("127.0.0.1:{}", spec.port))
            .env("CONSIGN_DATA_DIR", &spec.data)
            .env("CONSIGN_SITE_ROOT", spec.data.join("site"))
            .env("CONSIGN_LOG", "warn")
            .env("CONSIGN_LOG_FORMAT", "json")
            .env("CONSIGN_AGENT_HEARTBEAT_SECS", spec.heartbeat.to_string())
            // Warnings and errors, kept for reading after a run (appended across restarts).
            .stdout(hub_log(&spec.data)?)
            .kill_on_drop(true);
        if let Some(agent) = &spec.agent {
            c.env("CONSIGN_AGENT_BINARY", agent);
        }
        if let Some(url) = &spec.database_url {
            c.env("CONSIGN_DATABASE_URL", url);
        }
        let child = c.spawn().context("cannot start the hub")?;
        Ok(Self {
            child,
            port: spec.port,
        })
    }

    /// Waits for `/readyz` to answer 200.
    async fn wait_ready(&self, limit: Duration) -> Result<()> {
        let started = Instant::now();
        let http = reqwest::Client::new();
        loop {
            if let Ok(r) = http.get(self.url("/readyz")).send().await
                && r.status() == 200
            {
                return Ok(());
            }
            if started.elapsed() > limit {
                bail!("the hub did not become ready within {limit:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }
}

/// Resident memory of `pid`, in KiB.
/// The hub's log file in its data directory, opened for appending (a restarted hub adds to it).
fn hub_log(data: &Path) -> Result<std::fs::File> {
    let path = data.join("hub.log");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))
}

/// The warnings and errors in the hub's log, each with how often it appeared (by message).
fn hub_log_summary(data: &Path) -> Vec<(String, usize)> {
    let text = std::fs::read_to_string(data.join("hub.log")).unwrap_or_default();
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for line in text.lines() {
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let level = entry["level"].as_str().unwrap_or_default();
        if level == "WARN" || level == "ERROR" {
            let message = entry["fields"]["message"].as_str().unwrap_or(line);
            *counts.entry(format!("{level} {message}")).or_default() += 1;
        }
    }
    counts.into_iter().collect()
}

/// Prints [`hub_log_summary`] under a heading.
fn print_hub_log_summary(data: &Path) {
    let summary = hub_log_summary(data);
    if summary.is_empty() {
        println!("bench: the hub logged no warnings or errors");
    }
    for (message, count) in summary {
        println!("bench: hub log: {count} × {message}");
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// CPU time (user + system) of `pid` so far.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name (which may hold spaces, inside parentheses).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i)?.parse::<u64>().ok())
        .sum();
    // USER_HZ is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn summary(label: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "bench: {label}: n={} median {:.0} ms, p95 {:.0} ms, min {:.0} ms, max {:.0} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        ms.first().copied().unwrap_or(f64::NAN),
        ms.last().copied().unwrap_or(f64::NAN),
    );
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let _ = std::fs::remove_dir_all(&cli.work);
    std::fs::create_dir_all(&cli.work)?;
    let result = match cli.bench {
        Bench::Latency { agent, cycles } => latency(&cli.hub, &agent, &cli.work, cycles).await,
        Bench::Overhead { agent, runs } => overhead::run(&cli.hub, &agent, &cli.work, runs).await,
        Bench::Soak(options) => soak::run(&cli.hub, &cli.work, &options).await,
        Bench::Storm { agents, heartbeat } => {
            storm::run(&cli.hub, &cli.work, agents, heartbeat).await
        }
        Bench::Console(options) => console::run(&cli.hub, &cli.work, &options).await,
        Bench::Swarm {
            steps,
            heartbeat,
            hold,
        } => swarm(&cli.hub, &cli.work, &steps, heartbeat, hold).await,
    };
    let _ = std::fs::remove_dir_all(&cli.work);
    result
}

// ---------------------------------------------------------------------------------------------
// Deploy latency

/// A busybox image imported from the host's `busybox-static` (no registry pull).
fn import_image(work: &Path) -> Result<String> {
    let busybox = ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .context("busybox is missing: apt-get install -y busybox-static")?;
    let root = work.join("rootfs");
    std::fs::create_dir_all(root.join("bin"))?;
    std::fs::create_dir_all(root.join("tmp"))?;
    std::fs::copy(busybox, root.join("bin/busybox"))?;
    let list = std::process::Command::new(busybox).arg("--list").output()?;
    for applet in String::from_utf8_lossy(&list.stdout).split_whitespace() {
        if applet != "busybox" {
            let _ = std::os::unix::fs::symlink("busybox", root.join("bin").join(applet));
        }
    }
    let tar = work.join("rootfs.tar");
    let ok = std::process::Command::new("tar")
        .arg("-C")
        .arg(&root)
        .arg("-cf")
        .arg(&tar)
        .arg(".")
        .status()?
        .success();
    if !ok {
        bail!("tar failed");
    }
    let tag = format!("consign-bench/busybox:{}", std::process::id());
    let ok = std::process::Command::new("docker")
        .args(["import", "--change", r#"CMD ["/bin/sh"]"#])
        .arg(&tar)
        .arg(&tag)
        .stdout(Stdio::null())
        .status()?
        .success();
    if !ok {
        bail!("docker import failed");
    }
    Ok(tag)
}

fn which(program: &str) -> Result<PathBuf> {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .with_context(|| format!("{program} is not on PATH"))
}

/// A `docker` that notes when it is asked to `compose … up`, then becomes the real one.
fn docker_shim(dir: &Path, marks: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let real = which("docker")?;
    std::fs::create_dir_all(dir)?;
    let script = format!(
        "#!/bin/sh\ncase \" $* \" in *\" compose \"*\" up \"*) date +%s%N >> '{}' ;; esac\nexec '{}' \"$@\"\n",
        marks.display(),
        real.display()
    );
    let path = dir.join("docker");
    std::fs::write(&path, script)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let mut r = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            r = r.json(&body);
        }
        let response = r.send().await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            bail!("{method} {path} answered {status}: {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// The marks the shim wrote so far.
fn marks(path: &Path) -> Vec<u128> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// Waits for the `n`-th mark (0-based) and returns it.
async fn wait_mark(path: &Path, n: usize) -> Result<u128> {
    let started = Instant::now();
    loop {
        if let Some(m) = marks(path).get(n) {
            return Ok(*m);
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!("the agent did not run compose up within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

async fn wait_state(api: &Api, id: &str, revision: &str, state: &str) -> Result<()> {
    let started = Instant::now();
    loop {
        let d = api
            .call(reqwest::Method::GET, &format!("/deployments/{id}"), None)
            .await?;
        if d["status"]["state"] == state && d["status"]["revisionId"] == revision {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("deployment {id} not {state} within 60 s: {}", d["status"]);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn latency(hub_bin: &Path, agent_bin: &Path, work: &Path, cycles: usize) -> Result<()> {
    let data = work.join("data");
    let image = import_image(work)?;
    let compose = format!(
        "services:\n  app:\n    image: {image}\n    command: [\"sleep\", \"86400\"]\n    \
         stop_signal: SIGKILL\n    labels:\n      consign.bench: \"{pid}\"\n    environment:\n      \
         ROUND: ${{ROUND}}\n",
        pid = std::process::id()
    );
    let s = prepare(&data).await?;
    let vendor: Actor = service::testing::world::vendor(&s, "Bench", "bench@bench.test").await;
    let (_, token) = service::access_tokens::create(&s, &vendor, "bench".into(), Some(1)).await?;
    let now = Utc::now();
    let app = service::applications::create(
        &s,
        &vendor,
        ApplicationName::parse("Bench").unwrap(),
        ApplicationKind::Docker,
        now,
    )
    .await?;
    let version = service::versions::create(
        &s,
        &vendor,
        app.id,
        NewVersion {
            name: VersionName::parse("1.0").unwrap(),
            channel: ChannelName::stable(),
            link_template: None,
            package: Package::Compose {
                compose_file: compose,
                env_template: Some("ROUND=0\n".into()),
            },
        },
        now,
    )
    .await?;
    let issued = service::targets::create(&s, &vendor, "bench", None, now).await?;
    s.close().await?;

    let hub = Hub::start(hub_bin, &data, 15, Some(agent_bin)).await?;
    let api = Api {
        http: reqwest::Client::new(),
        base: hub.url("/api/v1"),
        token,
    };
    let shim = work.join("shim");
    let marks_file = work.join("marks");
    docker_shim(&shim, &marks_file)?;
    let path = std::env::join_paths(std::iter::once(shim.clone()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))?;
    let mut agent = Command::new(agent_bin)
        .arg("run")
        .env("PATH", path)
        .env("CONSIGN_HUB_URL", hub.url(""))
        .env("CONSIGN_TARGET_ID", issued.target.id.to_string())
        .env("CONSIGN_ENROLMENT_SECRET", &issued.secret)
        .env("CONSIGN_AGENT_STATE_DIR", work.join("agent"))
        .env("CONSIGN_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .context("cannot start the agent")?;
    let target = issued.target.id.to_string();
    let started = Instant::now();
    loop {
        let t = api
            .call(
                reqwest::Method::GET,
                &format!("/deployment-targets/{target}"),
                None,
            )
            .await?;
        if t["online"] == true {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!("the agent did not connect within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Container create events of this benchmark's containers, as a second observation point.
    let mut events = Command::new("docker")
        .args([
            "events",
            "--filter",
            "type=container",
            "--filter",
            "event=create",
            "--filter",
            &format!("label=consign.bench={}", std::process::id()),
            "--format",
            "{{.TimeNano}}",
        ])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let created: Arc<std::sync::Mutex<VecDeque<u128>>> = Arc::default();
    {
        let created = Arc::clone(&created);
        let stdout = events.stdout.take().context("docker events")?;
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Ok(ns) = line.trim().parse() {
                    created.lock().unwrap().push_back(ns);
                }
            }
        });
    }
    // docker events needs a moment to subscribe.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let next_create = async || -> Option<u128> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Some(ns) = created.lock().unwrap().pop_front() {
                return Some(ns);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        None
    };

    let mut deploy_up = Vec::new();
    let mut update_up = Vec::new();
    let mut deploy_create = Vec::new();
    let mut update_create = Vec::new();
    let mut mark = 0;
    let ms = |from: u128, to: u128| (to as f64 - from as f64) / 1e6;
    for round in 0..cycles {
        let d = api
            .call(
                reqwest::Method::POST,
                "/deployments",
                Some(json!({
                    "targetId": target,
                    "applicationId": app.id,
                    "versionId": version.id,
                    "env": format!("ROUND={round}\n"),
                })),
            )
            .await?;
        let returned = now_ns();
        let id = d["id"].as_str().context("deployment id")?.to_string();
        let up = wait_mark(&marks_file, mark).await?;
        mark += 1;
        deploy_up.push(ms(returned, up));
        if let Some(c) = next_create().await {
            deploy_create.push(ms(returned, c));
        }
        let revision = d["revisionId"].as_str().unwrap_or_default().to_string();
        wait_state(&api, &id, &revision, "running").await?;

        let u = api
            .call(
                reqwest::Method::PATCH,
                &format!("/deployments/{id}"),
                Some(json!({"env": format!("ROUND={round}-updated\n")})),
            )
            .await?;
        let returned = now_ns();
        let up = wait_mark(&marks_file, mark).await?;
        mark += 1;
        update_up.push(ms(returned, up));
        if let Some(c) = next_create().await {
            update_create.push(ms(returned, c));
        }
        let revision = u["revisionId"].as_str().unwrap_or_default().to_string();
        wait_state(&api, &id, &revision, "running").await?;

        api.call(
            reqwest::Method::DELETE,
            &format!("/deployments/{id}?deleteData=true"),
            None,
        )
        .await?;
        let started = Instant::now();
        loop {
            let d = api
                .call(reqwest::Method::GET, &format!("/deployments/{id}"), None)
                .await?;
            if !d["undeployedAt"].is_null() {
                break;
            }
            if started.elapsed() > Duration::from_secs(60) {
                bail!("deployment {id} not undeployed within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        println!(
            "bench: round {}: deploy → compose up {:.0} ms, update → compose up {:.0} ms",
            round + 1,
            deploy_up[round],
            update_up[round]
        );
    }
    summary(
        "deploy API return → agent runs `docker compose up`",
        deploy_up,
    );
    summary(
        "update API return → agent runs `docker compose up`",
        update_up,
    );
    summary(
        "deploy API return → container created (docker events)",
        deploy_create,
    );
    summary(
        "update API return → container recreated (docker events)",
        update_create,
    );
    let _ = agent.start_kill();
    let _ = agent.wait().await;
    let _ = events.start_kill();
    let _ = std::process::Command::new("docker")
        .args(["rmi", "-f", &image])
        .stdout(Stdio::null())
        .status();
    drop(hub);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Agents held

/// Raises this process's soft open-files limit to its hard limit.
fn raise_fd_limit() -> u64 {
    consign_server::raise_open_files_limit().unwrap_or(0)
}

/// Seeds `count` enrolled targets of one vendor; returns their credentials and an API token.
async fn seed_swarm(data: &Path, count: usize) -> Result<(Vec<String>, String)> {
    let s = prepare(data).await?;
    let vendor = service::testing::world::vendor(&s, "Swarm", "swarm@bench.test").await;
    let (_, token) = service::access_tokens::create(&s, &vendor, "bench".into(), Some(1)).await?;
    let credentials = service::testing::world::enrolled_targets(&s, &vendor, "swarm", count)
        .await?
        .into_iter()
        .map(|(_, credential)| credential)
        .collect();
    s.close().await?;
    Ok((credentials, token))
}

#[derive(Default)]
struct Counters {
    connected: AtomicUsize,
    failed: AtomicUsize,
    dropped: AtomicUsize,
    acks: AtomicU64,
    desired_states: AtomicU64,
}

/// One simulated agent: connects from `local`, says hello, then heartbeats until the hub
/// closes or the process ends.
async fn simulated_agent(
    port: u16,
    local: IpAddr,
    credential: String,
    heartbeat: u32,
    counters: Arc<Counters>,
) {
    let connect = sim::connect(port, local, &credential);
    let mut ws = match tokio::time::timeout(Duration::from_secs(60), connect).await {
        Ok(Ok(ws)) => ws,
        _ => {
            counters.failed.fetch_add(1, Ordering::Relaxed);
            return;
        }
    };
    let hello = AgentMessage::Hello {
        protocol_version: PROTOCOL_VERSION,
        agent_version: "0.0.0-swarm".into(),
        capabilities: vec!["docker-compose".into()],
    };
    if ws
        .send(Message::Text(serde_json::to_string(&hello).unwrap().into()))
        .await
        .is_err()
    {
        counters.failed.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let mut welcomed = false;
    // Spread the heartbeats over the interval, as independent agents would be.
    let period = Duration::from_secs(u64::from(heartbeat));
    let offset = Duration::from_millis(rand_below(period.as_millis() as u64));
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + offset, period);
    loop {
        tokio::select! {
            frame = ws.next() => {
                let Some(Ok(frame)) = frame else { break };
                let Message::Text(text) = frame else {
                    if matches!(frame, Message::Close(_)) { break }
                    continue;
                };
                match serde_json::from_str::<HubMessage>(&text) {
                    Ok(HubMessage::Welcome { .. }) => {
                        welcomed = true;
                        counters.connected.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(HubMessage::DesiredState(state)) => {
                        // Nothing deployed here: a real agent would now report the status of
                        // every deployment it runs, which is none.
                        debug_assert!(state.deployments.is_empty());
                        counters.desired_states.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(HubMessage::HeartbeatAck) => {
                        counters.acks.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {}
                }
            }
            _ = ticks.tick(), if welcomed => {
                let beat = AgentMessage::Heartbeat { at: Utc::now() };
                if ws.send(Message::Text(serde_json::to_string(&beat).unwrap().into())).await.is_err() {
                    break;
                }
            }
        }
    }
    if welcomed {
        counters.connected.fetch_sub(1, Ordering::Relaxed);
        counters.dropped.fetch_add(1, Ordering::Relaxed);
    } else {
        counters.failed.fetch_add(1, Ordering::Relaxed);
    }
}

/// A cheap pseudo-random number below `n` (spreading start times needs no more).
fn rand_below(n: u64) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(now_ns());
    h.finish() % n.max(1)
}

async fn swarm(
    hub_bin: &Path,
    work: &Path,
    steps: &[usize],
    heartbeat: u32,
    hold: u64,
) -> Result<()> {
    let total = steps.iter().copied().max().unwrap_or(0);
    let limit = raise_fd_limit();
    println!("bench: open-files limit of the load generator: {limit}");
    let data = work.join("data");
    let seeding = Instant::now();
    let (credentials, token) = seed_swarm(&data, total).await?;
    println!(
        "bench: seeded {total} enrolled targets in {:.1?}",
        seeding.elapsed()
    );
    let hub = Hub::start(hub_bin, &data, heartbeat, None).await?;
    let pid = hub.pid();
    println!(
        "bench: hub idle before any agent: {:.1} MiB resident",
        mib(rss_kib(pid))
    );
    let counters = Arc::new(Counters::default());
    let mut started = 0;
    let ramp = Instant::now();
    for &step in steps {
        let step_started = Instant::now();
        let cpu_before = cpu_time(pid);
        // Connect in waves of 100 so the listen backlog is never the limit being measured.
        while started < step {
            let wave_end = (started + 100).min(step);
            for (i, credential) in credentials.iter().enumerate().take(wave_end).skip(started) {
                // 127.0.0.2 … 127.0.0.201: 200 source addresses, so ephemeral ports never run out.
                let local = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + (i % 200) as u8));
                tokio::spawn(simulated_agent(
                    hub.port,
                    local,
                    credential.clone(),
                    heartbeat,
                    Arc::clone(&counters),
                ));
            }
            started = wave_end;
            while counters.connected.load(Ordering::Relaxed)
                + counters.failed.load(Ordering::Relaxed)
                + counters.dropped.load(Ordering::Relaxed)
                + 200
                < started
            {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        let settle = Instant::now();
        while counters.connected.load(Ordering::Relaxed)
            + counters.failed.load(Ordering::Relaxed)
            + counters.dropped.load(Ordering::Relaxed)
            < step
            && settle.elapsed() < Duration::from_secs(60)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let took = step_started.elapsed();
        let cpu = cpu_time(pid) - cpu_before;
        println!(
            "bench: {step} agents: {} connected (failed {}, dropped {}), reached in {:.1?} \
             (hub CPU {:.1?} for this step), hub {:.1} MiB resident",
            counters.connected.load(Ordering::Relaxed),
            counters.failed.load(Ordering::Relaxed),
            counters.dropped.load(Ordering::Relaxed),
            took,
            cpu,
            mib(rss_kib(pid))
        );
    }
    println!("bench: ramp to {total} took {:.1?}", ramp.elapsed());

    // Hold: every agent heartbeats; count acknowledgements, watch memory and CPU.
    let acks_before = counters.acks.load(Ordering::Relaxed);
    let dropped_before = counters.dropped.load(Ordering::Relaxed);
    let cpu_before = cpu_time(pid);
    let held = Instant::now();
    let mut peak = 0;
    let mut min_connected = usize::MAX;
    while held.elapsed() < Duration::from_secs(hold) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        peak = peak.max(rss_kib(pid));
        min_connected = min_connected.min(counters.connected.load(Ordering::Relaxed));
    }
    let elapsed = held.elapsed().as_secs_f64();
    let acks = counters.acks.load(Ordering::Relaxed) - acks_before;
    let cpu = cpu_time(pid) - cpu_before;
    let http = reqwest::Client::new();
    let targets: Value = http
        .get(hub.url("/api/v1/deployment-targets"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let online = targets
        .as_array()
        .map(|all| all.iter().filter(|t| t["online"] == true).count())
        .unwrap_or(0);
    println!(
        "bench: held {hold} s with heartbeats every {heartbeat} s: {} connected at the end, at \
         least {min_connected} throughout, {} dropped; the hub lists {online} online",
        counters.connected.load(Ordering::Relaxed),
        counters.dropped.load(Ordering::Relaxed) - dropped_before,
    );
    println!(
        "bench: heartbeat acks {:.0}/s (expected {:.0}/s); hub resident {:.1} MiB (peak {:.1} \
         MiB); hub CPU {:.0}% of one core ({:.1?} in {elapsed:.0} s)",
        acks as f64 / elapsed,
        total as f64 / f64::from(heartbeat),
        mib(rss_kib(pid)),
        mib(peak),
        100.0 * cpu.as_secs_f64() / elapsed,
        cpu,
    );
    println!(
        "bench: load generator resident {:.1} MiB",
        mib(rss_kib(std::process::id()))
    );
    drop(hub);
    Ok(())
}
