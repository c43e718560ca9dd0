//! The soak: one release hub (SQLite on a fresh data directory, or a fresh database on a
//! PostgreSQL cluster), N simulated agents reporting statuses, logs and metrics at a heavy
//! rate ([`crate::sim`]), and API clients with a personal access token deploying, reading,
//! updating and undeploying through `/api/v1` without pause. Reports requests made, 5xx
//! answers, API latency, the hub's resident memory over time, and the database's size and
//! row counts against the retention limits.

use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::json;
use service::deployments::{KEEP_LOG_LINES, KEEP_METRICS, KEEP_STATUSES};
use service::versions::{NewVersion, Package};
use types::{ApplicationKind, ApplicationName, ChannelName, VersionName};

use crate::sim::{self, Reports, Stats};
use crate::{HubSpec, cpu_time, free_port, mib, percentile, prepare_on, rss_kib};

/// What the soak runs.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Simulated agents.
    #[arg(long, default_value_t = 1000)]
    agents: usize,
    /// How long the load runs, in seconds.
    #[arg(long, default_value_t = 600)]
    seconds: u64,
    /// Concurrent API clients, each deploying, reading, updating and undeploying in a loop.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Each agent sends one report every this many milliseconds (status, logs, metrics in turn).
    #[arg(long, default_value_t = 1000)]
    report_ms: u64,
    /// Lines per log batch.
    #[arg(long, default_value_t = 40)]
    log_lines: usize,
    /// The heartbeat interval the hub announces, in seconds.
    #[arg(long, default_value_t = 15)]
    heartbeat: u32,
    /// A PostgreSQL URL with the right to create databases: the soak runs on a fresh database
    /// there instead of SQLite.
    #[arg(long)]
    postgres: Option<String>,
}

/// Requests made by the API clients, and how they went.
#[derive(Default)]
struct Recorder {
    latencies_ms: Mutex<Vec<f64>>,
    requests: AtomicU64,
    server_errors: AtomicU64,
    client_errors: AtomicU64,
    transport_errors: AtomicU64,
    examples: Mutex<Vec<String>>,
}

impl Recorder {
    /// Sends `request`, recording its latency and outcome; the JSON body on success.
    async fn send(
        &self,
        what: &str,
        request: reqwest::RequestBuilder,
    ) -> Option<serde_json::Value> {
        let started = Instant::now();
        let result = request.send().await;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = match result {
            Ok(r) => r,
            Err(e) => {
                self.transport_errors.fetch_add(1, Ordering::Relaxed);
                self.note(format!("{what}: {e}"));
                return None;
            }
        };
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        self.latencies_ms
            .lock()
            .unwrap()
            .push(started.elapsed().as_secs_f64() * 1e3);
        if status.is_server_error() {
            self.server_errors.fetch_add(1, Ordering::Relaxed);
            self.note(format!("{what}: {status} {body}"));
            return None;
        }
        if !status.is_success() {
            self.client_errors.fetch_add(1, Ordering::Relaxed);
            self.note(format!("{what}: {status} {body}"));
            return None;
        }
        serde_json::from_str(&body).ok()
    }

    fn note(&self, text: String) {
        let mut examples = self.examples.lock().unwrap();
        if examples.len() < 10 {
            examples.push(text);
        }
    }

    fn print(&self, label: &str, seconds: f64) {
        let mut ms = self.latencies_ms.lock().unwrap().clone();
        ms.sort_by(f64::total_cmp);
        let requests = self.requests.load(Ordering::Relaxed);
        println!(
            "bench: {label}: {requests} requests ({:.0}/s), 5xx {}, other errors {} (4xx) + {} \
             (transport); latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            requests as f64 / seconds.max(0.001),
            self.server_errors.load(Ordering::Relaxed),
            self.client_errors.load(Ordering::Relaxed),
            self.transport_errors.load(Ordering::Relaxed),
            percentile(&ms, 0.5),
            percentile(&ms, 0.99),
            ms.last().copied().unwrap_or(f64::NAN),
        );
        for e in self.examples.lock().unwrap().iter() {
            println!("bench:   e.g. {}", e.chars().take(300).collect::<String>());
        }
    }
}

