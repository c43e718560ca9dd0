//! `/api/v1/applications/{id}/versions`: an application's versions. A version is immutable once
//! published; archiving is the only change.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use service::versions::Package;
use types::{ApplicationId, ApplicationKind, ApplicationVersionId, ChannelName, VersionName};
use utoipa::ToSchema;

use super::applications::ArchiveRequest;
use super::error::ErrorBody;
use super::params::ApiPath;
use super::{ApiError, ApiJson, Bearer};
use crate::state::AppState;

/// A version of an application. A Docker Compose version has `composeFile` (and maybe
/// `envTemplate`); a Helm version has `chartUrl`, `chartVersion` and maybe `chartName`,
/// `baseValues` and `valuesTemplate`.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationVersion {
    /// Its id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ApplicationVersionId,
    /// Its application.
    #[schema(value_type = String, format = Uuid)]
    pub application_id: ApplicationId,
    /// Its name, unique within the application.
    pub name: String,
    /// The release channel it was published to.
    pub channel: String,
    /// Publication order within the application (1 for the first).
    pub sequence: i64,
    /// The "open application" URL template.
    pub link_template: Option<String>,
    /// The compose file (Docker Compose applications).
    pub compose_file: Option<String>,
    /// The env-file template that pre-fills a deployment (Docker Compose applications).
    pub env_template: Option<String>,
    /// The chart repository (`https://…`) or OCI reference (`oci://…`) (Helm applications).
    pub chart_url: Option<String>,
    /// The chart's name in a repository; `null` for `oci://`.
    pub chart_name: Option<String>,
    /// The chart version (Helm applications).
    pub chart_version: Option<String>,
    /// Base values (Helm applications).
    pub base_values: Option<String>,
    /// The values template that pre-fills a deployment (Helm applications).
    pub values_template: Option<String>,
    /// When it was published.
    pub created_at: DateTime<Utc>,
    /// When the vendor archived it; `null` while it is offered.
    pub archived_at: Option<DateTime<Utc>>,
}

impl From<service::versions::Version> for ApplicationVersion {
    fn from(v: service::versions::Version) -> Self {
        let mut out = Self {
            id: v.id,
            application_id: v.application_id,
            name: v.name,
            channel: v.channel.to_string(),
            sequence: v.sequence,
            link_template: v.link_template,
            compose_file: None,
            env_template: None,
            chart_url: None,
            chart_name: None,
            chart_version: None,
            base_values: None,
            values_template: None,
            created_at: v.created_at,
            archived_at: v.archived_at,
        };
        match v.package {
            Package::Compose {
                compose_file,
                env_template,
            } => {
                out.compose_file = Some(compose_file);
                out.env_template = env_template;
            }
            Package::Helm {
                chart_url,
                chart_name,
                chart_version,
                base_values,
                values_template,
            } => {
                out.chart_url = Some(chart_url);
                out.chart_name = chart_name;
                out.chart_version = Some(chart_version);
                out.base_values = base_values;
                out.values_template = values_template;
            }
        }
        out
    }
}

/// A version to publish: the compose fields for a Docker Compose application, the chart fields
/// for a Helm application.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateVersion {
    /// Its name, such as `1.4.2`: 1 to 64 characters without spaces or slashes, unique within
    /// the application.
    #[schema(example = "1.4.2", value_type = super::shapes::VersionName)]
    pub name: String,
    /// The release channel; `stable` when omitted.
    #[serde(default)]
    #[schema(example = "stable", value_type = Option<super::shapes::ChannelName>)]
    pub channel: Option<String>,
    /// The "open application" URL template, such as `https://{{ env.HOSTNAME }}/`.
    #[serde(default)]
    pub link_template: Option<String>,
    /// The compose file (YAML with at least one service, each naming an `image`).
    #[serde(default)]
    pub compose_file: Option<String>,
    /// The env-file template that pre-fills a deployment.
    #[serde(default)]
    pub env_template: Option<String>,
    /// The chart repository (`https://…`) or OCI reference (`oci://…`).
    #[serde(default)]
    pub chart_url: Option<String>,
    /// The chart's name in a repository (not for `oci://`).
    #[serde(default)]
    pub chart_name: Option<String>,
    /// The chart version.
    #[serde(default)]
    pub chart_version: Option<String>,
    /// Base values (YAML).
    #[serde(default)]
    pub base_values: Option<String>,
    /// The values template that pre-fills a deployment.
    #[serde(default)]
    pub values_template: Option<String>,
}

