//! `cargo xtask soak` and `cargo xtask bench-storm`: the hub under load, with the release hub
//! and the simulated agents of `server/examples/deploy_bench/` (`soak.rs`, `storm.rs`).
//!
//! - soak: N agents report statuses, logs and metrics at a heavy rate while API clients
//!   deploy, update and undeploy, on SQLite, on a private PostgreSQL, or both;
//! - storm: N agents connected, the hub killed with SIGKILL and restarted; time until all
//!   are back.

use anyhow::{Context, Result, bail};

use crate::{cmd, deploy_bench, postgres};

/// Which database the soak runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    /// A fresh SQLite file.
    Sqlite,
    /// A fresh database on a private PostgreSQL cluster.
    Postgres,
    /// SQLite, then PostgreSQL.
    Both,
}

/// What `soak` runs.
#[derive(Debug, Clone, PartialEq)]
pub struct SoakOptions {
    /// Simulated agents.
    pub agents: usize,
    /// Minutes of load (fractions allowed).
    pub minutes: f64,
    /// The database.
    pub db: Db,
    /// Concurrent API clients.
    pub clients: usize,
    /// Milliseconds between one agent's reports.
    pub report_ms: u64,
    /// Lines per log batch.
    pub log_lines: usize,
    /// Debug builds instead of release ones.
    pub dev: bool,
}

impl Default for SoakOptions {
    fn default() -> Self {
        Self {
            agents: 1000,
            minutes: 10.0,
            db: Db::Both,
            clients: 8,
            report_ms: 1000,
            log_lines: 40,
            dev: false,
        }
    }
}

/// The value after `flag`, if the flag is there.
fn value<'a>(flags: &'a [String], flag: &str) -> Result<Option<&'a str>> {
    match flags.iter().position(|f| f == flag) {
        Some(i) => Ok(Some(
            flags
                .get(i + 1)
                .with_context(|| format!("{flag} takes a value"))?,
        )),
        None => Ok(None),
    }
}

fn number<T: std::str::FromStr>(flags: &[String], flag: &str) -> Result<Option<T>> {
    value(flags, flag)?
        .map(|v| {
            v.parse()
                .ok()
                .with_context(|| format!("{flag} takes a number, not {v:?}"))
        })
        .transpose()
}

/// Rejects flags the command does not know; `--dev` is the one that takes no value.
fn known(flags: &[String], allowed: &[&str]) -> Result<()> {
    let mut i = 0;
    while i < flags.len() {
        if flags[i] == "--dev" {
            i += 1;
            continue;
        }
        if !allowed.contains(&flags[i].as_str()) {
            bail!(
                "unknown argument {:?} (known: {}, --dev)",
                flags[i],
                allowed.join(", ")
            );
        }
        i += 2;
    }
    Ok(())
}

/// Whether `--dev` (debug builds) was given.
pub fn dev(flags: &[String]) -> bool {
    flags.iter().any(|f| f == "--dev")
}

impl SoakOptions {
    /// Reads `--agents N --minutes M --db sqlite|postgres|both --clients C --report-ms R
    /// --log-lines L`.
    pub fn parse(flags: &[String]) -> Result<Self> {
        known(
            flags,
            &[
                "--agents",
                "--minutes",
                "--db",
                "--clients",
                "--report-ms",
                "--log-lines",
            ],
        )?;
        let mut o = Self {
            dev: dev(flags),
            ..Self::default()
        };
        if let Some(v) = number(flags, "--agents")? {
            o.agents = v;
        }
        if let Some(v) = number::<f64>(flags, "--minutes")? {
            if !(v > 0.0 && v.is_finite()) {
                bail!("--minutes must be above 0");
            }
            o.minutes = v;
        }
        if let Some(v) = value(flags, "--db")? {
            o.db = match v {
                "sqlite" => Db::Sqlite,
                "postgres" => Db::Postgres,
                "both" => Db::Both,
                other => bail!("--db takes sqlite, postgres or both, not {other:?}"),
            };
        }
        if let Some(v) = number(flags, "--clients")? {
            o.clients = v;
        }
        if let Some(v) = number(flags, "--report-ms")? {
            o.report_ms = v;
        }
        if let Some(v) = number(flags, "--log-lines")? {
            o.log_lines = v;
        }
        if o.agents == 0 || o.clients == 0 || o.report_ms == 0 {
            bail!("--agents, --clients and --report-ms must be above 0");
        }
        Ok(o)
    }
}

