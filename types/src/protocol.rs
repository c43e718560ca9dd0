//! The agent ⇄ hub protocol: JSON frames over a websocket, one tagged enum per direction.
//!
//! Rules for evolving it: the first frame is always [`AgentMessage::Hello`] carrying
//! [`PROTOCOL_VERSION`]; new fields are `Option` with `#[serde(default)]` and a comment naming the
//! older peer that omits them; a variant is never reused for a different meaning.

use serde::{Deserialize, Serialize};

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
    },
    /// The hub refused the connection; the agent should not retry until the reason is fixed.
    Reject {
        /// Why the hub refused.
        reason: RejectReason,
        /// A message for the operator reading the agent's log.
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
