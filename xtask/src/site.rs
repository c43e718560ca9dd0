//! Building the site the hub serves: `target/site/` with the static files of `public/`, and
//! `pkg/` with the generated CSS and the hydrate bundle, under content-hashed names
//! (`consign.<hash>.js`, `consign.<hash>_bg.wasm`, `consign.<hash>.css`), each beside a
//! brotli (`.br`) and a gzip (`.gz`) copy. `target/site/bundle.txt` names the bundle for the hub.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use crate::{bundle, cmd, setup};

/// Name of the bundle before hashing; must match `app::OUTPUT_NAME`.
pub const OUTPUT_NAME: &str = "consign";

/// Absolute path of the site root.
pub fn site_root() -> PathBuf {
    std::env::current_dir()
        .unwrap_or_default()
        .join("target")
        .join("site")
}

/// Builds everything under `target/site`. `release` optimises the wasm for size (the
/// `wasm-release` profile, then wasm-opt) and compresses hardest; the dev build is quicker.
pub fn build(release: bool) -> Result<()> {
    if release {
        setup::ensure_wasm_opt()?;
    }
    let root = site_root();
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).context("cannot create target/site/pkg")?;
    copy_public(Path::new("public"), &root)?;
    // The unhashed files are made in a folder of their own, then published into `pkg/`.
    let staging = root.join("pkg.build");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).context("cannot create target/site/pkg.build")?;
    build_css(&staging)?;
    build_wasm(&staging, release)?;
    let started = Instant::now();
    let published = bundle::publish(&staging, &root, release)?;
    std::fs::remove_dir_all(&staging).context("cannot remove target/site/pkg.build")?;
    println!(
        "xtask: bundle {} hashed and compressed in {:.2?}: {}",
        published.name,
        started.elapsed(),
        published.summary()
    );
    Ok(())
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
fn build_css(out: &Path) -> Result<()> {
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
    std::fs::write(out.join(format!("{OUTPUT_NAME}.css")), css)?;
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

/// Compiles the hydrate crate to wasm32, runs wasm-bindgen on it (dropping the function-name
/// section, most of a release bundle) and, for a release, wasm-opt.
fn build_wasm(out: &Path, release: bool) -> Result<()> {
    let started = Instant::now();
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
                "--remove-name-section",
                "--remove-producers-section",
                "--out-name",
                OUTPUT_NAME,
                "--out-dir",
            ])
            .arg(out),
    )
    .context("wasm-bindgen failed")?;
    println!("xtask: wasm built in {:.2?}", started.elapsed());
    if release {
        optimise(&out.join(format!("{OUTPUT_NAME}_bg.wasm")))?;
    }
    Ok(())
}

/// `wasm-opt -Oz` in place, with the wasm features rustc enables by default for
/// wasm32-unknown-unknown (binaryen refuses instructions of features it was not told about).
fn optimise(wasm: &Path) -> Result<()> {
    let started = Instant::now();
    let before = std::fs::metadata(wasm)?.len();
    let optimised = wasm.with_extension("opt.wasm");
    cmd::run(
        std::process::Command::new(setup::wasm_opt_path())
            .arg(wasm)
            .args([
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-reference-types",
                "--enable-multivalue",
                "-o",
            ])
            .arg(&optimised),
    )
    .context("wasm-opt failed")?;
    std::fs::rename(&optimised, wasm)?;
    println!(
        "xtask: wasm-opt -Oz: {} KB -> {} KB in {:.2?}",
        before / 1024,
        std::fs::metadata(wasm)?.len() / 1024,
        started.elapsed()
    );
    Ok(())
}
