//! `cargo xtask dist`: what an operator installs, under `target/dist/`, built and then checked.
//!
//! - `consign-server`: the release hub for x86_64 Linux, linked statically (musl), so the same
//!   file runs on any distribution and in an image without a base;
//! - `consign-agent-x86_64`, `consign-agent-aarch64`: static agents, which the hub serves to
//!   install commands by the host's architecture (it looks next to itself);
//! - `site/`: the release browser bundle (wasm-opt, hashed names, brotli and gzip copies);
//! - `consign-hub.service`: a hardened systemd unit (`docs/operations.md`);
//! - `Dockerfile` and `consign-hub-<version>.image.tar`: an image built `FROM scratch` with
//!   `docker build` (no base image to pull), loaded as `consign-hub:<version>`, saved for hosts
//!   without a registry;
//! - `SHA256SUMS`.
//!
//! Every artifact is then verified, and any failure stops the command: both agents print their
//! version (the aarch64 one under qemu-user-static), the unit passes `systemd-analyze verify`,
//! and the image is started and probed over
//! HTTP (`/healthz`, the sign-in page and its bundle, both agents, a refused architecture).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::{cmd, setup, site};

/// The static target of the hub and of the x86_64 agent.
const X86_64: &str = "x86_64-unknown-linux-musl";
/// The static target of the aarch64 agent.
const AARCH64: &str = "aarch64-unknown-linux-musl";
/// Debian's cross compiler for aarch64: it compiles the agent's C parts (ring) and links.
const AARCH64_GCC: &str = "aarch64-linux-gnu-gcc";

/// The unit file, kept in the repository so it can be read and reviewed.
const UNIT: &str = include_str!("../dist/consign-hub.service");
/// The image's recipe.
const DOCKERFILE: &str = include_str!("../dist/Dockerfile");