/// A Docker Compose version to publish (the body of `POST …/versions` for a Docker
/// application).
// Only documents the request ([`CreateVersion`] parses it, naming the field at fault);
// Deserialize only so serde's attributes shape the schema.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub struct CreateComposeVersion {
    /// Its name, such as `1.4.2`, unique within the application.
    #[schema(example = "1.4.2", value_type = super::shapes::VersionName)]
    name: String,
    /// The release channel; `stable` when omitted.
    #[schema(example = "stable", value_type = Option<super::shapes::ChannelName>)]
    channel: Option<String>,
    /// The "open application" URL template: `http://` or `https://`, with optional
    /// `{{ env.NAME }}` placeholders.
    link_template: Option<String>,
    /// The compose file: YAML of at most 256 KiB with a `services` mapping of at least one
    /// service, each naming an `image`.
    compose_file: String,
    /// The env-file template that pre-fills a deployment: `KEY=VALUE` lines, `#` comments and
    /// `{{ env.NAME }}` / `{{ secrets.NAME }}` placeholders.
    env_template: Option<String>,
}

/// A Helm version to publish (the body of `POST …/versions` for a Kubernetes application).
// Only documents the request, as `CreateComposeVersion` does.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub struct CreateHelmVersion {
    /// Its name, such as `1.4.2`, unique within the application.
    #[schema(example = "1.4.2", value_type = super::shapes::VersionName)]
    name: String,
    /// The release channel; `stable` when omitted.
    #[schema(example = "stable", value_type = Option<super::shapes::ChannelName>)]
    channel: Option<String>,
    /// The "open application" URL template.
    link_template: Option<String>,
    /// The chart repository (`https://…`) or OCI reference (`oci://…`).
    chart_url: String,
    /// The chart's name in a repository (not for `oci://`).
    chart_name: Option<String>,
    /// The chart version.
    chart_version: String,
    /// Base values (YAML).
    base_values: Option<String>,
    /// The values template that pre-fills a deployment.
    values_template: Option<String>,
}

/// The body of `POST …/versions`: a compose version for a Docker application, a chart version
/// for a Kubernetes one (the other shape is refused with `400`, naming the first stray field).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum NewVersionBody {
    /// For a Docker Compose application.
    Compose(CreateComposeVersion),
    /// For a Kubernetes (Helm) application.
    Helm(CreateHelmVersion),
}

impl CreateVersion {
    /// The package for an application of `kind`; a field of the other kind is refused by name,
    /// so nothing sent is silently dropped.
    fn package(self, kind: ApplicationKind) -> Result<Package, ApiError> {
        let stray = |field: &'static str, present: bool| -> Result<(), ApiError> {
            if present {
                Err(ApiError::invalid(
                    field,
                    format!(
                        "{field} does not belong to a {} application's version",
                        kind.label()
                    ),
                ))
            } else {
                Ok(())
            }
        };
        match kind {
            ApplicationKind::Docker => {
                stray("chartUrl", self.chart_url.is_some())?;
                stray("chartName", self.chart_name.is_some())?;
                stray("chartVersion", self.chart_version.is_some())?;
                stray("baseValues", self.base_values.is_some())?;
                stray("valuesTemplate", self.values_template.is_some())?;
                let compose_file = self.compose_file.ok_or_else(|| {
                    ApiError::invalid(
                        "composeFile",
                        "a Docker Compose version needs its compose file",
                    )
                })?;
                Ok(Package::Compose {
                    compose_file,
                    env_template: self.env_template,
                })
            }
            ApplicationKind::Kubernetes => {
                stray("composeFile", self.compose_file.is_some())?;
                stray("envTemplate", self.env_template.is_some())?;
                let chart_url = self.chart_url.ok_or_else(|| {
                    ApiError::invalid("chartUrl", "a Helm version needs its chart's URL")
                })?;
                let chart_version = self.chart_version.ok_or_else(|| {
                    ApiError::invalid("chartVersion", "a Helm version needs its chart's version")
                })?;
                Ok(Package::Helm {
                    chart_url,
                    chart_name: self.chart_name,
                    chart_version,
                    base_values: self.base_values,
                    values_template: self.values_template,
                })
            }
        }
    }
}

