//! Deployments in both portals: the deploy form of a target (only what the licenses allow),
//! deploying, a deployment's page (state, history, logs, "open application") and its actions:
//! update to another version, force restart, undeploy.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A version offered in a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionOption {
    /// `<application id>/<version id>`, the form's value.
    pub value: String,
    /// The application's name.
    pub application: String,
    /// The version's name.
    pub name: String,
    /// Its channel.
    pub channel: String,
    /// Empty when it may be deployed now; otherwise why not.
    pub denied: String,
    /// Whether it is below its channel's required minimum.
    pub below_minimum: bool,
    /// Whether a newer version exists on its channel.
    pub behind_latest: bool,
    /// The env template that pre-fills the form.
    pub env_template: String,
}

/// The deploy form of one target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployChoices {
    /// The target's id.
    pub target_id: String,
    /// The target's name.
    pub target_name: String,
    /// Whether its agent is connected now.
    pub online: bool,
    /// Every version the catalogue lists, deployable or not (with the reason).
    pub versions: Vec<VersionOption>,
}

/// One status report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRow {
    /// The state.
    pub state: types::protocol::DeploymentState,
    /// The agent's message.
    pub message: String,
    /// When it was observed.
    pub at: String,
    /// The first 8 characters of the revision it concerns.
    pub revision: String,
    /// "×3, last 2026-12-04 10:00:00 UTC" when the agent reported it more than once in a row.
    pub repeated: Option<String>,
}

/// A deployment's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentView {
    /// Its id.
    pub id: String,
    /// The target's id.
    pub target_id: String,
    /// The target's name.
    pub target_name: String,
    /// Whether the target's agent is connected now.
    pub target_online: bool,
    /// The application's name.
    pub application: String,
    /// The current version's name.
    pub version: String,
    /// Its channel.
    pub channel: String,
    /// The newest version of the channel, when newer than the current one.
    pub latest: Option<String>,
    /// Whether the current version is below the channel's minimum.
    pub below_minimum: bool,
    /// The first 8 characters of the current revision.
    pub revision: String,
    /// The force-restart counter.
    pub restart_generation: i64,
    /// The Compose project name on the host.
    pub project: String,
    /// What to show of its state (pending before the agent said anything; undeploying once
    /// asked).
    pub state: types::protocol::ShownState,
    /// The agent's latest message.
    pub message: String,
    /// Status history, newest first.
    pub history: Vec<StatusRow>,
    /// Whether container logs are collected.
    pub logs_enabled: bool,
    /// Whether the agent brings back containers stopped or removed by hand.
    pub repair_drift: bool,
    /// Log lines, oldest first: `time service line`.
    pub logs: Vec<String>,
    /// The rendered "open application" link, if the version has a template.
    pub link: Option<String>,
    /// Whether an undeploy was asked for.
    pub undeploying: bool,
    /// Whether the agent reported it undeployed.
    pub undeployed: bool,
    /// Whether the caller may change it.
    pub can_write: bool,
}

#[cfg(feature = "ssr")]
mod convert {
    use super::*;
    use service::customer_catalog::Entry;

    /// The form's options from the catalogue entries.
    pub(super) fn options(entries: Vec<Entry>) -> Vec<VersionOption> {
        let mut out = Vec::new();
        for e in entries {
            for offer in e.versions {
                let latest = e
                    .channels
                    .iter()
                    .find(|c| c.name == offer.version.channel)
                    .and_then(|c| c.latest.clone());
                let env_template = match &offer.version.package {
                    service::versions::Package::Compose { env_template, .. } => {
                        env_template.clone().unwrap_or_default()
                    }
                    service::versions::Package::Helm { .. } => String::new(),
                };
                out.push(VersionOption {
                    value: format!("{}/{}", e.application.id, offer.version.id),
                    application: e.application.name.clone(),
                    name: offer.version.name.clone(),
                    channel: offer.version.channel.to_string(),
                    denied: offer.deployable.err().unwrap_or_default(),
                    below_minimum: offer.requires_update,
                    behind_latest: latest.is_some_and(|l| l.sequence > offer.version.sequence),
                    env_template,
                });
            }
        }
        out
    }

