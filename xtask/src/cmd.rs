//! Running child processes with a clean environment.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The workspace root (the folder of the root `Cargo.toml`).
///
/// `cargo run` sets `CARGO_MANIFEST_DIR` for the running binary too; that value wins over the
/// one compiled in, because checkouts sharing a `CARGO_TARGET_DIR` may run an xtask built in
/// another checkout, which must still act on the checkout it was started from.
pub fn workspace_root() -> Result<PathBuf> {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest
        .parent()
        .map(PathBuf::from)
        .context("xtask is not inside the workspace")
}

/// A `cargo` command whose environment is the user's shell's, not the one `cargo run` gave
/// xtask: otherwise build scripts (ring's) see different `CARGO_*` values and every switch
/// between `cargo xtask …` and a plain `cargo test` rebuilds half the tree.
pub fn cargo() -> Command {
    // The rustup proxy, not $CARGO: rust-toolchain.toml then picks the toolchain.
    let mut c = Command::new("cargo");
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().to_string();
        if (key.starts_with("CARGO_") && key != "CARGO_HOME" && key != "CARGO_TARGET_DIR")
            || key == "RUSTC"
            || key == "RUST_RECURSION_COUNT"
        {
            c.env_remove(&key);
        }
    }
    // CI builds once from clean: incremental state would only add gigabytes to its disk.
    if std::env::var_os("CI").is_some() {
        c.env("CARGO_INCREMENTAL", "0");
    }
    c
}

/// Runs a command to completion, failing with its exit status.
pub fn run(c: &mut Command) -> Result<()> {
    let shown = std::iter::once(c.get_program())
        .chain(c.get_args())
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    let status = c
        .status()
        .with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed with {status}");
    }
    Ok(())
}

/// Runs a command and returns its standard output, or `None` if it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).to_string())
}

/// Whether `cargo <name>` exists.
pub fn has_cargo_subcommand(name: &str) -> bool {
    cargo()
        .args([name, "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether a program is on PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Whether this process runs as root (then apt-get and runuser work directly).
pub fn is_root() -> bool {
    output("id", &["-u"]).is_some_and(|uid| uid.trim() == "0")
}