/// Builds, lays out and verifies everything; prints how long each step took.
pub fn run() -> Result<()> {
    let mut steps: Vec<(&str, Duration)> = Vec::new();
    let started = Instant::now();
    setup::ensure_build_tools()?;
    setup::ensure_dist_tools()?;
    steps.push(("tools", started.elapsed()));

    let t = Instant::now();
    site::build(true)?;
    steps.push(("site (wasm-release, wasm-opt, compression)", t.elapsed()));

    let t = Instant::now();
    cmd::run(cmd::cargo().args([
        "build",
        "--release",
        "--target",
        X86_64,
        "-p",
        "consign-server",
        "--bin",
        "consign-server",
        "-p",
        "consign-agent",
        "--bin",
        "consign-agent",
    ]))
    .context("the x86_64 release build failed")?;
    steps.push(("hub + agent, x86_64 musl release", t.elapsed()));

    let t = Instant::now();
    cmd::run(
        cmd::cargo()
            .args([
                "build",
                "--release",
                "--target",
                AARCH64,
                "-p",
                "consign-agent",
                "--bin",
                "consign-agent",
            ])
            .env("CC_aarch64_unknown_linux_musl", AARCH64_GCC)
            .env(
                "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER",
                AARCH64_GCC,
            ),
    )
    .context("the aarch64 agent build failed")?;
    steps.push(("agent, aarch64 musl release", t.elapsed()));

    let t = Instant::now();
    let dist = lay_out()?;
    steps.push(("lay out target/dist", t.elapsed()));

    let t = Instant::now();
    let version = verify_binaries(&dist)?;
    steps.push(("check the binaries (aarch64 under qemu)", t.elapsed()));

    let t = Instant::now();
    verify_unit(&dist)?;
    steps.push(("check the systemd unit", t.elapsed()));

    let t = Instant::now();
    let image = build_image(&dist, &version)?;
    steps.push(("docker build + save", t.elapsed()));

    let t = Instant::now();
    let bundle = verify_image(&dist, &image)?;
    steps.push(("run the image and probe it", t.elapsed()));

    write_checksums(&dist)?;
    println!("\nxtask: target/dist is ready and verified ({image}):");
    for entry in std::fs::read_dir(&dist)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            println!(
                "  {:<40} {:>8} KB",
                entry.file_name().to_string_lossy(),
                entry.metadata()?.len() / 1024
            );
        }
    }
    println!("\nxtask: first load of the sign-in page with Accept-Encoding: br:");
    for (what, bytes) in &bundle {
        println!("  {what:<40} {:>8} B", bytes);
    }
    println!("\nxtask: time per step:");
    for (step, took) in &steps {
        println!("  {step:<45} {:>7.1} s", took.as_secs_f64());
    }
    println!(
        "  {:<45} {:>7.1} s",
        "total",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn target_dir() -> PathBuf {
    let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    std::path::absolute(&dir).unwrap_or_else(|_| PathBuf::from(dir))
}

/// Copies the built files into a fresh `target/dist`.
fn lay_out() -> Result<PathBuf> {
    let target = target_dir();
    let dist = target.join("dist");
    let _ = std::fs::remove_dir_all(&dist);
    std::fs::create_dir_all(&dist).context("cannot create target/dist")?;
    let release = |triple: &str, bin: &str| target.join(triple).join("release").join(bin);
    for (from, to) in [
        (release(X86_64, "consign-server"), "consign-server"),
        (release(X86_64, "consign-agent"), "consign-agent-x86_64"),
        (release(AARCH64, "consign-agent"), "consign-agent-aarch64"),
    ] {
        std::fs::copy(&from, dist.join(to))
            .with_context(|| format!("cannot copy {}", from.display()))?;
    }
    copy_dir(&site::site_root(), &dist.join("site"))?;
    std::fs::write(dist.join("consign-hub.service"), UNIT)?;
    std::fs::write(dist.join("Dockerfile"), DOCKERFILE)?;
    // The image's build context is this folder: leave the saved image out of it.
    std::fs::write(dist.join(".dockerignore"), "*.tar\nSHA256SUMS\n")?;
    // An empty folder the Dockerfile copies to make the data and temp folders.
    std::fs::create_dir_all(dist.join("empty"))?;
    Ok(dist)
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Both agents and the hub print their version; the aarch64 agent runs under qemu. Returns the
/// version.
fn verify_binaries(dist: &Path) -> Result<String> {
    let version = env!("CARGO_PKG_VERSION").to_string();
    let qemu = which("qemu-aarch64-static")
        .context("qemu-aarch64-static is missing: install Debian's qemu-user-static")?;
    let checks: [(&str, Command); 3] = [
        ("consign-server", Command::new(dist.join("consign-server"))),
        (
            "consign-agent-x86_64",
            Command::new(dist.join("consign-agent-x86_64")),
        ),
        ("consign-agent-aarch64", {
            let mut c = Command::new(qemu);
            c.arg(dist.join("consign-agent-aarch64"));
            c
        }),
    ];
    for (name, mut command) in checks {
        let out = command
            .arg("--version")
            .output()
            .with_context(|| format!("cannot run {name}"))?;
        let printed = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() || !printed.split_whitespace().any(|w| w == version) {
            bail!(
                "{name} --version printed {:?} (status {}), expected version {version}: {}",
                printed.trim(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        if interpreter(&dist.join(name))?.is_some() {
            bail!("{name} is dynamically linked; dist ships static binaries");
        }
        println!("xtask: {name}: {} (static)", printed.trim());
    }
    Ok(version)
}

/// The ELF program interpreter (`PT_INTERP`) of a 64-bit little-endian binary, if any: a
/// static binary has none.
fn interpreter(path: &Path) -> Result<Option<String>> {
    let elf = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let u16_at = |at: usize| {
        elf.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u64_at = |at: usize| {
        elf.get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
    };
    if elf.get(..5) != Some(b"\x7fELF\x02") {
        bail!("{} is not a 64-bit ELF file", path.display());
    }
    let (Some(phoff), Some(phentsize), Some(phnum)) = (u64_at(0x20), u16_at(0x36), u16_at(0x38))
    else {
        bail!("{} has a truncated ELF header", path.display());
    };
    for i in 0..usize::from(phnum) {
        let at = usize::try_from(phoff)? + i * usize::from(phentsize);
        let kind = elf
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        if kind == Some(3) {
            let (Some(offset), Some(size)) = (u64_at(at + 8), u64_at(at + 32)) else {
                bail!("{} has a truncated program header", path.display());
            };
            let (offset, size) = (usize::try_from(offset)?, usize::try_from(size)?);
            let text = elf.get(offset..offset + size).unwrap_or_default();
            return Ok(Some(
                String::from_utf8_lossy(text)
                    .trim_end_matches('\0')
                    .to_string(),
            ));
        }
    }
    Ok(None)
}

/// `systemd-analyze verify` of the unit (syntax, directives, the binary it starts: pointed at
/// the built one, since /opt/consign is not installed here) and its offline exposure score.
/// Skipped with a note where systemd's tools are missing (a container without systemd).
fn verify_unit(dist: &Path) -> Result<()> {
    let Some(analyze) = which("systemd-analyze") else {
        println!("xtask: systemd-analyze is missing: the unit was not checked");
        return Ok(());
    };
    let check = dist.join("unit-check");
    std::fs::create_dir_all(&check)?;
    let unit = check.join("consign-hub.service");
    let server = dist.join("consign-server");
    std::fs::write(
        &unit,
        UNIT.replace(
            "ExecStart=/opt/consign/consign-server",
            &format!("ExecStart={}", server.display()),
        ),
    )?;
    let verified = Command::new(&analyze)
        .arg("verify")
        .arg(&unit)
        .output()
        .context("cannot run systemd-analyze verify")?;
    let complaints = String::from_utf8_lossy(&verified.stderr).trim().to_string();
    if !verified.status.success() || !complaints.is_empty() {
        bail!("systemd-analyze verify refused consign-hub.service: {complaints}");
    }
    let security = Command::new(&analyze)
        .args(["security", "--offline=yes"])
        .arg(&unit)
        .output()
        .context("cannot run systemd-analyze security")?;
    let score = String::from_utf8_lossy(&security.stdout)
        .lines()
        .find(|l| l.contains("Overall exposure level"))
        .map(|l| l.trim().trim_start_matches('→').trim().to_string())
        .unwrap_or_else(|| "no exposure score printed".into());
    std::fs::remove_dir_all(&check)?;
    println!("xtask: consign-hub.service passes systemd-analyze verify; {score}");
    Ok(())
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// `docker build` of `target/dist`, tagged `consign-hub:<version>` and `:latest`, saved to
/// `consign-hub-<version>.image.tar`. Returns the tag.
fn build_image(dist: &Path, version: &str) -> Result<String> {
    let tag = format!("consign-hub:{version}");
    cmd::run(
        Command::new("docker")
            .args(["build", "--tag", &tag, "--tag", "consign-hub:latest"])
            .arg(dist),
    )
    .context("docker build failed (is the Docker engine running?)")?;
    let saved = dist.join(format!("consign-hub-{version}.image.tar"));
    cmd::run(
        Command::new("docker")
            .args(["save", "--output"])
            .arg(&saved)
            .arg(&tag),
    )
    .context("docker save failed")?;
    Ok(tag)
}

/// A started container, removed when dropped.
struct Container(String);

impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rm", "--force", &self.0])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Runs the image and probes it; returns the bytes of a first page load (sign-in page, CSS,
/// JS, wasm) with `Accept-Encoding: br`.
fn verify_image(dist: &Path, image: &str) -> Result<Vec<(String, usize)>> {
    let id = cmd::output(
        "docker",
        &["run", "--detach", "--publish", "127.0.0.1::8080", image],
    )
    .context("docker run of the image failed")?;
    let container = Container(id.trim().to_string());
    let port = cmd::output("docker", &["port", &container.0, "8080/tcp"])
        .and_then(|p| {
            p.lines()
                .next()?
                .rsplit(':')
                .next()?
                .trim()
                .parse::<u16>()
                .ok()
        })
        .context("docker port did not name the published port")?;
    let logs = || cmd::output("docker", &["logs", &container.0]).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match get(port, "/healthz", "identity") {
            Ok(r) if r.status == 200 => break,
            _ if Instant::now() > deadline => {
                bail!(
                    "the image's hub did not answer /healthz within 30 s; its log:\n{}",
                    logs()
                )
            }
            _ => std::thread::sleep(Duration::from_millis(200)),
        }
    }
    println!("xtask: the image's hub answers /healthz on 127.0.0.1:{port}");
    for arch in ["x86_64", "aarch64"] {
        let served = get(
            port,
            &format!("/agent/consign-agent?arch={arch}"),
            "identity",
        )?;
        let shipped = std::fs::read(dist.join(format!("consign-agent-{arch}")))?;
        if served.status != 200 || served.body != shipped {
            bail!(
                "the image's hub served HTTP {} ({} bytes) for the {arch} agent, not the shipped binary",
                served.status,
                served.body.len()
            );
        }
    }
    let refused = get(port, "/agent/consign-agent?arch=riscv64", "identity")?;
    if refused.status != 404
        || !String::from_utf8_lossy(&refused.body).contains("x86_64 and aarch64")
    {
        bail!(
            "an unknown architecture got HTTP {} instead of a clear 404",
            refused.status
        );
    }
    println!("xtask: the image serves the x86_64 and aarch64 agents and refuses riscv64 clearly");
    let first_load = first_page_load(port).with_context(logs)?;
    Ok(first_load)
}

/// The sign-in page and the stylesheet, script and wasm it links, fetched as a browser with
/// brotli support would; each must come back compressed and cacheable for a year.
fn first_page_load(port: u16) -> Result<Vec<(String, usize)>> {
    let page = get(port, "/", "br, gzip")?;
    if page.status != 200 {
        bail!("the sign-in page answered HTTP {}", page.status);
    }
    let html = String::from_utf8_lossy(&page.body).into_owned();
    let name = html
        .split("/pkg/")
        .skip(1)
        .find_map(|rest| {
            let link = rest.split(['"', '\'']).next()?;
            link.strip_suffix(".css")
                .filter(|n| n.starts_with("consign."))
        })
        .context("the page links no hashed stylesheet /pkg/consign.<hash>.css")?
        .to_string();
    let mut loaded = vec![("/ (HTML)".to_string(), page.wire)];
    for file in [
        format!("{name}.css"),
        format!("{name}.js"),
        format!("{name}_bg.wasm"),
    ] {
        let path = format!("/pkg/{file}");
        if !html.contains(&path) {
            bail!("the page does not link {path}");
        }
        let r = get(port, &path, "br, gzip")?;
        let encoding = r.header("content-encoding");
        let cache = r.header("cache-control");
        if r.status != 200
            || encoding.as_deref() != Some("br")
            || !cache.as_deref().unwrap_or_default().contains("immutable")
        {
            bail!(
                "{path}: HTTP {}, Content-Encoding {encoding:?}, Cache-Control {cache:?}",
                r.status
            );
        }
        loaded.push((path, r.wire));
    }
    let total = loaded.iter().map(|(_, b)| b).sum();
    loaded.push(("total on the wire".into(), total));
    Ok(loaded)
}

/// An HTTP answer: status, header lines, body, and the bytes received in all.
struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
    wire: usize,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    }
}

/// A plain HTTP/1.0 GET (so no chunked bodies) to 127.0.0.1:`port`.
fn get(port: u16, path: &str, accept_encoding: &str) -> Result<Answer> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: {accept_encoding}\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("an HTTP answer without a header end")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("an HTTP answer without a status")?;
    Ok(Answer {
        status,
        head,
        body: raw[split + 4..].to_vec(),
        wire: raw.len(),
    })
}

/// `SHA256SUMS` over the top-level files, in `sha256sum -c` format.
fn write_checksums(dist: &Path) -> Result<()> {
    let mut names: Vec<String> = std::fs::read_dir(dist)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "SHA256SUMS" && !n.starts_with('.'))
        .collect();
    names.sort();
    let mut sums = String::new();
    for name in names {
        let digest = Sha256::digest(std::fs::read(dist.join(&name))?);
        sums.push_str(&format!("{}  {name}\n", hex::encode(digest)));
    }
    std::fs::write(dist.join("SHA256SUMS"), sums)?;
    Ok(())
}