    /// Splits a form's `<application id>/<version id>`.
    pub(super) fn parse_choice(
        value: &str,
    ) -> Result<(types::ApplicationId, types::ApplicationVersionId), AppError> {
        let invalid = || AppError::Invalid {
            field: "version".into(),
            message: "Choose a version from the list.".into(),
        };
        let (application, version) = value.trim().split_once('/').ok_or_else(invalid)?;
        Ok((
            application.parse().map_err(|_| invalid())?,
            version.parse().map_err(|_| invalid())?,
        ))
    }

    /// The KEY=VALUE lines of an env file, for rendering the link template.
    pub(super) fn env_map(env: &str) -> std::collections::BTreeMap<String, String> {
        env.lines()
            .map(str::trim)
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect()
    }

    /// Where a deployment's page is, in the caller's portal.
    pub(super) fn page_path(actor: &service::auth::Actor, id: types::DeploymentId) -> String {
        if actor.is_vendor() {
            format!("/deployments/{id}")
        } else {
            format!("/portal/deployments/{id}")
        }
    }
}

/// The deploy form of a target: every version its catalogue lists, each saying whether it may
/// be deployed now and, if not, why.
#[server(prefix = "/_fn", endpoint = "deploy_form")]
pub async fn deploy_form(target: String) -> Result<DeployChoices, AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&target, "Deployment target")?;
    let found = service::targets::get(&services, &actor, id).await?;
    let entries =
        service::deploy_options::for_target(&services, &actor, id, chrono::Utc::now()).await?;
    Ok(DeployChoices {
        target_id: found.id.to_string(),
        target_name: found.name,
        online: services.agents.presence(id).is_some(),
        versions: convert::options(entries),
    })
}

/// Deploys `version` (`<application id>/<version id>`) to `target` with `env` (empty: the
/// version's template), with `logs` set, container logs collected, and with `drift` `report`,
/// drift only reported (else repaired); then goes to the new deployment's page.
#[server(prefix = "/_fn", endpoint = "deploy_version")]
pub async fn deploy_version(
    target: String,
    #[server(default)] version: String,
    #[server(default)] env: String,
    #[server(default)] logs: Option<String>,
    #[server(default)] drift: String,
) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let repair_drift = match drift.as_str() {
        "" | "repair" => true,
        "report" => false,
        _ => {
            return Err(AppError::Invalid {
                field: "drift".into(),
                message: "choose `repair` or `report`".into(),
            });
        }
    };
    let target_id = super::parse_id(&target, "Deployment target")?;
    let (application_id, version_id) = convert::parse_choice(&version)?;
    let env = env.replace("\r\n", "\n");
    let created = service::deployments::create(
        &services,
        &actor,
        service::deployments::NewDeployment {
            target_id,
            application_id,
            version_id,
            env: (!env.trim().is_empty()).then_some(env),
            logs_enabled: logs.is_some(),
            repair_drift,
        },
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect(&convert::page_path(&actor, created.id));
    Ok(())
}