/// Lists an application's versions the caller may see, newest first.
#[utoipa::path(
    get,
    path = "/applications/{id}/versions",
    tag = "applications",
    operation_id = "listApplicationVersions",
    summary = "List an application's versions (customer members: those their licenses grant)",
    params(("id" = String, Path, format = Uuid, description = "The application's id")),
    responses(
        (status = 200, description = "The versions, newest first", body = [ApplicationVersion]),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such application the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<ApplicationId>,
) -> Result<Json<Vec<ApplicationVersion>>, ApiError> {
    let all = service::versions::list(&state.services, &actor, id).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// Publishes a version (vendor writers), after checking its content.
#[utoipa::path(
    post,
    path = "/applications/{id}/versions",
    tag = "applications",
    operation_id = "createApplicationVersion",
    summary = "Publish a version (vendor writers)",
    description = "The compose file must parse as YAML (an error names its line and column), have \
        at least one service, and every service must name an `image`. Nothing is stored when a \
        check fails.",
    params(("id" = String, Path, format = Uuid, description = "The application's id")),
    request_body = NewVersionBody,
    responses(
        (status = 201, description = "The new version", body = ApplicationVersion),
        (status = 400, description = "A malformed, missing or unknown field, named in `field` (e.g. `composeFile` with the YAML line and column)", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not publish versions", body = ErrorBody),
        (status = 404, description = "No such application of this vendor", body = ErrorBody),
        (status = 409, description = "The application has a version of this name (`field` = `name`)", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<ApplicationId>,
    ApiJson(body): ApiJson<CreateVersion>,
) -> Result<(StatusCode, Json<ApplicationVersion>), ApiError> {
    actor
        .require_vendor_write("publish versions")
        .map_err(ApiError::from)?;
    let application = service::applications::get(&state.services, &actor, id).await?;
    let name = VersionName::parse(body.name.clone()).map_err(service::Error::from)?;
    let channel = match body.channel.clone() {
        Some(channel) => ChannelName::parse(channel).map_err(service::Error::from)?,
        None => ChannelName::stable(),
    };
    let link_template = body.link_template.clone();
    let package = body.package(application.kind)?;
    let new = service::versions::NewVersion {
        name,
        channel,
        link_template,
        package,
    };
    let created = service::versions::create(&state.services, &actor, id, new, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One version.
#[utoipa::path(
    get,
    path = "/applications/{id}/versions/{versionId}",
    tag = "applications",
    operation_id = "getApplicationVersion",
    summary = "Get a version",
    params(
        ("id" = String, Path, format = Uuid, description = "The application's id"),
        ("versionId" = String, Path, format = Uuid, description = "The version's id"),
    ),
    responses(
        (status = 200, description = "The version", body = ApplicationVersion),
        (status = 400, description = "An id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such version the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath((id, version)): ApiPath<(ApplicationId, ApplicationVersionId)>,
) -> Result<Json<ApplicationVersion>, ApiError> {
    let found = service::versions::get(&state.services, &actor, id, version).await?;
    Ok(Json(found.into()))
}

/// Archives or restores a version (vendor writers); its content never changes.
#[utoipa::path(
    patch,
    path = "/applications/{id}/versions/{versionId}",
    tag = "applications",
    operation_id = "archiveApplicationVersion",
    summary = "Archive or restore a version (vendor writers; versions are otherwise immutable)",
    params(
        ("id" = String, Path, format = Uuid, description = "The application's id"),
        ("versionId" = String, Path, format = Uuid, description = "The version's id"),
    ),
    request_body = ArchiveRequest,
    responses(
        (status = 200, description = "The version, with `archivedAt` set or cleared", body = ApplicationVersion),
        (status = 400, description = "A malformed or unknown field (any field but `archived`), named in `field`", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not change versions", body = ErrorBody),
        (status = 404, description = "No such version of this vendor's", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn archive(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath((id, version)): ApiPath<(ApplicationId, ApplicationVersionId)>,
    ApiJson(body): ApiJson<ArchiveRequest>,
) -> Result<Json<ApplicationVersion>, ApiError> {
    let changed = service::versions::set_archived(
        &state.services,
        &actor,
        id,
        version,
        body.archived,
        Utc::now(),
    )
    .await?;
    Ok(Json(changed.into()))
}
