//! Deployments: one application installed on one target, changed only by adding immutable
//! revisions (deploy, update, force restart), and undeployed on request. Every change pushes
//! the target's new desired state to its agent at once through the agent hub.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use types::protocol::{DeploymentState, ShownState};
use types::{ApplicationId, ApplicationVersionId, DeploymentId, DeploymentTargetId, RevisionId};
use uuid::Uuid;

use crate::agent_hub::{AgentCommand, EventKind};
use crate::auth::Actor;
use crate::entity::{deployment as row, deployment_revision as revision};
use crate::secrets::SecretScope;
use crate::versions::{Package, Version};
use crate::{Error, Result, Services, applications, env_file, repo, targets, versions};

/// How many statuses, log lines and metrics samples the hub keeps (the oldest go first).
pub const KEEP_STATUSES: u64 = 200;
/// See [`KEEP_STATUSES`].
pub const KEEP_LOG_LINES: u64 = 5000;
/// See [`KEEP_STATUSES`] (24 hours at one sample every 30 s).
pub const KEEP_METRICS: u64 = 2880;

/// A deployment with its current revision and latest status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployment {
    /// Its id.
    pub id: DeploymentId,
    /// Its target.
    pub target_id: DeploymentTargetId,
    /// Its application.
    pub application_id: ApplicationId,
    /// The Compose project name on the host.
    pub project_name: String,
    /// The license that allowed the current revision (customer targets).
    pub license_id: Option<Uuid>,
    /// Whether container logs are streamed.
    pub logs_enabled: bool,
    /// Whether the agent brings back containers stopped or removed by hand (else it only
    /// reports the drift).
    pub repair_drift: bool,
    /// The current revision.
    pub revision_id: RevisionId,
    /// The version of the current revision.
    pub version_id: ApplicationVersionId,
    /// The env file as written (placeholders unrendered, so no secret value).
    pub env: String,
    /// The force-restart counter.
    pub restart_generation: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When an undeploy was asked for.
    pub undeploy_requested_at: Option<DateTime<Utc>>,
    /// Whether the undeploy deletes volumes.
    pub delete_data: bool,
    /// When the agent reported it undeployed.
    pub undeployed_at: Option<DateTime<Utc>>,
    /// The latest status the agent reported.
    pub status: Option<StatusEntry>,
}

impl Deployment {
    /// What the portals show: the agent's confirmation of an undeploy, else an undeploy still
    /// waiting for it, else the latest report, else pending.
    pub fn shown_state(&self) -> ShownState {
        shown_state(
            self.status.as_ref().map(|s| s.state),
            self.undeploy_requested_at.is_some() && self.undeployed_at.is_none(),
        )
    }
}

/// What the portals show of a deployment whose latest report is `reported` and that is
/// `undeploying` (asked to, not yet confirmed): see [`Deployment::shown_state`].
pub fn shown_state(reported: Option<DeploymentState>, undeploying: bool) -> ShownState {
    match reported {
        Some(DeploymentState::Undeployed) => ShownState::Reported(DeploymentState::Undeployed),
        _ if undeploying => ShownState::Undeploying,
        Some(state) => ShownState::Reported(state),
        None => ShownState::Pending,
    }
}

/// One status report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusEntry {
    /// The revision it concerns, when the agent said.
    pub revision_id: Option<RevisionId>,
    /// The state.
    pub state: DeploymentState,
    /// The agent's message.
    pub message: String,
    /// When the agent observed it (first, when repeated).
    pub at: DateTime<Utc>,
    /// How many times in a row the agent reported it.
    pub repeats: u32,
    /// When it was last reported, if more than once.
    pub last_at: Option<DateTime<Utc>>,
}

/// One container log line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// The Compose service.
    pub service: String,
    /// `stdout` or `stderr`.
    pub stream: String,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// The line, secret values masked.
    pub line: String,
}

/// What a user fills in to deploy.
#[derive(Clone, Debug)]
pub struct NewDeployment {
    /// The target.
    pub target_id: DeploymentTargetId,
    /// The application.
    pub application_id: ApplicationId,
    /// The version.
    pub version_id: ApplicationVersionId,
    /// The env file; `None` takes the version's env template.
    pub env: Option<String>,
    /// Whether to stream container logs.
    pub logs_enabled: bool,
    /// Whether the agent repairs drift (see [`Deployment::repair_drift`]).
    pub repair_drift: bool,
}

/// What an update changes; `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct DeploymentUpdate {
    /// A new version.
    pub version_id: Option<ApplicationVersionId>,
    /// A new env file.
    pub env: Option<String>,
    /// Turn log streaming on or off.
    pub logs_enabled: Option<bool>,
    /// Turn drift repair on or off.
    pub repair_drift: Option<bool>,
}

