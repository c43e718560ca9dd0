//! What the hub does for a connected agent: render its target's desired state, and keep what
//! it reports (statuses, container logs, host metrics) within the retention limits. Every
//! report is checked to concern the agent's own target.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use types::protocol::{
    DeploymentState, DesiredDeployment, DesiredState, HostMetrics, LogBatch, Sensitive,
    StatusReport, Undeploy,
};
use types::{DeploymentTargetId, LicenseId, OrganizationId, Role, UserId};
use uuid::Uuid;

use crate::agent_hub::EventKind;
use crate::auth::Actor;
use crate::deployments::{KEEP_LOG_LINES, KEEP_METRICS, KEEP_STATUSES, scope_of};
use crate::entity::{deployment_log, deployment_status, deployment_target, target_metric};
use crate::versions::{Package, Version};
use crate::{Error, Result, Services, env_file, licenses, repo, secrets, targets};

async fn target(s: &Services, id: DeploymentTargetId) -> Result<deployment_target::Model> {
    repo::targets::find_any(&s.db, id.0)
        .await?
        .ok_or(Error::NotFound {
            what: "deployment target",
        })
}

/// The whole desired state of a target. A deployment that cannot be rendered (a secret it
/// names was deleted since) is left out, and so left running as it is: only an explicit
/// undeploy removes anything.
pub async fn desired_state(s: &Services, id: DeploymentTargetId) -> Result<DesiredState> {
    let target = target(s, id).await?;
    let secret_values = secrets::values(
        &s.db,
        &s.secrets_key,
        target.organization_id,
        scope_of(&target),
    )
    .await?;
    let mut state = DesiredState::default();
    for d in repo::deployments::list_on(&s.db, &[target.id]).await? {
        if d.undeployed_at.is_some() {
            continue;
        }
        if d.undeploy_requested_at.is_some() {
            state.undeploy.push(Undeploy {
                deployment_id: d.id.into(),
                project_name: d.project_name,
                delete_data: d.delete_data,
            });
            continue;
        }
        let Some(rev) = repo::deployments::latest_revision(&s.db, d.id).await? else {
            continue;
        };
        let Some(version) = repo::versions::find_by_id(&s.db, rev.application_version_id).await?
        else {
            continue;
        };
        let Package::Compose { compose_file, .. } = Version::try_from(version)?.package else {
            continue;
        };
        let entitlements = match d.license_id {
            Some(license) => entitlement_env(s, target.organization_id, license).await?,
            None => BTreeMap::new(),
        };
        match env_file::render(&rev.env_values, &secret_values, &entitlements) {
            Ok(rendered) => state.deployments.push(DesiredDeployment {
                deployment_id: d.id.into(),
                revision_id: rev.id.into(),
                project_name: d.project_name,
                compose_file,
                env_file: Sensitive::new(rendered.text),
                restart_generation: u64::try_from(rev.restart_generation).unwrap_or(0),
                logs_enabled: d.logs_enabled,
                repair_drift: d.repair_drift,
                secret_keys: rendered.secret_keys,
                registry_auth: None,
            }),
            Err(err) => {
                tracing::warn!(deployment.id = %d.id, error = %err, "deployment left out of the desired state");
            }
        }
    }
    Ok(state)
}

async fn entitlement_env(
    s: &Services,
    organization: Uuid,
    license: Uuid,
) -> Result<BTreeMap<String, String>> {
    // The hub reads the license on the vendor's behalf: the agent is no signed-in person.
    let hub = Actor {
        user_id: UserId(Uuid::nil()),
        organization_id: OrganizationId(organization),
        role: Role::ReadOnly,
        customer_organization_id: None,
    };
    match licenses::get(s, &hub, LicenseId(license)).await {
        Ok(found) => Ok(found.entitlement_env()),
        Err(Error::NotFound { .. }) => Ok(BTreeMap::new()),
        Err(other) => Err(other),
    }
}

/// The deployment of this target that a report names, or a not-found error.
async fn own_deployment(
    s: &Services,
    target: DeploymentTargetId,
    deployment: Uuid,
) -> Result<crate::entity::deployment::Model> {
    repo::deployments::find(&s.db, deployment)
        .await?
        .filter(|d| d.deployment_target_id == target.0)
        .ok_or(Error::NotFound { what: "deployment" })
}

