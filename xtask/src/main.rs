//! `cargo xtask <command>`: the project's automation, in Rust so it needs nothing but cargo.
//!
//! - `run`: install what is missing, build the site (CSS + wasm), build the hub and the agent
//!   (one cargo invocation), start the hub on ./data serving that agent to install commands.
//! - `test`: install what is missing (Debian packages too), build the site, start a private
//!   PostgreSQL, run every test, then `cargo fmt --check`, clippy for the ssr and hydrate builds and
//!   `cargo deny` (licenses, sources, bans: `deny.toml`).
//! - `dist`: the release hub with its site, static agents for x86_64 and aarch64, a `FROM scratch`
//!   container image and a systemd unit under `target/dist/`, each verified.
//! - `screenshots`: the browser test that visits every page, photographing the main ones into
//!   `docs/screenshots`.
//! - `build-site [--release]`, `setup`, `lint`, `bench`, `bench-registry`, `bench-deploy`: the
//!   pieces on their own.
//! - `soak`, `bench-storm`: the hub under load (release builds, simulated agents; not part of
//!   `test`).
//! - `bench-console`: the vendor console's pages with a big seeded fleet (release build).
//! - `sample [--hub URL] --token TOKEN`: a demo application, image, customer and license on a
//!   running hub (see `sample`).
//! - `fuzz [--secs N] [--cmin] [target…]`: the cargo-fuzz targets of `fuzz/`, each for a bounded
//!   time (not part of `test`).

// A command-line tool: printing progress is its job.
#![allow(clippy::print_stdout)]

