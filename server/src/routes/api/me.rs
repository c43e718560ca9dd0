//! `GET /api/v1/me`: who the token acts as.

use axum::Json;
use serde::Serialize;
use types::{CustomerOrganizationId, OrganizationId, UserId};
use utoipa::ToSchema;

use super::Bearer;
use super::error::ErrorBody;
use super::users::UserRole;

/// Who the token acts as.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    /// The token's owner.
    #[schema(value_type = String, format = Uuid)]
    pub user_id: UserId,
    /// The vendor organization the token acts in.
    #[schema(value_type = String, format = Uuid)]
    pub organization_id: OrganizationId,
    /// The owner's current role there.
    pub user_role: UserRole,
    /// For a customer member, their customer organization; `null` for vendor members.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub customer_organization_id: Option<CustomerOrganizationId>,
}

/// The identity behind the token.
#[utoipa::path(
    get,
    path = "/me",
    tag = "settings",
    operation_id = "getMe",
    summary = "Who the access token acts as",
    responses(
        (status = 200, description = "The token's owner, organization and role", body = Me),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn me(Bearer(actor): Bearer) -> Json<Me> {
    Json(Me {
        user_id: actor.user_id,
        organization_id: actor.organization_id,
        user_role: actor.role.into(),
        customer_organization_id: actor.customer_organization_id,
    })
}
