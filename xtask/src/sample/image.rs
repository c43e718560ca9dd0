//! The sample's image: Debian's static busybox with its applets, a small page in `/www`, and
//! `httpd` serving it on port 8080, made with `docker import` (nothing is pulled), then pushed
//! to the hub with a private Docker config so the token is not left in the user's.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::cmd;

/// Where Debian's `busybox-static` puts the binary.
const BUSYBOX: &[&str] = &["/bin/busybox", "/usr/bin/busybox"];

/// The page the sample serves.
pub const PAGE: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sample web app</title></head>\n<body><h1>Sample web app 1.0.0</h1><p>Deployed by Consign.</p></body></html>\n";

/// The image's command: busybox httpd in the foreground on port 8080.
pub const COMMAND: &str = r#"CMD ["/bin/httpd", "-f", "-p", "8080", "-h", "/www"]"#;

/// Builds the image as `reference`, logs in to `host` with `token` and pushes it.
pub fn build_and_push(reference: &str, host: &str, token: &str) -> Result<()> {
    let busybox = busybox()?;
    let work = tempdir()?;
    let result =
        build(&busybox, &work, reference).and_then(|()| push(&work, reference, host, token));
    let _ = std::fs::remove_dir_all(&work);
    // The local copy is only the push's source.
    let _ = Command::new("docker").args(["rmi", reference]).output();
    result
}

/// The static busybox binary, installed with apt-get when missing.
fn busybox() -> Result<String> {
    let found = || BUSYBOX.iter().find(|p| Path::new(p).exists());
    if found().is_none() {
        crate::setup::apt_install(&["busybox-static"])?;
    }
    found()
        .map(|p| p.to_string())
        .context("busybox is still missing: apt-get install busybox-static")
}

fn tempdir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("consign-sample-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

fn build(busybox: &str, work: &Path, reference: &str) -> Result<()> {
    let root = work.join("rootfs");
    for dir in ["bin", "tmp", "www"] {
        std::fs::create_dir_all(root.join(dir))?;
    }
    std::fs::copy(busybox, root.join("bin/busybox")).context("cannot copy busybox")?;
    let applets = cmd::output(busybox, &["--list"]).context("busybox --list failed")?;
    for applet in applets.split_whitespace().filter(|a| *a != "busybox") {
        std::os::unix::fs::symlink("busybox", root.join("bin").join(applet))
            .with_context(|| format!("cannot link applet {applet}"))?;
    }
    std::fs::write(root.join("www/index.html"), PAGE)?;
    let tar = work.join("rootfs.tar");
    cmd::run(
        Command::new("tar")
            .arg("-C")
            .arg(&root)
            .arg("-cf")
            .arg(&tar)
            .arg("."),
    )?;
    cmd::run(
        Command::new("docker")
            .args(["import", "--change", COMMAND, "--change", "EXPOSE 8080"])
            .arg(&tar)
            .arg(reference)
            .stdout(Stdio::null()),
    )
    .context("docker import failed: is Docker running and may this user use it?")
}

fn push(work: &Path, reference: &str, host: &str, token: &str) -> Result<()> {
    let config = work.join("docker-config");
    std::fs::create_dir_all(&config)?;
    let mut login = Command::new("docker")
        .arg("--config")
        .arg(&config)
        .args(["login", "--username", "sample", "--password-stdin", host])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start docker login")?;
    login
        .stdin
        .take()
        .context("docker login has no stdin")?
        .write_all(token.as_bytes())?;
    let out = login.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "docker login {host} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    cmd::run(
        Command::new("docker")
            .arg("--config")
            .arg(&config)
            .args(["push", reference])
            .stdout(Stdio::null()),
    )
    .with_context(|| format!("docker push {reference} failed"))
}
