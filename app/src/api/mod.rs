//! Server functions: the portals' calls into the hub. Each one is thin — take the services and
//! the caller's identity from the request, call one service function, map its error.

pub mod account;
pub mod artifacts;
pub mod auth;
pub mod branding;
pub mod catalog;
pub mod customers;
pub mod deployment_list;
pub mod deployments;
pub mod fleet;
pub mod invitations;
pub mod licenses;
pub mod members;
pub mod onboarding;
pub mod overview;
pub mod registry;
pub mod stats;
pub mod targets;
pub mod tokens;
pub mod upstreams;

#[cfg(feature = "ssr")]
pub(crate) use server_side::*;

#[cfg(feature = "ssr")]
mod server_side {
    use crate::error::AppError;

    /// The service graph the server put into the request's context.
    pub(crate) fn services() -> Result<service::Services, AppError> {
        leptos::prelude::use_context::<service::Services>().ok_or_else(|| {
            tracing::error!("service::Services missing from the request context");
            AppError::Internal
        })
    }

    /// The session cookie's token, if the browser sent one (not checked against the database).
    pub(crate) async fn session_token() -> Option<String> {
        leptos_axum::extract::<crate::session::SessionToken>()
            .await
            .ok()
            .map(|token| token.0)
    }

    /// The signed-in person's session, or [`AppError::Unauthenticated`].
    pub(crate) async fn session(
        services: &service::Services,
    ) -> Result<service::sessions::SessionInfo, AppError> {
        use crate::session::{NoSession, Session};
        match leptos_axum::extract_with_state::<Result<Session, NoSession>, _>(services).await {
            Ok(Ok(session)) => Ok(session.info),
            Ok(Err(NoSession::Lookup(err))) => Err(err.into()),
            // Outside a request there is nobody to be signed in.
            Ok(Err(NoSession::Missing)) | Err(_) => Err(AppError::Unauthenticated),
        }
    }

    /// The services and the signed-in person acting in their current organization.
    pub(crate) async fn actor() -> Result<(service::Services, service::auth::Actor), AppError> {
        let services = services()?;
        let info = session(&services).await?;
        let actor = info.actor.ok_or(AppError::Forbidden {
            action: "do this: you are not a member of any organization".into(),
        })?;
        Ok((services, actor))
    }

    /// The hub's public base URL, for links in emails: the configured one (the server sets it
    /// to its own address when none is configured). Never the request's `Host` header, which
    /// the requester chooses.
    pub(crate) async fn base_url(services: &service::Services) -> String {
        services
            .config
            .public_url
            .clone()
            .unwrap_or_else(|| "http://localhost".into())
    }

    /// The client's address: the TCP peer the server accepted the request from (for the
    /// service's per-address attempt limits).
    pub(crate) async fn client_address() -> Option<std::net::IpAddr> {
        leptos_axum::extract::<http::request::Parts>()
            .await
            .ok()?
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip())
    }

    /// The scope a form names: empty for the vendor itself, else one of its customers.
    pub(crate) fn customer_scope(
        customer: &str,
    ) -> Result<Option<types::CustomerOrganizationId>, AppError> {
        if customer.trim().is_empty() {
            Ok(None)
        } else {
            parse_id(customer, "Customer").map(Some)
        }
    }

    /// Parses an id sent by a form.
    pub(crate) fn parse_id<T: std::str::FromStr>(value: &str, what: &str) -> Result<T, AppError> {
        value.trim().parse().map_err(|_| AppError::NotFound {
            what: what.to_string(),
        })
    }

    /// Sets (or, with `max_age` 0, clears) the session cookie.
    pub(crate) fn set_session_cookie(token: &str, secure: bool, max_age: i64) {
        // HttpOnly keeps the token away from scripts; SameSite=Lax keeps other sites' forms from
        // riding on it (server functions are POST-only, and the server also checks Origin).
        crate::cookies::send(
            cookie::Cookie::build((service::sessions::COOKIE_NAME, token.to_string()))
                .path("/")
                .http_only(true)
                .same_site(cookie::SameSite::Lax)
                .max_age(cookie::time::Duration::seconds(max_age))
                .secure(secure),
        );
    }
}
