//! REST API for deployment targets, deployments and secrets under `/api/v1`, authenticated by
//! personal access token like the rest of the API (see [`super::api`]). Secret values are
//! accepted, never returned. Kept in its own router so it merges beside the main API routes.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use service::deployments::{self, Deployment, DeploymentUpdate, NewDeployment};
use service::secrets::{self, SecretScope};
use service::targets::{self, Target};
use types::{
    ApplicationId, ApplicationVersionId, CustomerOrganizationId, DeploymentId, DeploymentTargetId,
};

use super::api::{ApiError, Bearer};
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/deployment-targets",
            get(list_targets).post(create_target),
        )
        .route(
            "/api/v1/deployment-targets/{id}",
            get(get_target).delete(delete_target),
        )
        .route(
            "/api/v1/deployment-targets/{id}/secret",
            post(rotate_secret),
        )
        .route(
            "/api/v1/deployments",
            get(list_deployments).post(create_deployment),
        )
        .route(
            "/api/v1/deployments/{id}",
            get(get_deployment)
                .patch(update_deployment)
                .put(update_deployment)
                .delete(undeploy),
        )
        .route("/api/v1/deployments/{id}/restart", post(restart))
        .route("/api/v1/deployments/{id}/status", get(status_history))
        .route("/api/v1/deployments/{id}/logs", get(logs))
        .route("/api/v1/secrets", get(list_secrets))
        .route("/api/v1/secrets/{key}", put(set_secret))
        .route(
            "/api/v1/secrets/id/{id}",
            axum::routing::delete(delete_secret),
        )
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// A target as the API shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TargetView {
    id: DeploymentTargetId,
    name: String,
    customer_organization_id: Option<CustomerOrganizationId>,
    enrolled: bool,
    online: bool,
    agent_version: Option<String>,
    last_seen_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

