//! Deployment targets in both portals: list with presence, create (the install command is shown
//! once), rotate the enrolment secret, delete, tell the agent to update itself.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use types::list::{ListQuery, Page, TargetSort};

use crate::error::AppError;

/// The hub's own version: an agent reporting another one is flagged as outdated.
pub const HUB_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A deployment as listed under its target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentRow {
    /// Its id.
    pub id: String,
    /// The application's name.
    pub application: String,
    /// The deployed version's name.
    pub version: String,
    /// What to show of its state (pending before the agent said anything).
    pub state: types::protocol::ShownState,
    /// Whether a newer version exists on its channel.
    pub behind_latest: bool,
    /// Whether its version is below the channel's required minimum.
    pub below_minimum: bool,
}

/// A target as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRow {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The customer's name, or `vendor-managed`.
    pub customer: String,
    /// Whether its agent is connected to this hub now.
    pub online: bool,
    /// Whether an agent has enrolled.
    pub enrolled: bool,
    /// `YYYY-MM-DD HH:MM:SS UTC`, or `never`.
    pub last_seen: String,
    /// The version the agent reported, or empty.
    pub agent_version: String,
    /// Unheard for longer than a day, or never enrolled a day after creation.
    pub stale: bool,
    /// The agent reported a version other than the hub's.
    pub outdated: bool,
    /// Its deployments that are not undeployed yet.
    pub deployments: Vec<DeploymentRow>,
}

/// The targets page: the targets and what the create form offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetsPage {
    /// A page of the targets.
    pub targets: Page<TargetRow>,
    /// For vendor members: the customers a target can be created for (id, name).
    pub customers: Vec<(String, String)>,
    /// Whether the caller is a vendor member.
    pub is_vendor: bool,
    /// Whether the caller may create and change targets.
    pub can_write: bool,
}

/// A target's install command, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCommand {
    /// The target's id.
    pub target_id: String,
    /// The target's name.
    pub name: String,
    /// The one-line install command, with the one-time secret.
    pub command: String,
}

#[cfg(feature = "ssr")]
pub(crate) mod convert {
    use super::*;

    /// `YYYY-MM-DD HH:MM:SS UTC`.
    pub(crate) fn time(at: chrono::DateTime<chrono::Utc>) -> String {
        at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    }

    /// A target row with its presence and deployments, as the fleet service gathered them.
    pub(crate) fn row(t: service::fleet::FleetTarget) -> TargetRow {
        TargetRow {
            id: t.target.id.to_string(),
            online: t.online_since_seen.is_some(),
            enrolled: t.target.enrolled,
            last_seen: t
                .online_since_seen
                .or(t.target.last_seen_at)
                .map_or_else(|| "never".into(), time),
            stale: t.stale,
            outdated: t.target.agent_outdated(HUB_VERSION),
            agent_version: t.target.agent_version.clone().unwrap_or_default(),
            name: t.target.name,
            customer: t.customer.unwrap_or_else(|| "vendor-managed".into()),
            deployments: t
                .deployments
                .into_iter()
                .map(|(d, s)| DeploymentRow {
                    id: d.id.to_string(),
                    application: s.application,
                    version: s.version.name,
                    state: d.shown_state(),
                    behind_latest: s.behind_latest,
                    below_minimum: s.below_minimum,
                })
                .collect(),
        }
    }

    /// The customers the actor may see, as (id, name).
    pub(crate) async fn customers(
        services: &service::Services,
        actor: &service::auth::Actor,
    ) -> Result<Vec<(String, String)>, AppError> {
        Ok(service::customers::list(services, actor)
            .await?
            .into_iter()
            .map(|c| (c.id.to_string(), c.name))
            .collect())
    }

    /// The install command for an issued target.
    pub(crate) async fn issued(
        services: &service::Services,
        issued: service::targets::IssuedTarget,
    ) -> IssuedCommand {
        let hub = crate::api::base_url(services).await;
        IssuedCommand {
            target_id: issued.target.id.to_string(),
            command: service::targets::install_command(&hub, issued.target.id, &issued.secret),
            name: issued.target.name,
        }
    }
}

/// A page of the targets the caller may see, newest state of each.
#[server(prefix = "/_fn", endpoint = "list_targets")]
pub async fn list_targets(query: ListQuery<TargetSort>) -> Result<TargetsPage, AppError> {
    let (services, actor) = super::actor().await?;
    let now = chrono::Utc::now();
    let targets = service::fleet::targets(&services, &actor, &query, now).await?;
    Ok(TargetsPage {
        targets: targets.map(convert::row),
        customers: if actor.is_vendor() {
            convert::customers(&services, &actor).await?
        } else {
            Vec::new()
        },
        is_vendor: actor.is_vendor(),
        can_write: actor.role.can_write(),
    })
}

/// Creates a target; a vendor member names the customer (empty: vendor-managed), a customer
/// member creates one for their own organization. Returns the install command, once.
#[server(prefix = "/_fn", endpoint = "create_target")]
pub async fn create_target(
    name: String,
    #[server(default)] customer: String,
) -> Result<IssuedCommand, AppError> {
    let (services, actor) = super::actor().await?;
    let customer = super::customer_scope(&customer)?;
    let issued =
        service::targets::create(&services, &actor, &name, customer, chrono::Utc::now()).await?;
    Ok(convert::issued(&services, issued).await)
}

/// Issues a new enrolment secret (the old one stops working); returns the new command, once.
#[server(prefix = "/_fn", endpoint = "rotate_target_secret")]
pub async fn rotate_target_secret(id: String) -> Result<IssuedCommand, AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "Deployment target")?;
    let issued = service::targets::rotate_secret(&services, &actor, id, chrono::Utc::now()).await?;
    Ok(convert::issued(&services, issued).await)
}

/// Deletes a target: its agent is cut off at once.
#[server(prefix = "/_fn", endpoint = "delete_target")]
pub async fn delete_target(id: String) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "Deployment target")?;
    Ok(service::targets::delete(&services, &actor, id).await?)
}

/// Tells the target's connected agent to update itself to the hub's version.
#[server(prefix = "/_fn", endpoint = "update_target_agent")]
pub async fn update_target_agent(id: String) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "Deployment target")?;
    Ok(service::agent_update::request(&services, &actor, id).await?)
}
