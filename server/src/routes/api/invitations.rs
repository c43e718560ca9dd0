//! `/api/v1/invitations`: single-use links that make a person a member of the vendor or of one
//! of its customers. Creating one emails the link when the hub has a mail server, and always
//! returns it, so invitations work without mail.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use service::invitations::Status;
use types::{CustomerOrganizationId, Email, InvitationId};
use utoipa::{IntoParams, ToSchema};

use super::error::ErrorBody;
use super::params::{ApiPath, ApiQuery};
use super::users::UserRole;
use super::{ApiError, ApiJson, Bearer};
use crate::state::AppState;

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// Waiting to be used.
    Pending,
    /// Used.
    Accepted,
    /// Revoked, or superseded by a newer invitation of the same address.
    Revoked,
    /// Not used in time.
    Expired,
}

/// An invitation.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    /// Its id.
    #[schema(value_type = String, format = Uuid)]
    pub id: InvitationId,
    /// The invitee's address.
    pub email: String,
    /// The role they get.
    pub user_role: UserRole,
    /// The customer organization they join; `null` for the vendor itself.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub customer_organization_id: Option<CustomerOrganizationId>,
    /// When it was (last) sent.
    pub created_at: DateTime<Utc>,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// Where it stands.
    pub status: InvitationStatus,
}

impl From<service::invitations::Invitation> for Invitation {
    fn from(i: service::invitations::Invitation) -> Self {
        Self {
            id: i.id,
            email: i.email,
            user_role: i.role.into(),
            customer_organization_id: i.customer,
            created_at: i.created_at,
            expires_at: i.expires_at,
            status: match i.status {
                Status::Pending => InvitationStatus::Pending,
                Status::Accepted => InvitationStatus::Accepted,
                Status::Revoked => InvitationStatus::Revoked,
                Status::Expired => InvitationStatus::Expired,
            },
        }
    }
}

/// A freshly issued invitation and its link, shown only in this response.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssuedInvitation {
    /// The invitation.
    pub invitation: Invitation,
    /// The link that accepts it; pass it on yourself when `emailSent` is false.
    pub invite_url: String,
    /// Whether the hub emailed the link.
    pub email_sent: bool,
}

/// Whom to invite, as what.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateInvitation {
    /// The invitee's address.
    #[schema(example = "grace@globex.example", value_type = super::shapes::EmailAddress)]
    pub email: String,
    /// The role they get.
    pub user_role: UserRole,
    /// The customer organization to join; omit or `null` for the vendor itself.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub customer_organization_id: Option<CustomerOrganizationId>,
}

/// Which invitations to list.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvitationFilter {
    /// The customer organization whose invitations to list; without it, the invitations into
    /// the caller's own organization (the vendor's, or a customer member's customer).
    #[param(value_type = Option<String>, format = Uuid)]
    pub customer_organization_id: Option<CustomerOrganizationId>,
}

/// Emails the link when the hub can, and returns it either way.
async fn deliver(
    state: &AppState,
    actor: &service::auth::Actor,
    issued: service::invitations::Issued,
) -> IssuedInvitation {
    let delivery =
        service::notifications::deliver_invitation(&state.services, actor, &issued).await;
    IssuedInvitation {
        invitation: issued.invitation.into(),
        invite_url: delivery.link,
        email_sent: delivery.emailed,
    }
}

/// Lists invitations into the caller's organization or one customer.
#[utoipa::path(
    get,
    path = "/invitations",
    tag = "invitations",
    operation_id = "listInvitations",
    summary = "List invitations (vendor admins: the vendor's; vendor writers and customer admins: a customer's)",
    params(InvitationFilter),
    responses(
        (status = 200, description = "The invitations, newest first", body = [Invitation]),
        (status = 400, description = "A malformed or unknown query parameter", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not manage these invitations", body = ErrorBody),
        (status = 404, description = "No such customer of this vendor", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiQuery(filter): ApiQuery<InvitationFilter>,
) -> Result<Json<Vec<Invitation>>, ApiError> {
    let scope = filter
        .customer_organization_id
        .or(actor.customer_organization_id);
    let all = service::invitations::list(&state.services, &actor, scope).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// Invites a person; a pending invitation of the same address is superseded.
#[utoipa::path(
    post,
    path = "/invitations",
    tag = "invitations",
    operation_id = "createInvitation",
    summary = "Invite a user (vendor admins to the vendor; vendor writers and the customer's admins to a customer)",
    request_body = CreateInvitation,
    responses(
        (status = 201, description = "The invitation and its link", body = IssuedInvitation),
        (status = 400, description = "A malformed or unknown field, named in `field`", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not invite here", body = ErrorBody),
        (status = 404, description = "No such customer of this vendor", body = ErrorBody),
        (status = 409, description = "The address is already a member (`field` = `email`)", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiJson(body): ApiJson<CreateInvitation>,
) -> Result<(StatusCode, Json<IssuedInvitation>), ApiError> {
    let new = service::invitations::NewInvitation {
        email: Email::parse(body.email).map_err(service::Error::from)?,
        role: body.user_role.into(),
        customer: body.customer_organization_id,
    };
    let issued = service::invitations::create(
        &state.services,
        &actor,
        new,
        state.services.config.invitation_ttl,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(deliver(&state, &actor, issued).await),
    ))
}

/// One invitation.
#[utoipa::path(
    get,
    path = "/invitations/{id}",
    tag = "invitations",
    operation_id = "getInvitation",
    summary = "Get an invitation",
    params(("id" = String, Path, format = Uuid, description = "The invitation's id")),
    responses(
        (status = 200, description = "The invitation", body = Invitation),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such invitation the caller may manage", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<InvitationId>,
) -> Result<Json<Invitation>, ApiError> {
    let found = service::invitations::get(&state.services, &actor, id).await?;
    Ok(Json(found.into()))
}

/// Revokes a pending invitation: its link stops working.
#[utoipa::path(
    delete,
    path = "/invitations/{id}",
    tag = "invitations",
    operation_id = "revokeInvitation",
    summary = "Revoke a pending invitation",
    params(("id" = String, Path, format = Uuid, description = "The invitation's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such invitation the caller may manage", body = ErrorBody),
        (status = 410, description = "It is no longer pending (`invitation_unusable`)", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn revoke(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<InvitationId>,
) -> Result<StatusCode, ApiError> {
    service::invitations::revoke(&state.services, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Issues a new link and expiry for a pending invitation (and emails it when the hub can); the
/// old link stops working.
#[utoipa::path(
    post,
    path = "/invitations/{id}/resend",
    tag = "invitations",
    operation_id = "resendInvitation",
    summary = "Send a pending invitation again with a new link",
    params(("id" = String, Path, format = Uuid, description = "The invitation's id")),
    responses(
        (status = 200, description = "The renewed invitation and its new link", body = IssuedInvitation),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such invitation the caller may manage", body = ErrorBody),
        (status = 410, description = "It is no longer pending (`invitation_unusable`)", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn resend(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<InvitationId>,
) -> Result<Json<IssuedInvitation>, ApiError> {
    let issued = service::invitations::resend(
        &state.services,
        &actor,
        id,
        state.services.config.invitation_ttl,
    )
    .await?;
    Ok(Json(deliver(&state, &actor, issued).await))
}
