//! `/api/v1/organization`: the vendor organization the token acts in.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use types::{OrganizationId, OrganizationName};
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::{ApiError, ApiJson, Bearer};
use crate::state::AppState;

/// A vendor organization.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// Its id.
    #[schema(value_type = String, format = Uuid)]
    pub id: OrganizationId,
    /// Its display name.
    pub name: String,
    /// Its unique slug, used in registry paths; fixed at sign-up.
    pub slug: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<service::organizations::Organization> for Organization {
    fn from(o: service::organizations::Organization) -> Self {
        Self {
            id: o.id,
            name: o.name.into(),
            slug: o.slug.into(),
            created_at: o.created_at,
        }
    }
}

/// The changes `PUT /organization` makes.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateOrganization {
    /// The new display name: 1 to 100 characters, no control characters.
    #[schema(example = "Acme Inc.", value_type = super::shapes::DisplayName)]
    pub name: String,
}

/// The organization the token acts in.
#[utoipa::path(
    get,
    path = "/organization",
    tag = "organization",
    operation_id = "getOrganization",
    summary = "The vendor organization the token acts in",
    responses(
        (status = 200, description = "The organization", body = Organization),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
) -> Result<Json<Organization>, ApiError> {
    let org = service::organizations::current(&state.services, &actor).await?;
    Ok(Json(org.into()))
}

/// Renames the organization (vendor admins).
#[utoipa::path(
    put,
    path = "/organization",
    tag = "organization",
    operation_id = "updateOrganization",
    summary = "Rename the organization (vendor admins)",
    request_body = UpdateOrganization,
    responses(
        (status = 200, description = "The renamed organization", body = Organization),
        (status = 400, description = "A malformed or unknown field, named in `field`", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller is not a vendor admin", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiJson(body): ApiJson<UpdateOrganization>,
) -> Result<Json<Organization>, ApiError> {
    let name = OrganizationName::parse(body.name).map_err(service::Error::from)?;
    let org = service::organizations::rename(&state.services, &actor, name).await?;
    Ok(Json(org.into()))
}
