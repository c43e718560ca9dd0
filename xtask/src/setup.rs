//! Installing what the build and the tests need, only when it is missing.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::cmd;

/// The wasm32 target and a wasm-bindgen CLI of exactly the version in Cargo.lock.
pub fn ensure_build_tools() -> Result<()> {
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
    if installed.split_whitespace().nth(1) != Some(wanted.as_str()) {
        // `--locked` fails against this registry mirror (its lock wants a webpki-roots release
        // the mirror lacks), so resolve afresh; the CLI's own version is still exact.
        println!("xtask: installing wasm-bindgen-cli {wanted} (a few minutes, once)");
        cmd::run(cmd::cargo().args(["install", "wasm-bindgen-cli", "--version", &wanted]))?;
    }
    Ok(())
}

/// chromium, chromium-driver, postgresql and the registry clients (skopeo, busybox-static,
/// Distribution's docker-registry for the benchmark) from Debian, and the `oras` Python client
/// from PyPI, when missing.
pub fn ensure_test_packages() -> Result<()> {
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
    if !cmd::on_path("skopeo") {
        missing.push("skopeo");
    }
    if !std::path::Path::new("/bin/busybox").exists() {
        missing.push("busybox-static");
    }
    if !std::path::Path::new("/usr/bin/docker-registry").exists() {
        missing.push("docker-registry");
    }
    ensure_python_packages()?;
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
    install.extend(&missing);
    apt(&install).context("apt-get install failed")
}

/// The `oras` client library for the registry tests (it has no CLI: the tests drive it from
/// a small script).
fn ensure_python_packages() -> Result<()> {
    let found = Command::new("python3")
        .args(["-c", "import oras.client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Ok(());
    }
    println!("xtask: installing the oras Python package");
    let pip = |extra: &[&str]| {
        cmd::run(
            Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", "oras"])
                .args(extra),
        )
    };
    // Debian's own Python refuses pip installs into the system (PEP 668) unless told.
    pip(&[])
        .or_else(|_| pip(&["--break-system-packages"]))
        .context("pip install oras failed")
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
