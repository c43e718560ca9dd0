//! Docker helpers for the tests that drive this machine's Docker engine: a locally imported
//! busybox image (no registry pull), guards that remove what a test's Compose project or
//! pulls left behind, and the `docker` CLI run with a private config folder.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// A locally imported busybox image, removed on drop.
#[derive(Debug)]
pub struct TestImage {
    /// The image's reference, `consign-test/busybox:<random>`.
    pub tag: String,
}

impl TestImage {
    /// Imports a fresh image with a unique tag.
    pub fn build() -> Self {
        let busybox = ["/bin/busybox", "/usr/bin/busybox"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect(
                "busybox is missing: apt-get install -y busybox-static (cargo xtask test does)",
            );
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("rootfs");
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::create_dir_all(root.join("tmp")).unwrap();
        std::fs::copy(busybox, root.join("bin/busybox")).unwrap();
        let list = Command::new(busybox).arg("--list").output().unwrap();
        for applet in String::from_utf8_lossy(&list.stdout).split_whitespace() {
            if applet != "busybox" {
                let _ = std::os::unix::fs::symlink("busybox", root.join("bin").join(applet));
            }
        }
        let tar = dir.path().join("rootfs.tar");
        run(Command::new("tar")
            .arg("-C")
            .arg(&root)
            .arg("-cf")
            .arg(&tar)
            .arg("."));
        let tag = format!("consign-test/busybox:{}", short_id());
        run(Command::new("docker")
            .args(["import", "--change", r#"CMD ["/bin/sh"]"#])
            .arg(&tar)
            .arg(&tag));
        Self { tag }
    }
}

impl Drop for TestImage {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rmi", "-f", &self.tag])
            .output();
    }
}

/// Removes whatever carries the project label, whatever the test did.
#[derive(Debug)]
pub struct ProjectGuard(pub String);

impl Drop for ProjectGuard {
    fn drop(&mut self) {
        let filter = format!("label=com.docker.compose.project={}", self.0);
        for (list, remove) in [
            (
                vec!["ps", "-aq", "--filter", &filter],
                vec!["rm", "-f", "-v"],
            ),
            (
                vec!["network", "ls", "-q", "--filter", &filter],
                vec!["network", "rm"],
            ),
            (
                vec!["volume", "ls", "-q", "--filter", &filter],
                vec!["volume", "rm", "-f"],
            ),
        ] {
            let ids = output(Command::new("docker").args(&list));
            let ids: Vec<&str> = ids.split_whitespace().collect();
            if !ids.is_empty() {
                let _ = Command::new("docker").args(&remove).args(&ids).output();
            }
        }
    }
}

/// 12 random hex characters.
pub fn short_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_string()
}

/// Runs a command, failing the test with its stderr.
pub fn run(c: &mut Command) {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{c:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A command's stdout.
pub fn output(c: &mut Command) -> String {
    String::from_utf8_lossy(&c.output().unwrap().stdout).to_string()
}

/// Removes local images (by reference) whatever the test did.
#[derive(Debug)]
pub struct ImagesGuard(pub Vec<String>);

impl Drop for ImagesGuard {
    fn drop(&mut self) {
        for image in &self.0 {
            let _ = Command::new("docker").args(["rmi", "-f", image]).output();
        }
    }
}

/// The ids of every container, running or not, of a Compose project, one a line (empty when
/// there is none).
pub fn containers_of(project: &str) -> String {
    output(Command::new("docker").args([
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.compose.project={project}"),
    ]))
    .trim()
    .to_string()
}

/// Runs a command on a blocking thread (the hub it talks to runs on the test's runtime);
/// panics with its output unless it succeeds, and returns its stdout.
pub async fn run_blocking(mut command: Command) -> String {
    tokio::task::spawn_blocking(move || {
        let out = command.output().unwrap();
        assert!(
            out.status.success(),
            "{command:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    })
    .await
    .unwrap()
}

/// `docker --config <config> <args>` on a blocking thread, with `stdin` fed (for
/// `login --password-stdin`): whether it succeeded, and its error output.
pub async fn with_config(config: &Path, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut command = Command::new("docker");
    command.arg("--config").arg(config).args(args);
    let stdin = stdin.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let mut pipe = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            pipe.write_all(text.as_bytes()).unwrap();
        }
        drop(pipe);
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .unwrap()
}

/// `docker --config <config> login --password-stdin <host>` as `username`; whether it
/// succeeded.
pub async fn login(config: &Path, host: &str, username: &str, secret: &str) -> bool {
    with_config(
        config,
        &["login", "--username", username, "--password-stdin", host],
        Some(secret),
    )
    .await
    .0
}
