//! Asking a target's agent to update itself to the hub's release, and finding the agent binary
//! the hub serves. The request goes to the agent's open connection at once (the agent downloads
//! the binary the hub serves, checks it, swaps it in and re-executes itself); nothing is queued
//! for an offline agent, so the caller learns at once that nothing will happen.

use std::path::PathBuf;

use types::DeploymentTargetId;

use crate::agent_hub::AgentCommand;
use crate::auth::Actor;
use crate::services::HubConfig;
use crate::{Error, Result, Services, targets};

/// The agent binary the hub serves: the first of [`HubConfig::agent_binaries`] that is a file
/// now. Looked up on every call (not once at start), so a binary built while the hub runs is
/// served at once. None found is [`Error::NoAgentBinary`], whose message says where the hub
/// looked and how to provide one.
pub fn agent_binary(config: &HubConfig) -> Result<PathBuf> {
    if let Some(found) = config.agent_binaries.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    let looked = config
        .agent_binaries
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let looked = if looked.is_empty() {
        String::new()
    } else {
        format!(" (looked for {looked})")
    };
    Err(Error::NoAgentBinary(format!(
        "this hub has no agent binary to serve{looked}: build it with `cargo build -p consign-agent` (`cargo xtask run` does) or set CONSIGN_AGENT_BINARY to its path"
    )))
}

/// Tells the target's agent to update itself to the hub's version. Who may delete the target
/// may ask: vendor writers for any of the vendor's targets, a customer's writers for their
/// own. Another tenant's target is not found; a hub without an agent binary to offer is
/// [`Error::NoAgentBinary`]; an agent not connected to this hub is [`Error::AgentOffline`].
pub async fn request(s: &Services, actor: &Actor, id: DeploymentTargetId) -> Result<()> {
    targets::find_visible(&s.db, actor, id).await?;
    if !actor.role.can_write() {
        return Err(Error::Forbidden {
            action: "update agents",
        });
    }
    // The agent would ask for a binary the hub cannot give and keep its old one: say so now.
    agent_binary(&s.config)?;
    if s.agents.send(id, AgentCommand::UpdateAgent) {
        Ok(())
    } else {
        Err(Error::AgentOffline)
    }
}
