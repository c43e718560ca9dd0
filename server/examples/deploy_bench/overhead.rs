//! Deploy overhead: the same compose file (two services of a local busybox image) brought up
//! by Consign — the REST call, the hub, the websocket, the real agent, `docker compose up` —
//! and by a bare `docker compose up -d` with the same Compose command line the agent uses, on
//! the same Docker engine, alternating (the order swaps every round). Both are timed from
//! the start (the API call; the spawn of compose) to the `start` event of the last container
//! (`docker events`, the engine's own clock), so the end point is the same for both.

use std::collections::VecDeque;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use consign_agent::executor::compose::ComposeCli;
use serde_json::json;
use service::auth::Actor;
use service::versions::{NewVersion, Package};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use types::{ApplicationKind, ApplicationName, ChannelName, VersionName};

use crate::{Api, Hub, import_image, now_ns, percentile, prepare};

/// Services in the compose file: each must have started for a run to end.
const SERVICES: usize = 2;

/// `start` events of the benchmark's containers, in arrival order.
type Starts = Arc<Mutex<VecDeque<u128>>>;

/// Waits for the next `n` start events; the last one's time.
async fn last_start(starts: &Starts, n: usize) -> Result<u128> {
    let started = Instant::now();
    let mut last = 0;
    let mut seen = 0;
    while seen < n {
        if let Some(ns) = starts.lock().unwrap().pop_front() {
            last = last.max(ns);
            seen += 1;
            continue;
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("only {seen} of {n} containers started within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(last)
}

/// The bare Compose command line, as the agent builds it.
fn compose(cli: &ComposeCli, dir: &Path, project: &str) -> Command {
    let mut c = match cli {
        ComposeCli::Plugin => {
            let mut c = Command::new("docker");
            c.arg("compose");
            c
        }
        ComposeCli::Standalone(path) => Command::new(path),
    };
    c.current_dir(dir)
        .args(["-p", project, "-f", "compose.yaml", "--env-file", ".env"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

async fn succeed(mut c: Command) -> Result<()> {
    let status = c.status().await?;
    if !status.success() {
        bail!("{c:?} failed: {status}");
    }
    Ok(())
}

fn median(mut ms: Vec<f64>) -> f64 {
    ms.sort_by(f64::total_cmp);
    percentile(&ms, 0.5)
}

fn describe(label: &str, mut ms: Vec<f64>) {
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

/// Runs `runs` rounds (plus one warm-up of each, not counted).
pub async fn run(hub_bin: &Path, agent_bin: &Path, work: &Path, runs: usize) -> Result<()> {
    let data = work.join("data");
    let image = import_image(work)?;
    let label = format!("consign.overhead={}", std::process::id());
    let mut compose_file = String::from("services:\n");
    for i in 0..SERVICES {
        compose_file.push_str(&format!(
            "  s{i}:\n    image: {image}\n    command: [\"sleep\", \"86400\"]\n    \
             stop_signal: SIGKILL\n    labels:\n      consign.overhead: \"{pid}\"\n    \
             environment:\n      ROUND: ${{ROUND}}\n",
            pid = std::process::id()
        ));
    }
    let cli = ComposeCli::detect()
        .await
        .context("no Docker Compose on this machine")?;
    println!("bench: compose command line: {cli:?} (the agent's own detection)");

    let s = prepare(&data).await?;
    let vendor: Actor = service::testing::world::vendor(&s, "Bench", "bench@bench.test").await;
    let (_, token) = service::access_tokens::create(&s, &vendor, "bench".into(), Some(1)).await?;
    let now = Utc::now();
    let app = service::applications::create(
        &s,
        &vendor,
        ApplicationName::parse("Overhead").unwrap(),
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
                compose_file: compose_file.clone(),
                env_template: Some("ROUND=0\n".into()),
            },
        },
        now,
    )
    .await?;
    let issued = service::targets::create(&s, &vendor, "overhead", None, now).await?;
    s.close().await?;

    let hub = Hub::start(hub_bin, &data, 15, Some(agent_bin)).await?;
    let api = Api {
        http: reqwest::Client::new(),
        base: hub.url("/api/v1"),
        token,
    };
    let mut agent = Command::new(agent_bin)
        .arg("run")
        .env("CONSIGN_HUB_URL", hub.url(""))
        .env("CONSIGN_TARGET_ID", issued.target.id.to_string())
        .env("CONSIGN_ENROLMENT_SECRET", &issued.secret)
        .env("CONSIGN_AGENT_STATE_DIR", work.join("agent"))
        .env("CONSIGN_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .context("cannot start the agent")?;
    let target = issued.target.id.to_string();
    let waiting = Instant::now();
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
        if waiting.elapsed() > Duration::from_secs(30) {
            bail!("the agent did not connect within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let mut events = Command::new("docker")
        .args([
            "events",
            "--filter",
            "type=container",
            "--filter",
            "event=start",
            "--filter",
            &format!("label={label}"),
            "--format",
            "{{.TimeNano}}",
        ])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let starts: Starts = Arc::default();
    {
        let starts = Arc::clone(&starts);
        let stdout = events.stdout.take().context("docker events")?;
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Ok(ns) = line.trim().parse() {
                    starts.lock().unwrap().push_back(ns);
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let bare_dir = work.join("bare");
    std::fs::create_dir_all(&bare_dir)?;
    std::fs::write(bare_dir.join("compose.yaml"), &compose_file)?;

    let ms = |from: u128, to: u128| (to as f64 - from as f64) / 1e6;
    let consign_round = async |round: usize| -> Result<f64> {
        starts.lock().unwrap().clear();
        let t0 = now_ns();
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
        let end = last_start(&starts, SERVICES).await?;
        let id = d["id"].as_str().context("deployment id")?.to_string();
        api.call(
            reqwest::Method::DELETE,
            &format!("/deployments/{id}?deleteData=true"),
            None,
        )
        .await?;
        let waiting = Instant::now();
        loop {
            let d = api
                .call(reqwest::Method::GET, &format!("/deployments/{id}"), None)
                .await?;
            if !d["undeployedAt"].is_null() {
                break;
            }
            if waiting.elapsed() > Duration::from_secs(60) {
                bail!("deployment {id} not undeployed within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(ms(t0, end))
    };
    let bare_round = async |round: usize| -> Result<(f64, f64)> {
        std::fs::write(bare_dir.join(".env"), format!("ROUND={round}\n"))?;
        let project = format!("consign-bare-{}-{round}", std::process::id());
        starts.lock().unwrap().clear();
        let t0 = now_ns();
        let mut up = compose(&cli, &bare_dir, &project);
        up.args(["up", "-d"]);
        succeed(up).await?;
        let exited = now_ns();
        let end = last_start(&starts, SERVICES).await?;
        let mut down = compose(&cli, &bare_dir, &project);
        down.args(["down", "-v", "--remove-orphans"]);
        succeed(down).await?;
        Ok((ms(t0, end), ms(t0, exited)))
    };

    // One of each first, not counted: the first start of anything pays for cold caches.
    consign_round(0).await?;
    bare_round(0).await?;
    let mut consign = Vec::new();
    let mut bare = Vec::new();
    let mut bare_exit = Vec::new();
    for round in 1..=runs {
        let (c, (b, e)) = if round % 2 == 1 {
            let c = consign_round(round).await?;
            (c, bare_round(round).await?)
        } else {
            let b = bare_round(round).await?;
            (consign_round(round).await?, b)
        };
        println!(
            "bench: round {round}: Consign {c:.0} ms, bare compose {b:.0} ms (compose exited \
             after {e:.0} ms)"
        );
        consign.push(c);
        bare.push(b);
        bare_exit.push(e);
    }
    let ratio = median(consign.clone()) / median(bare.clone());
    describe(
        "Consign: API call → every container started",
        consign.clone(),
    );
    describe(
        "bare `compose up -d`: spawn → every container started",
        bare.clone(),
    );
    describe("bare `compose up -d`: spawn → compose exited", bare_exit);
    println!(
        "bench: ratio of medians Consign / bare: {ratio:.2}× (goal ≤ 1.10×); difference {:.0} ms",
        median(consign) - median(bare)
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
