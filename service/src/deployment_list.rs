//! The deployments list (`/deployments`, `/portal/deployments`): every deployment the actor may
//! see that is not undeployed, with its target, customer, application and version, searched,
//! sorted and paged in SQL, in a fixed number of queries whatever the fleet's size.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::Order;

use crate::auth::Actor;
use crate::deployments::{self, Deployment};
use crate::entity::{application, customer_organization as customer, deployment_target as target};
use crate::fleet::{self, VersionStanding};
use crate::listing::{self, DeploymentSort, ListQuery, PAGE_SIZE, Page};
use crate::{Result, Services, repo};

/// A deployment as the list shows it.
#[derive(Clone, Debug)]
pub struct ListedDeployment {
    /// The deployment.
    pub deployment: Deployment,
    /// Its target's name.
    pub target: String,
    /// Its target's customer's name; `None` for a vendor-managed target.
    pub customer: Option<String>,
    /// Its version and how it stands on its channel.
    pub standing: VersionStanding,
    /// When it last changed: its latest status, else its creation.
    pub updated_at: DateTime<Utc>,
}

/// A page of the deployments the actor may see (all of the vendor's for vendor members, those
/// on their own targets for a customer member), searched by target, customer or application
/// name.
pub async fn page(
    s: &Services,
    actor: &Actor,
    query: &ListQuery<DeploymentSort>,
) -> Result<Page<ListedDeployment>> {
    let dir = listing::order(query.dir);
    let target_name = listing::lower((target::Entity, target::Column::Name));
    let sort = match query.sort {
        DeploymentSort::Updated => vec![(repo::deployments::updated_at(), dir)],
        DeploymentSort::Target => vec![(target_name.clone(), dir)],
        DeploymentSort::Customer => vec![
            (
                listing::lower_or_empty((customer::Entity, customer::Column::Name)),
                dir,
            ),
            (target_name.clone(), Order::Asc),
        ],
        DeploymentSort::Application => vec![
            (
                listing::lower((application::Entity, application::Column::Name)),
                dir,
            ),
            (target_name.clone(), Order::Asc),
        ],
    };
    let search = listing::search(
        query,
        [
            target_name,
            listing::lower((customer::Entity, customer::Column::Name)),
            listing::lower((application::Entity, application::Column::Name)),
        ],
    );
    let (ids, total) = repo::deployments::page(
        &s.db,
        actor.organization_id.0,
        actor.customer_organization_id.map(|c| c.0),
        search,
        sort,
        query.offset(),
        PAGE_SIZE,
    )
    .await?;
    let mut rows: HashMap<uuid::Uuid, _> = repo::deployments::find_many(&s.db, &ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let ordered = ids.iter().filter_map(|id| rows.remove(id)).collect();
    let found = deployments::hydrate_many(&s.db, ordered).await?;
    let standings = fleet::standings(s, actor, &found).await?;
    let mut target_ids: Vec<uuid::Uuid> = found.iter().map(|d| d.target_id.0).collect();
    target_ids.sort_unstable();
    target_ids.dedup();
    let targets: HashMap<uuid::Uuid, (String, Option<String>)> =
        repo::targets::named(&s.db, actor.organization_id.0, &target_ids)
            .await?
            .into_iter()
            .map(|(t, c)| (t.id, (t.name, c)))
            .collect();
    let items = found
        .into_iter()
        .zip(standings)
        .map(|(deployment, standing)| {
            let (target, customer) = targets
                .get(&deployment.target_id.0)
                .cloned()
                .unwrap_or_default();
            ListedDeployment {
                updated_at: deployment
                    .status
                    .as_ref()
                    .map_or(deployment.created_at, |st| st.at),
                deployment,
                target,
                customer,
                standing,
            }
        })
        .collect();
    Ok(listing::page(query, items, total))
}
