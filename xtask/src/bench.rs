//! Start-up time and idle memory of the release hub, and idle memory of the release agent,
//! measured on this machine.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::{cmd, site};

const RUNS: usize = 7;

/// Starts the release binary `RUNS` times on a fresh data directory, timing spawn → `/readyz`
/// answering 200, then reads its resident memory after two idle seconds.
pub fn startup_and_idle_memory() -> Result<()> {
    cmd::run(cmd::cargo().args(["build", "--release", "-p", "consign-server"]))?;
    let target_dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let binary = std::path::Path::new(&target_dir)
        .join("release")
        .join("consign-server");
    let mut startups = Vec::new();
    let mut rss = Vec::new();
    for run in 0..RUNS {
        let data = std::env::temp_dir().join(format!("consign-bench-{}-{run}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let started = Instant::now();
        let mut child = Command::new(&binary)
            .env("CONSIGN_LISTEN", format!("127.0.0.1:{port}"))
            .env("CONSIGN_DATA_DIR", &data)
            .env("CONSIGN_SITE_ROOT", site::site_root())
            .env("CONSIGN_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .context("cannot start the hub")?;
        let ready = loop {
            if get_status(port, "/readyz") == Some(200) {
                break started.elapsed();
            }
            if started.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                bail!("the hub did not become ready within 30 s");
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        // One page render, so the memory figure includes a warmed-up renderer.
        let _ = get_status(port, "/");
        std::thread::sleep(Duration::from_secs(2));
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()))?;
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .context("no VmRSS")?;
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(&data);
        startups.push(ready);
        rss.push(kib);
    }
    startups.sort();
    rss.sort_unstable();
    println!(
        "bench: hub start-up to ready (fresh SQLite, migrations included), {RUNS} runs: median {:.0?}, min {:.0?}, max {:.0?}",
        startups[RUNS / 2],
        startups[0],
        startups[RUNS - 1]
    );
    println!(
        "bench: hub idle resident memory: median {:.1} MiB, max {:.1} MiB",
        rss[RUNS / 2] as f64 / 1024.0,
        rss[RUNS - 1] as f64 / 1024.0
    );
    agent_idle_memory()
}

/// How long the agent idles before its memory is read: past the first heartbeat and metrics
/// sample would take 30 s, so this reads the steady state after connecting.
const AGENT_SETTLE: Duration = Duration::from_secs(5);

/// Starts the release agent connected to `bench_hub` (an example of the agent crate that plays
/// the hub's side of the protocol), lets it settle and reads its resident memory; then again
/// with no hub listening, so it sits in its reconnect loop.
pub fn agent_idle_memory() -> Result<()> {
    cmd::run(cmd::cargo().args([
        "build",
        "--release",
        "-p",
        "consign-agent",
        "--bin",
        "consign-agent",
        "--example",
        "bench_hub",
    ]))?;
    let target_dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let release = std::path::Path::new(&target_dir).join("release");
    let mut connected = Vec::new();
    let mut offline = Vec::new();
    for run in 0..RUNS {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut hub = Command::new(release.join("examples").join("bench_hub"))
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start bench_hub")?;
        let hub_out = hub.stdout.take().context("no bench_hub stdout")?;
        // Wait for the listener before starting the agent, so its first attempt connects.
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(10) {
                let _ = hub.kill();
                bail!("bench_hub did not listen within 10 s");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let state =
            std::env::temp_dir().join(format!("consign-agent-bench-{}-{run}", std::process::id()));
        let _ = std::fs::remove_dir_all(&state);
        let agent = |hub_port: u16| {
            Command::new(release.join("consign-agent"))
                .arg("run")
                .env("CONSIGN_HUB_URL", format!("http://127.0.0.1:{hub_port}"))
                .env("CONSIGN_AGENT_TOKEN", "bench-credential")
                .env("CONSIGN_AGENT_STATE_DIR", &state)
                .env("CONSIGN_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .context("cannot start the agent")
        };
        let mut child = agent(port)?;
        let mut line = String::new();
        BufReader::new(hub_out).read_line(&mut line)?;
        if line.trim() != "connected" {
            let _ = child.kill();
            let _ = hub.kill();
            bail!("the agent did not connect to bench_hub");
        }
        std::thread::sleep(AGENT_SETTLE);
        connected.push(vm_rss_kib(child.id())?);
        stop(&mut child);
        stop(&mut hub);
        // No hub at all: the agent backs off and retries.
        let mut child = agent(port)?;
        std::thread::sleep(AGENT_SETTLE);
        offline.push(vm_rss_kib(child.id())?);
        stop(&mut child);
        let _ = std::fs::remove_dir_all(&state);
    }
    connected.sort_unstable();
    offline.sort_unstable();
    println!(
        "bench: agent idle resident memory, connected: median {:.1} MiB, max {:.1} MiB; \
         hub unreachable: median {:.1} MiB, max {:.1} MiB",
        connected[RUNS / 2] as f64 / 1024.0,
        connected[RUNS - 1] as f64 / 1024.0,
        offline[RUNS / 2] as f64 / 1024.0,
        offline[RUNS - 1] as f64 / 1024.0
    );
    Ok(())
}

fn vm_rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no VmRSS")
}

fn stop(child: &mut std::process::Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

fn get_status(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split_whitespace().nth(1)?.parse().ok()
}