/// A stored status, its state parsed (the hub only ever stores [`DeploymentState::as_str`]).
fn status_entry(r: crate::entity::deployment_status::Model) -> Result<StatusEntry> {
    let state = DeploymentState::parse(&r.state).ok_or_else(|| {
        Error::Database(sea_orm::DbErr::Custom(format!(
            "a status of deployment {} has the unknown state {:?}",
            r.deployment_id, r.state
        )))
    })?;
    Ok(StatusEntry {
        revision_id: r.revision_id.map(Into::into),
        state,
        message: r.message,
        at: r.at,
        repeats: u32::try_from(r.repeats).unwrap_or(1).max(1),
        last_at: r.last_at,
    })
}

async fn hydrate(db: &impl ConnectionTrait, d: row::Model) -> Result<Deployment> {
    let rev = repo::deployments::latest_revision(db, d.id).await?;
    let status = repo::deployments::statuses(db, d.id, 1)
        .await?
        .into_iter()
        .next()
        .map(status_entry)
        .transpose()?;
    assemble(d, rev, status)
}

/// [`hydrate`] for many deployments in a fixed number of queries (two), whatever their
/// number; in the order given.
pub(crate) async fn hydrate_many(
    db: &impl ConnectionTrait,
    rows: Vec<row::Model>,
) -> Result<Vec<Deployment>> {
    use std::collections::HashMap;
    let ids: Vec<Uuid> = rows.iter().map(|d| d.id).collect();
    let mut revisions: HashMap<Uuid, revision::Model> = HashMap::new();
    for r in repo::deployments::latest_revisions(db, &ids).await? {
        match revisions.get(&r.deployment_id) {
            Some(kept) if kept.restart_generation >= r.restart_generation => {}
            _ => {
                revisions.insert(r.deployment_id, r);
            }
        }
    }
    let mut statuses: HashMap<Uuid, crate::entity::deployment_status::Model> = HashMap::new();
    for st in repo::deployments::latest_statuses(db, &ids).await? {
        match statuses.get(&st.deployment_id) {
            Some(kept) if (kept.at, kept.id) >= (st.at, st.id) => {}
            _ => {
                statuses.insert(st.deployment_id, st);
            }
        }
    }
    rows.into_iter()
        .map(|d| {
            let rev = revisions.remove(&d.id);
            let status = statuses.remove(&d.id).map(status_entry).transpose()?;
            assemble(d, rev, status)
        })
        .collect()
}

/// A deployment from its row, current revision and latest status.
fn assemble(
    d: row::Model,
    rev: Option<revision::Model>,
    status: Option<StatusEntry>,
) -> Result<Deployment> {
    let rev = rev.ok_or_else(|| {
        Error::Database(sea_orm::DbErr::Custom(format!(
            "deployment {} has no revision",
            d.id
        )))
    })?;
    Ok(Deployment {
        id: d.id.into(),
        target_id: d.deployment_target_id.into(),
        application_id: d.application_id.into(),
        project_name: d.project_name,
        license_id: d.license_id,
        logs_enabled: d.logs_enabled,
        repair_drift: d.repair_drift,
        revision_id: rev.id.into(),
        version_id: rev.application_version_id.into(),
        env: rev.env_values,
        restart_generation: rev.restart_generation,
        created_at: d.created_at,
        undeploy_requested_at: d.undeploy_requested_at,
        delete_data: d.delete_data,
        undeployed_at: d.undeployed_at,
        status,
    })
}

/// The secret scope a target's deployments render from.
pub(crate) fn scope_of(target: &crate::entity::deployment_target::Model) -> SecretScope {
    match target.customer_organization_id {
        Some(customer) => SecretScope::Customer(customer.into()),
        None => SecretScope::Vendor,
    }
}

/// Checks that the actor may deploy `version` of `application` to `target` now; returns the
/// version and, for a customer target, the license that allows it.
async fn check_version(
    db: &impl ConnectionTrait,
    actor: &Actor,
    target: &crate::entity::deployment_target::Model,
    application: ApplicationId,
    version: ApplicationVersionId,
    now: DateTime<Utc>,
) -> Result<(Version, Option<Uuid>)> {
    let app = applications::get_in(db, actor, application).await?;
    let found: Version = repo::versions::find(db, app.id.0, version.0)
        .await?
        .ok_or(Error::NotFound { what: "version" })?
        .try_into()?;
    if !matches!(found.package, Package::Compose { .. }) {
        return Err(Error::invalid(
            "applicationId",
            "only Docker Compose applications can be deployed to an agent target",
        ));
    }
    let license = match target.customer_organization_id {
        Some(customer) => {
            // A vendor acting for the customer is held to the customer's licenses.
            let as_customer = Actor {
                customer_organization_id: Some(customer.into()),
                ..actor.clone()
            };
            Some(
                versions::check_deployable_in(db, &as_customer, app.id, version, now)
                    .await?
                    .id
                    .0,
            )
        }
        None => {
            if found.archived_at.is_some() || app.archived_at.is_some() {
                return Err(Error::invalid(
                    "versionId",
                    format!("version {} is archived: choose another", found.name),
                ));
            }
            None
        }
    };
    Ok((found, license))
}

