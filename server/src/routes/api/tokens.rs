//! `/api/v1/settings/tokens`: the caller's own personal access tokens in this organization.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use service::access_tokens::AccessTokenId;
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::params::ApiPath;
use super::{ApiError, ApiJson, Bearer};
use crate::state::AppState;

/// An access token, as listed (never its secret).
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    /// Its id.
    #[schema(value_type = String, format = Uuid)]
    pub id: AccessTokenId,
    /// What its owner calls it.
    pub label: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it stops working; `null` for never.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it last authenticated a request (to the minute); `null` if never.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Whether it was revoked.
    pub revoked: bool,
}

impl From<service::access_tokens::AccessToken> for AccessToken {
    fn from(t: service::access_tokens::AccessToken) -> Self {
        Self {
            id: t.id,
            label: t.label,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            revoked: t.revoked,
        }
    }
}

/// A new token and its secret, which is shown only in this response.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedAccessToken {
    /// The token.
    #[serde(flatten)]
    pub token: AccessToken,
    /// The secret to send as `Authorization: Bearer <key>`; stored nowhere, shown once.
    pub key: String,
}

/// A token to create.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateAccessToken {
    /// What to call it: 1 to 100 characters.
    #[schema(example = "CI deploys", value_type = super::shapes::DisplayName)]
    pub label: String,
    /// Days until it stops working, 1 to 365; omit or `null` for a token that never expires.
    #[serde(default, deserialize_with = "super::json::whole_number")]
    #[schema(minimum = 1, maximum = 365)]
    pub expires_in_days: Option<u32>,
}

/// Lists the caller's own tokens in this organization.
#[utoipa::path(
    get,
    path = "/settings/tokens",
    tag = "settings",
    operation_id = "listAccessTokens",
    summary = "List your access tokens in this organization",
    responses(
        (status = 200, description = "The tokens, newest first, revoked ones included", body = [AccessToken]),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
) -> Result<Json<Vec<AccessToken>>, ApiError> {
    let all = service::access_tokens::list(&state.services, &actor).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// Creates a token acting as the caller in this organization.
#[utoipa::path(
    post,
    path = "/settings/tokens",
    tag = "settings",
    operation_id = "createAccessToken",
    summary = "Create an access token (its key is shown only in this response)",
    request_body = CreateAccessToken,
    responses(
        (status = 201, description = "The token with its key", body = CreatedAccessToken),
        (status = 400, description = "A malformed or unknown field, named in `field`", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiJson(body): ApiJson<CreateAccessToken>,
) -> Result<(StatusCode, Json<CreatedAccessToken>), ApiError> {
    let (token, key) =
        service::access_tokens::create(&state.services, &actor, body.label, body.expires_in_days)
            .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedAccessToken {
            token: token.into(),
            key,
        }),
    ))
}

/// Revokes one of the caller's tokens; it stays listed as revoked.
#[utoipa::path(
    delete,
    path = "/settings/tokens/{id}",
    tag = "settings",
    operation_id = "revokeAccessToken",
    summary = "Revoke one of your access tokens",
    params(("id" = String, Path, format = Uuid, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked (revoking twice is not an error)"),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such token of yours in this organization", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn revoke(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<AccessTokenId>,
) -> Result<StatusCode, ApiError> {
    service::access_tokens::revoke(&state.services, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
