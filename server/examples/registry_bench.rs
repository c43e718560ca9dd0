//! The registry client behind `cargo xtask bench-registry` (run by it against the release hub,
//! Distribution and nginx; not a test).
//!
//! skopeo, the benchmark's other client, spends most of a 100 MB copy in its own work (Go's
//! hashing, its blob-info cache, the layout on disk), so it shows little of the servers. This
//! client does only what every registry client must: it sends each blob once, and on a pull
//! it receives every byte, verifies the digest and writes the blob to a file. The same client
//! and the same work for every server, so the differences are the servers'.
//!
//! - `image`: pushes an OCI layout's image (config, layers, manifest) into a fresh repository,
//!   then pulls it back, `--runs` times; prints the times.
//! - `concurrent`: `--pulls` concurrent pulls of one pushed image; prints the total time.
//! - `blob`: gets one URL (a blob from a registry, or a static file from nginx) `--runs` times,
//!   verifying its digest; prints the times.
//!
//! With `--transfer-only` a pull receives every byte and checks only the count: no hashing and
//! no file, so the time is the server's and the network's alone.

// A benchmark tool: printing is its job; a failed step ends it with the reason.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use bytes::Bytes;
use clap::{Parser, Subcommand};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Push then pull an image, `runs` times, each into a new repository.
    Image {
        /// `http://host:port` of the registry.
        #[arg(long)]
        registry: String,
        /// `user:password` for HTTP Basic, when the registry asks for it.
        #[arg(long)]
        creds: Option<String>,
        /// An OCI image layout holding one image.
        #[arg(long)]
        layout: PathBuf,
        /// Repositories are `<prefix><run>`.
        #[arg(long)]
        prefix: String,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Where pulled blobs are written.
        #[arg(long)]
        scratch: PathBuf,
        /// Receive blobs without hashing or storing them.
        #[arg(long)]
        transfer_only: bool,
    },
    /// Pull one repository's `v1` image `pulls` times at once.
    Concurrent {
        #[arg(long)]
        registry: String,
        #[arg(long)]
        creds: Option<String>,
        #[arg(long)]
        repository: String,
        #[arg(long, default_value_t = 16)]
        pulls: usize,
        #[arg(long)]
        scratch: PathBuf,
        #[arg(long)]
        transfer_only: bool,
    },
    /// Get one URL `runs` times, verifying its sha256 digest.
    Blob {
        #[arg(long)]
        url: String,
        #[arg(long)]
        creds: Option<String>,
        /// `sha256:<hex>`.
        #[arg(long)]
        digest: String,
        #[arg(long, default_value_t = 9)]
        runs: usize,
        #[arg(long)]
        scratch: PathBuf,
        #[arg(long)]
        transfer_only: bool,
    },
}

const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

struct Registry {
    http: reqwest::Client,
    base: String,
    creds: Option<(String, String)>,
    /// Receive blobs without verifying or storing them.
    transfer_only: bool,
}

impl Registry {
    fn new(base: &str, creds: Option<&str>, transfer_only: bool) -> Result<Self> {
        let creds = match creds {
            Some(c) => {
                let (user, password) = c.split_once(':').context("--creds is user:password")?;
                Some((user.to_string(), password.to_string()))
            }
            None => None,
        };
        Ok(Self {
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(32)
                .build()?,
            base: base.trim_end_matches('/').to_string(),
            creds,
            transfer_only,
        })
    }

    fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        let r = self.http.request(method, url);
        match &self.creds {
            Some((user, password)) => r.basic_auth(user, Some(password)),
            None => r,
        }
    }

    /// A monolithic upload: `POST` for a session, then one `PUT` with the whole blob.
    async fn push_blob(&self, repository: &str, digest: &str, bytes: Bytes) -> Result<()> {
        let started = self
            .request(
                reqwest::Method::POST,
                &format!("{}/v2/{repository}/blobs/uploads/", self.base),
            )
            .send()
            .await?;
        ensure!(
            started.status() == reqwest::StatusCode::ACCEPTED,
            "upload not started: {}",
            started.status()
        );
        let location = started
            .headers()
            .get("location")
            .context("no Location")?
            .to_str()?
            .to_string();
        let location = if location.starts_with('/') {
            format!("{}{location}", self.base)
        } else {
            location
        };
        let separator = if location.contains('?') { '&' } else { '?' };
        let done = self
            .request(
                reqwest::Method::PUT,
                &format!("{location}{separator}digest={digest}"),
            )
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await?;
        ensure!(
            done.status() == reqwest::StatusCode::CREATED,
            "upload not finished: {} {}",
            done.status(),
            done.text().await.unwrap_or_default()
        );
        Ok(())
    }

    async fn push_manifest(&self, repository: &str, tag: &str, manifest: Bytes) -> Result<()> {
        let put = self
            .request(
                reqwest::Method::PUT,
                &format!("{}/v2/{repository}/manifests/{tag}", self.base),
            )
            .header("content-type", MANIFEST)
            .body(manifest)
            .send()
            .await?;
        ensure!(
            put.status() == reqwest::StatusCode::CREATED,
            "manifest refused: {}",
            put.status()
        );
        Ok(())
    }

    /// Pulls `repository:tag`: the manifest, then each blob in turn, verified and written
    /// under `scratch`.
    async fn pull(&self, repository: &str, tag: &str, scratch: &Path) -> Result<u64> {
        let manifest = self
            .request(
                reqwest::Method::GET,
                &format!("{}/v2/{repository}/manifests/{tag}", self.base),
            )
            .header("accept", MANIFEST)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        let manifest: Value = serde_json::from_slice(&manifest)?;
        let mut total = 0;
        for descriptor in blobs_of(&manifest) {
            let digest = descriptor["digest"].as_str().context("no digest")?;
            total += self
                .get(
                    self.request(
                        reqwest::Method::GET,
                        &format!("{}/v2/{repository}/blobs/{digest}", self.base),
                    ),
                    digest,
                    &scratch.join(digest.replace(':', "-")),
                )
                .await?;
        }
        Ok(total)
    }
}