fn require_write(actor: &Actor) -> Result<()> {
    if actor.role.can_write() {
        Ok(())
    } else {
        Err(Error::Forbidden {
            action: "manage deployments",
        })
    }
}

/// A Compose project name from the application's name and the deployment id: readable on the
/// host, unique, and within the Compose rules.
fn project_name(application: &str, id: DeploymentId) -> String {
    let mut slug = String::new();
    for c in application.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.truncate(40);
    let slug = slug.trim_end_matches('-');
    let suffix = &id.0.simple().to_string()[..8];
    if slug.is_empty() {
        format!("app-{suffix}")
    } else {
        format!("{slug}-{suffix}")
    }
}

/// Deploys a version to a target (the first revision), and tells the agent at once.
pub async fn create(
    s: &Services,
    actor: &Actor,
    new: NewDeployment,
    now: DateTime<Utc>,
) -> Result<Deployment> {
    let target = targets::find_visible(&s.db, actor, new.target_id).await?;
    require_write(actor)?;
    let (version, license) = check_version(
        &s.db,
        actor,
        &target,
        new.application_id,
        new.version_id,
        now,
    )
    .await?;
    let env = match (new.env, &version.package) {
        (Some(env), _) => env,
        (None, Package::Compose { env_template, .. }) => env_template.clone().unwrap_or_default(),
        (None, Package::Helm { .. }) => String::new(),
    };
    let secrets = crate::secrets::values(
        &s.db,
        &s.secrets_key,
        target.organization_id,
        scope_of(&target),
    )
    .await?;
    env_file::check(&env, &secrets)?;
    let app = applications::get(s, actor, new.application_id).await?;
    let id = DeploymentId::new();
    let txn = crate::db::begin_writer(&s.db).await?;
    let saved = repo::deployments::insert(
        &txn,
        row::Model {
            id: id.0,
            deployment_target_id: target.id,
            application_id: app.id.0,
            project_name: project_name(app.name.as_str(), id),
            license_id: license,
            logs_enabled: new.logs_enabled,
            repair_drift: new.repair_drift,
            created_at: now,
            undeploy_requested_at: None,
            delete_data: false,
            undeployed_at: None,
            // Written with the revision below.
            reported_state: None,
            reported_at: None,
            running_version_id: None,
            revised_at: None,
        },
    )
    .await?;
    repo::deployments::insert_revision(
        &txn,
        revision::Model {
            id: RevisionId::new().0,
            deployment_id: id.0,
            application_version_id: version.id.0,
            env_values: env,
            restart_generation: 0,
            created_at: now,
        },
    )
    .await?;
    txn.commit().await?;
    changed(s, &target, id);
    hydrate(&s.db, saved).await
}

/// The deployment row the actor may see, with its target.
async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: DeploymentId,
) -> Result<(row::Model, crate::entity::deployment_target::Model)> {
    let not_found = || Error::NotFound { what: "deployment" };
    let found = repo::deployments::find(db, id.0)
        .await?
        .ok_or_else(not_found)?;
    let target = targets::find_visible(db, actor, found.deployment_target_id.into())
        .await
        .map_err(|_| not_found())?;
    Ok((found, target))
}

fn changed(s: &Services, target: &crate::entity::deployment_target::Model, id: DeploymentId) {
    s.agents
        .send(target.id.into(), AgentCommand::DesiredStateChanged);
    s.agents.publish(targets::event(
        target,
        EventKind::DeploymentChanged { deployment_id: id },
    ));
}

fn require_active(d: &row::Model) -> Result<()> {
    if d.undeploy_requested_at.is_some() {
        Err(Error::invalid(
            "deploymentId",
            "this deployment is being undeployed: deploy anew instead",
        ))
    } else {
        Ok(())
    }
}

