//! [`Session`]: the signed-in person behind the portal's session cookie, as an axum extractor.
//!
//! Every place that turns the cookie into an actor uses it: the hub's own routes (the event
//! stream, the license download, the logo upload) take it like any extractor, and server
//! functions take it through `leptos_axum::extract_with_state`. Each caller decides what an
//! absent session means for it (a 401, a redirect to sign-in, "nobody"), so the rejection only
//! tells the two cases apart: no usable session, or a lookup that failed.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use service::auth::Actor;
use service::sessions::SessionInfo;

/// The session cookie's token as the browser sent it, not yet checked against the database
/// (signing out and switching organizations act on the token itself).
#[derive(Clone, Debug)]
pub struct SessionToken(pub String);

/// A signed-in session: its token and who it belongs to.
#[derive(Clone, Debug)]
pub struct Session {
    /// The token from the cookie.
    pub token: String,
    /// The signed-in person, and as whom they act.
    pub info: SessionInfo,
}

impl Session {
    /// The person acting in the session's organization, or `None` when they belong to none.
    pub fn actor(&self) -> Option<&Actor> {
        self.info.actor.as_ref()
    }
}

/// Why a request has no [`Session`].
#[derive(Debug)]
pub enum NoSession {
    /// No session cookie, or one whose session is unknown, expired or ended.
    Missing,
    /// The session could not be looked up (the database failed).
    Lookup(service::Error),
}

impl<S: Send + Sync> FromRequestParts<S> for SessionToken {
    type Rejection = NoSession;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, NoSession> {
        crate::cookies::session_cookie(&parts.headers)
            .map(SessionToken)
            .ok_or(NoSession::Missing)
    }
}

impl<S> FromRequestParts<S> for Session
where
    S: Send + Sync,
    service::Services: FromRef<S>,
{
    type Rejection = NoSession;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, NoSession> {
        let SessionToken(token) = SessionToken::from_request_parts(parts, state).await?;
        let services = service::Services::from_ref(state);
        match service::sessions::resolve(&services, &token).await {
            Ok(Some(info)) => Ok(Session { token, info }),
            Ok(None) => Err(NoSession::Missing),
            Err(err) => Err(NoSession::Lookup(err)),
        }
    }
}

/// What a route that takes [`Session`] directly (not as a `Result`) answers without one.
impl IntoResponse for NoSession {
    fn into_response(self) -> Response {
        match self {
            NoSession::Missing => {
                (StatusCode::UNAUTHORIZED, "Sign in to continue.").into_response()
            }
            NoSession::Lookup(err) => {
                tracing::error!(error = %err, "session lookup failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The hub could not check your session; try again.",
                )
                    .into_response()
            }
        }
    }
}
