//! Deployment targets: the slot one agent fills. A target is created with a one-time enrolment
//! secret (stored hashed) that the agent trades for its own long-lived credential (stored
//! hashed); rotating the secret invalidates the old one, deleting the target cuts its agent off
//! at once.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use types::{CustomerOrganizationId, DeploymentTargetId};
use uuid::Uuid;

use crate::agent_hub::{AgentCommand, EventKind, HubEvent};
use crate::auth::Actor;
use crate::entity::deployment_target as row;
use crate::{Error, Result, Services, repo, tokens};

/// How every agent credential starts.
pub const AGENT_CREDENTIAL_PREFIX: &str = "consign_agent_";

/// Whether `secret` has the shape of an agent credential ([`AGENT_CREDENTIAL_PREFIX`] and 64
/// hex digits). Says nothing about whether it exists.
pub fn is_agent_credential(secret: &str) -> bool {
    secret
        .strip_prefix(AGENT_CREDENTIAL_PREFIX)
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A target as the service hands it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Its id.
    pub id: DeploymentTargetId,
    /// The customer that owns it; `None` for a vendor-managed target.
    pub customer_organization_id: Option<CustomerOrganizationId>,
    /// Its name.
    pub name: String,
    /// Whether an agent has enrolled (traded a secret for a credential).
    pub enrolled: bool,
    /// The agent version reported in the last `hello`.
    pub agent_version: Option<String>,
    /// When the agent last sent a frame (written at most once a minute while connected).
    pub last_seen_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<row::Model> for Target {
    fn from(r: row::Model) -> Self {
        Self {
            id: r.id.into(),
            customer_organization_id: r.customer_organization_id.map(Into::into),
            name: r.name,
            enrolled: r.credential_hash.is_some(),
            agent_version: r.agent_version,
            last_seen_at: r.last_seen_at,
            created_at: r.created_at,
        }
    }
}

/// How long a target may go unheard before the portals flag it *stale*: an enrolled agent
/// silent for longer than this, or a target created this long ago whose agent never enrolled.
/// A day leaves room for planned maintenance and weekends of a powered-off edge box without
/// crying wolf, yet catches a host that is gone.
pub const STALE_AFTER: chrono::TimeDelta = chrono::TimeDelta::hours(24);

impl Target {
    /// Whether the target is stale at `now` (see [`STALE_AFTER`]). `heard_at` is when its agent
    /// was last heard from, the in-memory presence of a connected agent being fresher than the
    /// stored last-seen time; `None` means this hub has no sign of it.
    pub fn is_stale(&self, heard_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        if self.enrolled {
            let last = heard_at.or(self.last_seen_at).unwrap_or(self.created_at);
            now - last > STALE_AFTER
        } else {
            now - self.created_at > STALE_AFTER
        }
    }

    /// Whether the agent reported a version other than `hub_version` (it can be told to update).
    pub fn agent_outdated(&self, hub_version: &str) -> bool {
        self.agent_version
            .as_deref()
            .is_some_and(|v| v != hub_version)
    }
}

/// The one-line install command for a target: the secret travels in the environment of `sh`,
/// never in a URL.
pub fn install_command(hub: &str, target: DeploymentTargetId, secret: &str) -> String {
    format!(
        "curl -fsSL {hub}/agent/install.sh | CONSIGN_TARGET_ID={target} CONSIGN_ENROLMENT_SECRET={secret} sh"
    )
}

/// One host-metrics sample an agent reported.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricSample {
    /// CPU use of the whole host, 0–100.
    pub cpu_percent: f64,
    /// CPU cores.
    pub cpu_cores: i32,
    /// Memory in use (total minus available), in bytes.
    pub memory_used_bytes: i64,
    /// Memory in total, in bytes.
    pub memory_total_bytes: i64,
    /// When the agent sampled it.
    pub at: DateTime<Utc>,
}

/// A target with the one-time secret of its install command (shown once, never stored).
#[derive(Clone, Debug)]
pub struct IssuedTarget {
    /// The target.
    pub target: Target,
    /// The enrolment secret.
    pub secret: String,
}

/// The event for a change of `target`.
pub(crate) fn event(r: &row::Model, kind: EventKind) -> HubEvent {
    HubEvent {
        organization_id: r.organization_id.into(),
        customer_organization_id: r.customer_organization_id.map(Into::into),
        kind,
    }
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            "give the target a name of 1 to 100 characters",
        ));
    }
    Ok(name.to_string())
}

/// Whether the actor may see the target row.
fn visible(actor: &Actor, r: &row::Model) -> bool {
    r.organization_id == actor.organization_id.0
        && actor
            .customer_organization_id
            .is_none_or(|own| Some(own.0) == r.customer_organization_id)
}

