//! `/api/v1/secrets`: key/values that deployments refer to as `{{ secrets.NAME }}`, in the
//! vendor's scope or one customer's. Encrypted at rest; values are accepted, never returned.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use service::auth::Actor;
use service::secrets::{self, SecretScope};
use types::CustomerOrganizationId;
use utoipa::{IntoParams, ToSchema};

use super::error::ErrorBody;
use super::params::{ApiPath, ApiQuery};
use super::{ApiError, ApiJson, Bearer};
use crate::state::AppState;

/// A secret as the API shows it: never its value.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Secret {
    /// Its id.
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// Its key, `^[A-Za-z_][A-Za-z0-9_]*$`.
    pub key: String,
    /// The customer whose scope holds it; `null` for the vendor's.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub customer_organization_id: Option<CustomerOrganizationId>,
    /// When it was last set.
    pub updated_at: DateTime<Utc>,
}

impl From<secrets::SecretInfo> for Secret {
    fn from(s: secrets::SecretInfo) -> Self {
        Self {
            id: s.id,
            key: s.key,
            customer_organization_id: s.customer_organization_id,
            updated_at: s.updated_at,
        }
    }
}

/// Which scope to list.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScopeQuery {
    /// A customer's scope (vendor members; customer members always see their own). Omitted:
    /// the vendor's.
    #[param(value_type = Option<String>, format = Uuid)]
    pub customer_organization_id: Option<CustomerOrganizationId>,
}

/// A secret value to set.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetSecret {
    /// The value (stored encrypted, never shown again): 1 byte to 64 KiB of UTF-8 (the schema
    /// counts characters, so it says at most 16,384, which never exceed 64 KiB).
    #[schema(min_length = 1, max_length = 16384)]
    pub value: String,
    /// A customer's scope (vendor writers; customer members always set their own). Omitted:
    /// the vendor's.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub customer_organization_id: Option<CustomerOrganizationId>,
}

/// The scope a request names: a customer's (customers always their own), else the vendor's.
fn scope(actor: &Actor, asked: Option<CustomerOrganizationId>) -> SecretScope {
    match asked.or(actor.customer_organization_id) {
        Some(customer) => SecretScope::Customer(customer),
        None => SecretScope::Vendor,
    }
}

/// Lists the keys of a scope.
#[utoipa::path(
    get,
    path = "/secrets",
    tag = "deployments",
    operation_id = "listSecrets",
    summary = "List the secrets of a scope: keys only, never values",
    params(ScopeQuery),
    responses(
        (status = 200, description = "The secrets, without values", body = [Secret]),
        (status = 400, description = "A malformed or unknown query parameter", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such customer the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiQuery(query): ApiQuery<ScopeQuery>,
) -> Result<Json<Vec<Secret>>, ApiError> {
    let all = secrets::list(
        &state.services,
        &actor,
        scope(&actor, query.customer_organization_id),
    )
    .await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// Sets a secret.
#[utoipa::path(
    put,
    path = "/secrets/{key}",
    tag = "deployments",
    operation_id = "setSecret",
    summary = "Create or replace a secret (writers); deployments that use it get the new value on their next desired state",
    params(("key" = super::shapes::SecretKey, Path, description = "The secret's key, such as `DB_PASSWORD`")),
    request_body = SetSecret,
    responses(
        (status = 200, description = "The secret, without its value", body = Secret),
        (status = 400, description = "A malformed key or field, named in `field`", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not set secrets in this scope", body = ErrorBody),
        (status = 404, description = "No such customer the caller may see", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn set(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(key): ApiPath<String>,
    ApiJson(body): ApiJson<SetSecret>,
) -> Result<Json<Secret>, ApiError> {
    let saved = secrets::set(
        &state.services,
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

/// Deletes a secret.
#[utoipa::path(
    delete,
    path = "/secrets/id/{id}",
    tag = "deployments",
    operation_id = "deleteSecret",
    summary = "Delete a secret (writers); deployments that use it keep running but cannot be rendered again until it exists",
    params(("id" = String, Path, format = Uuid, description = "The secret's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not delete secrets in this scope", body = ErrorBody),
        (status = 404, description = "No such secret the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    secrets::delete(&state.services, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