/// Keeps a status report (unless it repeats the latest one) and publishes it; `undeployed`
/// takes the deployment out of the desired state.
pub async fn record_status(
    s: &Services,
    target: DeploymentTargetId,
    report: StatusReport,
) -> Result<()> {
    let d = own_deployment(s, target, report.deployment_id.0).await?;
    let state = report.state.as_str().to_string();
    let message: String = report.message.chars().take(4000).collect();
    let latest = repo::deployments::statuses(&s.db, d.id, 1).await?;
    let repeat = latest.first().is_some_and(|l| {
        l.state == state && l.message == message && l.revision_id == report.revision_id.map(|r| r.0)
    });
    if let Some(previous) = latest.first().filter(|_| repeat) {
        // The same status again (a retry failing the same way): one row with a count, so the
        // kept history is not flooded and the cause stays in it. A report observed no later
        // than what is kept is the agent sending its snapshot again after a reconnect, not a
        // new observation: it changes nothing.
        let seen = previous.last_at.unwrap_or(previous.at);
        if report.observed_at > seen {
            let at = status_time(report.observed_at, Some(seen), Utc::now());
            repo::deployments::repeat_status(&s.db, previous.id, at).await?;
        }
    } else {
        let at = status_time(report.observed_at, latest.first().map(|l| l.at), Utc::now());
        repo::deployments::insert_status(
            &s.db,
            deployment_status::Model {
                id: Uuid::new_v4(),
                deployment_id: d.id,
                revision_id: report.revision_id.map(|r| r.0),
                state: state.clone(),
                message,
                at,
                repeats: 1,
                last_at: None,
            },
            KEEP_STATUSES,
        )
        .await?;
    }
    if report.state == DeploymentState::Undeployed {
        repo::deployments::set_undeployed(&s.db, d.id, Utc::now()).await?;
    }
    if !repeat {
        let t = self::target(s, target).await?;
        s.agents.publish(targets::event(
            &t,
            EventKind::StatusChanged {
                deployment_id: report.deployment_id,
                state,
            },
        ));
    }
    Ok(())
}

/// When a status counts as having happened. The agent's clock is only trusted within what the
/// hub saw: never later than the hub received it (a clock running ahead would otherwise pin the
/// deployment in that state until the clock caught up) and never before the status already
/// recorded (a clock stepped back would otherwise file the new state under the old one). Within
/// those bounds the agent's time stays, so statuses buffered while offline keep their times.
pub fn status_time(
    observed: DateTime<Utc>,
    previous: Option<DateTime<Utc>>,
    received: DateTime<Utc>,
) -> DateTime<Utc> {
    let at = observed.min(received);
    match previous {
        // One microsecond later: both databases keep microseconds, so the order stays strict.
        Some(previous) if at <= previous => previous + chrono::Duration::microseconds(1),
        _ => at,
    }
}

/// Keeps a batch of container log lines (when the deployment streams logs), with secret
/// values masked.
pub async fn record_logs(s: &Services, target: DeploymentTargetId, batch: LogBatch) -> Result<()> {
    let d = own_deployment(s, target, batch.deployment_id.0).await?;
    if !d.logs_enabled || batch.lines.is_empty() {
        return Ok(());
    }
    let t = self::target(s, target).await?;
    let values = secrets::values(&s.db, &s.secrets_key, t.organization_id, scope_of(&t)).await?;
    let rows = batch
        .lines
        .into_iter()
        .take(1000)
        .map(|l| deployment_log::Model {
            id: Uuid::new_v4(),
            deployment_id: d.id,
            service: l.service.chars().take(100).collect(),
            stream: match l.stream {
                types::protocol::LogStream::Stdout => "stdout".into(),
                types::protocol::LogStream::Stderr => "stderr".into(),
            },
            at: l.at,
            line: secrets::mask(
                &l.line.chars().take(8192).collect::<String>(),
                values.values(),
            ),
        })
        .collect();
    repo::deployments::insert_logs(&s.db, d.id, rows, KEEP_LOG_LINES).await
}

/// Keeps a host-metrics sample and tells the live pages showing the target's charts.
pub async fn record_metrics(
    s: &Services,
    target: DeploymentTargetId,
    m: HostMetrics,
) -> Result<()> {
    let clamp = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    repo::targets::insert_metric(
        &s.db,
        target_metric::Model {
            id: Uuid::new_v4(),
            deployment_target_id: target.0,
            cpu_percent: if m.cpu_percent.is_finite() {
                f64::from(m.cpu_percent.clamp(0.0, 100.0))
            } else {
                0.0
            },
            cpu_cores: i32::try_from(m.cpu_cores).unwrap_or(i32::MAX),
            memory_used_bytes: clamp(m.memory_used_bytes),
            memory_total_bytes: clamp(m.memory_total_bytes),
            at: m.at,
        },
        KEEP_METRICS,
    )
    .await?;
    s.agents.metrics_recorded(target);
    Ok(())
}

/// When an agent was last seen, to write at most once a minute per target (10,000 agents
/// heartbeating every 15 s would otherwise keep the database busy with little news).
pub fn due_for_last_seen(previous: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    previous.is_none_or(|p| now - p >= chrono::Duration::seconds(60))
}
