//! `GET /v2/token`: the docker token flow. The client sends its credential as HTTP Basic
//! (password = personal access token or agent credential) and gets a short-lived signed registry token.
//! Requested scopes are not baked into the token: every registry request checks the caller's
//! current rights, and that the credential the token came from still works, anyway.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::{SecondsFormat, Utc};

use super::auth;
use super::error::OciError;
use crate::state::AppState;

/// Issues a registry token for the Basic credential.
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, OciError> {
    let Some(password) = auth::basic_password(&headers) else {
        return Err(auth::unauthorized(
            &state,
            None,
            "send your personal access token (or the agent's credential) as the password of HTTP Basic authentication",
        ));
    };
    let now = Utc::now();
    let (token, expires_in) = state
        .registry
        .token_for_secret(&state.services, &password, now)
        .await?
        .ok_or_else(|| {
            auth::unauthorized(
                &state,
                None,
                "the personal access token or agent credential is invalid, expired or revoked",
            )
        })?;
    Ok(Json(serde_json::json!({
        "token": token,
        "access_token": token,
        "expires_in": expires_in,
        "issued_at": now.to_rfc3339_opts(SecondsFormat::Secs, true),
    }))
    .into_response())
}
