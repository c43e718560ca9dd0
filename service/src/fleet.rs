//! What runs where: per customer its targets (online, stale) and per target its deployments with
//! their application, version and state, and whether each runs behind the newest version of its
//! channel or below the channel's required minimum. Shared by the vendor's fleet overview, the
//! targets lists of both portals and the deployment page.
//!
//! A page costs a fixed number of queries whatever the fleet's size: the page of targets, their
//! deployments with revisions and statuses, and the applications, versions and channels those
//! involve, each loaded once (`IN (…)` over the page's ids).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::Order;
use types::{ApplicationId, ApplicationVersionId, ChannelName, CustomerOrganizationId};

use crate::auth::Actor;
use crate::channels::{self, Channel, VersionRef};
use crate::customers::{self, Customer};
use crate::deployments::{self, Deployment};
use crate::entity::{customer_organization as customer, deployment_target as target};
use crate::listing::{self, FleetSort, ListQuery, PAGE_SIZE, Page, SortDir, TargetSort};
use crate::targets::Target;
use crate::versions::{self, Version};
use crate::{Error, Result, Services, applications, licenses, repo};

/// A deployment's version and how it compares with its channel.
#[derive(Clone, Debug)]
pub struct VersionStanding {
    /// The application's name.
    pub application: String,
    /// The deployed version.
    pub version: Version,
    /// The newest unarchived version of the same channel the actor may see.
    pub latest: Option<VersionRef>,
    /// Whether a newer version exists on the channel.
    pub behind_latest: bool,
    /// Whether the version is older than the channel's minimum.
    pub below_minimum: bool,
}

/// How `d`'s current version stands on its channel (one deployment; lists use the batched
/// [`standings`]).
pub async fn standing(
    services: &Services,
    actor: &Actor,
    d: &Deployment,
) -> Result<VersionStanding> {
    let application = applications::get(services, actor, d.application_id).await?;
    // Vendor members see every version; a customer its granted ones (the version deployed may
    // no longer be granted, so it is looked up on the vendor's side).
    let vendor_view = Actor {
        customer_organization_id: None,
        ..actor.clone()
    };
    let version = versions::get(services, &vendor_view, d.application_id, d.version_id).await?;
    let channel = channels::list(services, actor, d.application_id)
        .await?
        .into_iter()
        .find(|c| c.name == version.channel);
    Ok(compare(application.name, version, channel))
}

fn compare(application: String, version: Version, channel: Option<Channel>) -> VersionStanding {
    let latest = channel.as_ref().and_then(|c| c.latest.clone());
    VersionStanding {
        application,
        behind_latest: latest
            .as_ref()
            .is_some_and(|l| l.sequence > version.sequence),
        below_minimum: channel.is_some_and(|c| c.requires_update(&version)),
        latest,
        version,
    }
}

/// [`standing`] of each of `deployments` (the actor's own, already checked), in the same order,
/// in a fixed number of queries: the involved applications, their versions and channels once,
/// and for a customer member their licenses once.
pub async fn standings(
    services: &Services,
    actor: &Actor,
    deployments: &[Deployment],
) -> Result<Vec<VersionStanding>> {
    let versions: Vec<(ApplicationId, ApplicationVersionId)> = deployments
        .iter()
        .map(|d| (d.application_id, d.version_id))
        .collect();
    version_standings(services, actor, &versions).await
}

