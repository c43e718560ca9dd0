//! The vendor's fleet overview: a page of targets grouped by customer, what runs on them, and
//! the customers without targets.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use types::list::{FleetSort, ListQuery, Page};

use super::targets::TargetRow;
use crate::error::AppError;

/// One customer (or the vendor's own targets) on a page of the overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetGroup {
    /// The customer's name, or `Vendor-managed`.
    pub customer: String,
    /// Its targets on this page, with their deployments.
    pub targets: Vec<TargetRow>,
}

/// A page of the vendor's fleet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetPage {
    /// The page's groups; `items` are the groups, `total` counts targets.
    pub groups: Page<FleetGroup>,
    /// The names of the customers without any target.
    pub without_targets: Vec<String>,
}

/// A page of the vendor's fleet.
#[server(prefix = "/_fn", endpoint = "fleet_overview")]
pub async fn fleet_overview(query: ListQuery<FleetSort>) -> Result<FleetPage, AppError> {
    let (services, actor) = super::actor().await?;
    let fleet = service::fleet::overview(&services, &actor, &query, chrono::Utc::now()).await?;
    let groups = fleet
        .groups
        .into_iter()
        .map(|g| FleetGroup {
            customer: g
                .customer
                .map_or_else(|| "Vendor-managed".to_string(), |c| c.name),
            targets: g
                .targets
                .into_iter()
                .map(super::targets::convert::row)
                .collect(),
        })
        .collect();
    Ok(FleetPage {
        groups: Page {
            items: groups,
            total: fleet.total,
            page: fleet.page,
        },
        without_targets: fleet.without_targets.into_iter().map(|c| c.name).collect(),
    })
}
