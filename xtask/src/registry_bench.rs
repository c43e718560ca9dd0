//! `cargo xtask bench-registry`: the hub's registry against Distribution (Debian's
//! `docker-registry`) and nginx (Debian's, serving a blob as a static file) side by side on
//! this machine, in the same run:
//! - a ~100 MB image pushed and pulled by two clients: skopeo, and the lean client of
//!   `server/examples/registry_bench.rs` (it sends each blob once and verifies and stores what
//!   it pulls, nothing else, so the servers' differences show), each run into a fresh
//!   repository so every byte moves, hub and Distribution alternating;
//! - the image's 100 MB layer as a single blob: hub, Distribution and nginx, alternating;
//! - 16 concurrent pulls of the image: hub and Distribution;
//! - then the hub takes a 1 GB blob while its resident memory is sampled.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::cmd;

const RUNS: usize = 5;
/// Single-blob rounds (each gets the blob from every server once).
const BLOB_RUNS: usize = 9;
/// Concurrent pulls of one image, and how many rounds of them.
const CONCURRENT: usize = 16;
const CONCURRENT_RUNS: usize = 3;
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

/// nginx as Debian configures it for static files (`sendfile on`, `tcp_nopush on`, worker
/// processes per core), serving one folder on loopback, everything it writes kept in `{work}`.
fn nginx_config(work: &Path, port: u16, root: &Path) -> String {
    let work = work.display();
    let root = root.display();
    format!(
        "daemon off;
worker_processes auto;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    sendfile on;
    tcp_nopush on;
    access_log off;
    client_body_temp_path {work}/nginx-body;
    proxy_temp_path {work}/nginx-proxy;
    fastcgi_temp_path {work}/nginx-fastcgi;
    uwsgi_temp_path {work}/nginx-uwsgi;
    scgi_temp_path {work}/nginx-scgi;
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"
    )
}

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

/// What the lean client does with the blobs it pulls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pull {
    /// Hashes each, checks the digest and writes it to a file, as every client does.
    Verified,
    /// Receives every byte and checks only the count: the server's and the network's time.
    TransferOnly,
}

impl Pull {
    fn label(self) -> &'static str {
        match self {
            Pull::Verified => "verified and stored",
            Pull::TransferOnly => "transfer only",
        }
    }
}

/// The lean client's binary and how to call it.
struct Client(PathBuf);

impl Client {
    /// Runs one subcommand and returns the JSON it prints.
    fn run(&self, args: &[&str]) -> Result<serde_json::Value> {
        let out = output(Command::new(&self.0).args(args))?;
        serde_json::from_str(out.trim()).with_context(|| format!("the client printed {out}"))
    }

    /// One push and one pull of the layout's image into `repository0`.
    fn image(
        &self,
        registry: &str,
        creds: Option<&str>,
        layout: &Path,
        prefix: &str,
        scratch: &Path,
    ) -> Result<(Duration, Duration)> {
        let mut args = vec![
            "image",
            "--registry",
            registry,
            "--prefix",
            prefix,
            "--runs",
            "1",
        ];
        let (layout, scratch) = (layout.display().to_string(), scratch.display().to_string());
        args.extend(["--layout", &layout, "--scratch", &scratch]);
        if let Some(creds) = creds {
            args.extend(["--creds", creds]);
        }
        let v = self.run(&args)?;
        Ok((first_ms(&v["push_ms"])?, first_ms(&v["pull_ms"])?))
    }

    /// One get of `url`, verified against `digest` (or with `mode` only received).
    fn blob(
        &self,
        url: &str,
        creds: Option<&str>,
        digest: &str,
        scratch: &Path,
        mode: Pull,
    ) -> Result<Duration> {
        let scratch = scratch.display().to_string();
        let mut args = vec!["blob", "--url", url, "--digest", digest, "--runs", "1"];
        args.extend(["--scratch", &scratch]);
        if let Some(creds) = creds {
            args.extend(["--creds", creds]);
        }
        if mode == Pull::TransferOnly {
            args.push("--transfer-only");
        }
        first_ms(&self.run(&args)?["ms"])
    }

