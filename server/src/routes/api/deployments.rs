//! `/api/v1/deployments`: applications installed on deployment targets. Every change adds an
//! immutable revision and is pushed to the target's agent at once; the agent's status reports
//! and (opt-in) container logs are kept and served here.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use service::deployments::{self, DeploymentUpdate, NewDeployment};
use types::{ApplicationId, ApplicationVersionId, DeploymentId, DeploymentTargetId, RevisionId};
use utoipa::{IntoParams, ToSchema};

use super::error::ErrorBody;
use super::params::{ApiPath, ApiQuery};
use super::{ApiError, ApiJson, Bearer};
use crate::state::AppState;

/// One status an agent reported.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStatus {
    /// The revision it concerns, when the agent knew it.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub revision_id: Option<RevisionId>,
    /// `progressing`, `running`, `healthy`, `error`, `stopped` or `undeployed`.
    pub state: types::protocol::DeploymentState,
    /// What the agent said (secret values masked).
    pub message: String,
    /// When the agent observed it (first, when repeated).
    pub at: DateTime<Utc>,
    /// How many times in a row the agent reported it (a retry failing the same way is one
    /// entry with a count).
    #[schema(minimum = 1)]
    pub repeats: u32,
    /// When it was last reported, when more than once.
    pub last_at: Option<DateTime<Utc>>,
}

impl From<deployments::StatusEntry> for DeploymentStatus {
    fn from(s: deployments::StatusEntry) -> Self {
        Self {
            revision_id: s.revision_id,
            state: s.state,
            message: s.message,
            at: s.at,
            repeats: s.repeats,
            last_at: s.last_at,
        }
    }
}

/// A deployment: one application on one target, at its current revision.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// Its id.
    #[schema(value_type = String, format = Uuid)]
    pub id: DeploymentId,
    /// Its target.
    #[schema(value_type = String, format = Uuid)]
    pub target_id: DeploymentTargetId,
    /// Its application.
    #[schema(value_type = String, format = Uuid)]
    pub application_id: ApplicationId,
    /// The version of the current revision.
    #[schema(value_type = String, format = Uuid)]
    pub version_id: ApplicationVersionId,
    /// The current immutable revision (deploy, update and force restart each add one).
    #[schema(value_type = String, format = Uuid)]
    pub revision_id: RevisionId,
    /// The Compose project name on the host, stable for the deployment's life.
    pub project_name: String,
    /// The env file as written (`{{ secrets.NAME }}` placeholders unrendered: no secret value).
    pub env: String,
    /// Whether container logs are streamed to the hub.
    pub logs_enabled: bool,
    /// Whether the agent brings back containers stopped or removed behind its back (drift
    /// repair, reported in the status history); `false` only reports the drift.
    pub repair_drift: bool,
    /// The force-restart counter.
    pub restart_generation: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When an undeploy was asked for.
    pub undeploy_requested_at: Option<DateTime<Utc>>,
    /// Whether the undeploy also deletes the volumes.
    pub delete_data: bool,
    /// When the agent reported it undeployed.
    pub undeployed_at: Option<DateTime<Utc>>,
    /// The latest status the agent reported.
    pub status: Option<DeploymentStatus>,
}

impl From<deployments::Deployment> for Deployment {
    fn from(d: deployments::Deployment) -> Self {
        Self {
            id: d.id,
            target_id: d.target_id,
            application_id: d.application_id,
            version_id: d.version_id,
            revision_id: d.revision_id,
            project_name: d.project_name,
            env: d.env,
            logs_enabled: d.logs_enabled,
            repair_drift: d.repair_drift,
            restart_generation: d.restart_generation,
            created_at: d.created_at,
            undeploy_requested_at: d.undeploy_requested_at,
            delete_data: d.delete_data,
            undeployed_at: d.undeployed_at,
            status: d.status.map(Into::into),
        }
    }
}

/// Which deployments to list.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeploymentFilter {
    /// Only the deployments of this target.
    #[param(value_type = Option<String>, format = Uuid)]
    pub target_id: Option<DeploymentTargetId>,
}

/// A deployment to create.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateDeployment {
    /// The target to deploy to.
    #[schema(value_type = String, format = Uuid)]
    pub target_id: DeploymentTargetId,
    /// The application.
    #[schema(value_type = String, format = Uuid)]
    pub application_id: ApplicationId,
    /// The Docker Compose version (a customer target needs a valid license for it).
    #[schema(value_type = String, format = Uuid)]
    pub version_id: ApplicationVersionId,
    /// The env file (`KEY=value` lines; `{{ secrets.NAME }}` refers to a secret of the
    /// target's scope); omitted: the version's env template.
    #[serde(default)]
    pub env: Option<String>,
    /// Stream container logs to the hub.
    #[serde(default)]
    pub logs_enabled: bool,
    /// Bring back containers stopped or removed by hand (default); `false` only reports it.
    #[serde(default = "yes")]
    #[schema(default = true)]
    pub repair_drift: bool,
}