mod bench;
mod bundle;
mod cmd;
mod console_bench;
mod deploy_bench;
mod dist;
mod fuzz;
mod load_bench;
mod postgres;
mod ready;
mod registry_bench;
mod sample;
mod setup;
mod site;

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run [--release] [-- <server args>]   set up, build the site, the hub and the agent, and start
                                        the hub (./data, SQLite) serving that agent
  test [--no-lint] [-- <test filter>]   set up, then run every test and the lints
  screenshots                           photograph the main pages of both portals (as the browser
                                        tests render them) into docs/screenshots
  lint                                  cargo fmt --check; clippy -D warnings for ssr and hydrate;
                                        cargo deny (licenses, sources, bans; offline)
  build-site [--release]                generate the CSS and build the wasm bundle into target/site
  dist                                  build what an operator installs into target/dist (release
                                        hub + site, static x86_64 and aarch64 agents, a FROM
                                        scratch image, a systemd unit) and verify each artifact
  setup [--test]                        install what is missing (wasm target, wasm-bindgen,
                                        with --test: chromium, chromium-driver, postgresql)
  bench                                 measure the hub's start-up time and idle memory
  bench-registry [--dev]                the registry against Distribution and nginx: 100 MB
                                        image push/pull with skopeo and a lean client, one
                                        blob, 16 concurrent pulls, memory during a 1 GB blob;
                                        --dev measures the debug build
  bench-deploy [--cycles N] [--runs N] [--agents A,B,C] [--heartbeat S] [--hold S]
               [--only latency,overhead,swarm,memory] [--dev]
                                        deploy/update latency with a real agent and Docker
                                        (20 cycles), Consign against a bare `docker compose up
                                        -d` (20 runs each, alternating), simulated agents held
                                        by one hub (steps 1000,5000,10000, heartbeats every
                                        5 s, held 60 s), and the agent's idle memory
  soak [--agents 1000] [--minutes 10] [--db sqlite|postgres|both] [--clients 8]
       [--report-ms 1000] [--log-lines 40] [--dev]
                                        simulated agents reporting while API clients deploy,
                                        update and undeploy: 5xx, latency, memory, database
  bench-console [--targets 500] [--deployments 5000] [--requests 50] [--dev]
                                        the vendor console with a big seeded fleet: p50/p99 of
                                        full responses of /, /fleet, /targets, /deployments
  bench-storm [--agents 10000] [--dev]  agents connected, the hub killed with SIGKILL and
                                        restarted: time until all are back
                                        (--dev: debug builds, for a quick look)
  sample [--hub URL] --token TOKEN     on a running hub (default http://127.0.0.1:8080): push a
                                        small web image and create the application 'Sample web
                                        app', a version, the customer 'Sample customer' and a
                                        license; TOKEN is a personal access token (Tokens page)
  fuzz [--secs N] [--cmin] [target…]   run each cargo-fuzz target of fuzz/ for N seconds
                                        (default 60) on its corpus; --cmin minimises it";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = args
        .split_first()
        .map(|(c, r)| (c.as_str(), r))
        .unwrap_or(("", &[]));
    let (flags, passthrough) = match rest.iter().position(|a| a == "--") {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let has = |flag: &str| flags.iter().any(|f| f == flag);
    let root = cmd::workspace_root()?;
    std::env::set_current_dir(&root).context("cannot enter the workspace root")?;
    match command {
        "run" => run_hub(has("--release"), passthrough),
        "test" => {
            setup::ensure_build_tools()?;
            setup::ensure_test_packages()?;
            site::build(false)?;
            let pg = postgres::Cluster::start()?;
            let result = run_tests(&pg, passthrough, &[]);
            drop(pg);
            result?;
            if !has("--no-lint") {
                setup::ensure_cargo_deny()?;
                lint()?;
            }
            println!("xtask: every test and lint passed");
            Ok(())
        }
        "screenshots" => {
            setup::ensure_build_tools()?;
            setup::ensure_test_packages()?;
            site::build(false)?;
            let pg = postgres::Cluster::start()?;
            let dir = root.join("docs").join("screenshots");
            let filter = ["-E".to_string(), "binary(every_page)".to_string()];
            let result = run_tests(&pg, &filter, &[("CONSIGN_SCREENSHOTS", dir.clone().into())]);
            drop(pg);
            result?;
            println!("xtask: screenshots written to {}", dir.display());
            Ok(())
        }
        "lint" => {
            setup::ensure_build_tools()?;
            setup::ensure_cargo_deny()?;
            lint()
        }
        "dist" => dist::run(),
        "build-site" => {
            setup::ensure_build_tools()?;
            site::build(has("--release"))
        }
        "setup" => {
            setup::ensure_build_tools()?;
            if has("--test") {
                setup::ensure_test_packages()?;
            }
            Ok(())
        }
        "bench" => {
            setup::ensure_build_tools()?;
            site::build(true)?;
            bench::startup_and_idle_memory()
        }
        "bench-deploy" => {
            setup::ensure_test_packages()?;
            let value = |flag: &str| {
                flags
                    .iter()
                    .position(|f| f == flag)
                    .and_then(|i| flags.get(i + 1))
            };
            let mut options = deploy_bench::Options::default();
            if let Some(v) = value("--cycles") {
                options.cycles = v.parse().context("--cycles takes a number")?;
            }
            if let Some(v) = value("--agents") {
                options.steps = v.clone();
            }
            if let Some(v) = value("--heartbeat") {
                options.heartbeat_secs = v.parse().context("--heartbeat takes seconds")?;
            }
            if let Some(v) = value("--hold") {
                options.hold_secs = v.parse().context("--hold takes seconds")?;
            }
            if let Some(v) = value("--runs") {
                options.overhead_runs = v.parse().context("--runs takes a number")?;
            }
            options.dev = has("--dev");
            if let Some(v) = value("--only") {
                options.only = deploy_bench::parse_only(v)?;
            }
            deploy_bench::run(&options)
        }
        "soak" => {
            let options = load_bench::SoakOptions::parse(flags)?;
            if options.db != load_bench::Db::Sqlite {
                setup::ensure_test_packages()?;
            }
            load_bench::soak(&options)
        }
        "bench-console" => console_bench::run(&console_bench::Options::parse(flags)?),
        "bench-storm" => load_bench::storm(load_bench::parse_storm(flags)?, load_bench::dev(flags)),
        "bench-registry" => {
            setup::ensure_test_packages()?;
            registry_bench::run(has("--dev"))
        }
        "sample" => {
            let options = sample::Options::parse(flags, std::env::var("CONSIGN_TOKEN").ok())?;
            sample::run(&options)
        }
        "fuzz" => {
            let secs = match flags.iter().position(|f| f == "--secs") {
                Some(i) => flags
                    .get(i + 1)
                    .context("--secs takes a number")?
                    .parse()
                    .context("--secs takes a number")?,
                None => 60,
            };
            let targets: Vec<String> = flags
                .iter()
                .enumerate()
                .filter(|(i, f)| !f.starts_with("--") && (*i == 0 || flags[i - 1] != "--secs"))
                .map(|(_, f)| f.clone())
                .collect();
            fuzz::run(secs, has("--cmin"), &targets)
        }
        "" | "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command {other:?}\n\n{USAGE}"),
    }
}