/// How each of `versions` (of the actor's own applications, already checked) stands on its
/// channel, in the same order, in a fixed number of queries (see [`standings`]).
pub async fn version_standings(
    services: &Services,
    actor: &Actor,
    versions: &[(ApplicationId, ApplicationVersionId)],
) -> Result<Vec<VersionStanding>> {
    if versions.is_empty() {
        return Ok(Vec::new());
    }
    let db = &services.db;
    let mut app_ids: Vec<uuid::Uuid> = versions.iter().map(|(a, _)| a.0).collect();
    app_ids.sort_unstable();
    app_ids.dedup();
    let names: HashMap<uuid::Uuid, String> = repo::applications::list(db, actor.organization_id.0)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let all: Vec<Version> = repo::versions::list_for(db, &app_ids)
        .await?
        .into_iter()
        .map(Version::try_from)
        .collect::<Result<_>>()?;
    let channel_rows = repo::channels::list_for(db, &app_ids).await?;
    // What of each application the actor may see: everything for vendor members, what the
    // customer's licenses grant otherwise (as `versions::list` decides one by one).
    let held = match actor.customer_organization_id {
        Some(_) => Some(licenses::list_in(db, actor).await?),
        None => None,
    };
    let visible = |v: &Version| match &held {
        None => true,
        Some(held) => held.iter().any(|l| {
            l.application_id == v.application_id
                && l.versions.as_ref().is_none_or(|ids| ids.contains(&v.id))
                && l.channels.contains(&v.channel)
        }),
    };
    let mut channels: HashMap<(ApplicationId, ChannelName), Channel> = HashMap::new();
    for row in channel_rows {
        let application = ApplicationId(row.application_id);
        let name = ChannelName::parse(row.name).map_err(|_| {
            Error::Database(sea_orm::DbErr::Custom("invalid channel name stored".into()))
        })?;
        let minimum = row
            .minimum_version_id
            .and_then(|id| all.iter().find(|v| v.id.0 == id))
            .map(VersionRef::from);
        let latest = all
            .iter()
            .filter(|v| v.application_id == application && v.channel == name)
            .filter(|v| v.archived_at.is_none() && visible(v))
            .max_by_key(|v| v.sequence)
            .map(VersionRef::from);
        channels.insert(
            (application, name.clone()),
            Channel {
                name,
                minimum,
                latest,
            },
        );
    }
    versions
        .iter()
        .map(|&(application_id, version_id)| {
            let version = all
                .iter()
                .find(|v| v.id == version_id)
                .cloned()
                .ok_or(Error::NotFound { what: "version" })?;
            let channel = channels
                .get(&(application_id, version.channel.clone()))
                .cloned();
            let application = names
                .get(&application_id.0)
                .cloned()
                .ok_or(Error::NotFound {
                    what: "application",
                })?;
            Ok(compare(application, version, channel))
        })
        .collect()
}

/// One target in a list or the overview.
#[derive(Clone, Debug)]
pub struct FleetTarget {
    /// The target.
    pub target: Target,
    /// Its customer's name; `None` for a vendor-managed target.
    pub customer: Option<String>,
    /// When its agent was last heard from, if it is connected now.
    pub online_since_seen: Option<DateTime<Utc>>,
    /// See [`Target::is_stale`].
    pub stale: bool,
    /// Its deployments that are not undeployed, with their standing.
    pub deployments: Vec<(Deployment, VersionStanding)>,
}

/// A page of the targets the actor may see (every one of the vendor for vendor members, their
/// own for a customer member), searched by target or customer name, each with its presence
/// and what runs on it: `/targets` and `/portal/targets`.
pub async fn targets(
    s: &Services,
    actor: &Actor,
    query: &ListQuery<TargetSort>,
    now: DateTime<Utc>,
) -> Result<Page<FleetTarget>> {
    let by_name = (
        listing::lower((target::Entity, target::Column::Name)),
        order(query.dir),
    );
    let sort = match query.sort {
        TargetSort::Name => vec![by_name],
        TargetSort::Customer => vec![
            (
                listing::lower_or_empty((customer::Entity, customer::Column::Name)),
                order(query.dir),
            ),
            by_name,
        ],
        TargetSort::LastSeen => last_seen(query.dir),
        TargetSort::Created => vec![(
            sea_orm::sea_query::Expr::col((target::Entity, target::Column::CreatedAt)),
            order(query.dir),
        )],
    };
    let (items, total) = page_of_targets(s, actor, query, sort, now).await?;
    Ok(listing::page(query, items, total))
}

fn order(dir: SortDir) -> Order {
    listing::order(dir)
}

/// Never-seen targets last in either direction (the databases place NULLs differently).
fn last_seen(dir: SortDir) -> Vec<(sea_orm::sea_query::Expr, Order)> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let seen = Expr::col((target::Entity, target::Column::LastSeenAt));
    vec![
        (seen.clone().is_null(), Order::Asc),
        (seen, listing::order(dir)),
    ]
}