/// What the seeding made.
struct World {
    token: String,
    application: String,
    version: String,
    targets: Vec<String>,
    credentials: Vec<String>,
}

/// A vendor with a token, one Compose application version and `count` enrolled targets.
async fn seed(data: &Path, database_url: Option<&str>, count: usize) -> Result<World> {
    let s = prepare_on(data, database_url).await?;
    let vendor = service::testing::world::vendor(&s, "Soak", "soak@bench.test").await;
    let (_, token) = service::access_tokens::create(&s, &vendor, "soak".into(), Some(1)).await?;
    let now = Utc::now();
    let app = service::applications::create(
        &s,
        &vendor,
        ApplicationName::parse("Soak").unwrap(),
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
                compose_file: "services:\n  app:\n    image: busybox\n    command: [\"sleep\", \
                               \"86400\"]\n    environment:\n      ROUND: ${ROUND}\n"
                    .into(),
                env_template: Some("ROUND=0\n".into()),
            },
        },
        now,
    )
    .await?;
    let (targets, credentials) =
        service::testing::world::enrolled_targets(&s, &vendor, "soak", count)
            .await?
            .into_iter()
            .map(|(id, credential)| (id.to_string(), credential))
            .unzip();
    s.close().await?;
    Ok(World {
        token,
        application: app.id.to_string(),
        version: version.id.to_string(),
        targets,
        credentials,
    })
}

/// A fresh database on the cluster of `admin_url`; its URL.
async fn fresh_postgres(admin_url: &str) -> Result<String> {
    let name = format!("consign_soak_{}", std::process::id());
    let admin = Database::connect(admin_url).await?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
        .await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await?;
    admin.close().await?;
    let (base, _) = admin_url
        .rsplit_once('/')
        .context("the PostgreSQL URL names no database")?;
    Ok(format!("{base}/{name}"))
}

/// One API client: deploy, read, update, list, undeploy, over and over until `until`.
async fn client(
    base: String,
    world: Arc<World>,
    recorder: Arc<Recorder>,
    seed: usize,
    until: Instant,
) {
    let http = reqwest::Client::new();
    let auth = |r: reqwest::RequestBuilder| r.bearer_auth(&world.token);
    let mut round = seed;
    while Instant::now() < until {
        round += 1;
        let target = &world.targets[(round * 7919) % world.targets.len()];
        let Some(created) = recorder
            .send(
                "deploy",
                auth(http.post(format!("{base}/deployments"))).json(&json!({
                    "targetId": target,
                    "applicationId": world.application,
                    "versionId": world.version,
                    "env": format!("ROUND={round}\n"),
                    "logsEnabled": true,
                })),
            )
            .await
        else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let Some(id) = created["id"].as_str().map(str::to_string) else {
            continue;
        };
        recorder
            .send("read", auth(http.get(format!("{base}/deployments/{id}"))))
            .await;
        recorder
            .send(
                "update",
                auth(http.patch(format!("{base}/deployments/{id}")))
                    .json(&json!({"env": format!("ROUND={round}-updated\n")})),
            )
            .await;
        recorder
            .send(
                "list",
                auth(http.get(format!("{base}/deployments?targetId={target}"))),
            )
            .await;
        recorder
            .send(
                "status history",
                auth(http.get(format!("{base}/deployments/{id}/status"))),
            )
            .await;
        recorder
            .send(
                "undeploy",
                auth(http.delete(format!("{base}/deployments/{id}?deleteData=true"))),
            )
            .await;
    }
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let statement = Statement::from_string(db.get_database_backend(), sql.to_string());
    match db.query_one_raw(statement).await {
        Ok(Some(row)) => row.try_get_by_index::<i64>(0).unwrap_or(-1),
        _ => -1,
    }
}