fn target_view(state: &AppState, t: Target) -> TargetView {
    let presence = state.services.agents.presence(t.id);
    TargetView {
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

/// A target with its one-time secret and the install command (answers to create and rotate).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IssuedView {
    target: TargetView,
    secret: String,
    install_command: String,
}

fn hub_url(state: &AppState) -> String {
    state
        .agent
        .public_url
        .clone()
        .unwrap_or_else(|| "http://localhost:8080".into())
}

fn issued_view(state: &AppState, issued: targets::IssuedTarget) -> IssuedView {
    IssuedView {
        install_command: super::agent::install_command(
            &hub_url(state),
            issued.target.id,
            &issued.secret,
        ),
        secret: issued.secret,
        target: target_view(state, issued.target),
    }
}

async fn list_targets(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
) -> ApiResult<Vec<TargetView>> {
    let all = targets::list(&state.services.db, &actor).await?;
    Ok(Json(
        all.into_iter().map(|t| target_view(&state, t)).collect(),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewTargetBody {
    name: String,
    #[serde(default)]
    customer_organization_id: Option<CustomerOrganizationId>,
}

async fn create_target(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Json(body): Json<NewTargetBody>,
) -> Result<(StatusCode, Json<IssuedView>), ApiError> {
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

async fn get_target(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<DeploymentTargetId>,
) -> ApiResult<TargetView> {
    let t = targets::get(&state.services.db, &actor, id).await?;
    Ok(Json(target_view(&state, t)))
}

async fn delete_target(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<DeploymentTargetId>,
) -> Result<StatusCode, ApiError> {
    targets::delete(&state.services, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn rotate_secret(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<DeploymentTargetId>,
) -> ApiResult<IssuedView> {
    let issued = targets::rotate_secret(&state.services, &actor, id, Utc::now()).await?;
    Ok(Json(issued_view(&state, issued)))
}

/// A status report as the API shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusView {
    revision_id: Option<types::RevisionId>,
    state: String,
    message: String,
    at: DateTime<Utc>,
}

impl From<deployments::StatusEntry> for StatusView {
    fn from(s: deployments::StatusEntry) -> Self {
        Self {
            revision_id: s.revision_id,
            state: s.state,
            message: s.message,
            at: s.at,
        }
    }
}

/// A deployment as the API shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeploymentView {
    id: DeploymentId,
    target_id: DeploymentTargetId,
    application_id: ApplicationId,
    version_id: ApplicationVersionId,
    revision_id: types::RevisionId,
    project_name: String,
    env: String,
    logs_enabled: bool,
    restart_generation: i64,
    created_at: DateTime<Utc>,
    undeploy_requested_at: Option<DateTime<Utc>>,
    delete_data: bool,
    undeployed_at: Option<DateTime<Utc>>,
    status: Option<StatusView>,
}

impl From<Deployment> for DeploymentView {
    fn from(d: Deployment) -> Self {
        Self {
            id: d.id,
            target_id: d.target_id,
            application_id: d.application_id,
            version_id: d.version_id,
            revision_id: d.revision_id,
            project_name: d.project_name,
            env: d.env,
            logs_enabled: d.logs_enabled,
            restart_generation: d.restart_generation,
            created_at: d.created_at,
            undeploy_requested_at: d.undeploy_requested_at,
            delete_data: d.delete_data,
            undeployed_at: d.undeployed_at,
            status: d.status.map(Into::into),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    #[serde(default)]
    target_id: Option<DeploymentTargetId>,
}

async fn list_deployments(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Query(query): Query<ListQuery>,
) -> ApiResult<Vec<DeploymentView>> {
    let all = deployments::list(&state.services.db, &actor, query.target_id).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewDeploymentBody {
    target_id: DeploymentTargetId,
    application_id: ApplicationId,
    version_id: ApplicationVersionId,
    #[serde(default)]
    env: Option<String>,
    #[serde(default)]
    logs_enabled: bool,
}

async fn create_deployment(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Json(body): Json<NewDeploymentBody>,
) -> Result<(StatusCode, Json<DeploymentView>), ApiError> {
    let d = deployments::create(
        &state.services,
        &actor,
        NewDeployment {
            target_id: body.target_id,
            application_id: body.application_id,
            version_id: body.version_id,
            env: body.env,
            logs_enabled: body.logs_enabled,
        },
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

async fn get_deployment(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<DeploymentId>,
) -> ApiResult<DeploymentView> {
    Ok(Json(
        deployments::get(&state.services.db, &actor, id)
            .await?
            .into(),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBody {
    #[serde(default)]
    version_id: Option<ApplicationVersionId>,
    #[serde(default)]
    env: Option<String>,
    #[serde(default)]
    logs_enabled: Option<bool>,
}

async fn update_deployment(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<DeploymentId>,
    Json(body): Json<UpdateBody>,
) -> ApiResult<DeploymentView> {
    let d = deployments::update(
        &state.services,
        &actor,
        id,
        DeploymentUpdate {
            version_id: body.version_id,
            env: body.env,
            logs_enabled: body.logs_enabled,
        },
        Utc::now(),
    )
    .await?;
    Ok(Json(d.into()))
}

async fn restart(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<DeploymentId>,
) -> ApiResult<DeploymentView> {
    let d = deployments::restart(&state.services, &actor, id, Utc::now()).await?;
    Ok(Json(d.into()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UndeployQuery {
    #[serde(default)]
    delete_data: bool,
}

async fn undeploy(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<DeploymentId>,
    Query(query): Query<UndeployQuery>,
) -> ApiResult<DeploymentView> {
    let d =
        deployments::undeploy(&state.services, &actor, id, query.delete_data, Utc::now()).await?;
    Ok(Json(d.into()))
}

#[derive(Deserialize)]
struct LimitQuery {
    #[serde(default)]
    limit: Option<u64>,
}

async fn status_history(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<DeploymentId>,
    Query(query): Query<LimitQuery>,
) -> ApiResult<Vec<StatusView>> {
    let all =
        deployments::statuses(&state.services.db, &actor, id, query.limit.unwrap_or(50)).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// A log line as the API shows it.
#[derive(Serialize)]
struct LogView {
    service: String,
    stream: String,
    at: DateTime<Utc>,
    line: String,
}

async fn logs(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<DeploymentId>,
    Query(query): Query<LimitQuery>,
) -> ApiResult<Vec<LogView>> {
    let all = deployments::logs(&state.services.db, &actor, id, query.limit.unwrap_or(200)).await?;
    Ok(Json(
        all.into_iter()
            .map(|l| LogView {
                service: l.service,
                stream: l.stream,
                at: l.at,
                line: l.line,
            })
            .collect(),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScopeQuery {
    #[serde(default)]
    customer_organization_id: Option<CustomerOrganizationId>,
}

/// The scope a request names: a customer's (customers always their own), else the vendor's.
fn scope(actor: &service::auth::Actor, asked: Option<CustomerOrganizationId>) -> SecretScope {
    match asked.or(actor.customer_organization_id) {
        Some(customer) => SecretScope::Customer(customer),
        None => SecretScope::Vendor,
    }
}

/// A secret as the API shows it: never its value.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SecretView {
    id: uuid::Uuid,
    key: String,
    customer_organization_id: Option<CustomerOrganizationId>,
    updated_at: DateTime<Utc>,
}

impl From<secrets::SecretInfo> for SecretView {
    fn from(s: secrets::SecretInfo) -> Self {
        Self {
            id: s.id,
            key: s.key,
            customer_organization_id: s.customer_organization_id,
            updated_at: s.updated_at,
        }
    }
}

async fn list_secrets(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Query(query): Query<ScopeQuery>,
) -> ApiResult<Vec<SecretView>> {
    let all = secrets::list(
        &state.services.db,
        &actor,
        scope(&actor, query.customer_organization_id),
    )
    .await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SecretBody {
    value: String,
    #[serde(default)]
    customer_organization_id: Option<CustomerOrganizationId>,
}

async fn set_secret(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(key): Path<String>,
    Json(body): Json<SecretBody>,
) -> ApiResult<SecretView> {
    let saved = secrets::set(
        &state.services.db,
        &state.services.secrets_key,
        &actor,
        scope(&actor, body.customer_organization_id),
        &key,
        &body.value,
        Utc::now(),
    )
    .await?;
    Ok(Json(saved.into()))
}

async fn delete_secret(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    secrets::delete(&state.services.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
