//! `cargo xtask bench-registry`: the hub's registry against Distribution (Debian's
//! `docker-registry`) side by side on this machine. skopeo pushes and pulls a ~100 MB image
//! to each, several times, each run into a fresh repository so every byte moves; then the hub
//! takes a 1 GB blob while its resident memory is sampled.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::cmd;

const RUNS: usize = 5;
const IMAGE_MB: u32 = 100;
const BIG_MB: u32 = 1024;

/// Distribution's configuration: filesystem storage, no auth, quiet.
const DISTRIBUTION_CONFIG: &str = "version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: /tmp/unused
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:5000
";

struct Running {
    child: Child,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn wait_for(port: u16) -> Result<()> {
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            bail!("nothing listens on port {port} after 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

fn output(c: &mut Command) -> Result<String> {
    let out = c.output().with_context(|| format!("cannot run {c:?}"))?;
    if !out.status.success() {
        bail!(
            "{c:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Signs up a vendor named Bench (slug `bench`) and returns an access token for it.
fn vendor_token(port: u16, work: &Path) -> Result<String> {
    let jar = work.join("cookies");
    let base = format!("http://127.0.0.1:{port}");
    output(
        Command::new("curl")
            .args(["-sS", "-o", "/dev/null", "-c"])
            .arg(&jar)
            .args([
                "-X",
                "POST",
                &format!("{base}/_fn/sign_up"),
                "--data-urlencode",
                "organization=Bench",
                "--data-urlencode",
                "name=Bench",
                "--data-urlencode",
                "email=bench@bench.test",
                "--data-urlencode",
                "password=a long enough bench password",
            ]),
    )?;
    let created = output(Command::new("curl").args(["-sS", "-b"]).arg(&jar).args([
        "-X",
        "POST",
        &format!("{base}/_fn/create_token"),
        "--data-urlencode",
        "label=bench",
        "--data-urlencode",
        "expires_in_days=1",
    ]))?;
    let start = created
        .find("consign_pat_")
        .with_context(|| format!("no token in {created}"))?;
    Ok(created[start..start + "consign_pat_".len() + 64].to_string())
}

fn mkimage(args: &[&str]) -> Result<()> {
    output(
        Command::new("python3")
            .arg("server/tests/clients/mkimage.py")
            .args(args),
    )
    .map(drop)
}

fn skopeo_copy(from: &str, to: &str, creds: Option<&str>) -> Result<Duration> {
    // skopeo's blob-info cache would let it skip blobs it has seen: start every copy cold.
    if let Some(home) = std::env::var_os("HOME") {
        let _ = std::fs::remove_file(
            PathBuf::from(home).join(".local/share/containers/cache/blob-info-cache-v1.boltdb"),
        );
    }
    let _ = std::fs::remove_file("/var/lib/containers/cache/blob-info-cache-v1.boltdb");
    let mut c = Command::new("skopeo");
    c.args([
        "copy",
        "--quiet",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
    ]);
    if let Some(creds) = creds {
        if from.starts_with("docker://") {
            c.args(["--src-creds", creds]);
        } else {
            c.args(["--dest-creds", creds]);
        }
    }
    c.args([from, to]);
    let started = Instant::now();
    output(&mut c)?;
    Ok(started.elapsed())
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// Push and pull medians of `layout:tag` against `registry`.
fn push_pull(
    registry: &str,
    layout: &Path,
    creds: Option<&str>,
    work: &Path,
) -> Result<(Duration, Duration)> {
    let mut pushes = Vec::new();
    let mut pulls = Vec::new();
    for run in 0..RUNS {
        let remote = format!("docker://{registry}/bench/img{run}:v1");
        pushes.push(skopeo_copy(
            &format!("oci:{}:v1", layout.display()),
            &remote,
            creds,
        )?);
        let back = work.join(format!("pulled-{run}"));
        let _ = std::fs::remove_dir_all(&back);
        pulls.push(skopeo_copy(
            &remote,
            &format!("oci:{}:v1", back.display()),
            creds,
        )?);
        let _ = std::fs::remove_dir_all(&back);
    }
    Ok((median(pushes), median(pulls)))
}

fn rss_kib(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Runs the benchmark and prints its figures: against the release build, or with `dev` the
/// debug build (quicker to get, slower to run).
pub fn run(dev: bool) -> Result<()> {
    for tool in ["skopeo", "docker-registry", "curl", "python3"] {
        if !cmd::on_path(tool) {
            bail!("{tool} is missing: run `cargo xtask setup --test`");
        }
    }
    let mut build = cmd::cargo();
    build.args(["build", "-p", "consign-server"]);
    if !dev {
        build.arg("--release");
    }
    cmd::run(&mut build)?;
    let target_dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let binary = Path::new(&target_dir)
        .join(if dev { "debug" } else { "release" })
        .join("consign-server");
    let work = std::env::temp_dir().join(format!("consign-registry-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let result = bench(&binary, &work);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn bench(binary: &Path, work: &Path) -> Result<()> {
    let image = work.join("image");
    let size = IMAGE_MB.to_string();
    mkimage(&[
        "payload",
        "--size-mb",
        &size,
        "--compress",
        "none",
        "--out",
        image.to_str().unwrap_or_default(),
        "--tag",
        "v1",
    ])?;

    let hub_port = free_port()?;
    let hub = Running {
        child: Command::new(binary)
            .env("CONSIGN_LISTEN", format!("127.0.0.1:{hub_port}"))
            .env("CONSIGN_DATA_DIR", work.join("hub"))
            .env("CONSIGN_SITE_ROOT", work.join("site"))
            .env("CONSIGN_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .context("cannot start the hub")?,
    };
    wait_for(hub_port)?;
    let token = vendor_token(hub_port, work)?;
    let creds = format!("bench:{token}");

    let ref_port = free_port()?;
    let config = work.join("distribution.yml");
    std::fs::write(&config, DISTRIBUTION_CONFIG)?;
    let _reference = Running {
        child: Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .env("REGISTRY_HTTP_ADDR", format!("127.0.0.1:{ref_port}"))
            .env(
                "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY",
                work.join("distribution"),
            )
            .env("REGISTRY_HTTP_SECRET", "bench")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start docker-registry")?,
    };
    wait_for(ref_port)?;

    // Warm both up once (page cache, first connections), then measure.
    skopeo_copy(
        &format!("oci:{}:v1", image.display()),
        &format!("docker://127.0.0.1:{hub_port}/bench/warm:v1"),
        Some(&creds),
    )?;
    skopeo_copy(
        &format!("oci:{}:v1", image.display()),
        &format!("docker://127.0.0.1:{ref_port}/bench/warm:v1"),
        None,
    )?;
    let (hub_push, hub_pull) =
        push_pull(&format!("127.0.0.1:{hub_port}"), &image, Some(&creds), work)?;
    let (ref_push, ref_pull) = push_pull(&format!("127.0.0.1:{ref_port}"), &image, None, work)?;
    println!("bench-registry: {IMAGE_MB} MB image, skopeo, {RUNS} runs each, medians:");
    println!(
        "  push: hub {:.2} s, distribution {:.2} s, hub/distribution {:.2}",
        hub_push.as_secs_f64(),
        ref_push.as_secs_f64(),
        hub_push.as_secs_f64() / ref_push.as_secs_f64()
    );
    println!(
        "  pull: hub {:.2} s, distribution {:.2} s, hub/distribution {:.2}",
        hub_pull.as_secs_f64(),
        ref_pull.as_secs_f64(),
        hub_pull.as_secs_f64() / ref_pull.as_secs_f64()
    );

    // A 1 GB blob through the hub while its memory is sampled every 50 ms.
    let _ = std::fs::remove_dir_all(&image);
    let big = work.join("big");
    let big_size = BIG_MB.to_string();
    mkimage(&[
        "payload",
        "--size-mb",
        &big_size,
        "--compress",
        "none",
        "--out",
        big.to_str().unwrap_or_default(),
        "--tag",
        "v1",
    ])?;
    let pid = hub.child.id();
    let before = rss_kib(pid).context("cannot read the hub's memory")?;
    let peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Some(kib) = rss_kib(pid) {
                    peak.fetch_max(kib, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let remote = format!("docker://127.0.0.1:{hub_port}/bench/big:v1");
    let push = skopeo_copy(&format!("oci:{}:v1", big.display()), &remote, Some(&creds));
    let _ = std::fs::remove_dir_all(&big);
    let pull = push.and_then(|push| {
        let back = work.join("big-back");
        let pull = skopeo_copy(&remote, &format!("oci:{}:v1", back.display()), Some(&creds));
        let _ = std::fs::remove_dir_all(&back);
        pull.map(|pull| (push, pull))
    });
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let (push, pull) = pull?;
    let peak = peak.load(Ordering::Relaxed);
    println!(
        "  1 GB blob: push {:.1} s, pull {:.1} s; hub resident memory {:.1} MiB before, peak {:.1} MiB (+{:.1} MiB)",
        push.as_secs_f64(),
        pull.as_secs_f64(),
        before as f64 / 1024.0,
        peak as f64 / 1024.0,
        (peak.saturating_sub(before)) as f64 / 1024.0
    );
    Ok(())
}
