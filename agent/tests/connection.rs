//! The agent's connection. The handshake and the pushed desired state run against the real hub
//! (the server crate started in-process); the rest against a websocket server written here
//! that plays the hub's side of the protocol in `docs/agent.md` (`tests/support`) and can do
//! what the real hub never does on purpose: drop connections, restart on cue, stay silent, send
//! malformed frames. Covers the handshake, reconnecting with capped backoff, the offline
//! buffer, heartbeats and receive timeouts, and malformed frames.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use consign_agent::connection::{self, Channels, ConnectionConfig, UpdateRequest};
use consign_agent::credential::SharedCredential;
use consign_agent::outbox::Outbox;
use consign_agent::supervisor::StatusBoard;
use consign_test_support::apps::{NewApplication, deploy};
use consign_test_support::hub::enrolled_target;
use consign_test_support::wait_for;
use secrecy::SecretString;
use server::testing::TestHub;
use service::deployments;
use service::testing::world::World;
use support::{Behaviour, Event, FakeHub};
use tokio::sync::{mpsc, watch};
use types::protocol::{
    AgentMessage, DeploymentState, DesiredState, HubMessage, PROTOCOL_VERSION, StatusReport,
};
use types::{DeploymentId, RevisionId};

const SOON: Duration = Duration::from_secs(10);