/// Updates a deployment to a new version and/or env file (a new revision, license checked
/// again), or only turns logs on or off.
pub async fn update(
    s: &Services,
    actor: &Actor,
    id: DeploymentId,
    change: DeploymentUpdate,
    now: DateTime<Utc>,
) -> Result<Deployment> {
    let (mut found, target) = find_visible(&s.db, actor, id).await?;
    require_write(actor)?;
    require_active(&found)?;
    let current = hydrate(&s.db, found.clone()).await?;
    let txn = crate::db::begin_writer(&s.db).await?;
    if change.version_id.is_some() || change.env.is_some() {
        let version_id = change.version_id.unwrap_or(current.version_id);
        let (version, license) = check_version(
            &txn,
            actor,
            &target,
            current.application_id,
            version_id,
            now,
        )
        .await?;
        let env = change.env.unwrap_or(current.env);
        let secrets = crate::secrets::values(
            &txn,
            &s.secrets_key,
            target.organization_id,
            scope_of(&target),
        )
        .await?;
        env_file::check(&env, &secrets)?;
        repo::deployments::insert_revision(
            &txn,
            revision::Model {
                id: RevisionId::new().0,
                deployment_id: found.id,
                application_version_id: version.id.0,
                env_values: env,
                restart_generation: current.restart_generation,
                created_at: now,
            },
        )
        .await?;
        found.license_id = license;
    }
    if let Some(logs) = change.logs_enabled {
        found.logs_enabled = logs;
    }
    if let Some(repair) = change.repair_drift {
        found.repair_drift = repair;
    }
    let saved = repo::deployments::update(&txn, found).await?;
    txn.commit().await?;
    changed(s, &target, id);
    hydrate(&s.db, saved).await
}

/// Force restart: a new revision with the same version and env and a higher restart
/// generation, so the agent recreates every container.
pub async fn restart(
    s: &Services,
    actor: &Actor,
    id: DeploymentId,
    now: DateTime<Utc>,
) -> Result<Deployment> {
    let (found, target) = find_visible(&s.db, actor, id).await?;
    require_write(actor)?;
    require_active(&found)?;
    let current = hydrate(&s.db, found.clone()).await?;
    repo::deployments::insert_revision(
        &s.db,
        revision::Model {
            id: RevisionId::new().0,
            deployment_id: found.id,
            application_version_id: current.version_id.0,
            env_values: current.env,
            restart_generation: current.restart_generation + 1,
            created_at: now,
        },
    )
    .await?;
    changed(s, &target, id);
    hydrate(&s.db, found).await
}

/// Asks the agent to undeploy: stop and remove the containers, and the volumes only with
/// `delete_data`. The deployment stays in the desired state's `undeploy` list until the agent
/// reports `undeployed`.
pub async fn undeploy(
    s: &Services,
    actor: &Actor,
    id: DeploymentId,
    delete_data: bool,
    now: DateTime<Utc>,
) -> Result<Deployment> {
    let (mut found, target) = find_visible(&s.db, actor, id).await?;
    require_write(actor)?;
    if found.undeploy_requested_at.is_none() {
        found.undeploy_requested_at = Some(now);
    }
    found.delete_data |= delete_data;
    let saved = repo::deployments::update(&s.db, found).await?;
    changed(s, &target, id);
    hydrate(&s.db, saved).await
}

/// The deployments the actor may see, optionally on one target only.
pub async fn list(
    services: &Services,
    actor: &Actor,
    target: Option<DeploymentTargetId>,
) -> Result<Vec<Deployment>> {
    let target_ids: Vec<Uuid> = match target {
        Some(id) => vec![targets::find_visible(&services.db, actor, id).await?.id],
        None => targets::list(services, actor)
            .await?
            .into_iter()
            .map(|t| t.id.0)
            .collect(),
    };
    let rows = repo::deployments::list_on(&services.db, &target_ids).await?;
    hydrate_many(&services.db, rows).await
}

/// One deployment the actor may see.
pub async fn get(services: &Services, actor: &Actor, id: DeploymentId) -> Result<Deployment> {
    let (found, _) = find_visible(&services.db, actor, id).await?;
    hydrate(&services.db, found).await
}

/// The newest `limit` statuses of a deployment, newest first.
pub async fn statuses(
    services: &Services,
    actor: &Actor,
    id: DeploymentId,
    limit: u64,
) -> Result<Vec<StatusEntry>> {
    find_visible(&services.db, actor, id).await?;
    repo::deployments::statuses(&services.db, id.0, limit.min(KEEP_STATUSES))
        .await?
        .into_iter()
        .map(status_entry)
        .collect()
}

/// The newest `limit` log lines of a deployment, newest first.
pub async fn logs(
    services: &Services,
    actor: &Actor,
    id: DeploymentId,
    limit: u64,
) -> Result<Vec<LogEntry>> {
    find_visible(&services.db, actor, id).await?;
    Ok(
        repo::deployments::logs(&services.db, id.0, limit.min(KEEP_LOG_LINES))
            .await?
            .into_iter()
            .map(|r| LogEntry {
                service: r.service,
                stream: r.stream,
                at: r.at,
                line: r.line,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_are_valid_for_compose_whatever_the_application_is_called() {
        let id = DeploymentId::new();
        for name in ["Shop", "Über Shop!!", "", "a".repeat(100).as_str(), "--x--"] {
            let project = project_name(name, id);
            assert!(
                types::protocol::is_valid_project_name(&project),
                "{project}"
            );
        }
        assert!(project_name("My Shop", id).starts_with("my-shop-"));
    }
}
