//! The portals' overviews: what answers "is everything fine?" at a glance. For a vendor: its
//! customers, targets online and offline, deployments by state, installations behind their
//! channel, licenses ending soon, recent status changes and what needs attention. For a
//! customer: its targets and deployments and the updates available to it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use types::protocol::{DeploymentState, ShownState};
use types::{CustomerOrganizationId, DeploymentId, DeploymentTargetId, LicenseId};

use crate::auth::Actor;
use crate::fleet::{self, FleetTarget};
use crate::{Result, Services, customers, deployments, licenses, repo, targets};

/// How far ahead a license's end counts as "soon".
pub const EXPIRING_WITHIN: TimeDelta = TimeDelta::days(30);
/// How many recent status changes an overview lists.
pub const RECENT_EVENTS: u64 = 8;

/// How many targets are in each condition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TargetCounts {
    /// An agent is connected now.
    pub online: usize,
    /// Enrolled, but no agent connected now.
    pub offline: usize,
    /// Never enrolled: the install command was not run yet.
    pub waiting: usize,
}

/// A deployment as an overview names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentBrief {
    /// Its id.
    pub id: DeploymentId,
    /// Its target.
    pub target_id: DeploymentTargetId,
    /// The target's name.
    pub target: String,
    /// The customer's name, `None` for a vendor-managed target.
    pub customer: Option<String>,
    /// The application's name.
    pub application: String,
    /// The version deployed.
    pub version: String,
    /// The newest version of its channel, when it is newer.
    pub latest: Option<String>,
    /// What the portals show of its state.
    pub state: ShownState,
    /// Whether the version is below the channel's required minimum.
    pub below_minimum: bool,
    /// The agent's last message.
    pub message: String,
}

/// A license that ends soon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpiringLicense {
    /// Its id.
    pub id: LicenseId,
    /// Its name.
    pub name: String,
    /// The customer's name.
    pub customer: String,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
}

/// One status change an agent reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// When the agent observed it.
    pub at: DateTime<Utc>,
    /// The deployment.
    pub deployment_id: DeploymentId,
    /// "application on target", or the deployment's id when it is gone from the fleet.
    pub subject: String,
    /// The new state.
    pub state: DeploymentState,
    /// The agent's message.
    pub message: String,
}

/// Something a vendor should look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attention {
    /// A deployment reports an error.
    Failing(DeploymentBrief),
    /// A deployment runs a version below its channel's minimum.
    BelowMinimum(DeploymentBrief),
    /// A target has not been heard from for a day (see [`crate::targets::STALE_AFTER`]).
    Stale {
        /// The target.
        id: DeploymentTargetId,
        /// Its name.
        name: String,
        /// When its agent was last heard from, if ever.
        last_seen: Option<DateTime<Utc>>,
    },
    /// A license ends within a week.
    Expiring(ExpiringLicense),
}

/// The vendor's overview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VendorOverview {
    /// How many customers it has.
    pub customers: usize,
    /// Its targets by condition.
    pub targets: TargetCounts,
    /// Live deployments by shown state, in the order the overview lists them; states with no
    /// deployment are left out.
    pub by_state: Vec<(ShownState, usize)>,
    /// Live deployments running behind the newest version of their channel.
    pub behind: Vec<DeploymentBrief>,
    /// Licenses ending within [`EXPIRING_WITHIN`], soonest first.
    pub expiring: Vec<ExpiringLicense>,
    /// The newest status changes.
    pub recent: Vec<Event>,
    /// What needs attention, most urgent first.
    pub attention: Vec<Attention>,
}

/// The customer's overview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerOverview {
    /// Its targets by condition.
    pub targets: TargetCounts,
    /// Its live deployments.
    pub deployments: Vec<DeploymentBrief>,
    /// The newest status changes of its deployments.
    pub recent: Vec<Event>,
}

impl CustomerOverview {
    /// Its deployments with a newer version available.
    pub fn updates(&self) -> impl Iterator<Item = &DeploymentBrief> {
        self.deployments.iter().filter(|d| d.latest.is_some())
    }
}

/// The order states are listed in: trouble first.
const STATE_ORDER: [ShownState; 7] = [
    ShownState::Reported(DeploymentState::Error),
    ShownState::Reported(DeploymentState::Progressing),
    ShownState::Pending,
    ShownState::Reported(DeploymentState::Stopped),
    ShownState::Undeploying,
    ShownState::Reported(DeploymentState::Running),
    ShownState::Reported(DeploymentState::Healthy),
];

fn count(targets: &[&FleetTarget]) -> TargetCounts {
    let mut c = TargetCounts::default();
    for t in targets {
        if t.online_since_seen.is_some() {
            c.online += 1;
        } else if t.target.enrolled {
            c.offline += 1;
        } else {
            c.waiting += 1;
        }
    }
    c
}

