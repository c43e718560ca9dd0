//! The portals' overviews: what answers "is everything fine?" at a glance. For a vendor: its
//! customers, targets online and offline, deployments by state, installations behind their
//! channel, licenses ending soon, recent status changes and what needs attention. For a
//! customer: its targets and deployments and the updates available to it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use types::protocol::{DeploymentState, ShownState};
use types::{
    ApplicationId, ApplicationVersionId, CustomerOrganizationId, DeploymentId, DeploymentTargetId,
    LicenseId,
};

use crate::auth::Actor;
use crate::deployments::Deployment;
use crate::fleet::{self, VersionStanding};
use crate::targets::Target;
use crate::{Result, Services, customers, deployments, licenses, repo, targets};

/// How far ahead a license's end counts as "soon".
pub const EXPIRING_WITHIN: TimeDelta = TimeDelta::days(30);
/// How many recent status changes an overview lists.
pub const RECENT_EVENTS: u64 = 8;
/// How many lines of "behind" and "needs attention" the vendor overview loads: the page stays
/// small whatever the fleet's size, and its totals and links lead to the whole lists.
pub const LINES: u64 = 8;

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
    /// The first [`LINES`] live deployments running behind the newest version of their
    /// channel, oldest first.
    pub behind: Vec<DeploymentBrief>,
    /// How many live deployments run behind.
    pub behind_total: usize,
    /// Licenses ending within [`EXPIRING_WITHIN`], soonest first.
    pub expiring: Vec<ExpiringLicense>,
    /// The newest status changes.
    pub recent: Vec<Event>,
    /// The first [`LINES`] things that need attention, most urgent first.
    pub attention: Vec<Attention>,
    /// How many things need attention.
    pub attention_total: usize,
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

fn count<'a>(targets: impl Iterator<Item = (&'a Target, Option<DateTime<Utc>>)>) -> TargetCounts {
    let mut c = TargetCounts::default();
    for (t, presence) in targets {
        if presence.is_some() {
            c.online += 1;
        } else if t.enrolled {
            c.offline += 1;
        } else {
            c.waiting += 1;
        }
    }
    c
}

/// Live deployments by shown state in [`STATE_ORDER`], from the counts per latest report
/// (those that never reported are pending, or being undeployed).
fn state_counts(reported: Vec<(Option<String>, i64, i64)>) -> Vec<(ShownState, usize)> {
    let mut counts: HashMap<ShownState, i64> = HashMap::new();
    for (state, n, leaving) in reported {
        let state = match state {
            None => None,
            Some(stored) => match DeploymentState::parse(&stored) {
                Some(state) => Some(state),
                None => continue,
            },
        };
        *counts
            .entry(deployments::shown_state(state, true))
            .or_default() += leaving;
        *counts
            .entry(deployments::shown_state(state, false))
            .or_default() += n - leaving;
    }
    STATE_ORDER
        .iter()
        .filter_map(|state| {
            let n = usize::try_from(counts.get(state).copied().unwrap_or(0)).unwrap_or(0);
            (n > 0).then_some((*state, n))
        })
        .collect()
}

/// One deployment as the overviews name it.
fn brief(
    d: &Deployment,
    standing: &VersionStanding,
    target: &Target,
    customer: Option<String>,
) -> DeploymentBrief {
    DeploymentBrief {
        id: d.id,
        target_id: target.id,
        target: target.name.clone(),
        customer,
        application: standing.application.clone(),
        version: standing.version.name.to_string(),
        latest: standing
            .latest
            .as_ref()
            .filter(|_| standing.behind_latest)
            .map(|l| l.name.to_string()),
        state: d.shown_state(),
        below_minimum: standing.below_minimum,
        message: d
            .status
            .as_ref()
            .map(|s| s.message.clone())
            .unwrap_or_default(),
    }
}

