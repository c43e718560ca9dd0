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

/// The architectures agents are built for, by their `uname -m` names.
pub const AGENT_ARCHITECTURES: &[&str] = &["x86_64", "aarch64"];

/// The architecture an agent is asked for: `uname -m`'s name (`x86_64`, `aarch64`) or the
/// Debian/Docker one (`amd64`, `arm64`); none means the hub's own. Any other is
/// [`Error::NoAgentBinary`] naming the architectures there are.
pub fn agent_architecture(requested: Option<&str>) -> Result<&'static str> {
    match requested.map(str::trim) {
        None | Some("") => Ok(std::env::consts::ARCH),
        Some("x86_64" | "amd64") => Ok("x86_64"),
        Some("aarch64" | "arm64") => Ok("aarch64"),
        Some(other) => {
            // Shown to whoever ran the install script; kept short and printable.
            let shown: String = other
                .chars()
                .filter(|c| c.is_ascii_graphic())
                .take(32)
                .collect();
            Err(Error::NoAgentBinary(format!(
                "there is no Consign agent for the architecture {shown:?}: agents exist for {} Linux",
                AGENT_ARCHITECTURES.join(" and ")
            )))
        }
    }
}

/// Where the agent for `arch` may be, in order: for the hub's own architecture
/// [`HubConfig::agent_binaries`] first, then `consign-agent-<arch>` in each of
/// [`HubConfig::agent_dirs`].
pub fn agent_candidates(config: &HubConfig, arch: &str) -> Vec<PathBuf> {
    let own = (arch == std::env::consts::ARCH)
        .then(|| config.agent_binaries.iter().cloned())
        .into_iter()
        .flatten();
    own.chain(
        config
            .agent_dirs
            .iter()
            .map(|dir| dir.join(format!("consign-agent-{arch}"))),
    )
    .collect()
}

/// The agent binary the hub serves for `arch` (see [`agent_architecture`]; `None` is the
/// hub's own): the first of [`agent_candidates`] that is a file now. Looked up on every call
/// (not once at start), so a binary built while the hub runs is served at once. None found is
/// [`Error::NoAgentBinary`], whose message says where the hub looked and how to provide one.
pub fn agent_binary(config: &HubConfig, arch: Option<&str>) -> Result<PathBuf> {
    let arch = agent_architecture(arch)?;
    let candidates = agent_candidates(config, arch);
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    let looked = candidates
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let looked = if looked.is_empty() {
        String::new()
    } else {
        format!(" (looked for {looked})")
    };
    let how = if arch == std::env::consts::ARCH {
        "build it with `cargo build -p consign-agent` (`cargo xtask run` does) or set CONSIGN_AGENT_BINARY to its path"
    } else {
        "`cargo xtask dist` builds it; put it in CONSIGN_AGENT_DIR as consign-agent-<arch>"
    };
    Err(Error::NoAgentBinary(format!(
        "this hub has no agent binary for {arch} Linux to serve{looked}: {how}"
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
    agent_binary(&s.config, None)?;
    if s.agents.send(id, AgentCommand::UpdateAgent) {
        Ok(())
    } else {
        Err(Error::AgentOffline)
    }
}