    /// `pulls` pulls of `repository:v1` at once: the total time.
    fn concurrent(
        &self,
        registry: &str,
        creds: Option<&str>,
        repository: &str,
        scratch: &Path,
        (pulls, mode): (usize, Pull),
    ) -> Result<Duration> {
        let (pulls, scratch) = (pulls.to_string(), scratch.display().to_string());
        let mut args = vec![
            "concurrent",
            "--registry",
            registry,
            "--repository",
            repository,
        ];
        args.extend(["--pulls", &pulls, "--scratch", &scratch]);
        if let Some(creds) = creds {
            args.extend(["--creds", creds]);
        }
        if mode == Pull::TransferOnly {
            args.push("--transfer-only");
        }
        let v = self.run(&args)?;
        Ok(Duration::from_secs_f64(
            v["total_ms"].as_f64().context("no total")? / 1000.0,
        ))
    }
}

fn first_ms(v: &serde_json::Value) -> Result<Duration> {
    let ms = v[0].as_f64().with_context(|| format!("no time in {v}"))?;
    Ok(Duration::from_secs_f64(ms / 1000.0))
}

/// `a` against `b`: both times and `b / a`, how many times faster `a` is.
fn versus(what: &str, a_name: &str, a: Duration, b_name: &str, b: Duration) {
    println!(
        "  {what}: {a_name} {:.1} ms, {b_name} {:.1} ms; {a_name} is {:.2}x as fast ({a_name}/{b_name} {:.2})",
        a.as_secs_f64() * 1000.0,
        b.as_secs_f64() * 1000.0,
        b.as_secs_f64() / a.as_secs_f64(),
        a.as_secs_f64() / b.as_secs_f64(),
    );
}