/// A deployment's page: state, history, logs, link.
#[server(prefix = "/_fn", endpoint = "deployment_page")]
pub async fn deployment_page(id: String) -> Result<DeploymentView, AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "Deployment")?;
    let d = service::deployments::get(&services, &actor, id).await?;
    let target = service::targets::get(&services, &actor, d.target_id).await?;
    let standing = service::fleet::standing(&services, &actor, &d).await?;
    let history = service::deployments::statuses(&services, &actor, id, 50).await?;
    let logs = if d.logs_enabled {
        service::deployments::logs(&services, &actor, id, 200).await?
    } else {
        Vec::new()
    };
    let link =
        standing.version.link_template.as_deref().and_then(|t| {
            service::catalog::templates::render_link(t, &convert::env_map(&d.env)).ok()
        });
    let time = super::targets::convert::time;
    let state = d.shown_state();
    Ok(DeploymentView {
        id: d.id.to_string(),
        target_id: target.id.to_string(),
        target_online: services.agents.presence(target.id).is_some(),
        target_name: target.name,
        application: standing.application,
        version: standing.version.name.clone(),
        channel: standing.version.channel.to_string(),
        latest: standing
            .latest
            .filter(|_| standing.behind_latest)
            .map(|l| l.name),
        below_minimum: standing.below_minimum,
        revision: d.revision_id.to_string()[..8].to_string(),
        restart_generation: d.restart_generation,
        project: d.project_name,
        state,
        message: d.status.map(|s| s.message).unwrap_or_default(),
        history: history
            .into_iter()
            .map(|s| StatusRow {
                revision: s
                    .revision_id
                    .map(|r| r.to_string()[..8].to_string())
                    .unwrap_or_default(),
                state: s.state,
                message: s.message,
                at: time(s.at),
                repeated: (s.repeats > 1).then(|| {
                    format!(
                        "×{}, last {}",
                        s.repeats,
                        s.last_at.map(time).unwrap_or_default()
                    )
                }),
            })
            .collect(),
        logs_enabled: d.logs_enabled,
        repair_drift: d.repair_drift,
        logs: logs
            .into_iter()
            .rev()
            .map(|l| format!("{} {} {}", l.at.format("%H:%M:%S"), l.service, l.line))
            .collect(),
        link,
        undeploying: d.undeploy_requested_at.is_some(),
        undeployed: d.undeployed_at.is_some(),
        can_write: actor.role.can_write(),
    })
}

/// What a deployment's actions offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentChoices {
    /// The deployment's id.
    pub id: String,
    /// Its current version's name.
    pub current: String,
    /// Whether the caller may change it and it is not being undeployed.
    pub changeable: bool,
    /// The versions of its application, each with whether it may be deployed now.
    pub options: Vec<VersionOption>,
}

/// The versions a deployment can be updated to (same application), each with whether it may
/// be deployed now and, if not, why.
#[server(prefix = "/_fn", endpoint = "deployment_versions")]
pub async fn deployment_versions(id: String) -> Result<DeploymentChoices, AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "Deployment")?;
    let d = service::deployments::get(&services, &actor, id).await?;
    let entries =
        service::deploy_options::for_target(&services, &actor, d.target_id, chrono::Utc::now())
            .await?
            .into_iter()
            .filter(|e| e.application.id == d.application_id)
            .collect();
    let current = service::fleet::standing(&services, &actor, &d)
        .await?
        .version
        .name;
    Ok(DeploymentChoices {
        id: d.id.to_string(),
        current,
        changeable: actor.role.can_write() && d.undeploy_requested_at.is_none(),
        options: convert::options(entries),
    })
}

/// Updates a deployment to another version (`<application id>/<version id>`).
#[server(prefix = "/_fn", endpoint = "update_deployment")]
pub async fn update_deployment(
    id: String,
    #[server(default)] version: String,
) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "Deployment")?;
    let (_, version_id) = convert::parse_choice(&version)?;
    service::deployments::update(
        &services,
        &actor,
        id,
        service::deployments::DeploymentUpdate {
            version_id: Some(version_id),
            ..Default::default()
        },
        chrono::Utc::now(),
    )
    .await?;
    Ok(())
}

/// Force restart: the agent recreates every container.
#[server(prefix = "/_fn", endpoint = "restart_deployment")]
pub async fn restart_deployment(id: String) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "Deployment")?;
    service::deployments::restart(&services, &actor, id, chrono::Utc::now()).await?;
    Ok(())
}

/// Undeploys: containers stop and go; volumes too only with `delete_data` ticked.
#[server(prefix = "/_fn", endpoint = "undeploy_deployment")]
pub async fn undeploy_deployment(
    id: String,
    #[server(default)] delete_data: Option<String>,
) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "Deployment")?;
    service::deployments::undeploy(
        &services,
        &actor,
        id,
        delete_data.is_some(),
        chrono::Utc::now(),
    )
    .await?;
    Ok(())
}
