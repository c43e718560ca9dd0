//! `/api/v1/deployment-targets`: the hosts an agent runs on. Creating a target (or rotating its
//! secret) answers the one-time enrolment secret and the install command, once; the hub keeps
//! only hashes. Also the agent's self-update request and the host metrics it reports.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use service::targets::{self, Target};
use types::{CustomerOrganizationId, DeploymentTargetId};
use utoipa::{IntoParams, ToSchema};

use super::error::ErrorBody;
use super::params::{ApiPath, ApiQuery};
use super::{ApiError, ApiJson, Bearer};
use crate::state::AppState;

/// A deployment target: the slot one agent fills.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentTarget {
    /// Its id.
    #[schema(value_type = String, format = Uuid)]
    pub id: DeploymentTargetId,
    /// Its name.
    pub name: String,
    /// The customer that owns it; `null` for a vendor-managed target.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub customer_organization_id: Option<CustomerOrganizationId>,
    /// Whether an agent has traded the enrolment secret for its credential.
    pub enrolled: bool,
    /// Whether its agent is connected to the hub now.
    pub online: bool,
    /// The agent version reported when it last connected.
    pub agent_version: Option<String>,
    /// When the agent last sent a frame (live while it is connected).
    pub last_seen_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// The target as the API shows it, with its presence from the agent hub.
pub fn target_view(state: &AppState, t: Target) -> DeploymentTarget {
    let presence = state.services.agents.presence(t.id);
    DeploymentTarget {
        id: t.id,
        online: presence.is_some(),
        last_seen_at: presence.or(t.last_seen_at),
        name: t.name,
        customer_organization_id: t.customer_organization_id,
        enrolled: t.enrolled,
        agent_version: t.agent_version,
        created_at: t.created_at,
    }
}

/// A target with its one-time enrolment secret and the install command that carries it
/// (shown once: the hub keeps only a hash).
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssuedTarget {
    /// The target.
    pub target: DeploymentTarget,
    /// The one-time enrolment secret.
    pub secret: String,
    /// `curl -fsSL <hub>/agent/install.sh | CONSIGN_TARGET_ID=… CONSIGN_ENROLMENT_SECRET=… sh`.
    pub install_command: String,
}

fn hub_url(state: &AppState) -> String {
    state
        .agent
        .public_url
        .clone()
        .unwrap_or_else(|| "http://localhost:8080".into())
}

fn issued_view(state: &AppState, issued: targets::IssuedTarget) -> IssuedTarget {
    IssuedTarget {
        install_command: targets::install_command(
            &hub_url(state),
            issued.target.id,
            &issued.secret,
        ),
        secret: issued.secret,
        target: target_view(state, issued.target),
    }
}

/// A target to create.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTarget {
    /// Its name: 1 to 100 characters.
    #[schema(example = "edge-1", value_type = super::shapes::DisplayName)]
    pub name: String,
    /// The customer it belongs to (vendor members; omitted: vendor-managed). Customer members
    /// always create targets of their own customer.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub customer_organization_id: Option<CustomerOrganizationId>,
}

/// How many samples to answer.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MetricsQuery {
    /// How many samples, newest first: 1 to 2,880 (all the hub keeps), default 120 (one hour
    /// at one sample every 30 s).
    #[param(minimum = 1, maximum = 2880)]
    pub limit: Option<u64>,
}

/// One host-metrics sample the agent reported (every 30 s).
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostMetrics {
    /// CPU use of the whole host, 0 to 100.
    pub cpu_percent: f64,
    /// The host's CPU cores.
    pub cpu_cores: i32,
    /// Memory in use (total minus available), in bytes.
    pub memory_used_bytes: i64,
    /// Memory in total, in bytes.
    pub memory_total_bytes: i64,
    /// When the agent sampled it.
    pub at: DateTime<Utc>,
}

/// The answer to an agent-update request.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgentUpdateRequested {
    /// The version the agent was told to install: the hub's own. The agent reconnects with it
    /// (`agentVersion` of the target) once it has swapped its binary and restarted.
    pub version: String,
}

/// Lists the targets the caller may see.
#[utoipa::path(
    get,
    path = "/deployment-targets",
    tag = "deployments",
    operation_id = "listDeploymentTargets",
    summary = "List deployment targets (vendor members: all; customer members: their own), with whether each agent is online",
    responses(
        (status = 200, description = "The targets", body = [DeploymentTarget]),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
) -> Result<Json<Vec<DeploymentTarget>>, ApiError> {
    let all = targets::list(&state.services, &actor).await?;
    Ok(Json(
        all.into_iter().map(|t| target_view(&state, t)).collect(),
    ))
}