/// Customers change their own targets (with write rights); vendor writers change any.
fn require_write(actor: &Actor, action: &'static str) -> Result<()> {
    if actor.role.can_write() {
        Ok(())
    } else {
        Err(Error::Forbidden { action })
    }
}

/// The target row the actor may see, or not found.
pub(crate) async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: DeploymentTargetId,
) -> Result<row::Model> {
    repo::targets::find(db, actor.organization_id.0, id.0)
        .await?
        .filter(|r| visible(actor, r))
        .ok_or(Error::NotFound {
            what: "deployment target",
        })
}

/// Creates a target. A customer member creates one for their own customer; a vendor writer
/// for one of its customers or (with `None`) a vendor-managed one.
pub async fn create(
    s: &Services,
    actor: &Actor,
    name: &str,
    customer: Option<CustomerOrganizationId>,
    now: DateTime<Utc>,
) -> Result<IssuedTarget> {
    require_write(actor, "create deployment targets")?;
    let name = check_name(name)?;
    let customer = match (actor.customer_organization_id, customer) {
        (Some(own), None) => Some(own),
        (Some(own), Some(asked)) if asked == own => Some(own),
        (Some(_), Some(_)) => return Err(Error::NotFound { what: "customer" }),
        (None, Some(asked)) => {
            repo::customers::find(&s.db, actor.organization_id.0, asked.0)
                .await?
                .ok_or(Error::NotFound { what: "customer" })?;
            Some(asked)
        }
        (None, None) => None,
    };
    let secret = tokens::generate();
    let saved = repo::targets::insert(
        &s.db,
        row::Model {
            id: DeploymentTargetId::new().0,
            organization_id: actor.organization_id.0,
            customer_organization_id: customer.map(|c| c.0),
            name,
            secret_hash: Some(tokens::hash(&secret)),
            secret_created_at: now,
            secret_used_at: None,
            credential_hash: None,
            agent_version: None,
            last_seen_at: None,
            created_at: now,
        },
    )
    .await?;
    s.agents.publish(event(
        &saved,
        EventKind::TargetChanged {
            target_id: saved.id.into(),
        },
    ));
    Ok(IssuedTarget {
        target: saved.into(),
        secret,
    })
}

/// The targets the actor may see: every one of the vendor for vendor members, their own for a
/// customer member.
pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<Target>> {
    let rows = repo::targets::list(
        &services.db,
        actor.organization_id.0,
        actor.customer_organization_id.map(|c| c.0),
    )
    .await?;
    Ok(rows.into_iter().map(Target::from).collect())
}

/// One target the actor may see.
pub async fn get(services: &Services, actor: &Actor, id: DeploymentTargetId) -> Result<Target> {
    Ok(find_visible(&services.db, actor, id).await?.into())
}

/// The newest `limit` host-metrics samples of a target the actor may see, newest first (at
/// most [`crate::deployments::KEEP_METRICS`], all the hub keeps).
pub async fn metrics(
    services: &Services,
    actor: &Actor,
    id: DeploymentTargetId,
    limit: u64,
) -> Result<Vec<MetricSample>> {
    let found = find_visible(&services.db, actor, id).await?;
    let rows = repo::targets::metrics(
        &services.db,
        found.id,
        limit.min(crate::deployments::KEEP_METRICS),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|m| MetricSample {
            cpu_percent: m.cpu_percent,
            cpu_cores: m.cpu_cores,
            memory_used_bytes: m.memory_used_bytes,
            memory_total_bytes: m.memory_total_bytes,
            at: m.at,
        })
        .collect())
}

/// Issues a new enrolment secret; the old one stops working. The agent's credential stays
/// (use [`delete`] to cut an agent off), even when its agent enrols while the secret is being
/// replaced: only the secret's columns are written.
pub async fn rotate_secret(
    s: &Services,
    actor: &Actor,
    id: DeploymentTargetId,
    now: DateTime<Utc>,
) -> Result<IssuedTarget> {
    let found = find_visible(&s.db, actor, id).await?;
    require_write(actor, "rotate enrolment secrets")?;
    let secret = tokens::generate();
    let replaced = repo::targets::replace_secret(
        &s.db,
        found.organization_id,
        found.id,
        &tokens::hash(&secret),
        now,
    )
    .await?;
    let gone = || Error::NotFound {
        what: "deployment target",
    };
    if !replaced {
        return Err(gone());
    }
    let saved = repo::targets::find_any(&s.db, found.id)
        .await?
        .ok_or_else(gone)?;
    Ok(IssuedTarget {
        target: saved.into(),
        secret,
    })
}

/// Deletes a target with its deployments' records; its agent's credential dies with it and
/// its open connection is closed at once.
pub async fn delete(s: &Services, actor: &Actor, id: DeploymentTargetId) -> Result<()> {
    let found = find_visible(&s.db, actor, id).await?;
    require_write(actor, "delete deployment targets")?;
    repo::targets::delete(&s.db, found.id).await?;
    s.agents.send(id, AgentCommand::Disconnect);
    s.agents
        .publish(event(&found, EventKind::TargetChanged { target_id: id }));
    Ok(())
}