/// The status changes of `rows`, each named from `names` ("application on target"), or by the
/// deployment's id when it is gone.
fn events(
    rows: Vec<crate::entity::deployment_status::Model>,
    names: &HashMap<DeploymentId, String>,
) -> Vec<Event> {
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

/// The vendor's overview (vendor members only), in a fixed number of queries whatever the
/// fleet's size: states and versions are counted in SQL, and only the [`LINES`] deployments
/// of each list it shows are loaded.
pub async fn vendor(s: &Services, actor: &Actor, now: DateTime<Utc>) -> Result<VendorOverview> {
    use repo::overview::Pick;
    actor.require_vendor_read("see the overview")?;
    let vendor = actor.organization_id.0;
    // What does not depend on anything else is read at once (the pool has several
    // connections, and readers do not wait for each other).
    let (customers, all_targets, state_rows, versions, all_licenses, rows, applications) = tokio::try_join!(
        customers::list(s, actor),
        targets::list(s, actor),
        repo::overview::live_state_counts(&s.db, vendor),
        repo::overview::live_version_counts(&s.db, vendor),
        licenses::list(s, actor),
        repo::overview::recent_statuses(&s.db, vendor, None, RECENT_EVENTS),
        repo::applications::list(&s.db, vendor),
    )?;
    let customer_names: BTreeMap<CustomerOrganizationId, String> =
        customers.into_iter().map(|c| (c.id, c.name)).collect();
    let presence: Vec<_> = all_targets
        .iter()
        .map(|t| s.agents.presence(t.id))
        .collect();
    let targets: HashMap<DeploymentTargetId, &Target> =
        all_targets.iter().map(|t| (t.id, t)).collect();

    let by_state = state_counts(state_rows);
    let failing_total = by_state
        .iter()
        .find(|(state, _)| *state == ShownState::Reported(DeploymentState::Error))
        .map_or(0, |(_, n)| *n);

    // How each version run now stands on its channel, then the totals and first lines of the
    // deployments behind or below the minimum.
    let pairs: Vec<(ApplicationId, ApplicationVersionId)> = versions
        .iter()
        .map(|(a, v, _)| (ApplicationId(*a), ApplicationVersionId(*v)))
        .collect();
    let standings = fleet::version_standings(s, actor, &pairs).await?;
    let (mut behind_versions, mut below_versions) = (Vec::new(), Vec::new());
    let (mut behind_total, mut below_total) = (0, 0);
    for ((_, version, n), standing) in versions.iter().zip(&standings) {
        let n = usize::try_from(*n).unwrap_or(0);
        if standing.behind_latest {
            behind_versions.push(*version);
            behind_total += n;
        }
        if standing.below_minimum {
            below_versions.push(*version);
            below_total += n;
        }
    }
    let lines = |pick, wanted: bool| {
        let targets = &targets;
        let customer_names = &customer_names;
        async move {
            if wanted {
                first_lines(s, actor, pick, targets, customer_names).await
            } else {
                Ok(Vec::new())
            }
        }
    };
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.deployment_id).collect();
    let (behind, failing, below, subjects) = tokio::try_join!(
        lines(Pick::Running(&behind_versions), !behind_versions.is_empty()),
        lines(Pick::Failing, failing_total > 0),
        lines(Pick::Running(&below_versions), !below_versions.is_empty()),
        repo::overview::subjects(&s.db, vendor, &ids),
    )?;

    let mut expiring: Vec<ExpiringLicense> = all_licenses
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

    let applications: HashMap<uuid::Uuid, String> =
        applications.into_iter().map(|a| (a.id, a.name)).collect();
    let names: HashMap<DeploymentId, String> = subjects
        .into_iter()
        .map(|(id, target, application)| {
            let application = applications.get(&application).cloned().unwrap_or_default();
            (DeploymentId::from(id), format!("{application} on {target}"))
        })
        .collect();
    let recent = events(rows, &names);

    let stale: Vec<Attention> = all_targets
        .iter()
        .zip(&presence)
        .filter(|(t, seen)| t.is_stale(**seen, now))
        .map(|(t, seen)| Attention::Stale {
            id: t.id,
            name: t.name.clone(),
            last_seen: seen.or(t.last_seen_at),
        })
        .collect();
    let ending: Vec<Attention> = expiring
        .iter()
        .filter(|l| l.expires_at - now <= TimeDelta::days(7))
        .cloned()
        .map(Attention::Expiring)
        .collect();
    let attention_total = failing_total + stale.len() + below_total + ending.len();
    let attention: Vec<Attention> = failing
        .into_iter()
        .map(Attention::Failing)
        .chain(stale)
        .chain(below.into_iter().map(Attention::BelowMinimum))
        .chain(ending)
        .take(LINES as usize)
        .collect();

    Ok(VendorOverview {
        customers: customer_names.len(),
        targets: count(
            all_targets
                .iter()
                .zip(&presence)
                .map(|(t, seen)| (t, *seen)),
        ),
        by_state,
        behind,
        behind_total,
        expiring,
        recent,
        attention,
        attention_total,
    })
}

/// The first [`LINES`] of the vendor's live deployments that `pick` selects, as briefs.
async fn first_lines(
    s: &Services,
    actor: &Actor,
    pick: repo::overview::Pick<'_>,
    targets: &HashMap<DeploymentTargetId, &Target>,
    customer_names: &BTreeMap<CustomerOrganizationId, String>,
) -> Result<Vec<DeploymentBrief>> {
    let rows = repo::overview::first_live(&s.db, actor.organization_id.0, pick, LINES).await?;
    let rows = deployments::hydrate_many(&s.db, rows).await?;
    let standings = fleet::standings(s, actor, &rows).await?;
    Ok(rows
        .iter()
        .zip(&standings)
        .filter_map(|(d, standing)| {
            let target = targets.get(&d.target_id)?;
            let customer = target
                .customer_organization_id
                .and_then(|c| customer_names.get(&c).cloned());
            Some(brief(d, standing, target, customer))
        })
        .collect())
}

/// A customer member's overview: its own targets and deployments only (a customer's fleet is
/// small enough to list whole).
pub async fn customer(s: &Services, actor: &Actor) -> Result<CustomerOverview> {
    let customer = actor
        .customer_organization_id
        .ok_or(crate::Error::Forbidden {
            action: "see a customer's overview",
        })?;
    let all = targets::list(s, actor).await?;
    let presence: Vec<_> = all.iter().map(|t| s.agents.presence(t.id)).collect();
    let ids: Vec<uuid::Uuid> = all.iter().map(|t| t.id.0).collect();
    let running = repo::deployments::running_on(&s.db, &ids).await?;
    let running = deployments::hydrate_many(&s.db, running).await?;
    let standings = fleet::standings(s, actor, &running).await?;
    let by_id: HashMap<DeploymentTargetId, &Target> = all.iter().map(|t| (t.id, t)).collect();
    let deployments: Vec<DeploymentBrief> = running
        .iter()
        .zip(&standings)
        .filter_map(|(d, standing)| Some(brief(d, standing, by_id.get(&d.target_id)?, None)))
        .collect();
    let names: HashMap<DeploymentId, String> = deployments
        .iter()
        .map(|d| (d.id, format!("{} on {}", d.application, d.target)))
        .collect();
    let rows = repo::overview::recent_statuses(
        &s.db,
        actor.organization_id.0,
        Some(customer.0),
        RECENT_EVENTS,
    )
    .await?;
    Ok(CustomerOverview {
        targets: count(all.iter().zip(presence)),
        recent: events(rows, &names),
        deployments,
    })
}