/// The packages the test run covers (never `--workspace`: it would build `app` with both the
/// `ssr` and `hydrate` features at once).
const TEST_PACKAGES: &[&str] = &[
    "consign-types",
    "consign-service",
    "consign-migrations",
    "consign-app",
    "consign-server",
    "consign-agent",
    "consign-end2end",
    "consign-test-support",
    "xtask",
];

/// Builds everything and runs the hub. On a fresh machine the `wasm-bindgen` CLI installs in the
/// background while the hub and the agent build (it is needed only after the wasm is compiled),
/// so a cold start does not wait for the two builds one after the other.
fn run_hub(release: bool, args: &[String]) -> Result<()> {
    let tools = setup::start_build_tools()?;
    let (mut build, mut hub) = hub_commands(release, args);
    println!("xtask: building the hub and the agent it serves to install commands");
    cmd::run(&mut build)?;
    tools.wait()?;
    site::build(release)?;
    println!("xtask: starting the hub (migrations, keys) and waiting until it is ready");
    let mut child = hub.spawn().context("cannot start consign-server")?;
    let listen = std::env::var("CONSIGN_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    ready::wait(&listen, &mut child)?;
    println!(
        "xtask: the hub is ready: open {} (Ctrl-C stops it)",
        ready::browser_url(&listen)
    );
    let status = child.wait().context("waiting for consign-server")?;
    if !status.success() {
        bail!("consign-server stopped: {status}");
    }
    Ok(())
}

/// The build of the hub and the agent, and the hub's command. One cargo invocation builds both
/// binaries, so they share one build of their common dependencies; the hub is then told where
/// the agent is (unless `CONSIGN_AGENT_BINARY` is set already), so install commands work.
fn hub_commands(release: bool, args: &[String]) -> (std::process::Command, std::process::Command) {
    let mut build = cmd::cargo();
    build.args([
        "build",
        "-p",
        "consign-server",
        "--bin",
        "consign-server",
        "-p",
        "consign-agent",
        "--bin",
        "consign-agent",
    ]);
    if release {
        build.arg("--release");
    }
    let target_dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let profile_dir =
        std::path::Path::new(&target_dir).join(if release { "release" } else { "debug" });
    let profile_dir = std::path::absolute(&profile_dir).unwrap_or(profile_dir);
    let mut hub = std::process::Command::new(profile_dir.join("consign-server"));
    hub.args(args);
    hub.env("CONSIGN_SITE_ROOT", site::site_root());
    if std::env::var_os("CONSIGN_AGENT_BINARY").is_none() {
        hub.env("CONSIGN_AGENT_BINARY", profile_dir.join("consign-agent"));
    }
    (build, hub)
}

fn run_tests(
    pg: &postgres::Cluster,
    filter: &[String],
    env: &[(&str, std::ffi::OsString)],
) -> Result<()> {
    let mut c = cmd::cargo();
    c.envs(env.iter().map(|(k, v)| (k, v)));
    let nextest = cmd::has_cargo_subcommand("nextest");
    if nextest {
        c.args(["nextest", "run", "--no-fail-fast"]);
        if std::env::var_os("CI").is_some() {
            c.args(["--profile", "ci"]);
        }
    } else {
        c.args(["test", "--no-fail-fast"]);
    }
    for p in TEST_PACKAGES {
        c.args(["-p", p]);
    }
    if !nextest {
        c.arg("--");
    }
    c.args(filter);
    // Snapshot tests (insta) compare and fail in CI; they never write or accept a snapshot
    // there, whatever INSTA_UPDATE the environment carries.
    if std::env::var_os("CI").is_some() {
        c.env("INSTA_UPDATE", "no");
    }
    c.env("CONSIGN_TEST_POSTGRES_URL", pg.admin_url());
    c.env("CONSIGN_SITE_ROOT", site::site_root());
    // The test build makes `consign-agent` (its own integration tests need it); the hub's tests
    // start that one instead of building the agent again with other features.
    let target_dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let agent = std::path::Path::new(&target_dir)
        .join("debug")
        .join("consign-agent");
    c.env(
        "CONSIGN_TEST_AGENT_BINARY",
        std::path::absolute(&agent).unwrap_or(agent),
    );
    cmd::run(&mut c)
}

fn lint() -> Result<()> {
    cmd::run(cmd::cargo().args(["fmt", "--all", "--", "--check"]))
        .context("formatting differs: run `cargo fmt --all`")?;
    let mut ssr = cmd::cargo();
    ssr.args(["clippy", "--all-targets"]);
    for p in TEST_PACKAGES {
        ssr.args(["-p", p]);
    }
    ssr.args(["--", "-D", "warnings"]);
    cmd::run(&mut ssr).context("clippy (ssr build) found problems")?;
    cmd::run(cmd::cargo().args([
        "clippy",
        "-p",
        "consign-hydrate",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))
    .context("clippy (hydrate build) found problems")?;
    // cargo deny reads the metadata of every platform's crates, and a build downloads only
    // this platform's (`windows-sys` and the like are missing on a fresh machine).
    cmd::run(cmd::cargo().args(["fetch", "--quiet"])).context("cargo fetch failed")?;
    // Offline: licenses, sources and bans need no advisory database, only the fetched crates.
    cmd::run(cmd::cargo().args(["deny", "--offline", "check", "licenses", "sources", "bans"]))
        .context("cargo deny found a license, source or crate that deny.toml does not allow")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(c: &std::process::Command) -> Vec<String> {
        c.get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn run_builds_the_agent_with_the_hub_and_points_the_hub_at_it() {
        let (build, hub) = hub_commands(false, &["--config".into(), "hub.toml".into()]);
        let build = args(&build);
        assert_eq!(build[0], "build");
        for package in ["consign-server", "consign-agent"] {
            assert!(
                build.windows(2).any(|w| w[0] == "-p" && w[1] == package),
                "{build:?}"
            );
        }
        assert!(
            hub.get_program()
                .to_string_lossy()
                .ends_with("debug/consign-server")
        );
        assert_eq!(args(&hub), ["--config", "hub.toml"]);
        if std::env::var_os("CONSIGN_AGENT_BINARY").is_none() {
            let agent = hub
                .get_envs()
                .find(|(k, _)| *k == "CONSIGN_AGENT_BINARY")
                .and_then(|(_, v)| v)
                .map(std::path::PathBuf::from)
                .unwrap();
            assert!(agent.is_absolute(), "{}", agent.display());
            assert!(
                agent.ends_with("debug/consign-agent"),
                "{}",
                agent.display()
            );
        }
        let (release, _) = hub_commands(true, &[]);
        assert!(args(&release).contains(&"--release".to_string()));
    }
}
