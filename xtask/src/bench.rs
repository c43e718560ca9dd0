//! Start-up time and idle memory of the release hub, measured on this machine.

use std::io::{Read, Write};
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
    Ok(())
}

fn get_status(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split_whitespace().nth(1)?.parse().ok()
}