/// Reads `bench-storm`'s `--agents N` (default 10,000); `--dev` is read by [`dev`].
pub fn parse_storm(flags: &[String]) -> Result<usize> {
    known(flags, &["--agents"])?;
    let agents = number(flags, "--agents")?.unwrap_or(10_000);
    if agents == 0 {
        bail!("--agents must be above 0");
    }
    Ok(agents)
}

/// Builds the release hub and the driver, then runs the soak on the chosen databases.
pub fn soak(o: &SoakOptions) -> Result<()> {
    let release = deploy_bench::build(false, o.dev)?;
    let run = |postgres_url: Option<String>| -> Result<()> {
        let mut c = std::process::Command::new(&release.driver);
        c.arg("--hub")
            .arg(&release.hub)
            .arg("--work")
            .arg(deploy_bench::work_dir("soak"))
            .arg("soak")
            .args(["--agents", &o.agents.to_string()])
            .args([
                "--seconds",
                &((o.minutes * 60.0).round() as u64).to_string(),
            ])
            .args(["--clients", &o.clients.to_string()])
            .args(["--report-ms", &o.report_ms.to_string()])
            .args(["--log-lines", &o.log_lines.to_string()]);
        if let Some(url) = postgres_url {
            c.args(["--postgres", &url]);
        }
        cmd::run(&mut c).context("the soak failed")
    };
    if matches!(o.db, Db::Sqlite | Db::Both) {
        println!("xtask: soak on SQLite");
        run(None)?;
    }
    if matches!(o.db, Db::Postgres | Db::Both) {
        println!("xtask: soak on PostgreSQL");
        let pg = postgres::Cluster::start()?;
        let result = run(Some(pg.admin_url()));
        drop(pg);
        result?;
    }
    Ok(())
}

/// Builds the release hub and the driver, then runs the reconnect storm.
pub fn storm(agents: usize, dev: bool) -> Result<()> {
    let release = deploy_bench::build(false, dev)?;
    println!("xtask: reconnect storm with {agents} agents");
    cmd::run(
        std::process::Command::new(&release.driver)
            .arg("--hub")
            .arg(&release.hub)
            .arg("--work")
            .arg(deploy_bench::work_dir("storm"))
            .arg("storm")
            .args(["--agents", &agents.to_string()]),
    )
    .context("the storm failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn soak_defaults_are_the_full_size_run() {
        let o = SoakOptions::parse(&[]).unwrap();
        assert_eq!(o, SoakOptions::default());
        assert_eq!((o.agents, o.minutes, o.db), (1000, 10.0, Db::Both));
    }

    #[test]
    fn soak_reads_every_flag_and_refuses_bad_ones() {
        let o = SoakOptions::parse(&flags(
            "--agents 200 --minutes 2.5 --db postgres --clients 4 --report-ms 500 --log-lines 10",
        ))
        .unwrap();
        assert_eq!(
            o,
            SoakOptions {
                agents: 200,
                minutes: 2.5,
                db: Db::Postgres,
                clients: 4,
                report_ms: 500,
                log_lines: 10,
                dev: false,
            }
        );
        for bad in [
            "--db mysql",
            "--agents many",
            "--agents",
            "--minutes 0",
            "--agents 0",
            "--speed 3",
        ] {
            assert!(SoakOptions::parse(&flags(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn storm_takes_an_agent_count() {
        assert_eq!(parse_storm(&[]).unwrap(), 10_000);
        assert_eq!(parse_storm(&flags("--agents 2000")).unwrap(), 2000);
        assert!(parse_storm(&flags("--agents 0")).is_err());
        assert!(parse_storm(&flags("--agent 5")).is_err());
        assert_eq!(parse_storm(&flags("--dev --agents 3")).unwrap(), 3);
        assert!(dev(&flags("--agents 3 --dev")));
        assert!(SoakOptions::parse(&flags("--dev --agents 3")).unwrap().dev);
    }
}