impl Registry {
    /// A blob: verified and stored, or with `transfer_only` just received.
    async fn get(
        &self,
        request: reqwest::RequestBuilder,
        digest: &str,
        path: &Path,
    ) -> Result<u64> {
        if self.transfer_only {
            receive(request).await
        } else {
            get_verified(request, digest, path).await
        }
    }
}

/// Receives a response's body and checks its length against `Content-Length`.
async fn receive(request: reqwest::RequestBuilder) -> Result<u64> {
    let mut response = request.send().await?.error_for_status()?;
    let expected = response.content_length();
    let mut bytes = 0u64;
    while let Some(chunk) = response.chunk().await? {
        bytes += chunk.len() as u64;
    }
    ensure!(
        expected.is_none_or(|e| e == bytes),
        "received {bytes} of {expected:?} bytes"
    );
    Ok(bytes)
}

/// The config and layers of a manifest.
fn blobs_of(manifest: &Value) -> Vec<&Value> {
    let mut all = vec![&manifest["config"]];
    if let Some(layers) = manifest["layers"].as_array() {
        all.extend(layers);
    }
    all
}

/// Streams a response into `path` while hashing it, and checks the digest: what a client does
/// with every blob it pulls.
async fn get_verified(request: reqwest::RequestBuilder, digest: &str, path: &Path) -> Result<u64> {
    let mut response = request.send().await?.error_for_status()?;
    let mut file = std::fs::File::create(path)?;
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    while let Some(chunk) = response.chunk().await? {
        hasher.update(&chunk);
        file.write_all(&chunk)?;
        bytes += chunk.len() as u64;
    }
    let got = format!("sha256:{}", hex::encode(hasher.finalize()));
    ensure!(got == digest, "pulled {got}, expected {digest}");
    drop(file);
    std::fs::remove_file(path)?;
    Ok(bytes)
}

/// An image read from an OCI layout: its manifest and every blob it names.
struct Image {
    manifest: Bytes,
    blobs: Vec<(String, Bytes)>,
}

fn read_layout(layout: &Path) -> Result<Image> {
    let index: Value = serde_json::from_slice(&std::fs::read(layout.join("index.json"))?)?;
    let digest = index["manifests"][0]["digest"]
        .as_str()
        .context("the layout has no image")?;
    let blob = |digest: &str| -> Result<Bytes> {
        let hex = digest.strip_prefix("sha256:").context("not sha256")?;
        Ok(std::fs::read(layout.join("blobs/sha256").join(hex))?.into())
    };
    let manifest = blob(digest)?;
    let parsed: Value = serde_json::from_slice(&manifest)?;
    let mut blobs = Vec::new();
    for descriptor in blobs_of(&parsed) {
        let digest = descriptor["digest"].as_str().context("no digest")?;
        blobs.push((digest.to_string(), blob(digest)?));
    }
    Ok(Image { manifest, blobs })
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Image {
            registry,
            creds,
            layout,
            prefix,
            runs,
            scratch,
            transfer_only,
        } => {
            let image = read_layout(&layout)?;
            let registry = Registry::new(&registry, creds.as_deref(), transfer_only)?;
            std::fs::create_dir_all(&scratch)?;
            let (mut pushes, mut pulls) = (Vec::new(), Vec::new());
            for run in 0..runs {
                let repository = format!("{prefix}{run}");
                let started = Instant::now();
                for (digest, bytes) in &image.blobs {
                    registry
                        .push_blob(&repository, digest, bytes.clone())
                        .await?;
                }
                registry
                    .push_manifest(&repository, "v1", image.manifest.clone())
                    .await?;
                pushes.push(millis(started.elapsed()));
                let started = Instant::now();
                registry.pull(&repository, "v1", &scratch).await?;
                pulls.push(millis(started.elapsed()));
            }
            println!(
                "{}",
                serde_json::json!({ "push_ms": pushes, "pull_ms": pulls })
            );
        }
        Command::Concurrent {
            registry,
            creds,
            repository,
            pulls,
            scratch,
            transfer_only,
        } => {
            let registry =
                std::sync::Arc::new(Registry::new(&registry, creds.as_deref(), transfer_only)?);
            let started = Instant::now();
            let mut tasks = Vec::new();
            for i in 0..pulls {
                let (registry, repository) = (registry.clone(), repository.clone());
                let scratch = scratch.join(i.to_string());
                std::fs::create_dir_all(&scratch)?;
                tasks.push(tokio::spawn(async move {
                    registry.pull(&repository, "v1", &scratch).await
                }));
            }
            let mut bytes = 0;
            for task in tasks {
                bytes += task.await??;
            }
            println!(
                "{}",
                serde_json::json!({ "total_ms": millis(started.elapsed()), "bytes": bytes })
            );
        }
        Command::Blob {
            url,
            creds,
            digest,
            runs,
            scratch,
            transfer_only,
        } => {
            let registry = Registry::new(&url, creds.as_deref(), transfer_only)?;
            std::fs::create_dir_all(&scratch)?;
            let mut times = Vec::new();
            for _ in 0..runs {
                let started = Instant::now();
                registry
                    .get(
                        registry.request(reqwest::Method::GET, &url),
                        &digest,
                        &scratch.join("blob"),
                    )
                    .await?;
                times.push(millis(started.elapsed()));
            }
            if times.is_empty() {
                bail!("--runs must be at least 1");
            }
            println!("{}", serde_json::json!({ "ms": times }));
        }
    }
    Ok(())
}
