//! Telling a connected agent to update itself to the hub's release (the agent downloads the
//! binary the hub serves, checks it and re-executes itself).

use types::DeploymentTargetId;

use crate::agent_hub::AgentCommand;
use crate::auth::Actor;
use crate::{Error, Result, Services, targets};

/// Asks the target's agent to update itself. Authorized like deleting the target (customers
/// their own targets with write rights, vendor writers any); fails when the agent is not
/// connected to this hub, since the command is not queued.
pub async fn request(s: &Services, actor: &Actor, id: DeploymentTargetId) -> Result<()> {
    targets::find_visible(&s.db, actor, id).await?;
    if !actor.role.can_write() {
        return Err(Error::Forbidden {
            action: "update agents",
        });
    }
    if s.agents.presence(id).is_none() {
        return Err(Error::invalid(
            "targetId",
            "the agent is not connected: start it on its host, then ask again",
        ));
    }
    s.agents.send(id, AgentCommand::UpdateAgent);
    Ok(())
}
