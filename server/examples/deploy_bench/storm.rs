//! The reconnect storm: N simulated agents connected to a release hub on SQLite, the hub
//! killed with SIGKILL and started again at once on the same data directory and port. The
//! agents reconnect with the real agent's backoff (full jitter, [`crate::sim`]). Reports how
//! long until every agent is welcomed again, the failed attempts, and the hub's peak CPU and
//! resident memory during the storm.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use serde_json::Value;

use crate::sim::{self, Stats};
use crate::{HubSpec, cpu_time, free_port, mib, rss_kib, seed_swarm};

/// The hub's peak CPU (percent of one core, over 250 ms windows) and resident memory (KiB).
#[derive(Default)]
struct Peaks {
    cpu_percent_x10: AtomicU64,
    rss_kib: AtomicU64,
}

/// Samples the process `pid` every 250 ms until `stop`.
async fn sample(pid: u32, peaks: Arc<Peaks>, stop: Arc<AtomicBool>) {
    let window = Duration::from_millis(250);
    let mut before = (Instant::now(), cpu_time(pid));
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(window).await;
        let now = (Instant::now(), cpu_time(pid));
        let busy = now.1.saturating_sub(before.1).as_secs_f64();
        let wall = now.0.duration_since(before.0).as_secs_f64();
        let percent_x10 = (1000.0 * busy / wall.max(0.001)) as u64;
        peaks
            .cpu_percent_x10
            .fetch_max(percent_x10, Ordering::Relaxed);
        peaks.rss_kib.fetch_max(rss_kib(pid), Ordering::Relaxed);
        before = now;
    }
}

/// Runs the storm.
pub async fn run(hub_bin: &Path, work: &Path, agents: usize, heartbeat: u32) -> Result<()> {
    let limit = consign_server::raise_open_files_limit().unwrap_or(0);
    println!("bench: open-files limit of the load generator: {limit}");
    let data = work.join("data");
    let (credentials, token) = seed_swarm(&data, agents).await?;
    let spec = HubSpec {
        binary: hub_bin.to_path_buf(),
        data: data.clone(),
        heartbeat,
        agent: None,
        database_url: None,
        port: free_port()?,
    };
    let mut hub = crate::Hub::spawn(&spec)?;
    hub.wait_ready(Duration::from_secs(60)).await?;
    let stats = Arc::new(Stats::default());
    let ramp = Instant::now();
    for (i, credential) in credentials.iter().enumerate() {
        tokio::spawn(sim::agent(
            spec.port,
            sim::local_addr(i),
            credential.clone(),
            None,
            Arc::clone(&stats),
        ));
        // Waves of 100, so the first connection is not itself a storm.
        if i % 100 == 99 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    while stats.connected.load(Ordering::Relaxed) < agents {
        if ramp.elapsed() > Duration::from_secs(600) {
            bail!(
                "only {} of {agents} agents connected within 600 s",
                stats.connected.load(Ordering::Relaxed)
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "bench: {agents} agents connected in {:.1?} (failed attempts {}); hub {:.1} MiB \
         resident",
        ramp.elapsed(),
        stats.failed_attempts.load(Ordering::Relaxed),
        mib(rss_kib(hub.pid()))
    );
    tokio::time::sleep(Duration::from_secs(5)).await;

    let failed_before = stats.failed_attempts.load(Ordering::Relaxed);
    let drops_before = stats.drops.load(Ordering::Relaxed);
    let sessions_before = stats.sessions.load(Ordering::Relaxed);
    let killed = Instant::now();
    hub.child.start_kill()?;
    hub.child.wait().await?;
    drop(hub);
    let hub = crate::Hub::spawn(&spec)?;
    let pid = hub.pid();
    let peaks = Arc::new(Peaks::default());
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = tokio::spawn(sample(pid, Arc::clone(&peaks), Arc::clone(&stop)));
    let ready = async {
        hub.wait_ready(Duration::from_secs(120)).await?;
        anyhow::Ok(killed.elapsed())
    };
    let all_back = async {
        let mut last_print = Instant::now();
        loop {
            let back = stats.sessions.load(Ordering::Relaxed) - sessions_before;
            if stats.connected.load(Ordering::Relaxed) >= agents && back >= agents as u64 {
                return Ok(killed.elapsed());
            }
            if killed.elapsed() > Duration::from_secs(300) {
                bail!(
                    "only {} of {agents} agents were back 300 s after the kill",
                    stats.connected.load(Ordering::Relaxed)
                );
            }
            if last_print.elapsed() >= Duration::from_secs(5) {
                last_print = Instant::now();
                println!(
                    "bench:   {:.0} s after the kill: {} connected, {} failed attempts",
                    killed.elapsed().as_secs_f64(),
                    stats.connected.load(Ordering::Relaxed),
                    stats.failed_attempts.load(Ordering::Relaxed) - failed_before
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let (ready, all_back) = tokio::join!(ready, all_back);
    let (ready, all_back) = (ready?, all_back?);
    stop.store(true, Ordering::Relaxed);
    sampler.await?;
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
        "bench: SIGKILL → hub ready again {ready:.1?}; → all {agents} agents welcomed again \
         {all_back:.1?}; failed attempts {}; hub peak CPU {:.0}% of one core, peak resident \
         {:.1} MiB; the hub lists {online} online",
        stats.failed_attempts.load(Ordering::Relaxed) - failed_before,
        peaks.cpu_percent_x10.load(Ordering::Relaxed) as f64 / 10.0,
        mib(peaks.rss_kib.load(Ordering::Relaxed)),
    );
    // Every agent's session ends once at the kill; any more were dropped after coming back.
    println!(
        "bench: welcomed sessions dropped again after the restart: {}",
        (stats.drops.load(Ordering::Relaxed) - drops_before).saturating_sub(agents as u64)
    );
    println!(
        "bench: load generator resident {:.1} MiB",
        mib(rss_kib(std::process::id()))
    );
    drop(hub);
    crate::print_hub_log_summary(&data);
    Ok(())
}
