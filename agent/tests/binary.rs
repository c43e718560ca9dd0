//! The real `consign-agent run` binary against the real hub (the server crate started
//! in-process, as the hub's own tests do): connecting with its credential without ever logging
//! it, stopping cleanly; enrolling once with the one-time secret, storing and reusing the
//! credential; and replacing a revoked stored credential by enrolling with a fresh install
//! secret.

#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use chrono::Utc;
use consign_test_support::hub::enrolled_target;
use consign_test_support::wait_for;
use server::testing::TestHub;
use service::testing::world::World;
use types::DeploymentTargetId;

const SOON: Duration = Duration::from_secs(10);

/// `consign-agent run` against `hub`, logging at the most verbose level (even then no secret
/// may show), its log piped; the credential or enrolment variables are the caller's.
fn agent(hub: &TestHub, state: &std::path::Path) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_consign-agent"));
    command
        .arg("run")
        .env("CONSIGN_HUB_URL", hub.url(""))
        .env("CONSIGN_AGENT_STATE_DIR", state)
        .env("CONSIGN_LOG", "trace")
        .env_remove("CONSIGN_AGENT_TOKEN")
        .env_remove("CONSIGN_AGENT_TOKEN_FILE")
        .env_remove("CONSIGN_TARGET_ID")
        .env_remove("CONSIGN_ENROLMENT_SECRET")
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Waits until the hub sees `target`'s agent connected.
async fn online(hub: &TestHub, target: DeploymentTargetId) {
    wait_for("the agent online", SOON, async || {
        hub.services.agents.presence(target)
    })
    .await;
}

/// Stops the agent with SIGTERM; checks it exits successfully and returns its log.
async fn stop(agent: tokio::process::Child) -> String {
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
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn the_agent_binary_connects_never_logs_its_credential_and_stops_cleanly_on_sigterm() {
    let hub = TestHub::start(None, None).await;
    let world = World::build(&hub.services).await;
    let (target, credential) = enrolled_target(&hub, &world.customer_rw, None).await;
    let state = tempfile::tempdir().unwrap();
    let running = agent(&hub, state.path())
        .env("CONSIGN_AGENT_TOKEN", &credential)
        .spawn()
        .unwrap();
    online(&hub, target).await;
    let log = stop(running).await;
    assert!(log.contains("connected to the hub"), "{log}");
    assert!(!log.contains(&credential), "{log}");
    hub.stop().await;
}

#[tokio::test]
async fn the_agent_binary_enrols_once_stores_its_credential_and_reuses_it_after_a_restart() {
    let hub = TestHub::start(None, None).await;
    let world = World::build(&hub.services).await;
    let issued =
        service::targets::create(&hub.services, &world.customer_rw, "edge", None, Utc::now())
            .await
            .unwrap();
    let target = issued.target.id;
    let state = tempfile::tempdir().unwrap();
    let start = || {
        agent(&hub, state.path())
            .env("CONSIGN_TARGET_ID", target.to_string())
            .env("CONSIGN_ENROLMENT_SECRET", &issued.secret)
            .spawn()
            .unwrap()
    };

    let running = start();
    online(&hub, target).await;
    let log = stop(running).await;
    let stored = state.path().join("credential");
    let credential = std::fs::read_to_string(&stored).unwrap();
    assert!(credential.starts_with("consign_agent_"), "{credential}");
    assert!(
        !log.contains(&issued.secret) && !log.contains(&credential),
        "{log}"
    );
    assert_eq!(
        std::fs::metadata(&stored).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // Restarted with the same secret in its environment, which the hub has spent: only the
    // stored credential can bring it back, and it keeps that credential.
    wait_for("the agent offline", SOON, async || {
        hub.services.agents.presence(target).is_none().then_some(())
    })
    .await;
    let running = start();
    online(&hub, target).await;
    let log = stop(running).await;
    assert!(log.contains("connected to the hub"), "{log}");
    assert_eq!(std::fs::read_to_string(&stored).unwrap(), credential);
    hub.stop().await;
}

#[tokio::test]
async fn a_refused_stored_credential_is_replaced_by_enrolling_with_a_fresh_install_secret() {
    // The target was enrolled again since this host stored its credential (which revoked
    // it), and its secret rotated once more: the new install command runs on the host that
    // still holds the revoked credential.
    let hub = TestHub::start(None, None).await;
    let world = World::build(&hub.services).await;
    let (target, revoked) = enrolled_target(&hub, &world.customer_rw, None).await;
    let rotate = async || {
        service::targets::rotate_secret(&hub.services, &world.customer_rw, target, Utc::now())
            .await
            .unwrap()
            .secret
    };
    let elsewhere = rotate().await;
    service::targets::enroll(&hub.services, target, &elsewhere, Utc::now())
        .await
        .unwrap()
        .unwrap();
    let rotated = rotate().await;
    let state = tempfile::tempdir().unwrap();
    consign_agent::credential::store(state.path(), &revoked).unwrap();
    let started = Instant::now();
    let running = agent(&hub, state.path())
        .env("CONSIGN_TARGET_ID", target.to_string())
        .env("CONSIGN_ENROLMENT_SECRET", &rotated)
        .env("CONSIGN_BACKOFF_CAP_SECS", "30")
        .spawn()
        .unwrap();
    online(&hub, target).await;
    // Back at once with a new credential, not after the 30 s cap.
    assert!(started.elapsed() < SOON, "{:?}", started.elapsed());
    let stored = std::fs::read_to_string(state.path().join("credential")).unwrap();
    assert!(stored.starts_with("consign_agent_") && stored != revoked);
    drop(running);
    hub.stop().await;
}