fn yes() -> bool {
    true
}

/// The changes an update makes; omitted fields stay.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateDeployment {
    /// Another version of the same application (licensed for a customer target).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub version_id: Option<ApplicationVersionId>,
    /// A new env file.
    #[serde(default)]
    pub env: Option<String>,
    /// Switch log streaming on or off.
    #[serde(default)]
    pub logs_enabled: Option<bool>,
    /// Switch drift repair on or off.
    #[serde(default)]
    pub repair_drift: Option<bool>,
}

/// Undeploy options.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UndeployQuery {
    /// Also delete the deployment's volumes (default: keep them).
    #[serde(default)]
    pub delete_data: bool,
}

/// How many statuses to answer.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatusLimit {
    /// How many, newest first: 1 to 200 (all the hub keeps), default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// How many log lines to answer.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LogLimit {
    /// How many, newest first: 1 to 5,000 (all the hub keeps), default 200.
    #[param(minimum = 1, maximum = 5000)]
    pub limit: Option<u64>,
}

/// A container log line.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LogLine {
    /// The Compose service.
    pub service: String,
    /// `stdout` or `stderr`.
    pub stream: String,
    /// When the container wrote it.
    pub at: DateTime<Utc>,
    /// The line, secret values masked.
    pub line: String,
}

