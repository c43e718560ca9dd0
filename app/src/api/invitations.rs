//! Inviting people by email, and accepting an invitation.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// An invitation, as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    /// Its id.
    pub id: String,
    /// The invitee.
    pub email: String,
    /// The role they get.
    pub role: String,
    /// `pending`, `accepted`, `revoked` or `expired`.
    pub status: String,
    /// When the link stops working (`YYYY-MM-DD HH:MM UTC`).
    pub expires: String,
}

/// A freshly issued link: shown once, so it can be copied when no mail is sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedView {
    /// The invitee.
    pub email: String,
    /// The link that accepts the invitation.
    pub link: String,
    /// Whether the hub emailed it.
    pub emailed: bool,
    /// Why it was not emailed, when it was not.
    pub mail_problem: Option<String>,
}

/// What an invitation link offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreview {
    /// The invitee.
    pub email: String,
    /// What they are invited to.
    pub invited_to: String,
    /// The role they get.
    pub role: String,
    /// Whether they already have an account (then only the password is asked for).
    pub existing_account: bool,
    /// For an invitation to a customer organization: the vendor's branding, so the page looks
    /// like the portal the person is joining.
    pub branding: Option<super::branding::BrandingView>,
}

#[cfg(feature = "ssr")]
impl From<service::invitations::Invitation> for InvitationView {
    fn from(i: service::invitations::Invitation) -> Self {
        use service::invitations::Status;
        Self {
            id: i.id.to_string(),
            email: i.email,
            role: i.role.to_string(),
            status: match i.status {
                Status::Pending => "pending",
                Status::Accepted => "accepted",
                Status::Revoked => "revoked",
                Status::Expired => "expired",
            }
            .into(),
            expires: i.expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }
}

#[cfg(feature = "ssr")]
async fn deliver(
    services: &service::Services,
    actor: &service::auth::Actor,
    issued: service::invitations::Issued,
) -> IssuedView {
    let delivery = service::notifications::deliver_invitation(services, actor, &issued).await;
    IssuedView {
        email: issued.invitation.email,
        link: delivery.link,
        emailed: delivery.emailed,
        mail_problem: delivery.problem,
    }
}

/// Invites someone (into the vendor when `customer` is empty) and emails the link.
#[server(prefix = "/_fn", endpoint = "invite")]
pub async fn invite(email: String, role: String, customer: String) -> Result<IssuedView, AppError> {
    let (services, actor) = super::actor().await?;
    let new = service::invitations::NewInvitation {
        email: types::Email::parse(email).map_err(service::Error::Invalid)?,
        role: role.parse().map_err(|message: String| AppError::Invalid {
            field: "role".into(),
            message,
        })?,
        customer: super::customer_scope(&customer)?,
    };
    let issued =
        service::invitations::create(&services, &actor, new, services.config.invitation_ttl)
            .await?;
    Ok(deliver(&services, &actor, issued).await)
}

/// The invitations into the vendor (`customer` empty) or one customer.
#[server(prefix = "/_fn", endpoint = "list_invitations")]
pub async fn list_invitations(customer: String) -> Result<Vec<InvitationView>, AppError> {
    let (services, actor) = super::actor().await?;
    let list =
        service::invitations::list(&services, &actor, super::customer_scope(&customer)?).await?;
    Ok(list.into_iter().map(Into::into).collect())
}

/// Sends a pending invitation again with a new link.
#[server(prefix = "/_fn", endpoint = "resend_invitation")]
pub async fn resend_invitation(id: String) -> Result<IssuedView, AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "Invitation")?;
    let issued =
        service::invitations::resend(&services, &actor, id, services.config.invitation_ttl).await?;
    Ok(deliver(&services, &actor, issued).await)
}

/// Revokes a pending invitation.
#[server(prefix = "/_fn", endpoint = "revoke_invitation")]
pub async fn revoke_invitation(id: String) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "Invitation")?;
    Ok(service::invitations::revoke(&services, &actor, id).await?)
}

/// What a link invites to (no sign-in needed: the link is the credential).
#[server(prefix = "/_fn", endpoint = "preview_invitation")]
pub async fn preview_invitation(token: String) -> Result<InvitationPreview, AppError> {
    let services = super::services()?;
    let p = service::invitations::preview(&services, &token).await?;
    let branding = match p.customer_name {
        Some(_) => Some(
            service::branding::get(&services, p.organization_id)
                .await?
                .into(),
        ),
        None => None,
    };
    Ok(InvitationPreview {
        branding,
        email: p.email,
        invited_to: match p.customer_name {
            Some(c) => format!("{c} (a customer of {})", p.organization_name),
            None => p.organization_name,
        },
        role: p.role.to_string(),
        existing_account: p.existing_account,
    })
}

/// Accepts an invitation, signs the person in and sends them to their portal.
#[server(prefix = "/_fn", endpoint = "accept_invitation")]
pub async fn accept_invitation(
    token: String,
    name: String,
    password: String,
) -> Result<(), AppError> {
    let services = super::services()?;
    let (user, org) = service::invitations::accept(&services, &token, name, password).await?;
    let session = service::sessions::start(&services, &user, Some(org)).await?;
    super::set_session_cookie(
        &session,
        services.secure_cookies,
        service::sessions::SESSION_LIFETIME.num_seconds(),
    );
    let actor = service::accounts::actor(&services, user.id, Some(org)).await?;
    leptos_axum::redirect(if actor.is_some_and(|a| !a.is_vendor()) {
        "/portal"
    } else {
        "/"
    });
    Ok(())
}