/// Trades a target's one-time enrolment secret for the agent's credential. `None` for an
/// unknown target or a wrong, used or rotated secret (the same answer for all, so targets
/// cannot be probed). The credential is stored by an update conditional on the secret still
/// being there, so of agents racing with one secret exactly one wins, on SQLite and PostgreSQL.
pub async fn enroll(
    s: &Services,
    target: DeploymentTargetId,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let Some(found) = repo::targets::find_any(&s.db, target.0).await? else {
        return Ok(None);
    };
    let offered = tokens::hash(secret);
    let matches = found
        .secret_hash
        .as_deref()
        .is_some_and(|stored| constant_time_eq(stored, &offered));
    if !matches {
        return Ok(None);
    }
    let credential = format!("{AGENT_CREDENTIAL_PREFIX}{}", tokens::generate());
    let won =
        repo::targets::claim_enrolment(&s.db, found.id, &offered, &tokens::hash(&credential), now)
            .await?;
    Ok(won.then_some(credential))
}

/// The target whose agent holds `credential`, if any.
pub async fn authenticate_agent(
    services: &Services,
    credential: &str,
) -> Result<Option<(Target, Uuid)>> {
    Ok(
        repo::targets::find_by_credential(&services.db, &tokens::hash(credential))
            .await?
            .map(|r| {
                let organization = r.organization_id;
                (Target::from(r), organization)
            }),
    )
}

/// The registry principal of the agent holding `credential`, if any (the agent pulls its
/// deployments' images from the hub's registry with the same credential).
pub async fn registry_principal(
    services: &Services,
    credential: &str,
) -> Result<Option<crate::registry::access::RegistryPrincipal>> {
    Ok(
        repo::targets::find_by_credential(&services.db, &tokens::hash(credential))
            .await?
            .map(|r| crate::registry::access::RegistryPrincipal::Agent(agent_principal(&r))),
    )
}

/// The registry principal of a target's agent.
pub(crate) fn agent_principal(r: &row::Model) -> crate::registry::access::AgentPrincipal {
    crate::registry::access::AgentPrincipal {
        target_id: r.id.into(),
        organization_id: r.organization_id.into(),
        customer_organization_id: r.customer_organization_id.map(Into::into),
    }
}

/// Records an agent's `hello` (its version) or a sign of life.
pub async fn record_seen(
    s: &Services,
    target: DeploymentTargetId,
    agent_version: Option<&str>,
    at: DateTime<Utc>,
) -> Result<()> {
    repo::targets::set_seen(&s.db, target.0, agent_version, at).await
}

/// Publishes that a target's agent connected (`online`) or went away.
pub async fn publish_presence(
    s: &Services,
    target: DeploymentTargetId,
    online: bool,
) -> Result<()> {
    if let Some(r) = repo::targets::find_any(&s.db, target.0).await? {
        let kind = if online {
            EventKind::TargetOnline { target_id: target }
        } else {
            EventKind::TargetOffline { target_id: target }
        };
        s.agents.publish(event(&r, kind));
    }
    Ok(())
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(enrolled: bool, created: DateTime<Utc>, seen: Option<DateTime<Utc>>) -> Target {
        Target {
            id: DeploymentTargetId::new(),
            customer_organization_id: None,
            name: "edge".into(),
            enrolled,
            agent_version: Some("0.1.0".into()),
            last_seen_at: seen,
            created_at: created,
        }
    }

    #[test]
    fn a_target_is_stale_after_a_day_unheard_or_a_day_unenrolled() {
        let now = Utc::now();
        let hours = chrono::TimeDelta::hours;
        // Never enrolled: fresh for a day, then stale.
        assert!(!target(false, now - hours(23), None).is_stale(None, now));
        assert!(target(false, now - hours(25), None).is_stale(None, now));
        // Enrolled: judged by when it was last heard from.
        let old = now - hours(100);
        assert!(!target(true, old, Some(now - hours(2))).is_stale(None, now));
        assert!(target(true, old, Some(now - hours(25))).is_stale(None, now));
        // A connected agent's in-memory presence beats an old stored time.
        assert!(!target(true, old, Some(now - hours(25))).is_stale(Some(now), now));
    }

    #[test]
    fn an_agent_is_outdated_only_when_it_reported_another_version() {
        let t = target(true, Utc::now(), None);
        assert!(!t.agent_outdated("0.1.0"));
        assert!(t.agent_outdated("0.2.0"));
        let silent = Target {
            agent_version: None,
            ..t
        };
        assert!(!silent.agent_outdated("0.2.0"));
    }
}