struct Agent {
    outbox: Arc<Outbox>,
    desired: watch::Receiver<Option<DesiredState>>,
    updates: mpsc::Receiver<UpdateRequest>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn start_agent(hub: &FakeHub, credential: &str, heartbeat: Duration, cap: Duration) -> Agent {
    start_agent_at(hub.ws_url(), credential, heartbeat, cap)
}

fn start_agent_at(ws_url: url::Url, credential: &str, heartbeat: Duration, cap: Duration) -> Agent {
    let outbox = Arc::new(Outbox::new(64));
    let (desired_tx, desired) = watch::channel(None);
    let (updates_tx, updates) = mpsc::channel(1);
    let config = ConnectionConfig {
        ws_url,
        credential: SharedCredential::new(SecretString::from(credential.to_string())),
        heartbeat,
        backoff_cap: cap,
        tls: consign_agent::tls::client_config().unwrap(),
        capabilities: vec!["docker-compose".into()],
        reenrol: None,
    };
    let channels = Channels {
        outbox: Arc::clone(&outbox),
        board: Arc::new(StatusBoard::default()),
        desired: desired_tx,
        updates: updates_tx,
    };
    let task = tokio::spawn(connection::run(config, channels));
    Agent {
        outbox,
        desired,
        updates,
        task,
    }
}

fn status(id: DeploymentId, state: DeploymentState) -> AgentMessage {
    AgentMessage::Status(StatusReport {
        deployment_id: id,
        revision_id: Some(RevisionId::new()),
        state,
        message: String::new(),
        observed_at: Utc::now(),
    })
}

async fn connected(hub: &mut FakeHub) -> Option<String> {
    hub.wait_for(SOON, |e| match e {
        Event::Connected { authorization } => Some(authorization.clone()),
        _ => None,
    })
    .await
}

async fn disconnected(hub: &mut FakeHub) {
    hub.wait_for(SOON, |e| matches!(e, Event::Disconnected).then_some(()))
        .await;
}

/// Waits until the agent's latest desired state satisfies `holds`.
async fn desired_until(agent: &mut Agent, holds: impl Fn(&DesiredState) -> bool) -> DesiredState {
    tokio::time::timeout(SOON, async {
        loop {
            if let Some(state) = agent.desired.borrow_and_update().as_ref()
                && holds(state)
            {
                return state.clone();
            }
            agent.desired.changed().await.unwrap();
        }
    })
    .await
    .expect("the desired state did not arrive in time")
}

#[tokio::test]
async fn the_agent_connects_to_the_real_hub_with_its_credential_and_takes_each_pushed_desired_state()
 {
    let hub = TestHub::start(None, None).await;
    let w = World::build(&hub.services).await;
    let (target, credential) = enrolled_target(&hub, &w.customer_rw, None).await;
    let ws_url = url::Url::parse(&format!("ws://{}/api/v1/agent/ws", hub.address)).unwrap();
    let mut agent = start_agent_at(
        ws_url,
        &credential,
        Duration::from_secs(15),
        Duration::from_secs(1),
    );

    // Welcomed: the hub shows the agent online with the version its Hello named, and pushes
    // the (empty) desired state.
    wait_for("the agent online", SOON, async || {
        let seen = service::targets::get(&hub.services, &w.customer_ro, target)
            .await
            .unwrap();
        (hub.services.agents.presence(target).is_some()
            && seen.agent_version.as_deref() == Some(env!("CARGO_PKG_VERSION")))
        .then_some(())
    })
    .await;
    desired_until(&mut agent, |d| d.deployments.is_empty()).await;

    // A deployment is pushed at once, with no polling interval involved; so is its undeploy.
    let shop = NewApplication::named("Shop")
        .version(
            "1.0",
            "services:\n  web:\n    image: registry.example.com/shop:1\n",
        )
        .licensed_to(w.customer)
        .create(&hub, &w.vendor_rw)
        .await;
    let deployment = deploy(&hub, &w.customer_rw, target, shop.id, shop.versions[0]).await;
    let pushed = desired_until(&mut agent, |d| !d.deployments.is_empty()).await;
    assert_eq!(pushed.deployments[0].deployment_id, deployment.id);
    assert_eq!(pushed.deployments[0].revision_id, deployment.revision_id);
    assert_eq!(pushed.deployments[0].project_name, deployment.project_name);
    deployments::undeploy(
        &hub.services,
        &w.customer_rw,
        deployment.id,
        false,
        Utc::now(),
    )
    .await
    .unwrap();
    let pushed = desired_until(&mut agent, |d| !d.undeploy.is_empty()).await;
    assert!(pushed.deployments.is_empty(), "{pushed:?}");
    assert_eq!(pushed.undeploy[0].deployment_id, deployment.id);
    drop(agent);
    hub.stop().await;
}

#[tokio::test]
async fn after_the_hub_drops_the_connection_the_agent_is_back_within_the_backoff_cap() {
    let mut hub = FakeHub::start(Behaviour::default()).await;
    let cap = Duration::from_millis(800);
    let _agent = start_agent(&hub, "agent-credential", Duration::from_secs(15), cap);
    connected(&mut hub).await;
    for _ in 0..5 {
        hub.drop_connections();
        disconnected(&mut hub).await;
        let dropped = Instant::now();
        connected(&mut hub).await;
        let back = dropped.elapsed();
        // The cap, plus time for the handshake on a loaded (shared, two-core) machine.
        assert!(
            back <= cap + Duration::from_millis(1500),
            "back after {back:?}"
        );
    }
}

#[tokio::test]
async fn after_a_hub_restart_the_agent_delivers_the_statuses_it_buffered_in_order() {
    let mut hub = FakeHub::start(Behaviour::default()).await;
    let agent = start_agent(
        &hub,
        "agent-credential",
        Duration::from_secs(15),
        Duration::from_secs(1),
    );
    connected(&mut hub).await;
    hub.stop();
    disconnected(&mut hub).await;
    // Let the agent notice too: a frame written in the instant between the hub's close and
    // the agent seeing it goes into a dead socket (the status snapshot after `welcome` covers
    // that window in the real agent).
    tokio::time::sleep(Duration::from_millis(300)).await;
    // While the hub is down, statuses pile up (more than the buffer holds, with logs).
    let a = DeploymentId::new();
    let b = DeploymentId::new();
    for state in [DeploymentState::Progressing, DeploymentState::Running] {
        agent.outbox.push(status(a, state));
    }
    agent.outbox.push(status(b, DeploymentState::Error));
    for _ in 0..200 {
        agent
            .outbox
            .push(AgentMessage::Logs(types::protocol::LogBatch {
                deployment_id: a,
                revision_id: None,
                lines: vec![],
            }));
    }
    agent.outbox.push(status(a, DeploymentState::Healthy));
    assert!(agent.outbox.len() <= 64 + 2);
    tokio::time::sleep(Duration::from_millis(300)).await;
    hub.restart().await;
    connected(&mut hub).await;
    let mut statuses = Vec::new();
    while statuses.len() < 4 {
        let s = hub
            .wait_for(SOON, |e| match e {
                Event::Frame(AgentMessage::Status(s)) => Some((s.deployment_id, s.state)),
                _ => None,
            })
            .await;
        statuses.push(s);
    }
    assert_eq!(
        statuses,
        [
            (a, DeploymentState::Progressing),
            (a, DeploymentState::Running),
            (b, DeploymentState::Error),
            (a, DeploymentState::Healthy),
        ]
    );
}

#[tokio::test]
async fn a_malformed_or_unknown_frame_is_answered_with_an_error_and_the_connection_stays_up() {
    let mut hub = FakeHub::start(Behaviour::default()).await;
    let mut agent = start_agent(
        &hub,
        "agent-credential",
        Duration::from_secs(15),
        Duration::from_secs(1),
    );
    // The agent says hello with its bearer credential, the protocol version and what it can
    // execute.
    assert_eq!(
        connected(&mut hub).await.as_deref(),
        Some("Bearer agent-credential")
    );
    let hello = hub
        .wait_for(SOON, |e| match e {
            Event::Frame(f @ AgentMessage::Hello { .. }) => Some(f.clone()),
            _ => None,
        })
        .await;
    assert!(matches!(
        hello,
        AgentMessage::Hello { protocol_version, ref capabilities, .. }
            if protocol_version == PROTOCOL_VERSION && capabilities == &["docker-compose"]
    ));
    hub.send_raw("this is not json");
    hub.send_raw(r#"{"type":"launch_missiles","target":"moon"}"#);
    hub.send_raw(r#"{"type":"desired_state","deployments":"not a list"}"#);
    let mut errors = Vec::new();
    while errors.len() < 3 {
        let e = hub
            .wait_for(SOON, |e| match e {
                Event::Frame(AgentMessage::Error {
                    message,
                    in_reply_to,
                }) => Some((message.clone(), in_reply_to.clone())),
                Event::Disconnected => panic!("the agent dropped the connection"),
                _ => None,
            })
            .await;
        errors.push(e);
    }
    assert_eq!(errors[0].1, None);
    assert_eq!(errors[1].1.as_deref(), Some("launch_missiles"));
    assert!(errors[1].0.contains("launch_missiles"), "{}", errors[1].0);
    assert_eq!(errors[2].1.as_deref(), Some("desired_state"));
    // Still the same connection, still working.
    hub.send(&HubMessage::DesiredState(DesiredState::default()));
    tokio::time::timeout(SOON, agent.desired.changed())
        .await
        .unwrap()
        .unwrap();
    while let Ok(event) = hub.events.try_recv() {
        assert!(
            !matches!(event, Event::Disconnected),
            "the agent reconnected"
        );
    }
}

#[tokio::test]
async fn the_agent_sends_heartbeats_at_the_interval_the_hub_asks_for() {
    let mut hub = FakeHub::start(Behaviour {
        heartbeat_interval_secs: Some(1),
        ..Behaviour::default()
    })
    .await;
    let _agent = start_agent(
        &hub,
        "agent-credential",
        Duration::from_secs(60),
        Duration::from_secs(1),
    );
    connected(&mut hub).await;
    let started = Instant::now();
    for _ in 0..3 {
        hub.wait_for(SOON, |e| match e {
            Event::Frame(AgentMessage::Heartbeat { .. }) => Some(()),
            Event::Disconnected => panic!("dropped"),
            _ => None,
        })
        .await;
    }
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(2500) && took < Duration::from_secs(6),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_silent_hub_is_timed_out_and_the_agent_reconnects() {
    let mut hub = FakeHub::start(Behaviour {
        ack_heartbeats: false,
        heartbeat_interval_secs: Some(1),
        ..Behaviour::default()
    })
    .await;
    let _agent = start_agent(
        &hub,
        "agent-credential",
        Duration::from_secs(1),
        Duration::from_millis(500),
    );
    connected(&mut hub).await;
    let started = Instant::now();
    disconnected(&mut hub).await;
    // Three silent heartbeat intervals.
    let silent = started.elapsed();
    assert!(
        silent >= Duration::from_millis(2500) && silent < Duration::from_secs(6),
        "{silent:?}"
    );
    connected(&mut hub).await;
}

#[tokio::test]
async fn a_rejected_credential_is_retried_only_at_the_cap_and_never_crashes_the_agent() {
    let mut hub = FakeHub::start(Behaviour::default()).await;
    let cap = Duration::from_secs(2);
    let agent = start_agent(&hub, "revoked-credential", Duration::from_secs(15), cap);
    assert_eq!(
        connected(&mut hub).await.as_deref(),
        Some("Bearer revoked-credential")
    );
    disconnected(&mut hub).await;
    let rejected = Instant::now();
    connected(&mut hub).await;
    let waited = rejected.elapsed();
    assert!(waited >= cap - Duration::from_millis(100), "{waited:?}");
    assert!(!agent.task.is_finished());
}

#[tokio::test]
async fn an_update_request_reaches_the_updater_and_a_second_one_meanwhile_is_refused() {
    let mut hub = FakeHub::start(Behaviour::default()).await;
    let mut agent = start_agent(
        &hub,
        "agent-credential",
        Duration::from_secs(15),
        Duration::from_secs(1),
    );
    connected(&mut hub).await;
    let update = HubMessage::UpdateAgent {
        version: "9.9.9".into(),
        download_path: "/api/v1/agent/download/consign-agent-x86_64-linux".into(),
        sha256: None,
    };
    hub.send(&update);
    hub.send(&update);
    let refused = hub
        .wait_for(SOON, |e| match e {
            Event::Frame(AgentMessage::Error { in_reply_to, .. }) => in_reply_to.clone(),
            _ => None,
        })
        .await;
    assert_eq!(refused, "update_agent");
    let request = agent.updates.recv().await.unwrap();
    assert_eq!(request.version, "9.9.9");
}

#[tokio::test]
async fn a_revoked_credential_refused_at_the_upgrade_is_retried_only_at_the_cap() {
    let mut hub = FakeHub::start(Behaviour {
        refuse_upgrade: true,
        ..Behaviour::default()
    })
    .await;
    let cap = Duration::from_secs(2);
    let agent = start_agent(&hub, "revoked-credential", Duration::from_secs(15), cap);
    let refused = |e: &Event| match e {
        Event::Refused { authorization } => Some(authorization.clone()),
        _ => None,
    };
    assert_eq!(
        hub.wait_for(SOON, refused).await.as_deref(),
        Some("Bearer revoked-credential")
    );
    let first = Instant::now();
    hub.wait_for(SOON, refused).await;
    let waited = first.elapsed();
    assert!(waited >= cap - Duration::from_millis(100), "{waited:?}");
    assert!(!agent.task.is_finished());
}
