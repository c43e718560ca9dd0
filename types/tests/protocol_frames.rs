//! The JSON of every frame the hub and the agent exchange, pinned by snapshot (`insta`,
//! `tests/snapshots/`). A change to a frame's wire form, even a renamed field or a reordered
//! enum tag, fails here; if it is meant, it is also a protocol change for `docs/agent.md` and for
//! the peers already deployed (see the rules in `types::protocol`). Each frame also parses back
//! into itself.
//!
//! After a deliberate change: `INSTA_UPDATE=always cargo nextest run -p consign-types` rewrites
//! the snapshots; review the diff before committing it.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Utc};
use consign_types::protocol::{
    AgentMessage, DeploymentState, DesiredDeployment, DesiredState, HostMetrics, HubMessage,
    LogBatch, LogLine, LogStream, PROTOCOL_VERSION, RegistryAuth, RejectReason, Sensitive,
    StatusReport, Undeploy,
};
use consign_types::{DeploymentId, RevisionId};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// Fixed values, so the snapshots do not change from run to run.
fn at() -> DateTime<Utc> {
    "2026-01-02T03:04:05.678Z".parse().unwrap()
}

fn deployment() -> DeploymentId {
    DeploymentId(Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001))
}

fn revision() -> RevisionId {
    RevisionId(Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0002))
}

/// Every frame variant of one direction, named. The `match` makes a new variant a compile error
/// here until it has a snapshot.
fn agent_frames() -> Vec<(&'static str, AgentMessage)> {
    let frames = vec![
        (
            "agent_hello",
            AgentMessage::Hello {
                protocol_version: PROTOCOL_VERSION,
                agent_version: "0.1.0".into(),
                capabilities: vec!["docker-compose".into()],
            },
        ),
        ("agent_heartbeat", AgentMessage::Heartbeat { at: at() }),
        (
            "agent_status",
            AgentMessage::Status(StatusReport {
                deployment_id: deployment(),
                revision_id: Some(revision()),
                state: DeploymentState::Healthy,
                message: "2 of 2 services healthy".into(),
                observed_at: at(),
            }),
        ),
        (
            "agent_logs",
            AgentMessage::Logs(LogBatch {
                deployment_id: deployment(),
                revision_id: Some(revision()),
                lines: vec![
                    LogLine {
                        service: "web".into(),
                        stream: LogStream::Stdout,
                        at: at(),
                        line: "listening on :8080".into(),
                    },
                    LogLine {
                        service: "web".into(),
                        stream: LogStream::Stderr,
                        at: at(),
                        line: "token=********".into(),
                    },
                ],
            }),
        ),
        (
            "agent_metrics",
            AgentMessage::Metrics(HostMetrics {
                cpu_percent: 12.5,
                cpu_cores: 2,
                memory_used_bytes: 1 << 30,
                memory_total_bytes: 4 << 30,
                at: at(),
            }),
        ),
        (
            "agent_error",
            AgentMessage::Error {
                message: "unknown frame type `launch`".into(),
                in_reply_to: Some("launch".into()),
            },
        ),
    ];
    for (_, frame) in &frames {
        match frame {
            AgentMessage::Hello { .. }
            | AgentMessage::Heartbeat { .. }
            | AgentMessage::Status(_)
            | AgentMessage::Logs(_)
            | AgentMessage::Metrics(_)
            | AgentMessage::Error { .. } => {}
        }
    }
    frames
}

fn desired_state() -> DesiredState {
    DesiredState {
        deployments: vec![DesiredDeployment {
            deployment_id: deployment(),
            revision_id: revision(),
            project_name: "shop-0193".into(),
            compose_file: "services:\n  web:\n    image: hub.example.com/acme/web:1.0\n".into(),
            env_file: Sensitive::new("API_TOKEN='s3cret'\nGREETING=\"hello\"\n"),
            restart_generation: 3,
            logs_enabled: true,
            repair_drift: false,
            secret_keys: vec!["API_TOKEN".into()],
            registry_auth: Some(RegistryAuth {
                registry: "hub.example.com".into(),
                username: "agent".into(),
                password: Sensitive::new("consign_agent_0123"),
            }),
        }],
        undeploy: vec![Undeploy {
            deployment_id: DeploymentId(Uuid::from_u128(3)),
            project_name: "old-shop".into(),
            delete_data: true,
        }],
    }
}

fn hub_frames() -> Vec<(&'static str, HubMessage)> {
    let frames = vec![
        (
            "hub_welcome",
            HubMessage::Welcome {
                protocol_version: PROTOCOL_VERSION,
                hub_version: "0.1.0".into(),
                heartbeat_interval_secs: Some(15),
            },
        ),
        (
            "hub_reject_unsupported_protocol_version",
            HubMessage::Reject {
                reason: RejectReason::UnsupportedProtocolVersion,
                message: "agent speaks protocol 9; update the agent".into(),
            },
        ),
        (
            "hub_reject_invalid_credential",
            HubMessage::Reject {
                reason: RejectReason::InvalidCredential,
                message: "unknown credential".into(),
            },
        ),
        (
            "hub_desired_state",
            HubMessage::DesiredState(desired_state()),
        ),
        (
            "hub_desired_state_empty",
            HubMessage::DesiredState(DesiredState::default()),
        ),
        (
            "hub_update_agent",
            HubMessage::UpdateAgent {
                version: "0.2.0".into(),
                download_path: "/api/v1/agent/download/consign-agent-x86_64-linux".into(),
                sha256: Some("ab".repeat(32)),
            },
        ),
        ("hub_heartbeat_ack", HubMessage::HeartbeatAck),
        (
            "hub_error",
            HubMessage::Error {
                message: "frame is not JSON".into(),
            },
        ),
    ];
    for (_, frame) in &frames {
        match frame {
            HubMessage::Welcome { .. }
            | HubMessage::Reject { .. }
            | HubMessage::DesiredState(_)
            | HubMessage::UpdateAgent { .. }
            | HubMessage::HeartbeatAck
            | HubMessage::Error { .. } => {}
        }
    }
    frames
}

/// Pins `frame`'s JSON under `name` and checks it parses back into `frame`.
fn pin<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(name: &str, frame: &T) {
    let json = serde_json::to_string_pretty(frame).unwrap();
    insta::assert_snapshot!(name, json);
    assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), frame, "{name}");
}

#[test]
fn every_agent_frame_has_its_json_pinned() {
    for (name, frame) in agent_frames() {
        pin(name, &frame);
    }
}

#[test]
fn every_hub_frame_has_its_json_pinned() {
    for (name, frame) in hub_frames() {
        pin(name, &frame);
    }
}

#[test]
fn every_deployment_state_has_its_wire_name_pinned() {
    let states = [
        DeploymentState::Progressing,
        DeploymentState::Running,
        DeploymentState::Healthy,
        DeploymentState::Error,
        DeploymentState::Stopped,
        DeploymentState::Undeployed,
    ];
    for state in states {
        // A new state is a compile error here until it is listed above.
        match state {
            DeploymentState::Progressing
            | DeploymentState::Running
            | DeploymentState::Healthy
            | DeploymentState::Error
            | DeploymentState::Stopped
            | DeploymentState::Undeployed => {}
        }
        assert_eq!(
            serde_json::to_value(state).unwrap(),
            serde_json::Value::from(state.as_str())
        );
    }
    pin("deployment_states", &states.to_vec());
}
