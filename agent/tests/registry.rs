//! A deployment whose image sits in a registry that needs a login: Debian's `docker-registry`
//! (distribution 2.8) with htpasswd auth on a free local port, the real Docker engine, and the
//! Compose executor logging in with the deployment's `registry_auth` (into the deployment's
//! own Docker config). `cargo xtask test` installs `docker-registry`.

#![allow(clippy::unwrap_used)]

use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use consign_agent::executor::{ComposeCli, ComposeExecutor, Executor};
use consign_test_support::docker::{ProjectGuard, TestImage, run, short_id};
use types::protocol::{DeploymentState, DesiredDeployment, RegistryAuth, Sensitive, Undeploy};
use types::{DeploymentId, RevisionId};

const USER: &str = "agent";
const PASSWORD: &str = "agent-pa55word-1234";
/// bcrypt of `PASSWORD` (cost 5), computed once, so the test needs no htpasswd tool.
const PASSWORD_BCRYPT: &str = "$2b$05$n1oiSJfBekk8bBEnSe1hUem3SVcnR1iuCNsouiZ/AANOUzWiHKlSC";

/// A private registry process, stopped on drop.
struct Registry {
    child: std::process::Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Registry {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = consign_test_support::hub::free_port();
        let addr = format!("127.0.0.1:{port}");
        std::fs::write(
            dir.path().join("htpasswd"),
            format!("{USER}:{PASSWORD_BCRYPT}\n"),
        )
        .unwrap();
        let config = format!(
            "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {root}\n\
             http:\n  addr: {addr}\n  secret: test-secret\n\
             auth:\n  htpasswd:\n    realm: consign-test\n    path: {htpasswd}\n",
            root = dir.path().join("data").display(),
            htpasswd = dir.path().join("htpasswd").display(),
        );
        std::fs::write(dir.path().join("config.yml"), config).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(dir.path().join("config.yml"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("docker-registry is missing: apt-get install -y docker-registry (cargo xtask test does)");
        let started = Instant::now();
        while TcpStream::connect(&addr).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the registry did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            addr,
            _dir: dir,
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn an_image_behind_a_registry_login_is_pulled_with_the_deployments_credentials() {
    let registry = Registry::start();
    let local = TestImage::build();
    let remote = format!("{}/consign-test/busybox:{}", registry.addr, short_id());
    // Push with a throw-away Docker config, then forget the image locally, so the deployment
    // has to pull it.
    let push_config = tempfile::tempdir().unwrap();
    let docker = |args: &[&str]| {
        let mut c = Command::new("docker");
        c.arg("--config").arg(push_config.path()).args(args);
        c
    };
    run(&mut docker(&["tag", &local.tag, &remote]));
    let mut login = docker(&["login", "-u", USER, "--password-stdin", &registry.addr]);
    login.stdin(std::process::Stdio::piped());
    let mut child = login.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), PASSWORD.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    run(&mut docker(&["push", &remote]));
    run(&mut docker(&["rmi", &remote]));

    let state = tempfile::tempdir().unwrap();
    let project = format!("consign-test-{}", short_id());
    let _guard = ProjectGuard(project.clone());
    let _pulled = RemoveImage(remote.clone());
    let executor = ComposeExecutor::new(ComposeCli::detect().await.unwrap(), state.path());
    let mut desired = DesiredDeployment {
        deployment_id: DeploymentId::new(),
        revision_id: RevisionId::new(),
        project_name: project.clone(),
        compose_file: format!(
            "services:\n  app:\n    image: {remote}\n    command: [\"sleep\", \"600\"]\n"
        ),
        env_file: Sensitive::new(""),
        restart_generation: 0,
        logs_enabled: false,
        repair_drift: true,
        secret_keys: vec![],
        registry_auth: None,
    };

    // Without credentials the pull is refused.
    let err = executor.apply(&desired).await.unwrap_err().to_string();
    assert!(err.contains("no basic auth credentials"), "{err}");

    // With them it works; the host's own Docker login is untouched.
    desired.registry_auth = Some(RegistryAuth {
        registry: registry.addr.clone(),
        username: USER.into(),
        password: Sensitive::new(PASSWORD),
    });
    executor.apply(&desired).await.unwrap();
    let observed = executor.observe(&project).await.unwrap();
    assert_eq!(
        observed.state,
        DeploymentState::Running,
        "{}",
        observed.message
    );
    let config = state
        .path()
        .join("deployments")
        .join(desired.deployment_id.to_string())
        .join("docker-config")
        .join("config.json");
    assert!(
        std::fs::read_to_string(config)
            .unwrap()
            .contains(&registry.addr)
    );

    executor
        .undeploy(&Undeploy {
            deployment_id: desired.deployment_id,
            project_name: project,
            delete_data: true,
        })
        .await
        .unwrap();
}

/// Removes the image the deployment pulled.
struct RemoveImage(String);

impl Drop for RemoveImage {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rmi", "-f", &self.0]).output();
    }
}
