//! Building the site the hub serves: `target/site/` with the static files of `public/`, and
//! `pkg/` with the generated CSS and the hydrate bundle.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use crate::cmd;

/// Name of the bundle; must match `app::OUTPUT_NAME`.
const OUTPUT_NAME: &str = "consign";

/// Absolute path of the site root.
pub fn site_root() -> PathBuf {
    std::env::current_dir()
        .unwrap_or_default()
        .join("target")
        .join("site")
}

/// Builds everything under `target/site`.
pub fn build(release: bool) -> Result<()> {
    let pkg = site_root().join("pkg");
    std::fs::create_dir_all(&pkg).context("cannot create target/site/pkg")?;
    copy_public(Path::new("public"), &site_root())?;
    build_css(&pkg)?;
    build_wasm(&pkg, release)
}

fn copy_public(from: &Path, to: &Path) -> Result<()> {
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_public(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Tailwind-style utilities for every class the components use (encre-css scans the Rust
/// sources), followed by the hand-written base stylesheet.
fn build_css(pkg: &Path) -> Result<()> {
    let started = Instant::now();
    let mut sources = Vec::new();
    collect_rs(Path::new("app/src"), &mut sources)?;
    let texts: Vec<String> = sources
        .iter()
        .map(|p| std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display())))
        .collect::<Result<_>>()?;
    let mut css = encre_css::generate(
        texts.iter().map(String::as_str),
        &encre_css::Config::default(),
    );
    css.push('\n');
    css.push_str(&std::fs::read_to_string("style/main.css").context("cannot read style/main.css")?);
    std::fs::write(pkg.join(format!("{OUTPUT_NAME}.css")), css)?;
    println!(
        "xtask: CSS from {} files in {:.2?}",
        sources.len(),
        started.elapsed()
    );
    Ok(())
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_rs(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    Ok(())
}

/// Compiles the hydrate crate to wasm32 and runs wasm-bindgen on it.
fn build_wasm(pkg: &Path, release: bool) -> Result<()> {
    let profile = if release { "wasm-release" } else { "dev" };
    cmd::run(cmd::cargo().args([
        "build",
        "-p",
        "consign-hydrate",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        profile,
    ]))?;
    let dir = if release { "wasm-release" } else { "debug" };
    let target_dir = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| "target".into());
    let wasm = target_dir
        .join("wasm32-unknown-unknown")
        .join(dir)
        .join("consign_hydrate.wasm");
    cmd::run(
        std::process::Command::new("wasm-bindgen")
            .arg(&wasm)
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                OUTPUT_NAME,
                "--out-dir",
            ])
            .arg(pkg),
    )
    .context("wasm-bindgen failed")
}
