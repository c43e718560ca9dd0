//! The agent ⇄ hub protocol: JSON frames over a websocket, one tagged enum per direction.
//!
//! Rules for evolving it: the first frame is always [`AgentMessage::Hello`] carrying
//! [`PROTOCOL_VERSION`]; new fields are `Option` with `#[serde(default)]` and a comment naming the
//! older peer that omits them; a variant is never reused for a different meaning. Unknown
//! fields are ignored (no `deny_unknown_fields`), so a newer peer's extra fields do not break an
//! older one; an unknown frame `type` is answered with an `Error` frame and logged, never a
//! crash. The full contract, with the enrolment endpoint, is in `docs/agent.md`.

mod deployment;
mod env_file;
mod report;
mod sensitive;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use deployment::{
    DeploymentState, DesiredDeployment, DesiredState, RegistryAuth, ShownState, Undeploy,
    is_valid_project_name,
};
pub use env_file::env_value;
pub use report::{HostMetrics, LogBatch, LogLine, LogStream, StatusReport};
pub use sensitive::Sensitive;

/// The protocol version this build speaks. Bumped only for changes an older peer cannot ignore.
pub const PROTOCOL_VERSION: u32 = 1;

/// The oldest agent protocol version the hub still accepts.
pub const MIN_SUPPORTED_PROTOCOL_VERSION: u32 = 1;

/// A frame sent by the agent to the hub.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentMessage {
    /// The first frame of every connection.
    Hello {
        /// The protocol version the agent speaks.
        protocol_version: u32,
        /// The agent's own release, for example `0.1.0`.
        agent_version: String,
        /// What the agent can execute, for example `docker-compose`.
        #[serde(default)]
        capabilities: Vec<String>,
    },
    /// Sent every heartbeat interval (15 s unless the hub's `Welcome` says otherwise); the hub
    /// answers [`HubMessage::HeartbeatAck`] and marks the target offline after three silent
    /// intervals.
    Heartbeat {
        /// The agent's clock when it sent the frame.
        at: DateTime<Utc>,
    },
    /// A deployment's observed state changed (or the connection is new).
    Status(StatusReport),
    /// Container log lines of a deployment with logs enabled.
    Logs(LogBatch),
    /// Host CPU and memory.
    Metrics(HostMetrics),
    /// The agent could not handle a frame the hub sent.
    Error {
        /// What went wrong, for the hub's log.
        message: String,
        /// The `type` of the frame it answers, when it could be read.
        #[serde(default)]
        in_reply_to: Option<String>,
    },
}

/// A frame sent by the hub to the agent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HubMessage {
    /// The hub accepted the agent's `Hello`.
    Welcome {
        /// The protocol version the hub will speak on this connection.
        protocol_version: u32,
        /// The hub's release, so the agent can tell whether it should update itself.
        hub_version: String,
        /// How often the agent should send `Heartbeat`, in seconds. Omitted by hubs that leave
        /// it to the agent's own setting (15 s by default).
        #[serde(default)]
        heartbeat_interval_secs: Option<u32>,
    },
    /// The hub refused the connection; the agent should not retry until the reason is fixed.
    Reject {
        /// Why the hub refused.
        reason: RejectReason,
        /// A message for the operator reading the agent's log.
        message: String,
    },
    /// Everything that should run on this target; sent after `Welcome` and on every change.
    DesiredState(DesiredState),
    /// Replace the agent binary with the hub's release and restart it.
    UpdateAgent {
        /// The release to install (the hub's own version).
        version: String,
        /// Where to download the binary, a path on the hub such as
        /// `/api/v1/agent/download/consign-agent-x86_64-linux`, fetched with the agent's
        /// bearer credential.
        download_path: String,
        /// The binary's SHA-256 (lower-case hex); the agent refuses a download that differs.
        #[serde(default)]
        sha256: Option<String>,
    },
    /// The answer to an agent `Heartbeat`; it keeps the agent's receive timeout from firing.
    HeartbeatAck,
    /// The hub could not handle a frame the agent sent.
    Error {
        /// What went wrong.
        message: String,
    },
}