/// Lists deployments.
#[utoipa::path(
    get,
    path = "/deployments",
    tag = "deployments",
    operation_id = "listDeployments",
    summary = "List deployments the caller may see, with their latest status",
    params(DeploymentFilter),
    responses(
        (status = 200, description = "The deployments", body = [Deployment]),
        (status = 400, description = "A malformed or unknown query parameter", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such target the caller may see (`targetId`)", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiQuery(filter): ApiQuery<DeploymentFilter>,
) -> Result<Json<Vec<Deployment>>, ApiError> {
    let all = deployments::list(&state.services, &actor, filter.target_id).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// Deploys a version to a target.
#[utoipa::path(
    post,
    path = "/deployments",
    tag = "deployments",
    operation_id = "createDeployment",
    summary = "Deploy an application version to a target (writers); the agent gets it at once",
    description = "A customer target needs a valid license for the version (the refusal says why). \
        Every `{{ secrets.NAME }}` of the env must exist in the target's scope. Nothing is \
        stored when a check fails.",
    request_body = CreateDeployment,
    responses(
        (status = 201, description = "The new deployment", body = Deployment),
        (status = 400, description = "A malformed, unknown or unusable field, named in `field` (bad env line, missing secret, not a Compose version…)", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not deploy, or no valid license allows this version (`code` = `not_licensed`)", body = ErrorBody),
        (status = 404, description = "No such target, application or version the caller may see", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiJson(body): ApiJson<CreateDeployment>,
) -> Result<(StatusCode, Json<Deployment>), ApiError> {
    let d = deployments::create(
        &state.services,
        &actor,
        NewDeployment {
            target_id: body.target_id,
            application_id: body.application_id,
            version_id: body.version_id,
            env: body.env,
            logs_enabled: body.logs_enabled,
            repair_drift: body.repair_drift,
        },
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

/// One deployment.
#[utoipa::path(
    get,
    path = "/deployments/{id}",
    tag = "deployments",
    operation_id = "getDeployment",
    summary = "Get a deployment with its latest status",
    params(("id" = String, Path, format = Uuid, description = "The deployment's id")),
    responses(
        (status = 200, description = "The deployment", body = Deployment),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such deployment the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<DeploymentId>,
) -> Result<Json<Deployment>, ApiError> {
    Ok(Json(
        deployments::get(&state.services, &actor, id).await?.into(),
    ))
}

async fn apply_update(
    state: &AppState,
    actor: &service::auth::Actor,
    id: DeploymentId,
    body: UpdateDeployment,
) -> Result<Json<Deployment>, ApiError> {
    let d = deployments::update(
        &state.services,
        actor,
        id,
        DeploymentUpdate {
            version_id: body.version_id,
            env: body.env,
            logs_enabled: body.logs_enabled,
            repair_drift: body.repair_drift,
        },
        Utc::now(),
    )
    .await?;
    Ok(Json(d.into()))
}

/// Updates a deployment (PATCH).
#[utoipa::path(
    patch,
    path = "/deployments/{id}",
    tag = "deployments",
    operation_id = "updateDeployment",
    summary = "Update a deployment to another version or env, or switch its logs (writers); the agent gets it at once",
    params(("id" = String, Path, format = Uuid, description = "The deployment's id")),
    request_body = UpdateDeployment,
    responses(
        (status = 200, description = "The deployment at its new revision", body = Deployment),
        (status = 400, description = "A malformed, unknown or unusable field, named in `field`", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not update, or no valid license allows the version (`code` = `not_licensed`)", body = ErrorBody),
        (status = 404, description = "No such deployment or version the caller may see", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<DeploymentId>,
    ApiJson(body): ApiJson<UpdateDeployment>,
) -> Result<Json<Deployment>, ApiError> {
    apply_update(&state, &actor, id, body).await
}

/// Updates a deployment (PUT, the same as PATCH).
#[utoipa::path(
    put,
    path = "/deployments/{id}",
    tag = "deployments",
    operation_id = "replaceDeployment",
    summary = "Update a deployment (the same as PATCH; omitted fields stay)",
    params(("id" = String, Path, format = Uuid, description = "The deployment's id")),
    request_body = UpdateDeployment,
    responses(
        (status = 200, description = "The deployment at its new revision", body = Deployment),
        (status = 400, description = "A malformed, unknown or unusable field, named in `field`", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not update, or no valid license allows the version (`code` = `not_licensed`)", body = ErrorBody),
        (status = 404, description = "No such deployment or version the caller may see", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn replace(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<DeploymentId>,
    ApiJson(body): ApiJson<UpdateDeployment>,
) -> Result<Json<Deployment>, ApiError> {
    apply_update(&state, &actor, id, body).await
}

/// Undeploys.
#[utoipa::path(
    delete,
    path = "/deployments/{id}",
    tag = "deployments",
    operation_id = "undeploy",
    summary = "Undeploy (writers): the agent stops and removes the containers, and the volumes with `deleteData=true`",
    description = "The deployment stays in the agent's desired state as an undeploy until the agent \
        reports `undeployed` (`undeployedAt` is then set).",
    params(("id" = String, Path, format = Uuid, description = "The deployment's id"), UndeployQuery),
    responses(
        (status = 200, description = "The deployment with the undeploy requested", body = Deployment),
        (status = 400, description = "The id or a query parameter is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not undeploy", body = ErrorBody),
        (status = 404, description = "No such deployment the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn undeploy(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<DeploymentId>,
    ApiQuery(query): ApiQuery<UndeployQuery>,
) -> Result<Json<Deployment>, ApiError> {
    let d =
        deployments::undeploy(&state.services, &actor, id, query.delete_data, Utc::now()).await?;
    Ok(Json(d.into()))
}

/// Forces a restart.
#[utoipa::path(
    post,
    path = "/deployments/{id}/restart",
    tag = "deployments",
    operation_id = "restartDeployment",
    summary = "Force a restart (writers): the agent recreates every container of the deployment",
    params(("id" = String, Path, format = Uuid, description = "The deployment's id")),
    responses(
        (status = 200, description = "The deployment at its new revision", body = Deployment),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not restart", body = ErrorBody),
        (status = 404, description = "No such deployment the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn restart(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<DeploymentId>,
) -> Result<Json<Deployment>, ApiError> {
    let d = deployments::restart(&state.services, &actor, id, Utc::now()).await?;
    Ok(Json(d.into()))
}

/// The status history.
#[utoipa::path(
    get,
    path = "/deployments/{id}/status",
    tag = "deployments",
    operation_id = "listDeploymentStatus",
    summary = "The statuses the agent reported, newest first (the hub keeps 200)",
    params(("id" = String, Path, format = Uuid, description = "The deployment's id"), StatusLimit),
    responses(
        (status = 200, description = "The statuses, newest first", body = [DeploymentStatus]),
        (status = 400, description = "The id or a query parameter is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such deployment the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn status_history(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<DeploymentId>,
    ApiQuery(query): ApiQuery<StatusLimit>,
) -> Result<Json<Vec<DeploymentStatus>>, ApiError> {
    let limit = super::params::limit(query.limit, 50, deployments::KEEP_STATUSES)?;
    let all = deployments::statuses(&state.services, &actor, id, limit).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// The container logs.
#[utoipa::path(
    get,
    path = "/deployments/{id}/logs",
    tag = "deployments",
    operation_id = "listDeploymentLogs",
    summary = "Container log lines, newest first (only while `logsEnabled`; the hub keeps 5,000)",
    params(("id" = String, Path, format = Uuid, description = "The deployment's id"), LogLimit),
    responses(
        (status = 200, description = "The lines, newest first, secret values masked", body = [LogLine]),
        (status = 400, description = "The id or a query parameter is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such deployment the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn logs(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<DeploymentId>,
    ApiQuery(query): ApiQuery<LogLimit>,
) -> Result<Json<Vec<LogLine>>, ApiError> {
    let limit = super::params::limit(query.limit, 200, deployments::KEEP_LOG_LINES)?;
    let all = deployments::logs(&state.services, &actor, id, limit).await?;
    Ok(Json(
        all.into_iter()
            .map(|l| LogLine {
                service: l.service,
                stream: l.stream,
                at: l.at,
                line: l.line,
            })
            .collect(),
    ))
}