/// Bytes of the database (SQLite: the file, its WAL and shared memory).
async fn database_bytes(db: &DatabaseConnection, data: &Path, postgres: bool) -> u64 {
    if postgres {
        return u64::try_from(count(db, "SELECT pg_database_size(current_database())").await)
            .unwrap_or(0);
    }
    ["consign.db", "consign.db-wal", "consign.db-shm"]
        .iter()
        .filter_map(|f| std::fs::metadata(data.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

/// Prints the database size and what the retention limits keep.
async fn database_report(url: &str, data: &Path, postgres: bool) -> Result<()> {
    let db = Database::connect(url).await?;
    let bytes = database_bytes(&db, data, postgres).await;
    println!(
        "bench: database {:.1} MiB ({})",
        bytes as f64 / 1048576.0,
        if postgres {
            "pg_database_size"
        } else {
            "SQLite file + WAL"
        }
    );
    for (table, per, keep) in [
        ("deployment_log", "deployment_id", KEEP_LOG_LINES),
        ("deployment_status", "deployment_id", KEEP_STATUSES),
        ("target_metric", "deployment_target_id", KEEP_METRICS),
    ] {
        let rows = count(&db, &format!("SELECT COUNT(*) FROM {table}")).await;
        let most = count(
            &db,
            &format!(
                "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM {table} GROUP BY {per}) t"
            ),
        )
        .await;
        let owners = count(&db, &format!("SELECT COUNT(DISTINCT {per}) FROM {table}")).await;
        println!(
            "bench:   {table}: {rows} rows over {owners} owners, at most {most} per {per} \
             (kept: {keep}){}",
            if u64::try_from(most).unwrap_or(0) > keep {
                " — OVER THE LIMIT"
            } else {
                ""
            }
        );
    }
    let deployments = count(&db, "SELECT COUNT(*) FROM deployment").await;
    let live = count(
        &db,
        "SELECT COUNT(*) FROM deployment WHERE undeployed_at IS NULL",
    )
    .await;
    println!("bench:   deployment: {deployments} rows ({live} not undeployed yet)");
    db.close().await?;
    crate::print_hub_log_summary(data);
    Ok(())
}

/// Runs the soak.
pub async fn run(hub_bin: &Path, work: &Path, o: &Options) -> Result<()> {
    let limit = consign_server::raise_open_files_limit().unwrap_or(0);
    println!("bench: open-files limit of the load generator: {limit}");
    let data = work.join("data");
    let database_url = match &o.postgres {
        Some(admin) => Some(fresh_postgres(admin).await?),
        None => None,
    };
    let postgres = database_url.is_some();
    let seeding = Instant::now();
    let world = Arc::new(seed(&data, database_url.as_deref(), o.agents).await?);
    println!(
        "bench: soak on {}: seeded {} enrolled targets in {:.1?}",
        if postgres { "PostgreSQL" } else { "SQLite" },
        o.agents,
        seeding.elapsed()
    );
    let spec = HubSpec {
        binary: hub_bin.to_path_buf(),
        data: data.clone(),
        heartbeat: o.heartbeat,
        agent: None,
        database_url: database_url.clone(),
        port: free_port()?,
    };
    let hub = crate::Hub::spawn(&spec)?;
    hub.wait_ready(Duration::from_secs(60)).await?;
    let pid = hub.pid();
    let stats = Arc::new(Stats::default());
    let reports = Reports {
        every: Duration::from_millis(o.report_ms),
        log_lines: o.log_lines,
    };
    let ramp = Instant::now();
    for (i, credential) in world.credentials.iter().enumerate() {
        tokio::spawn(sim::agent(
            hub.port,
            sim::local_addr(i),
            credential.clone(),
            Some(reports),
            Arc::clone(&stats),
        ));
        if i % 100 == 99 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    while stats.connected.load(Ordering::Relaxed) < o.agents {
        if ramp.elapsed() > Duration::from_secs(300) {
            bail!(
                "only {} of {} agents connected within 300 s",
                stats.connected.load(Ordering::Relaxed),
                o.agents
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "bench: {} agents connected in {:.1?}",
        o.agents,
        ramp.elapsed()
    );

    // Every agent gets one long-lived deployment first, so each has statuses and logs to send.
    let base = hub.url("/api/v1");
    let setup = Arc::new(Recorder::default());
    let setup_started = Instant::now();
    {
        let next = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for _ in 0..o.clients.max(1) {
            let (next, world, setup, base) = (
                Arc::clone(&next),
                Arc::clone(&world),
                Arc::clone(&setup),
                base.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let http = reqwest::Client::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                    let Some(target) = world.targets.get(i) else {
                        break;
                    };
                    setup
                        .send(
                            "deploy (setup)",
                            http.post(format!("{base}/deployments"))
                                .bearer_auth(&world.token)
                                .json(&json!({
                                    "targetId": target,
                                    "applicationId": world.application,
                                    "versionId": world.version,
                                    "logsEnabled": true,
                                })),
                        )
                        .await;
                }
            }));
        }
        for t in tasks {
            t.await?;
        }
    }
    setup.print(
        "setup (one deployment per agent)",
        setup_started.elapsed().as_secs_f64(),
    );

    let rss_start = rss_kib(pid);
    let cpu_start = cpu_time(pid);
    let reports_start = stats.reports.load(Ordering::Relaxed);
    let lines_start = stats.log_lines.load(Ordering::Relaxed);
    let drops_start = stats.drops.load(Ordering::Relaxed);
    println!(
        "bench: load for {} s: {} API clients; each agent sends a report every {} ms \
         (status / {} log lines / metrics in turn), heartbeats every {} s",
        o.seconds, o.clients, o.report_ms, o.log_lines, o.heartbeat
    );
    let started = Instant::now();
    let until = started + Duration::from_secs(o.seconds);
    let recorder = Arc::new(Recorder::default());
    let mut clients = Vec::new();
    for c in 0..o.clients {
        clients.push(tokio::spawn(client(
            base.clone(),
            Arc::clone(&world),
            Arc::clone(&recorder),
            c * 1_000_003,
            until,
        )));
    }
    let mut memory = vec![(0u64, rss_start)];
    let mut peak = rss_start;
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = rss_kib(pid);
        peak = peak.max(now);
        let secs = started.elapsed().as_secs();
        if secs / 30 > memory.last().map_or(0, |m| m.0 / 30) {
            memory.push((secs, now));
            println!(
                "bench:   {secs} s: {} requests, 5xx {}, hub {:.1} MiB, {} agents connected",
                recorder.requests.load(Ordering::Relaxed),
                recorder.server_errors.load(Ordering::Relaxed),
                mib(now),
                stats.connected.load(Ordering::Relaxed)
            );
        }
    }
    for c in clients {
        c.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rss_end = rss_kib(pid);
    let cpu = cpu_time(pid) - cpu_start;
    recorder.print("API during the soak", elapsed);
    let reports = stats.reports.load(Ordering::Relaxed) - reports_start;
    println!(
        "bench: agents sent {reports} reports ({:.0}/s) with {} log lines; {} connected at the \
         end, {} sessions dropped during the soak",
        reports as f64 / elapsed,
        stats.log_lines.load(Ordering::Relaxed) - lines_start,
        stats.connected.load(Ordering::Relaxed),
        stats.drops.load(Ordering::Relaxed) - drops_start,
    );
    println!(
        "bench: hub resident {:.1} MiB at the start, {:.1} MiB at the end (peak {:.1} MiB); \
         every 30 s: {}",
        mib(rss_start),
        mib(rss_end),
        mib(peak),
        memory
            .iter()
            .map(|(s, k)| format!("{s} s {:.0}", mib(*k)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "bench: hub CPU {:.0}% of one core during the soak",
        100.0 * cpu.as_secs_f64() / elapsed
    );
    let url = database_url
        .unwrap_or_else(|| format!("sqlite://{}?mode=rw", data.join("consign.db").display()));
    database_report(&url, &data, postgres).await?;
    drop(hub);
    Ok(())
}
