//! The real `consign-agent run` binary against the websocket server in `tests/support`, which
//! plays the hub's side of the protocol and of enrolment (`docs/agent.md`; the real hub
//! endpoints do not exist yet): enrolling once, storing and reusing the credential, never
//! logging a secret, and stopping cleanly.

#![allow(clippy::unwrap_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use support::{Behaviour, Event, FakeHub};
use types::protocol::AgentMessage;

const SOON: Duration = Duration::from_secs(10);

async fn connected(hub: &mut FakeHub) -> Option<String> {
    hub.wait_for(SOON, |e| match e {
        Event::Connected { authorization } => Some(authorization.clone()),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn the_agent_binary_connects_never_logs_its_credential_and_stops_cleanly_on_sigterm() {
    let mut hub = FakeHub::start(Behaviour::default()).await;
    let state = tempfile::tempdir().unwrap();
    let agent = tokio::process::Command::new(env!("CARGO_BIN_EXE_consign-agent"))
        .arg("run")
        .env("CONSIGN_HUB_URL", hub.url().as_str())
        .env("CONSIGN_AGENT_TOKEN", "agent-credential")
        .env("CONSIGN_AGENT_STATE_DIR", state.path())
        // The most verbose level: even then the credential must not show.
        .env("CONSIGN_LOG", "trace")
        .env_remove("CONSIGN_TARGET_ID")
        .env_remove("CONSIGN_ENROLMENT_SECRET")
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    assert_eq!(
        connected(&mut hub).await.as_deref(),
        Some("Bearer agent-credential")
    );
    hub.wait_for(SOON, |e| {
        matches!(e, Event::Frame(AgentMessage::Hello { .. })).then_some(())
    })
    .await;
    let pid = agent.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = tokio::time::timeout(SOON, agent.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("connected to the hub"), "{log}");
    assert!(!log.contains("agent-credential"), "{log}");
}

#[tokio::test]
async fn the_agent_binary_enrols_once_stores_its_credential_and_reuses_it_after_a_restart() {
    let mut hub = FakeHub::start(Behaviour {
        enrolment_secret: Some("one-time-s3cret".into()),
        ..Behaviour::default()
    })
    .await;
    let state = tempfile::tempdir().unwrap();
    let target = types::DeploymentTargetId::new();
    let hub_url = hub.url();
    let start = || {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_consign-agent"))
            .arg("run")
            .env("CONSIGN_HUB_URL", hub_url.as_str())
            .env("CONSIGN_TARGET_ID", target.to_string())
            .env("CONSIGN_ENROLMENT_SECRET", "one-time-s3cret")
            .env("CONSIGN_AGENT_STATE_DIR", state.path())
            .env("CONSIGN_LOG", "trace")
            .env_remove("CONSIGN_AGENT_TOKEN")
            .env_remove("CONSIGN_AGENT_TOKEN_FILE")
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap()
    };
    let stop = |agent: tokio::process::Child| async move {
        let pid = agent.id().unwrap().to_string();
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        let out = tokio::time::timeout(SOON, agent.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).to_string()
    };

    let agent = start();
    let (request_line, body) = hub
        .wait_for(SOON, |e| match e {
            Event::Enrol {
                request_line,
                body,
                accepted: true,
            } => Some((request_line.clone(), body.clone())),
            _ => None,
        })
        .await;
    assert!(request_line.starts_with("POST /api/v1/agent/enroll HTTP/1.1"));
    assert!(
        !request_line.contains("s3cret"),
        "the secret travelled outside the body"
    );
    assert!(body.contains("one-time-s3cret") && body.contains(&target.to_string()));
    assert_eq!(
        connected(&mut hub).await.as_deref(),
        Some("Bearer agent-credential")
    );
    let log = stop(agent).await;
    assert!(
        !log.contains("one-time-s3cret") && !log.contains("agent-credential"),
        "{log}"
    );
    let stored = state.path().join("credential");
    assert_eq!(
        std::fs::read_to_string(&stored).unwrap(),
        "agent-credential"
    );
    assert_eq!(
        std::fs::metadata(&stored).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // Restarted with the same (now spent) secret in its environment: it uses the stored
    // credential and never sends the secret again.
    let agent = start();
    assert_eq!(
        connected(&mut hub).await.as_deref(),
        Some("Bearer agent-credential")
    );
    stop(agent).await;
    while let Ok(event) = hub.events.try_recv() {
        assert!(!matches!(event, Event::Enrol { .. }), "enrolled twice");
    }
}

#[tokio::test]
async fn a_refused_stored_credential_is_replaced_by_enrolling_with_a_fresh_install_secret() {
    // The target's secret was rotated (revoking the old credential) and the new install
    // command run on a host that still holds the old credential.
    let mut hub = FakeHub::start(Behaviour {
        enrolment_secret: Some("rotated-s3cret".into()),
        ..Behaviour::default()
    })
    .await;
    let state = tempfile::tempdir().unwrap();
    consign_agent::credential::store(state.path(), "revoked-credential").unwrap();
    let agent = tokio::process::Command::new(env!("CARGO_BIN_EXE_consign-agent"))
        .arg("run")
        .env("CONSIGN_HUB_URL", hub.url().as_str())
        .env(
            "CONSIGN_TARGET_ID",
            types::DeploymentTargetId::new().to_string(),
        )
        .env("CONSIGN_ENROLMENT_SECRET", "rotated-s3cret")
        .env("CONSIGN_AGENT_STATE_DIR", state.path())
        .env("CONSIGN_BACKOFF_CAP_SECS", "30")
        .env_remove("CONSIGN_AGENT_TOKEN")
        .env_remove("CONSIGN_AGENT_TOKEN_FILE")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    assert_eq!(
        connected(&mut hub).await.as_deref(),
        Some("Bearer revoked-credential")
    );
    hub.wait_for(SOON, |e| {
        matches!(e, Event::Enrol { accepted: true, .. }).then_some(())
    })
    .await;
    // Back at once with the new credential, not after the 30 s cap.
    assert_eq!(
        connected(&mut hub).await.as_deref(),
        Some("Bearer agent-credential")
    );
    assert_eq!(
        std::fs::read_to_string(state.path().join("credential")).unwrap(),
        "agent-credential"
    );
    drop(agent);
}
