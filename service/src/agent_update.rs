//! Asking a target's agent to update itself to the hub's release. The request goes to the
//! agent's open connection at once (the agent downloads the binary the hub serves, checks it,
//! swaps it in and re-executes itself); nothing is queued for an offline agent, so the caller
//! learns at once that nothing will happen.

use types::DeploymentTargetId;

use crate::agent_hub::AgentCommand;
use crate::auth::Actor;
use crate::{Error, Result, Services, targets};

/// Tells the target's agent to update itself to the hub's version. Who may delete the target
/// may ask: vendor writers for any of the vendor's targets, a customer's writers for their
/// own. Another tenant's target is not found; an agent not connected to this hub is
/// [`Error::AgentOffline`].
pub async fn request(s: &Services, actor: &Actor, id: DeploymentTargetId) -> Result<()> {
    targets::find_visible(&s.db, actor, id).await?;
    if !actor.role.can_write() {
        return Err(Error::Forbidden {
            action: "update agents",
        });
    }
    if s.agents.send(id, AgentCommand::UpdateAgent) {
        Ok(())
    } else {
        Err(Error::AgentOffline)
    }
}
