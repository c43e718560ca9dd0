//! What runs where: per customer its targets (online, stale) and per target its deployments with
//! their application, version and state, and whether each runs behind the newest version of its
//! channel or below the channel's required minimum. Shared by the vendor's fleet overview and
//! the deployment page.

use chrono::{DateTime, Utc};

use crate::auth::Actor;
use crate::channels::{self, VersionRef};
use crate::customers::{self, Customer};
use crate::deployments::{self, Deployment};
use crate::targets::{self, Target};
use crate::versions::{self, Version};
use crate::{Result, Services, applications};

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

/// How `d`'s current version stands on its channel.
pub async fn standing(
    services: &Services,
    actor: &Actor,
    d: &Deployment,
) -> Result<VersionStanding> {
    let _db = &services.db;
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
    let latest = channel.as_ref().and_then(|c| c.latest.clone());
    Ok(VersionStanding {
        application: application.name,
        behind_latest: latest
            .as_ref()
            .is_some_and(|l| l.sequence > version.sequence),
        below_minimum: channel.is_some_and(|c| c.requires_update(&version)),
        latest,
        version,
    })
}

/// One target in the overview.
#[derive(Clone, Debug)]
pub struct FleetTarget {
    /// The target.
    pub target: Target,
    /// When its agent was last heard from, if it is connected now.
    pub online_since_seen: Option<DateTime<Utc>>,
    /// See [`Target::is_stale`].
    pub stale: bool,
    /// Its deployments that are not undeployed, with their standing.
    pub deployments: Vec<(Deployment, VersionStanding)>,
}

/// One customer (or, with `None`, the vendor's own targets) in the overview.
#[derive(Clone, Debug)]
pub struct FleetCustomer {
    /// The customer; `None` for vendor-managed targets.
    pub customer: Option<Customer>,
    /// Its targets.
    pub targets: Vec<FleetTarget>,
}

/// The vendor's fleet (vendor members only): every customer with its targets and what runs on
/// them; customers without targets are listed too, so nobody is forgotten.
pub async fn overview(
    s: &Services,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<FleetCustomer>> {
    actor.require_vendor_read("see the fleet")?;
    let all_targets = targets::list(s, actor).await?;
    let all_deployments = deployments::list(s, actor, None).await?;
    let mut out: Vec<FleetCustomer> = customers::list(s, actor)
        .await?
        .into_iter()
        .map(|c| FleetCustomer {
            customer: Some(c),
            targets: Vec::new(),
        })
        .collect();
    out.push(FleetCustomer {
        customer: None,
        targets: Vec::new(),
    });
    for target in all_targets {
        let presence = s.agents.presence(target.id);
        let mut running = Vec::new();
        for d in all_deployments
            .iter()
            .filter(|d| d.target_id == target.id && d.undeployed_at.is_none())
        {
            running.push((d.clone(), standing(s, actor, d).await?));
        }
        let owner = target.customer_organization_id;
        let entry = FleetTarget {
            stale: target.is_stale(presence, now),
            online_since_seen: presence,
            target,
            deployments: running,
        };
        if let Some(group) = out
            .iter_mut()
            .find(|g| g.customer.as_ref().map(|c| c.id) == owner)
        {
            group.targets.push(entry);
        }
    }
    // The vendor's own group only when it has targets.
    out.retain(|g| g.customer.is_some() || !g.targets.is_empty());
    Ok(out)
}
