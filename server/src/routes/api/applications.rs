//! `/api/v1/applications`: what the vendor sells, each a Docker Compose or a Helm application.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use types::{ApplicationId, ApplicationKind, ApplicationName};
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::params::ApiPath;
use super::{ApiError, ApiJson, Bearer};
use crate::state::AppState;

/// How an application is deployed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationType {
    /// Docker Compose.
    Docker,
    /// A Helm chart on Kubernetes.
    Kubernetes,
}

impl From<ApplicationKind> for ApplicationType {
    fn from(kind: ApplicationKind) -> Self {
        match kind {
            ApplicationKind::Docker => Self::Docker,
            ApplicationKind::Kubernetes => Self::Kubernetes,
        }
    }
}

impl From<ApplicationType> for ApplicationKind {
    fn from(kind: ApplicationType) -> Self {
        match kind {
            ApplicationType::Docker => Self::Docker,
            ApplicationType::Kubernetes => Self::Kubernetes,
        }
    }
}

/// An application.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// Its id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ApplicationId,
    /// Its name, unique within the vendor.
    pub name: String,
    /// How it is deployed.
    #[serde(rename = "type")]
    pub kind: ApplicationType,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When the vendor archived it; `null` while it is offered.
    pub archived_at: Option<DateTime<Utc>>,
}

impl From<service::applications::Application> for Application {
    fn from(a: service::applications::Application) -> Self {
        Self {
            id: a.id,
            name: a.name,
            kind: a.kind.into(),
            created_at: a.created_at,
            archived_at: a.archived_at,
        }
    }
}

/// An application to create.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateApplication {
    /// Its name: 1 to 100 characters, unique within the vendor.
    #[schema(example = "Shop", value_type = super::shapes::DisplayName)]
    pub name: String,
    /// How it is deployed; fixed once created.
    #[serde(rename = "type")]
    pub kind: ApplicationType,
}

/// The changes `PUT /applications/{id}` makes.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateApplication {
    /// The new name: 1 to 100 characters, unique within the vendor.
    #[schema(value_type = super::shapes::DisplayName)]
    pub name: String,
}

/// Archives or restores an application.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchiveRequest {
    /// `true` archives (hidden from customers' catalogues, no new deployments; what runs keeps
    /// running); `false` restores.
    pub archived: bool,
}

fn parse_name(name: String) -> Result<ApplicationName, ApiError> {
    Ok(ApplicationName::parse(name).map_err(service::Error::from)?)
}

/// Lists the applications the caller may see.
#[utoipa::path(
    get,
    path = "/applications",
    tag = "applications",
    operation_id = "listApplications",
    summary = "List applications (vendor members: all; customer members: the unarchived ones a valid license grants)",
    responses(
        (status = 200, description = "The applications", body = [Application]),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
) -> Result<Json<Vec<Application>>, ApiError> {
    let all = service::applications::list(&state.services, &actor, Utc::now()).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// Creates an application (vendor writers).
#[utoipa::path(
    post,
    path = "/applications",
    tag = "applications",
    operation_id = "createApplication",
    summary = "Create an application (vendor writers)",
    request_body = CreateApplication,
    responses(
        (status = 201, description = "The new application", body = Application),
        (status = 400, description = "A malformed or unknown field, named in `field`", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not create applications", body = ErrorBody),
        (status = 409, description = "The name is taken (`field` = `name`)", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiJson(body): ApiJson<CreateApplication>,
) -> Result<(StatusCode, Json<Application>), ApiError> {
    let name = parse_name(body.name)?;
    let created =
        service::applications::create(&state.services, &actor, name, body.kind.into(), Utc::now())
            .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One application.
#[utoipa::path(
    get,
    path = "/applications/{id}",
    tag = "applications",
    operation_id = "getApplication",
    summary = "Get an application",
    params(("id" = String, Path, format = Uuid, description = "The application's id")),
    responses(
        (status = 200, description = "The application", body = Application),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such application the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<ApplicationId>,
) -> Result<Json<Application>, ApiError> {
    let found = service::applications::get(&state.services, &actor, id).await?;
    Ok(Json(found.into()))
}

/// Renames an application (vendor writers).
#[utoipa::path(
    put,
    path = "/applications/{id}",
    tag = "applications",
    operation_id = "updateApplication",
    summary = "Rename an application (vendor writers)",
    params(("id" = String, Path, format = Uuid, description = "The application's id")),
    request_body = UpdateApplication,
    responses(
        (status = 200, description = "The renamed application", body = Application),
        (status = 400, description = "A malformed or unknown field, named in `field`", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not change applications", body = ErrorBody),
        (status = 404, description = "No such application of this vendor", body = ErrorBody),
        (status = 409, description = "The name is taken (`field` = `name`)", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<ApplicationId>,
    ApiJson(body): ApiJson<UpdateApplication>,
) -> Result<Json<Application>, ApiError> {
    let name = parse_name(body.name)?;
    let renamed = service::applications::rename(&state.services, &actor, id, name).await?;
    Ok(Json(renamed.into()))
}

/// Archives or restores an application (vendor writers).
#[utoipa::path(
    patch,
    path = "/applications/{id}",
    tag = "applications",
    operation_id = "archiveApplication",
    summary = "Archive or restore an application (vendor writers)",
    params(("id" = String, Path, format = Uuid, description = "The application's id")),
    request_body = ArchiveRequest,
    responses(
        (status = 200, description = "The application, with `archivedAt` set or cleared", body = Application),
        (status = 400, description = "A malformed or unknown field, named in `field`", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not change applications", body = ErrorBody),
        (status = 404, description = "No such application of this vendor", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn archive(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<ApplicationId>,
    ApiJson(body): ApiJson<ArchiveRequest>,
) -> Result<Json<Application>, ApiError> {
    let changed =
        service::applications::set_archived(&state.services, &actor, id, body.archived, Utc::now())
            .await?;
    Ok(Json(changed.into()))
}
