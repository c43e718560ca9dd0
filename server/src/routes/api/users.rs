//! `/api/v1/user-accounts`: the members of the vendor and of its customers. New members join
//! through `/api/v1/invitations`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use types::{CustomerOrganizationId, Role, UserId};
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::params::ApiPath;
use super::{ApiError, ApiJson, Bearer};
use crate::state::AppState;

/// A member's role, in the vendor or in a customer organization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    /// Everything, including members and settings.
    Admin,
    /// Reads and changes resources.
    ReadWrite,
    /// Reads only.
    ReadOnly,
}

impl From<Role> for UserRole {
    fn from(role: Role) -> Self {
        match role {
            Role::Admin => Self::Admin,
            Role::ReadWrite => Self::ReadWrite,
            Role::ReadOnly => Self::ReadOnly,
        }
    }
}

impl From<UserRole> for Role {
    fn from(role: UserRole) -> Self {
        match role {
            UserRole::Admin => Self::Admin,
            UserRole::ReadWrite => Self::ReadWrite,
            UserRole::ReadOnly => Self::ReadOnly,
        }
    }
}

/// A member of the vendor or of one of its customers.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserAccount {
    /// The account's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: UserId,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Their role in this organization.
    pub user_role: UserRole,
    /// Their customer organization; `null` for members of the vendor itself.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub customer_organization_id: Option<CustomerOrganizationId>,
    /// When they joined this organization.
    pub joined_org_at: DateTime<Utc>,
}

impl From<service::members::Member> for UserAccount {
    fn from(m: service::members::Member) -> Self {
        Self {
            id: m.user_id,
            name: m.name,
            email: m.email,
            user_role: m.role.into(),
            customer_organization_id: m.customer,
            joined_org_at: m.joined_at,
        }
    }
}

/// The changes `PATCH /user-accounts/{id}` makes.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateUserAccount {
    /// The new role.
    pub user_role: UserRole,
}

/// Lists the members the caller may see.
#[utoipa::path(
    get,
    path = "/user-accounts",
    tag = "users",
    operation_id = "listUserAccounts",
    summary = "List users (vendor members: the vendor's and all customers'; customer members: their customer's)",
    responses(
        (status = 200, description = "The members, oldest first", body = [UserAccount]),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
) -> Result<Json<Vec<UserAccount>>, ApiError> {
    let all = service::members::list_visible(&state.services, &actor).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// One member.
#[utoipa::path(
    get,
    path = "/user-accounts/{id}",
    tag = "users",
    operation_id = "getUserAccount",
    summary = "Get a user",
    params(("id" = String, Path, format = Uuid, description = "The user's id")),
    responses(
        (status = 200, description = "The member", body = UserAccount),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such member the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<UserId>,
) -> Result<Json<UserAccount>, ApiError> {
    let member = service::members::get(&state.services, &actor, id).await?;
    Ok(Json(member.into()))
}

/// Changes a member's role.
#[utoipa::path(
    patch,
    path = "/user-accounts/{id}",
    tag = "users",
    operation_id = "updateUserAccount",
    summary = "Change a user's role (vendor admins for vendor users; vendor writers and the customer's admins for customer users)",
    params(("id" = String, Path, format = Uuid, description = "The user's id")),
    request_body = UpdateUserAccount,
    responses(
        (status = 200, description = "The member with the new role", body = UserAccount),
        (status = 400, description = "A malformed or unknown field, named in `field`", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not manage this user", body = ErrorBody),
        (status = 404, description = "No such member the caller may see", body = ErrorBody),
        (status = 409, description = "It would leave the organization without an admin (`last_admin`)", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(body): ApiJson<UpdateUserAccount>,
) -> Result<Json<UserAccount>, ApiError> {
    let member = service::members::get(&state.services, &actor, id).await?;
    service::members::change_role(
        &state.services,
        &actor,
        id,
        body.user_role.into(),
        member.customer,
    )
    .await?;
    Ok(Json(
        service::members::get(&state.services, &actor, id)
            .await?
            .into(),
    ))
}

/// Removes a member from the organization (their account stays).
#[utoipa::path(
    delete,
    path = "/user-accounts/{id}",
    tag = "users",
    operation_id = "deleteUserAccount",
    summary = "Remove a user from the organization",
    params(("id" = String, Path, format = Uuid, description = "The user's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not manage this user", body = ErrorBody),
        (status = 404, description = "No such member the caller may see", body = ErrorBody),
        (status = 409, description = "It would leave the organization without an admin (`last_admin`)", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<UserId>,
) -> Result<StatusCode, ApiError> {
    let member = service::members::get(&state.services, &actor, id).await?;
    service::members::remove(&state.services, &actor, id, member.customer).await?;
    Ok(StatusCode::NO_CONTENT)
}