/// Creates a target and answers its install command, once.
#[utoipa::path(
    post,
    path = "/deployment-targets",
    tag = "deployments",
    operation_id = "createDeploymentTarget",
    summary = "Create a deployment target (writers) and get its one-time install command",
    description = "The answer holds the one-time enrolment secret and the install command that \
        carries it; they are never shown again (the hub stores a hash). Run the command on a \
        Linux host with docker and curl; the agent trades the secret for its own credential on \
        its first connection.",
    request_body = CreateTarget,
    responses(
        (status = 201, description = "The new target with its secret and install command", body = IssuedTarget),
        (status = 400, description = "A malformed or unknown field, named in `field`", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not create targets", body = ErrorBody),
        (status = 404, description = "No such customer of this vendor", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiJson(body): ApiJson<CreateTarget>,
) -> Result<(StatusCode, Json<IssuedTarget>), ApiError> {
    let issued = targets::create(
        &state.services,
        &actor,
        &body.name,
        body.customer_organization_id,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(issued_view(&state, issued))))
}

/// One target.
#[utoipa::path(
    get,
    path = "/deployment-targets/{id}",
    tag = "deployments",
    operation_id = "getDeploymentTarget",
    summary = "Get a deployment target",
    params(("id" = String, Path, format = Uuid, description = "The target's id")),
    responses(
        (status = 200, description = "The target", body = DeploymentTarget),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such target the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<DeploymentTargetId>,
) -> Result<Json<DeploymentTarget>, ApiError> {
    let t = targets::get(&state.services, &actor, id).await?;
    Ok(Json(target_view(&state, t)))
}

/// Deletes a target; its agent is cut off at once.
#[utoipa::path(
    delete,
    path = "/deployment-targets/{id}",
    tag = "deployments",
    operation_id = "deleteDeploymentTarget",
    summary = "Delete a deployment target (writers): its agent's credential dies and its connection closes at once",
    description = "The records of its deployments go with it. The applications on the host keep running: \
        undeploy them first to remove them.",
    params(("id" = String, Path, format = Uuid, description = "The target's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not delete targets", body = ErrorBody),
        (status = 404, description = "No such target the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<DeploymentTargetId>,
) -> Result<StatusCode, ApiError> {
    targets::delete(&state.services, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Issues a new enrolment secret.
#[utoipa::path(
    post,
    path = "/deployment-targets/{id}/secret",
    tag = "deployments",
    operation_id = "rotateDeploymentTargetSecret",
    summary = "Issue a new enrolment secret and install command (writers); the old secret stops working",
    params(("id" = String, Path, format = Uuid, description = "The target's id")),
    responses(
        (status = 200, description = "The target with its new secret and install command", body = IssuedTarget),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not rotate secrets", body = ErrorBody),
        (status = 404, description = "No such target the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn rotate_secret(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<DeploymentTargetId>,
) -> Result<Json<IssuedTarget>, ApiError> {
    let issued = targets::rotate_secret(&state.services, &actor, id, Utc::now()).await?;
    Ok(Json(issued_view(&state, issued)))
}

/// Tells the target's agent to update itself to the hub's version.
#[utoipa::path(
    post,
    path = "/deployment-targets/{id}/agent-update",
    tag = "deployments",
    operation_id = "requestAgentUpdate",
    summary = "Tell the target's agent to update itself to the hub's version (writers)",
    description = "The agent downloads the binary this hub serves, checks that it reports the \
        hub's version, swaps it in and restarts; it then reconnects and the target's \
        `agentVersion` shows the new version. The agent must be online: nothing is queued for \
        an offline one (re-running the install command also installs the hub's binary).",
    params(("id" = String, Path, format = Uuid, description = "The target's id")),
    responses(
        (status = 202, description = "The agent was told; it reconnects with the new version", body = AgentUpdateRequested),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not update agents", body = ErrorBody),
        (status = 404, description = "No such target the caller may see", body = ErrorBody),
        (status = 409, description = "The agent is offline (`code` = `agent_offline`), or the hub has no agent binary to update to (`no_agent_binary`)", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn request_agent_update(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<DeploymentTargetId>,
) -> Result<(StatusCode, Json<AgentUpdateRequested>), ApiError> {
    service::agent_update::request(&state.services, &actor, id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(AgentUpdateRequested {
            version: crate::routes::agent_ws::HUB_VERSION.to_string(),
        }),
    ))
}

/// The host metrics the agent reported, newest first.
#[utoipa::path(
    get,
    path = "/deployment-targets/{id}/metrics",
    tag = "deployments",
    operation_id = "listDeploymentTargetMetrics",
    summary = "Host CPU and memory samples of a target, newest first",
    description = "The agent samples its host every 30 s; the hub keeps the newest 2,880 (24 hours).",
    params(("id" = String, Path, format = Uuid, description = "The target's id"), MetricsQuery),
    responses(
        (status = 200, description = "The samples, newest first", body = [HostMetrics]),
        (status = 400, description = "The id or a query parameter is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such target the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn metrics(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<DeploymentTargetId>,
    ApiQuery(query): ApiQuery<MetricsQuery>,
) -> Result<Json<Vec<HostMetrics>>, ApiError> {
    let limit = super::params::limit(query.limit, 120, service::deployments::KEEP_METRICS)?;
    let all = targets::metrics(&state.services, &actor, id, limit).await?;
    Ok(Json(
        all.into_iter()
            .map(|m| HostMetrics {
                cpu_percent: m.cpu_percent,
                cpu_cores: m.cpu_cores,
                memory_used_bytes: m.memory_used_bytes,
                memory_total_bytes: m.memory_total_bytes,
                at: m.at,
            })
            .collect(),
    ))
}
