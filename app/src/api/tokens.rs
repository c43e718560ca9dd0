//! Personal access tokens: create, list, revoke.
//!
//! A new token's secret is returned once. A form posted without JavaScript cannot receive it
//! (the hub answers with a redirect), so then it travels once more in a short-lived HttpOnly
//! cookie scoped to `/tokens`, which the page takes and clears while rendering.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A token, as listed (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    /// Its id.
    pub id: String,
    /// What its owner calls it.
    pub label: String,
    /// When it was created (`YYYY-MM-DD`).
    pub created: String,
    /// When it stops working (`YYYY-MM-DD`), or `never`.
    pub expires: String,
    /// When it last authenticated a request (`YYYY-MM-DD HH:MM UTC`), or `never`.
    pub last_used: String,
    /// `active`, `expired` or `revoked`.
    pub status: String,
}

/// A freshly created token with its secret (shown once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedTokenView {
    /// The token.
    pub token: TokenView,
    /// The secret to send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

#[cfg(feature = "ssr")]
impl From<service::access_tokens::AccessToken> for TokenView {
    fn from(t: service::access_tokens::AccessToken) -> Self {
        let status = if t.revoked {
            "revoked"
        } else if t.is_expired() {
            "expired"
        } else {
            "active"
        };
        Self {
            id: t.id.to_string(),
            label: t.label,
            created: t.created_at.format("%Y-%m-%d").to_string(),
            expires: t
                .expires_at
                .map_or_else(|| "never".into(), |at| at.format("%Y-%m-%d").to_string()),
            last_used: t.last_used_at.map_or_else(
                || "never".into(),
                |at| at.format("%Y-%m-%d %H:%M UTC").to_string(),
            ),
            status: status.into(),
        }
    }
}

/// The signed-in person's tokens in their current organization, newest first.
#[server(prefix = "/_fn", endpoint = "list_tokens")]
pub async fn list_tokens() -> Result<Vec<TokenView>, AppError> {
    let (services, actor) = super::actor().await?;
    let list = service::access_tokens::list(&services, &actor).await?;
    Ok(list.into_iter().map(Into::into).collect())
}

/// Creates a token; `expires_in_days` empty means it never expires.
#[server(prefix = "/_fn", endpoint = "create_token")]
pub async fn create_token(
    label: String,
    expires_in_days: String,
) -> Result<CreatedTokenView, AppError> {
    let (services, actor) = super::actor().await?;
    let days = parse_days(&expires_in_days)?;
    let (token, secret) = service::access_tokens::create(&services, &actor, label, days).await?;
    if flash::is_plain_form_post().await {
        flash::set(&secret, services.secure_cookies);
    }
    Ok(CreatedTokenView {
        token: token.into(),
        secret,
    })
}

/// Revokes one of the signed-in person's tokens.
#[server(prefix = "/_fn", endpoint = "revoke_token")]
pub async fn revoke_token(id: String) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "Access token")?;
    Ok(service::access_tokens::revoke(&services, &actor, id).await?)
}

/// The secret of a token just created by a form posted without JavaScript, once: it comes
/// from this browser's own cookie, which is cleared here.
#[server(prefix = "/_fn", endpoint = "take_created_token")]
pub async fn take_created_token() -> Result<Option<String>, AppError> {
    Ok(flash::take().await)
}

#[cfg(feature = "ssr")]
fn parse_days(value: &str) -> Result<Option<u32>, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value.parse().map(Some).map_err(|_| AppError::Invalid {
        field: "expires_in_days".into(),
        message: "Choose an expiry between 1 and 365 days, or never.".into(),
    })
}

#[cfg(feature = "ssr")]
mod flash {
    //! The no-JavaScript path of a new secret: an HttpOnly cookie that lives for a redirect.

    /// The cookie's name.
    const COOKIE: &str = "consign_new_token";
    /// Long enough for the redirect that follows the form post, and no longer.
    const MAX_AGE_SECS: u32 = 120;

    async fn headers() -> Option<http::HeaderMap> {
        leptos_axum::extract::<http::HeaderMap>().await.ok()
    }

    /// Whether the request is a form posted by the browser itself (no JavaScript), the same
    /// test `leptos_axum` uses to answer it with a redirect.
    pub(super) async fn is_plain_form_post() -> bool {
        headers().await.is_some_and(|h| {
            h.get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        })
    }

    fn append(value: &str, secure: bool, max_age: u32) {
        // Path=/tokens: only the page that shows it receives it. SameSite=Strict and HttpOnly:
        // no other site and no script ever sees it.
        crate::cookies::send(
            cookie::Cookie::build((COOKIE, value.to_string()))
                .path("/tokens")
                .http_only(true)
                .same_site(cookie::SameSite::Strict)
                .max_age(cookie::time::Duration::seconds(max_age.into()))
                .secure(secure),
        );
    }

    /// Hands `secret` to the page the browser is redirected to.
    pub(super) fn set(secret: &str, secure: bool) {
        append(secret, secure, MAX_AGE_SECS);
    }

    /// The secret from the request's cookie (if well formed), clearing the cookie.
    pub(super) async fn take() -> Option<String> {
        let secret = crate::cookies::find(&headers().await?, COOKIE)?;
        append("", false, 0);
        service::access_tokens::is_well_formed_secret(&secret).then_some(secret)
    }
}
