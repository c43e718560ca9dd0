//! The signed-in person's own account: password, address, and the emailed links for them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The account page's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Whether the address was confirmed.
    pub email_verified: bool,
    /// Whether the hub can send mail (otherwise links are shown on the page).
    pub mail_configured: bool,
}

/// What happened to an emailed link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSent {
    /// What to tell the person.
    pub message: String,
    /// The link itself, when no mail server is configured and the requester is signed in (so
    /// it only ever reaches the account's owner).
    pub link: Option<String>,
}

/// The signed-in person's account.
#[server(prefix = "/_fn", endpoint = "my_account")]
pub async fn my_account() -> Result<AccountView, AppError> {
    let services = super::services()?;
    let info = super::session(&services).await?;
    Ok(AccountView {
        name: info.user.name,
        email: info.user.email.into(),
        email_verified: info.user.email_verified,
        mail_configured: services.mailer.is_some(),
    })
}

/// Emails a password-reset link. Answers the same whether or not the address has an account.
#[server(prefix = "/_fn", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<String, AppError> {
    let services = super::services()?;
    let client = super::client_address().await;
    let answer = "If an account uses this address, a link to set a new password is on its way. \
                  It works for one hour."
        .to_string();
    let base = super::base_url(&services).await;
    service::notifications::reset_password_by_mail(&services, &email, client, &base).await?;
    Ok(answer)
}

/// Spends a reset link and sets the new password; every session of the account ends.
#[server(prefix = "/_fn", endpoint = "reset_password")]
pub async fn reset_password(
    token: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    let services = super::services()?;
    service::email_links::reset_password(&services, &token, password).await?;
    // Back to the sign-in page of the portal the link came from (only these two).
    leptos_axum::redirect(match next.as_deref() {
        Some("/portal") => "/portal?reset=done",
        _ => "/?reset=done",
    });
    Ok(())
}

/// The branding an emailed link's page shows: its vendor's, when the link's account belongs to
/// customer organizations only; `None` otherwise (see `service::email_links::branding_of`).
#[server(prefix = "/_fn", endpoint = "link_branding")]
pub async fn link_branding(
    token: String,
    purpose: String,
) -> Result<Option<super::branding::BrandingView>, AppError> {
    use service::email_links::Purpose;
    let services = super::services()?;
    let purpose = match purpose.as_str() {
        "reset" => Purpose::Reset,
        "verify" => Purpose::Verify,
        "change" => Purpose::Change,
        _ => return Ok(None),
    };
    Ok(
        service::email_links::branding_of(&services, &token, purpose)
            .await?
            .map(Into::into),
    )
}

/// Changes the password; every other session of the account ends.
#[server(prefix = "/_fn", endpoint = "change_password")]
pub async fn change_password(current: String, password: String) -> Result<String, AppError> {
    let services = super::services()?;
    let info = super::session(&services).await?;
    let keep = super::session_token().await;
    let client = super::client_address().await;
    service::email_links::change_password(
        &services,
        &info.user,
        current,
        password,
        keep.as_deref(),
        client,
    )
    .await?;
    Ok("Password changed. Every other browser signed in to your account was signed out.".into())
}

#[cfg(feature = "ssr")]
async fn send_check(
    services: &service::Services,
    user: &service::accounts::User,
    to: types::Email,
    path: &str,
    token: &str,
) -> Result<LinkSent, AppError> {
    let base = super::base_url(services).await;
    match &services.mailer {
        Some(mailer) => {
            service::notifications::send_address_check(
                services,
                mailer.as_ref(),
                user,
                to.clone(),
                &base,
                path,
                token,
            )
            .await?;
            Ok(LinkSent {
                message: format!("We sent a link to {to}. Open it to confirm."),
                link: None,
            })
        }
        None => Ok(LinkSent {
            message: "This hub cannot send email: open this link to confirm.".into(),
            link: Some(format!("{base}/{path}/{token}")),
        }),
    }
}

/// Emails a link that confirms the account's address.
#[server(prefix = "/_fn", endpoint = "request_verification")]
pub async fn request_verification() -> Result<LinkSent, AppError> {
    let services = super::services()?;
    let info = super::session(&services).await?;
    let token = service::email_links::request_verification(&services, &info.user).await?;
    send_check(
        &services,
        &info.user,
        info.user.email.clone(),
        "verify",
        &token,
    )
    .await
}

/// Spends an emailed address link: `purpose` is `verify` (confirm the account's address) or
/// `change` (move the account to the new address).
#[server(prefix = "/_fn", endpoint = "confirm_email_link")]
pub async fn confirm_email_link(purpose: String, token: String) -> Result<String, AppError> {
    let services = super::services()?;
    if purpose == "change" {
        let user = service::email_links::confirm_email_change(&services, &token).await?;
        Ok(format!("Your account now uses {}.", user.email))
    } else {
        let user = service::email_links::verify(&services, &token).await?;
        Ok(format!("{} is confirmed. Thank you.", user.email))
    }
}

/// Emails a link to `email` that moves the account there once opened.
#[server(prefix = "/_fn", endpoint = "request_email_change")]
pub async fn request_email_change(password: String, email: String) -> Result<LinkSent, AppError> {
    let services = super::services()?;
    let info = super::session(&services).await?;
    let email = types::Email::parse(email).map_err(service::Error::Invalid)?;
    let client = super::client_address().await;
    let token = service::email_links::request_email_change(
        &services,
        &info.user,
        password,
        email.clone(),
        client,
    )
    .await?;
    send_check(&services, &info.user, email, "change-email", &token).await
}
