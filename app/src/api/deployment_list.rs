//! The deployments list of both portals: every deployment the caller may see, with its target,
//! customer, application, version and state, searched, sorted and paged by the service.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use types::list::{DeploymentSort, ListQuery, Page};

use crate::error::AppError;

/// A deployment as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentListRow {
    /// Its id.
    pub id: String,
    /// Its target's name.
    pub target: String,
    /// Its target's customer's name, or `vendor-managed`.
    pub customer: String,
    /// The application's name.
    pub application: String,
    /// The deployed version's name.
    pub version: String,
    /// What to show of its state.
    pub state: types::protocol::ShownState,
    /// Whether a newer version exists on its channel.
    pub behind_latest: bool,
    /// Whether its version is below the channel's required minimum.
    pub below_minimum: bool,
    /// When it last changed (`YYYY-MM-DD HH:MM:SS UTC`).
    pub updated: String,
}

/// A page of the deployments the caller may see.
#[server(prefix = "/_fn", endpoint = "list_deployments")]
pub async fn list_deployments(
    query: ListQuery<DeploymentSort>,
) -> Result<Page<DeploymentListRow>, AppError> {
    let (services, actor) = super::actor().await?;
    let page = service::deployment_list::page(&services, &actor, &query).await?;
    Ok(page.map(|d| DeploymentListRow {
        id: d.deployment.id.to_string(),
        state: d.deployment.shown_state(),
        target: d.target,
        customer: d.customer.unwrap_or_else(|| "vendor-managed".into()),
        application: d.standing.application,
        version: d.standing.version.name,
        behind_latest: d.standing.behind_latest,
        below_minimum: d.standing.below_minimum,
        updated: super::targets::convert::time(d.updated_at),
    }))
}
