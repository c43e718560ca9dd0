//! The vendor's fleet overview: per customer its targets and what runs on them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::targets::TargetRow;
use crate::error::AppError;

/// One customer (or the vendor's own targets) in the overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetGroup {
    /// The customer's name, or `Vendor-managed`.
    pub customer: String,
    /// Its targets with their deployments.
    pub targets: Vec<TargetRow>,
}

/// The vendor's fleet.
#[server(prefix = "/_fn", endpoint = "fleet_overview")]
pub async fn fleet_overview() -> Result<Vec<FleetGroup>, AppError> {
    use super::targets::{DeploymentRow, HUB_VERSION, convert::time};
    let (services, actor) = super::actor().await?;
    let groups = service::fleet::overview(&services, &actor, chrono::Utc::now()).await?;
    Ok(groups
        .into_iter()
        .map(|g| {
            let customer = g
                .customer
                .map_or_else(|| "Vendor-managed".to_string(), |c| c.name);
            FleetGroup {
                targets: g
                    .targets
                    .into_iter()
                    .map(|t| TargetRow {
                        id: t.target.id.to_string(),
                        name: t.target.name.clone(),
                        customer: customer.clone(),
                        online: t.online_since_seen.is_some(),
                        enrolled: t.target.enrolled,
                        last_seen: t
                            .online_since_seen
                            .or(t.target.last_seen_at)
                            .map_or_else(|| "never".into(), time),
                        agent_version: t.target.agent_version.clone().unwrap_or_default(),
                        stale: t.stale,
                        outdated: t.target.agent_outdated(HUB_VERSION),
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
                    })
                    .collect(),
                customer,
            }
        })
        .collect())
}
