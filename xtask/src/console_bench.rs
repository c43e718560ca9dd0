//! `cargo xtask bench-console`: the vendor console's pages with a big fleet. Builds the release
//! hub and the benchmark driver (`server/examples/deploy_bench/console.rs`), which seeds 500
//! targets and 5,000 deployments over several customers, applications and versions, starts the
//! hub, signs in and times full responses of `/`, `/fleet`, `/targets` and `/deployments`.

use anyhow::{Context, Result};

use crate::{cmd, deploy_bench};

/// What `bench-console` runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Targets seeded.
    pub targets: usize,
    /// Deployments seeded.
    pub deployments: usize,
    /// Timed requests per page.
    pub requests: usize,
    /// Debug builds instead of release ones (a quick look, not a figure).
    pub dev: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            targets: 500,
            deployments: 5000,
            requests: 50,
            dev: false,
        }
    }
}

impl Options {
    /// Reads `--targets N`, `--deployments N`, `--requests N` and `--dev`.
    pub fn parse(flags: &[String]) -> Result<Self> {
        let mut o = Self::default();
        let mut i = 0;
        while i < flags.len() {
            let number = |i: usize| -> Result<usize> {
                let v = flags
                    .get(i + 1)
                    .with_context(|| format!("{} takes a number", flags[i]))?;
                v.parse()
                    .ok()
                    .with_context(|| format!("{} takes a number, not {v:?}", flags[i]))
            };
            match flags[i].as_str() {
                "--targets" => o.targets = number(i)?,
                "--deployments" => o.deployments = number(i)?,
                "--requests" => o.requests = number(i)?,
                "--dev" => {
                    o.dev = true;
                    i += 1;
                    continue;
                }
                other => anyhow::bail!("bench-console: unknown flag {other:?}"),
            }
            i += 2;
        }
        anyhow::ensure!(o.targets > 0, "--targets must be at least 1");
        anyhow::ensure!(o.requests > 0, "--requests must be at least 1");
        Ok(o)
    }
}

/// Builds the release hub and the driver, then runs the console benchmark.
pub fn run(o: &Options) -> Result<()> {
    let release = deploy_bench::build(false, o.dev)?;
    let mut c = std::process::Command::new(&release.driver);
    c.arg("--hub")
        .arg(&release.hub)
        .arg("--work")
        .arg(deploy_bench::work_dir("console"))
        .arg("console")
        .args(["--targets", &o.targets.to_string()])
        .args(["--deployments", &o.deployments.to_string()])
        .args(["--requests", &o.requests.to_string()]);
    cmd::run(&mut c).context("the console benchmark failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn the_defaults_are_the_issues_fleet_and_every_flag_is_read() {
        assert_eq!(Options::parse(&[]).unwrap(), Options::default());
        let o =
            Options::parse(&flags("--targets 50 --dev --deployments 100 --requests 5")).unwrap();
        assert_eq!(
            o,
            Options {
                targets: 50,
                deployments: 100,
                requests: 5,
                dev: true
            }
        );
        assert!(Options::parse(&flags("--targets")).is_err());
        assert!(Options::parse(&flags("--targets x")).is_err());
        assert!(Options::parse(&flags("--fast")).is_err());
    }
}
