//! Signing in and out, and who is signed in.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The signed-in person, as the portals show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
}

/// Checks the credentials, starts a session (HttpOnly cookie) and sends the browser to `next`
/// (`/` or `/portal`, anything else falls back to `/`).
#[server(prefix = "/_fn", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: String) -> Result<(), AppError> {
    let services = super::services()?;
    let user = service::accounts::authenticate(&services.db, &email, password).await?;
    let token = service::sessions::start(&services.db, &user).await?;
    set_session_cookie(
        &token,
        services.secure_cookies,
        service::sessions::SESSION_LIFETIME.num_seconds(),
    );
    leptos_axum::redirect(if next == "/portal" { "/portal" } else { "/" });
    Ok(())
}

/// Ends this browser's session.
#[server(prefix = "/_fn", endpoint = "sign_out")]
pub async fn sign_out(next: String) -> Result<(), AppError> {
    let services = super::services()?;
    if let Some(token) = session_token().await {
        service::sessions::end(&services.db, &token).await?;
    }
    set_session_cookie("", services.secure_cookies, 0);
    leptos_axum::redirect(if next == "/portal" { "/portal" } else { "/" });
    Ok(())
}

/// Who is signed in in this browser, if anyone.
#[server(prefix = "/_fn", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    let services = super::services()?;
    let Some(token) = session_token().await else {
        return Ok(None);
    };
    Ok(service::sessions::resolve(&services.db, &token)
        .await?
        .map(|user| SessionUser {
            name: user.name,
            email: user.email.into(),
        }))
}

#[cfg(feature = "ssr")]
async fn session_token() -> Option<String> {
    let headers = leptos_axum::extract::<http::HeaderMap>().await.ok()?;
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == service::sessions::COOKIE_NAME && !value.is_empty())
        .map(|(_, value)| value.to_string())
}

#[cfg(feature = "ssr")]
fn set_session_cookie(token: &str, secure: bool, max_age: i64) {
    // HttpOnly keeps the token away from scripts; SameSite=Lax keeps other sites' forms from
    // riding on it (server functions are POST-only).
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        service::sessions::COOKIE_NAME
    );
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}
