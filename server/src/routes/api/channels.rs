//! `/api/v1/applications/{id}/channels`: an application's release channels and their minimum
//! versions. A channel comes into being when the first version is published to it.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use types::{ApplicationId, ApplicationVersionId, ChannelName};
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::params::ApiPath;
use super::{ApiError, ApiJson, Bearer};
use crate::state::AppState;

/// A short reference to a version.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionRef {
    /// Its id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ApplicationVersionId,
    /// Its name.
    pub name: String,
    /// Its publication order.
    pub sequence: i64,
}

impl From<service::channels::VersionRef> for VersionRef {
    fn from(v: service::channels::VersionRef) -> Self {
        Self {
            id: v.id,
            name: v.name,
            sequence: v.sequence,
        }
    }
}

/// A release channel.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    /// Its name, such as `stable`.
    pub name: String,
    /// The minimum version: installations of older versions on this channel are flagged as
    /// needing an update. `null` when none is set.
    pub minimum_version: Option<VersionRef>,
    /// The newest unarchived version on the channel the caller may see.
    pub latest_version: Option<VersionRef>,
}

impl From<service::channels::Channel> for Channel {
    fn from(c: service::channels::Channel) -> Self {
        Self {
            name: c.name.to_string(),
            minimum_version: c.minimum.map(Into::into),
            latest_version: c.latest.map(Into::into),
        }
    }
}

/// The change `PUT /applications/{id}/channels/{channel}` makes.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateChannel {
    /// The minimum version, one of the application's versions on this channel; `null` clears it.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub minimum_version_id: Option<ApplicationVersionId>,
}

/// Lists an application's channels.
#[utoipa::path(
    get,
    path = "/applications/{id}/channels",
    tag = "applications",
    operation_id = "listApplicationChannels",
    summary = "List an application's release channels",
    params(("id" = String, Path, format = Uuid, description = "The application's id")),
    responses(
        (status = 200, description = "The channels", body = [Channel]),
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
) -> Result<Json<Vec<Channel>>, ApiError> {
    let all = service::channels::list(&state.services, &actor, id).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

fn parse_channel(channel: String) -> Result<ChannelName, ApiError> {
    Ok(ChannelName::parse(channel).map_err(service::Error::from)?)
}

/// One channel.
#[utoipa::path(
    get,
    path = "/applications/{id}/channels/{channel}",
    tag = "applications",
    operation_id = "getApplicationChannel",
    summary = "Get a release channel",
    params(
        ("id" = String, Path, format = Uuid, description = "The application's id"),
        ("channel" = super::shapes::ChannelName, Path, description = "The channel's name, such as `stable`"),
    ),
    responses(
        (status = 200, description = "The channel", body = Channel),
        (status = 400, description = "The id or channel name is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such application or channel the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath((id, channel)): ApiPath<(ApplicationId, String)>,
) -> Result<Json<Channel>, ApiError> {
    let channel = parse_channel(channel)?;
    service::channels::list(&state.services, &actor, id)
        .await?
        .into_iter()
        .find(|c| c.name == channel)
        .map(|c| Json(c.into()))
        .ok_or_else(|| service::Error::NotFound { what: "channel" }.into())
}

/// Sets or clears a channel's minimum version (vendor writers).
#[utoipa::path(
    put,
    path = "/applications/{id}/channels/{channel}",
    tag = "applications",
    operation_id = "updateApplicationChannel",
    summary = "Set or clear a channel's minimum version (vendor writers)",
    params(
        ("id" = String, Path, format = Uuid, description = "The application's id"),
        ("channel" = super::shapes::ChannelName, Path, description = "The channel's name, such as `stable`"),
    ),
    request_body = UpdateChannel,
    responses(
        (status = 200, description = "The channel", body = Channel),
        (status = 400, description = "A malformed or unknown field, or a version not on this channel (`field` = `minimumVersionId`)", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not change channels", body = ErrorBody),
        (status = 404, description = "No such application or channel of this vendor", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath((id, channel)): ApiPath<(ApplicationId, String)>,
    ApiJson(body): ApiJson<UpdateChannel>,
) -> Result<Json<Channel>, ApiError> {
    let channel = parse_channel(channel)?;
    let changed = service::channels::set_minimum(
        &state.services,
        &actor,
        id,
        &channel,
        body.minimum_version_id,
    )
    .await?;
    Ok(Json(changed.into()))
}