/// Why the hub refused an agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The agent speaks a protocol version the hub no longer (or not yet) supports.
    UnsupportedProtocolVersion,
    /// The agent's credential is unknown, revoked or belongs to a deleted target.
    InvalidCredential,
}

/// The hub's answer to a `Hello` with the given protocol version.
pub fn negotiate(agent_protocol_version: u32, hub_version: &str) -> HubMessage {
    if (MIN_SUPPORTED_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&agent_protocol_version) {
        HubMessage::Welcome {
            protocol_version: agent_protocol_version,
            hub_version: hub_version.to_string(),
            heartbeat_interval_secs: None,
        }
    } else {
        HubMessage::Reject {
            reason: RejectReason::UnsupportedProtocolVersion,
            message: format!(
                "agent speaks protocol {agent_protocol_version}; this hub supports \
                 {MIN_SUPPORTED_PROTOCOL_VERSION} to {PROTOCOL_VERSION}: update the agent"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{DeploymentId, RevisionId};

    #[test]
    fn hello_round_trips_with_its_type_tag() {
        let hello = AgentMessage::Hello {
            protocol_version: PROTOCOL_VERSION,
            agent_version: "0.1.0".into(),
            capabilities: vec!["docker-compose".into()],
        };
        let json = serde_json::to_value(&hello).unwrap();
        assert_eq!(json["type"], "hello");
        assert_eq!(json["protocol_version"], PROTOCOL_VERSION);
        let back: AgentMessage = serde_json::from_value(json).unwrap();
        assert_eq!(back, hello);
    }

    #[test]
    fn hello_from_an_agent_without_capabilities_still_parses() {
        let back: AgentMessage = serde_json::from_str(
            r#"{"type":"hello","protocol_version":1,"agent_version":"0.0.9"}"#,
        )
        .unwrap();
        assert!(
            matches!(back, AgentMessage::Hello { capabilities, .. } if capabilities.is_empty())
        );
    }

    #[test]
    fn welcome_and_reject_round_trip() {
        for msg in [
            HubMessage::Welcome {
                protocol_version: 1,
                hub_version: "0.1.0".into(),
                heartbeat_interval_secs: Some(15),
            },
            HubMessage::Reject {
                reason: RejectReason::InvalidCredential,
                message: "credential revoked".into(),
            },
        ] {
            let json = serde_json::to_string(&msg).unwrap();
            assert_eq!(serde_json::from_str::<HubMessage>(&json).unwrap(), msg);
        }
        let json = serde_json::to_value(HubMessage::Reject {
            reason: RejectReason::UnsupportedProtocolVersion,
            message: String::new(),
        })
        .unwrap();
        assert_eq!(json["type"], "reject");
        assert_eq!(json["reason"], "unsupported_protocol_version");
    }

    #[test]
    fn an_unknown_frame_is_an_error_not_a_panic() {
        assert!(serde_json::from_str::<AgentMessage>(r#"{"type":"launch_missiles"}"#).is_err());
        assert!(serde_json::from_str::<AgentMessage>("not json").is_err());
    }

    fn every_agent_frame() -> Vec<AgentMessage> {
        let deployment_id = DeploymentId::new();
        let at = Utc::now();
        vec![
            AgentMessage::Heartbeat { at },
            AgentMessage::Status(StatusReport {
                deployment_id,
                revision_id: Some(RevisionId::new()),
                state: DeploymentState::Healthy,
                message: String::new(),
                observed_at: at,
            }),
            AgentMessage::Logs(LogBatch {
                deployment_id,
                revision_id: None,
                lines: vec![LogLine {
                    service: "web".into(),
                    stream: LogStream::Stderr,
                    at,
                    line: "listening".into(),
                }],
            }),
            AgentMessage::Metrics(HostMetrics {
                cpu_percent: 12.5,
                cpu_cores: 2,
                memory_used_bytes: 1 << 30,
                memory_total_bytes: 4 << 30,
                at,
            }),
            AgentMessage::Error {
                message: "unknown frame".into(),
                in_reply_to: Some("launch".into()),
            },
        ]
    }

    #[test]
    fn every_agent_frame_round_trips_with_a_snake_case_type() {
        let types = ["heartbeat", "status", "logs", "metrics", "error"];
        for (frame, ty) in every_agent_frame().into_iter().zip(types) {
            let json = serde_json::to_value(&frame).unwrap();
            assert_eq!(json["type"], ty, "{json}");
            assert_eq!(serde_json::from_value::<AgentMessage>(json).unwrap(), frame);
        }
    }

    #[test]
    fn every_hub_frame_round_trips_with_a_snake_case_type() {
        let frames = [
            HubMessage::DesiredState(DesiredState {
                deployments: vec![],
                undeploy: vec![Undeploy {
                    deployment_id: DeploymentId::new(),
                    project_name: "shop".into(),
                    delete_data: true,
                }],
            }),
            HubMessage::UpdateAgent {
                version: "0.2.0".into(),
                download_path: "/api/v1/agent/download/consign-agent-x86_64-linux".into(),
                sha256: Some("ab".repeat(32)),
            },
            HubMessage::HeartbeatAck,
            HubMessage::Error {
                message: "bad frame".into(),
            },
        ];
        let types = ["desired_state", "update_agent", "heartbeat_ack", "error"];
        for (frame, ty) in frames.into_iter().zip(types) {
            let json = serde_json::to_value(&frame).unwrap();
            assert_eq!(json["type"], ty, "{json}");
            assert_eq!(serde_json::from_value::<HubMessage>(json).unwrap(), frame);
        }
    }

    #[test]
    fn an_agent_reads_frames_of_an_older_and_of_a_newer_hub() {
        // A hub from before `heartbeat_interval_secs` existed.
        let old: HubMessage = serde_json::from_str(
            r#"{"type":"welcome","protocol_version":1,"hub_version":"0.1.0"}"#,
        )
        .unwrap();
        assert!(matches!(
            old,
            HubMessage::Welcome {
                heartbeat_interval_secs: None,
                ..
            }
        ));
        // A newer hub that added fields this agent does not know yet.
        let newer: HubMessage = serde_json::from_str(
            r#"{"type":"update_agent","version":"0.3.0","download_path":"/x","signature":"..."}"#,
        )
        .unwrap();
        assert!(matches!(
            newer,
            HubMessage::UpdateAgent { sha256: None, .. }
        ));
        let desired: HubMessage =
            serde_json::from_str(r#"{"type":"desired_state","deployments":[]}"#).unwrap();
        assert_eq!(desired, HubMessage::DesiredState(DesiredState::default()));
    }

    #[test]
    fn a_hub_reads_frames_of_an_older_agent() {
        let status: AgentMessage = serde_json::from_value(serde_json::json!({
            "type": "status",
            "deployment_id": DeploymentId::new(),
            "state": "running",
            "observed_at": "2026-11-26T12:00:00Z"
        }))
        .unwrap();
        assert!(matches!(
            status,
            AgentMessage::Status(StatusReport { revision_id: None, ref message, .. }) if message.is_empty()
        ));
        let error: AgentMessage =
            serde_json::from_str(r#"{"type":"error","message":"x"}"#).unwrap();
        assert!(matches!(
            error,
            AgentMessage::Error {
                in_reply_to: None,
                ..
            }
        ));
    }

    #[test]
    fn negotiation_welcomes_supported_versions_and_rejects_others() {
        assert!(matches!(
            negotiate(PROTOCOL_VERSION, "0.1.0"),
            HubMessage::Welcome { .. }
        ));
        match negotiate(PROTOCOL_VERSION + 1, "0.1.0") {
            HubMessage::Reject { reason, message } => {
                assert_eq!(reason, RejectReason::UnsupportedProtocolVersion);
                assert!(message.contains("update the agent"));
            }
            other => panic!("expected a reject, got {other:?}"),
        }
    }
}
