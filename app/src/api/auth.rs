//! Signing up, in and out; who is signed in; switching organizations.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One organization the signed-in person belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationChoice {
    /// The vendor organization's id.
    pub id: String,
    /// What to call it: the vendor's name, or "Customer at Vendor".
    pub label: String,
}

/// The signed-in person, as the portals show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Their role in the current organization (`admin`, `read_write`, `read_only`).
    pub role: Option<String>,
    /// Whether they act as the vendor (vendor portal) rather than a customer.
    pub is_vendor: bool,
    /// The current organization's id.
    pub organization_id: Option<String>,
    /// For a customer member: their customer organization's id.
    pub customer_id: Option<String>,
    /// Every organization they can switch to.
    pub organizations: Vec<OrganizationChoice>,
}

#[cfg(feature = "ssr")]
fn destination(next: &str) -> &'static str {
    match next {
        "/portal" => "/portal",
        _ => "/",
    }
}

/// Checks the credentials, starts a session (HttpOnly cookie) and sends the browser to `next`
/// (`/` or `/portal`, anything else falls back to `/`).
#[server(prefix = "/_fn", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: String) -> Result<(), AppError> {
    let services = super::services()?;
    let client = super::client_address().await;
    let (_, token) = service::sessions::sign_in(&services, &email, password, client).await?;
    super::set_session_cookie(
        &token,
        services.secure_cookies,
        service::sessions::SESSION_LIFETIME.num_seconds(),
    );
    leptos_axum::redirect(destination(&next));
    Ok(())
}

/// Creates a vendor organization with its first admin and signs them in.
#[server(prefix = "/_fn", endpoint = "sign_up")]
pub async fn sign_up(
    organization: String,
    name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    let services = super::services()?;
    let form = service::signup::SignUp {
        organization_name: types::OrganizationName::parse(organization)
            .map_err(service::Error::Invalid)?,
        user: service::accounts::NewUser {
            email: types::Email::parse(email).map_err(service::Error::Invalid)?,
            name,
            password,
        },
    };
    let (user, org) =
        service::signup::sign_up(&services, form, services.config.allow_signup).await?;
    if let Some(mailer) = &services.mailer {
        // Ask the new admin to confirm their address; a mail failure must not undo the sign-up.
        let base = super::base_url(&services).await;
        let sent = async {
            let token = service::email_links::request_verification(&services, &user).await?;
            service::notifications::send_address_check(
                &services,
                mailer.as_ref(),
                &user,
                user.email.clone(),
                &base,
                "verify",
                &token,
            )
            .await
        };
        if let Err(err) = sent.await {
            tracing::warn!(error = %err, "verification mail after sign-up not sent");
        }
    }
    let token = service::sessions::start(&services, &user, Some(org.id)).await?;
    super::set_session_cookie(
        &token,
        services.secure_cookies,
        service::sessions::SESSION_LIFETIME.num_seconds(),
    );
    leptos_axum::redirect("/");
    Ok(())
}

/// Ends this browser's session.
#[server(prefix = "/_fn", endpoint = "sign_out")]
pub async fn sign_out(next: String) -> Result<(), AppError> {
    let services = super::services()?;
    if let Some(token) = super::session_token().await {
        service::sessions::end(&services, &token).await?;
    }
    super::set_session_cookie("", services.secure_cookies, 0);
    leptos_axum::redirect(destination(&next));
    Ok(())
}

/// Who is signed in in this browser, if anyone.
#[server(prefix = "/_fn", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    let services = super::services()?;
    let info = match super::session(&services).await {
        Ok(info) => info,
        Err(AppError::Unauthenticated) => return Ok(None),
        Err(other) => return Err(other),
    };
    let choices = service::accounts::organization_choices(&services, info.user.id).await?;
    Ok(Some(SessionUser {
        name: info.user.name,
        email: info.user.email.into(),
        role: info.actor.as_ref().map(|a| a.role.to_string()),
        is_vendor: info.actor.as_ref().is_some_and(|a| a.is_vendor()),
        organization_id: info.actor.as_ref().map(|a| a.organization_id.to_string()),
        customer_id: info
            .actor
            .as_ref()
            .and_then(|a| a.customer_organization_id.map(|c| c.to_string())),
        organizations: choices
            .into_iter()
            .map(|(id, label)| OrganizationChoice {
                id: id.to_string(),
                label,
            })
            .collect(),
    }))
}

/// Switches this browser's session to another organization the person belongs to.
#[server(prefix = "/_fn", endpoint = "switch_organization")]
pub async fn switch_organization(organization: String) -> Result<(), AppError> {
    let services = super::services()?;
    let token = super::session_token()
        .await
        .ok_or(AppError::Unauthenticated)?;
    let id = super::parse_id(&organization, "Organization")?;
    service::sessions::switch_organization(&services, &token, id).await?;
    // A vendor membership opens the vendor portal, a customer membership the customer portal.
    let info = super::session(&services).await?;
    let vendor = info.actor.is_some_and(|a| a.is_vendor());
    leptos_axum::redirect(if vendor { "/" } else { "/portal" });
    Ok(())
}
