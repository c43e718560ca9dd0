//! `cargo xtask fuzz [--secs N] [--cmin] [target…]`: runs each cargo-fuzz target of `fuzz/`
//! for a bounded time, on its committed corpus (`fuzz/corpus/<target>`). Not part of `test`:
//! a finding is a crash file under `fuzz/artifacts/<target>` to turn into a regression test.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::cmd;

/// Every target in `fuzz/Cargo.toml`.
pub const TARGETS: &[&str] = &[
    "compose",
    "env_template",
    "oci_manifest",
    "protocol",
    "license_file",
];

/// A `cargo fuzz` command. cargo-fuzz needs nightly-only flags (`-Z` for the sanitizer
/// coverage passes); `RUSTC_BOOTSTRAP=1` lets the stable toolchain accept them, and `-s none`
/// skips AddressSanitizer (the crates forbid `unsafe`, and it needs a nightly standard
/// library).
fn cargo_fuzz(args: &[&str]) -> Command {
    let mut c = cmd::cargo();
    c.arg("fuzz").args(args).args(["-s", "none"]);
    c.env("RUSTC_BOOTSTRAP", "1");
    c
}

/// Runs `targets` (all when empty) for `secs` seconds each; with `cmin`, then minimises each
/// corpus (keeping only inputs that add coverage).
pub fn run(secs: u64, cmin: bool, targets: &[String]) -> Result<()> {
    if !cmd::has_cargo_subcommand("fuzz") {
        println!("xtask: installing cargo-fuzz (once)");
        cmd::run(cmd::cargo().args(["install", "cargo-fuzz", "--locked"]))?;
    }
    let chosen: Vec<&str> = if targets.is_empty() {
        TARGETS.to_vec()
    } else {
        for t in targets {
            if !TARGETS.contains(&t.as_str()) {
                bail!(
                    "unknown fuzz target {t:?}; the targets are {}",
                    TARGETS.join(", ")
                );
            }
        }
        targets.iter().map(String::as_str).collect()
    };
    let max_time = format!("-max_total_time={secs}");
    for target in chosen {
        let corpus = format!("fuzz/corpus/{target}");
        std::fs::create_dir_all(&corpus).with_context(|| format!("cannot create {corpus}"))?;
        println!("xtask: fuzzing {target} for {secs} s");
        // `-timeout`: an input that takes longer than 10 s is a finding (a stall), as are
        // allocations above 2 GB (`-rss_limit_mb`).
        cmd::run(cargo_fuzz(&["run", target, &corpus]).args([
            "--",
            &max_time,
            "-timeout=10",
            "-rss_limit_mb=2048",
            "-max_len=65536",
        ]))
        .with_context(|| {
            format!("fuzz target {target} found a failure: see fuzz/artifacts/{target}")
        })?;
        if cmin {
            // Edges only (no hit counters): the committed corpus stays a few dozen files.
            cmd::run(cargo_fuzz(&["cmin", target, &corpus]).args(["--", "-use_counters=0"]))?;
        }
    }
    println!("xtask: no fuzz target failed");
    Ok(())
}