/// Runs the benchmark and prints its figures: against the release build, or with `dev` the
/// debug build (quicker to get, slower to run).
pub fn run(dev: bool) -> Result<()> {
    if !Path::new("/usr/sbin/nginx").exists() && !cmd::on_path("nginx") {
        crate::setup::apt_install(&["nginx-light"])?;
    }
    for tool in ["skopeo", "docker-registry", "curl", "python3"] {
        if !cmd::on_path(tool) {
            bail!("{tool} is missing: run `cargo xtask setup --test`");
        }
    }
    let mut build = cmd::cargo();
    build.args([
        "build",
        "-p",
        "consign-server",
        "--bin",
        "consign-server",
        "--example",
        "registry_bench",
    ]);
    if !dev {
        build.arg("--release");
    }
    cmd::run(&mut build)?;
    let target_dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let out =
        std::path::absolute(Path::new(&target_dir).join(if dev { "debug" } else { "release" }))?;
    let work = std::env::temp_dir().join(format!("consign-registry-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let result = bench(
        &out.join("consign-server"),
        &Client(out.join("examples").join("registry_bench")),
        &work,
    );
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn bench(binary: &Path, client: &Client, work: &Path) -> Result<()> {
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
    let layer = largest_blob(&image)?;
    let layer_hex = layer
        .file_name()
        .and_then(|n| n.to_str())
        .context("a blob without a name")?
        .to_string();
    let layer_digest = format!("sha256:{layer_hex}");

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

    // nginx serves a copy of the layer (its own file, as each registry has its own).
    let static_root = work.join("static");
    std::fs::create_dir_all(&static_root)?;
    std::fs::copy(&layer, static_root.join(&layer_hex))?;
    let nginx_port = free_port()?;
    let nginx_conf = work.join("nginx.conf");
    std::fs::write(&nginx_conf, nginx_config(work, nginx_port, &static_root))?;
    let _nginx = Running {
        child: Command::new(if cmd::on_path("nginx") {
            "nginx"
        } else {
            "/usr/sbin/nginx"
        })
        .arg("-c")
        .arg(&nginx_conf)
        .arg("-p")
        .arg(work)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start nginx")?,
    };
    wait_for(nginx_port)?;

    let hub = (format!("127.0.0.1:{hub_port}"), hub);
    let reference = format!("127.0.0.1:{ref_port}");

    // Warm both up once (page cache, first connections), then measure.
    skopeo_copy(
        &format!("oci:{}:v1", image.display()),
        &format!("docker://{}/bench/warm:v1", hub.0),
        Some(&creds),
    )?;
    skopeo_copy(
        &format!("oci:{}:v1", image.display()),
        &format!("docker://{reference}/bench/warm:v1"),
        None,
    )?;
    let (hub_push, hub_pull) = push_pull(&hub.0, &image, Some(&creds), work)?;
    let (ref_push, ref_pull) = push_pull(&reference, &image, None, work)?;
    println!("bench-registry: {IMAGE_MB} MB image, skopeo, {RUNS} runs each, medians:");
    versus("push", "hub", hub_push, "distribution", ref_push);
    versus("pull", "hub", hub_pull, "distribution", ref_pull);

    // The lean client, alternating servers every run.
    let scratch = work.join("scratch");
    let hub_url = format!("http://{}", hub.0);
    let ref_url = format!("http://{reference}");
    let servers = [
        (hub_url.as_str(), Some(creds.as_str())),
        (ref_url.as_str(), None),
    ];
    client.image(&hub_url, Some(&creds), &image, "bench/leanwarm", &scratch)?;
    client.image(&ref_url, None, &image, "bench/leanwarm", &scratch)?;
    let (mut pushes, mut pulls, mut bare) = ([vec![], vec![]], [vec![], vec![]], [vec![], vec![]]);
    for run in 0..RUNS {
        let prefix = format!("bench/lean{run}-");
        for (i, (url, creds)) in servers.iter().enumerate() {
            let (push, pull) = client.image(url, *creds, &image, &prefix, &scratch)?;
            pushes[i].push(push);
            pulls[i].push(pull);
            let repository = format!("{prefix}0");
            let one = (1, Pull::TransferOnly);
            bare[i].push(client.concurrent(url, *creds, &repository, &scratch, one)?);
        }
    }
    println!("bench-registry: {IMAGE_MB} MB image, lean client, {RUNS} runs each, medians:");
    let [hub_push, ref_push] = pushes.map(median);
    versus("push", "hub", hub_push, "distribution", ref_push);
    for (mode, times) in [(Pull::Verified, pulls), (Pull::TransferOnly, bare)] {
        let [hub_time, ref_time] = times.map(median);
        versus(
            &format!("pull, {}", mode.label()),
            "hub",
            hub_time,
            "distribution",
            ref_time,
        );
    }

    // One blob: the layer, from each server in turn.
    let repository = "bench/lean0-0";
    let blob_url = |base: &str| format!("{base}/v2/{repository}/blobs/{layer_digest}");
    let nginx_url = format!("http://127.0.0.1:{nginx_port}/{layer_hex}");
    let sources = [
        (blob_url(&hub_url), Some(creds.as_str())),
        (blob_url(&ref_url), None),
        (nginx_url, None),
    ];
    for mode in [Pull::Verified, Pull::TransferOnly] {
        let mut times = [vec![], vec![], vec![]];
        for run in 0..=BLOB_RUNS {
            for (i, (url, creds)) in sources.iter().enumerate() {
                let time = client.blob(url, *creds, &layer_digest, &scratch, mode)?;
                // The first round warms the three up.
                if run > 0 {
                    times[i].push(time);
                }
            }
        }
        let [hub_blob, ref_blob, nginx_blob] = times.map(median);
        println!(
            "bench-registry: the {IMAGE_MB} MB layer as one blob, lean client, {}, {BLOB_RUNS} runs each, medians:",
            mode.label()
        );
        versus("blob", "hub", hub_blob, "nginx", nginx_blob);
        versus("blob", "hub", hub_blob, "distribution", ref_blob);
    }

    // Concurrent pulls of one image.
    for mode in [Pull::Verified, Pull::TransferOnly] {
        let mut totals = [vec![], vec![]];
        for _ in 0..CONCURRENT_RUNS {
            for (i, (url, creds)) in servers.iter().enumerate() {
                let many = (CONCURRENT, mode);
                totals[i].push(client.concurrent(url, *creds, repository, &scratch, many)?);
            }
        }
        println!(
            "bench-registry: {CONCURRENT} concurrent pulls of the image, lean client, {}, {CONCURRENT_RUNS} runs each, medians:",
            mode.label()
        );
        let [hub_total, ref_total] = totals.map(median);
        versus(
            "all pulls done",
            "hub",
            hub_total,
            "distribution",
            ref_total,
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);

    // A 1 GB blob through the hub while its memory is sampled every 50 ms.
    let hub_address = hub.0;
    let hub = hub.1;
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
    let remote = format!("docker://{hub_address}/bench/big:v1");
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

/// The largest file under an OCI layout's blobs: the payload layer.
fn largest_blob(layout: &Path) -> Result<PathBuf> {
    let mut largest: Option<(u64, PathBuf)> = None;
    for entry in std::fs::read_dir(layout.join("blobs").join("sha256"))? {
        let entry = entry?;
        let len = entry.metadata()?.len();
        if largest.as_ref().is_none_or(|(l, _)| len > *l) {
            largest = Some((len, entry.path()));
        }
    }
    largest.map(|(_, p)| p).context("the layout holds no blob")
}