fn briefs(
    targets: &[&FleetTarget],
    customer: impl Fn(&FleetTarget) -> Option<String>,
) -> Vec<DeploymentBrief> {
    targets
        .iter()
        .flat_map(|t| {
            let customer = customer(t);
            t.deployments.iter().map(move |(d, s)| DeploymentBrief {
                id: d.id,
                target_id: t.target.id,
                target: t.target.name.clone(),
                customer: customer.clone(),
                application: s.application.clone(),
                version: s.version.name.to_string(),
                latest: s
                    .latest
                    .as_ref()
                    .filter(|_| s.behind_latest)
                    .map(|l| l.name.to_string()),
                state: d.shown_state(),
                below_minimum: s.below_minimum,
                message: d
                    .status
                    .as_ref()
                    .map(|s| s.message.clone())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

fn events(
    rows: Vec<crate::entity::deployment_status::Model>,
    known: &[DeploymentBrief],
) -> Vec<Event> {
    let names: HashMap<DeploymentId, String> = known
        .iter()
        .map(|d| (d.id, format!("{} on {}", d.application, d.target)))
        .collect();
    rows.into_iter()
        .filter_map(|r| {
            let state = DeploymentState::parse(&r.state)?;
            let id = DeploymentId::from(r.deployment_id);
            Some(Event {
                at: r.at,
                deployment_id: id,
                subject: names
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| format!("deployment {id}")),
                state,
                message: r.message,
            })
        })
        .collect()
}

/// The vendor's overview (vendor members only): a fixed number of queries whatever the
/// fleet's size.
pub async fn vendor(s: &Services, actor: &Actor, now: DateTime<Utc>) -> Result<VendorOverview> {
    actor.require_vendor_read("see the overview")?;
    let customers = customers::list(s, actor).await?;
    let customer_names: BTreeMap<CustomerOrganizationId, String> =
        customers.into_iter().map(|c| (c.id, c.name)).collect();
    let fleet = snapshot(s, actor, &customer_names, now).await?;
    let targets: Vec<&FleetTarget> = fleet.iter().collect();
    let owner = |t: &FleetTarget| t.customer.clone();
    let deployments = briefs(&targets, owner);

    let mut by_state: Vec<(ShownState, usize)> = STATE_ORDER
        .iter()
        .map(|state| {
            (
                *state,
                deployments.iter().filter(|d| d.state == *state).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    by_state.retain(|(_, n)| *n > 0);

    let mut expiring: Vec<ExpiringLicense> = licenses::list(s, actor)
        .await?
        .into_iter()
        .filter(|l| l.revoked_at.is_none())
        .filter_map(|l| {
            let at = l.expires_at?;
            (at > now && at - now <= EXPIRING_WITHIN).then(|| ExpiringLicense {
                id: l.id,
                customer: customer_names
                    .get(&l.customer_organization_id)
                    .cloned()
                    .unwrap_or_default(),
                name: l.name,
                expires_at: at,
            })
        })
        .collect();
    expiring.sort_by_key(|l| l.expires_at);

    let rows = repo::overview::recent_statuses(&s.db, actor.organization_id.0, None, RECENT_EVENTS)
        .await?;
    let recent = events(rows, &deployments);

    let mut attention: Vec<Attention> = deployments
        .iter()
        .filter(|d| d.state == ShownState::Reported(DeploymentState::Error))
        .cloned()
        .map(Attention::Failing)
        .collect();
    attention.extend(
        targets
            .iter()
            .filter(|t| t.stale)
            .map(|t| Attention::Stale {
                id: t.target.id,
                name: t.target.name.clone(),
                last_seen: t.online_since_seen.or(t.target.last_seen_at),
            }),
    );
    attention.extend(
        deployments
            .iter()
            .filter(|d| d.below_minimum)
            .cloned()
            .map(Attention::BelowMinimum),
    );
    attention.extend(
        expiring
            .iter()
            .filter(|l| l.expires_at - now <= TimeDelta::days(7))
            .cloned()
            .map(Attention::Expiring),
    );

    Ok(VendorOverview {
        customers: customer_names.len(),
        targets: count(&targets),
        by_state,
        behind: deployments
            .iter()
            .filter(|d| d.latest.is_some())
            .cloned()
            .collect(),
        expiring,
        recent,
        attention,
    })
}

/// A customer member's overview: its own targets and deployments only.
pub async fn customer(s: &Services, actor: &Actor, now: DateTime<Utc>) -> Result<CustomerOverview> {
    let customer = actor
        .customer_organization_id
        .ok_or(crate::Error::Forbidden {
            action: "see a customer's overview",
        })?;
    let fleet = snapshot(s, actor, &BTreeMap::new(), now).await?;
    let targets: Vec<&FleetTarget> = fleet.iter().collect();
    let deployments = briefs(&targets, |_| None);
    let rows = repo::overview::recent_statuses(
        &s.db,
        actor.organization_id.0,
        Some(customer.0),
        RECENT_EVENTS,
    )
    .await?;
    Ok(CustomerOverview {
        targets: count(&targets),
        recent: events(rows, &deployments),
        deployments,
    })
}

/// Every target the actor may see with its presence and live deployments, in a fixed number
/// of queries whatever the fleet's size (the deployments and their standings are loaded in
/// batches).
async fn snapshot(
    s: &Services,
    actor: &Actor,
    customer_names: &BTreeMap<CustomerOrganizationId, String>,
    now: DateTime<Utc>,
) -> Result<Vec<FleetTarget>> {
    let all = targets::list(s, actor).await?;
    let ids: Vec<uuid::Uuid> = all.iter().map(|t| t.id.0).collect();
    let running = repo::deployments::running_on(&s.db, &ids).await?;
    let running = deployments::hydrate_many(&s.db, running).await?;
    let standings = fleet::standings(s, actor, &running).await?;
    let mut on: HashMap<DeploymentTargetId, Vec<_>> = HashMap::new();
    for (d, standing) in running.into_iter().zip(standings) {
        on.entry(d.target_id).or_default().push((d, standing));
    }
    Ok(all
        .into_iter()
        .map(|target| {
            let presence = s.agents.presence(target.id);
            FleetTarget {
                stale: target.is_stale(presence, now),
                online_since_seen: presence,
                customer: target
                    .customer_organization_id
                    .and_then(|c| customer_names.get(&c).cloned()),
                deployments: on.remove(&target.id).unwrap_or_default(),
                target,
            }
        })
        .collect())
}