async fn page_of_targets<S: listing::SortKey>(
    s: &Services,
    actor: &Actor,
    query: &ListQuery<S>,
    sort: Vec<(sea_orm::sea_query::Expr, Order)>,
    now: DateTime<Utc>,
) -> Result<(Vec<FleetTarget>, u64)> {
    let search = listing::search(
        query,
        [
            listing::lower((target::Entity, target::Column::Name)),
            listing::lower((customer::Entity, customer::Column::Name)),
        ],
    );
    let (rows, total) = repo::targets::page(
        &s.db,
        actor.organization_id.0,
        actor.customer_organization_id.map(|c| c.0),
        search,
        sort,
        query.offset(),
        PAGE_SIZE,
    )
    .await?;
    let ids: Vec<uuid::Uuid> = rows.iter().map(|(t, _)| t.id).collect();
    let running = repo::deployments::running_on(&s.db, &ids).await?;
    let running = deployments::hydrate_many(&s.db, running).await?;
    let standings = standings(s, actor, &running).await?;
    let mut on: HashMap<uuid::Uuid, Vec<(Deployment, VersionStanding)>> = HashMap::new();
    for (d, st) in running.into_iter().zip(standings) {
        on.entry(d.target_id.0).or_default().push((d, st));
    }
    let items = rows
        .into_iter()
        .map(|(row, customer)| {
            let target = Target::from(row);
            let presence = s.agents.presence(target.id);
            FleetTarget {
                stale: target.is_stale(presence, now),
                online_since_seen: presence,
                deployments: on.remove(&target.id.0).unwrap_or_default(),
                customer,
                target,
            }
        })
        .collect();
    Ok((items, total))
}

/// One customer (or, with `None`, the vendor's own targets) in the overview.
#[derive(Clone, Debug)]
pub struct FleetCustomer {
    /// The customer; `None` for vendor-managed targets.
    pub customer: Option<Customer>,
    /// Its targets on this page.
    pub targets: Vec<FleetTarget>,
}

/// A page of the vendor's fleet.
#[derive(Clone, Debug)]
pub struct FleetOverview {
    /// The page's targets, consecutive ones of one customer grouped (sorted by customer, the
    /// default, each customer is one group; a customer may go on over the next page).
    pub groups: Vec<FleetCustomer>,
    /// The customers without any target (whatever the page or search), so nobody is
    /// forgotten.
    pub without_targets: Vec<Customer>,
    /// Targets matching the search, over every page.
    pub total: u64,
    /// This page, from 1.
    pub page: u64,
}

/// A page of the vendor's fleet (vendor members only): 50 targets, by customer by default, with
/// what runs on them; and the customers that have no target yet.
pub async fn overview(
    s: &Services,
    actor: &Actor,
    query: &ListQuery<FleetSort>,
    now: DateTime<Utc>,
) -> Result<FleetOverview> {
    actor.require_vendor_read("see the fleet")?;
    let by_name = (
        listing::lower((target::Entity, target::Column::Name)),
        order(query.dir),
    );
    let sort = match query.sort {
        FleetSort::Customer => vec![
            (
                listing::lower_or_empty((customer::Entity, customer::Column::Name)),
                order(query.dir),
            ),
            (
                listing::lower((target::Entity, target::Column::Name)),
                Order::Asc,
            ),
        ],
        FleetSort::Name => vec![by_name],
        FleetSort::LastSeen => last_seen(query.dir),
    };
    let (items, total) = page_of_targets(s, actor, query, sort, now).await?;
    let all_customers = customers::list(s, actor).await?;
    let with_targets =
        repo::targets::customers_with_targets(&s.db, actor.organization_id.0).await?;
    let by_id: HashMap<CustomerOrganizationId, &Customer> =
        all_customers.iter().map(|c| (c.id, c)).collect();
    let mut groups: Vec<FleetCustomer> = Vec::new();
    for t in items {
        let owner = t.target.customer_organization_id;
        match groups.last_mut() {
            Some(g) if g.customer.as_ref().map(|c| c.id) == owner => g.targets.push(t),
            _ => groups.push(FleetCustomer {
                customer: owner.and_then(|id| by_id.get(&id).map(|c| (*c).clone())),
                targets: vec![t],
            }),
        }
    }
    let without_targets = all_customers
        .iter()
        .filter(|c| !with_targets.contains(&c.id.0))
        .cloned()
        .collect();
    Ok(FleetOverview {
        groups,
        without_targets,
        total,
        page: query.page,
    })
}
