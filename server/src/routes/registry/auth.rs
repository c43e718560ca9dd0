//! Who is calling the registry: HTTP Basic with a personal access token or a deployment
//! agent's credential as the password (`docker login -u anything -p consign_pat_…`), or a
//! bearer token, either one issued by `/v2/token` or one of those secrets itself. Without a usable credential the answer is
//! 401 with the challenge docker follows to `/v2/token`.

use axum::http::{HeaderMap, header};
use base64::Engine;
use service::registry::RegistryCode;
use service::registry::access::RegistryPrincipal;

use super::error::OciError;
use crate::state::AppState;

/// The `service` named in challenges and tokens.
pub const SERVICE: &str = "consign";

/// The challenge pointing clients at the token endpoint.
pub fn challenge(state: &AppState, scope: Option<&str>) -> String {
    let base = state.services.config.public_url.clone().unwrap_or_default();
    match scope {
        Some(scope) => {
            format!(r#"Bearer realm="{base}/v2/token",service="{SERVICE}",scope="{scope}""#)
        }
        None => format!(r#"Bearer realm="{base}/v2/token",service="{SERVICE}""#),
    }
}

/// A 401 with the challenge.
pub fn unauthorized(state: &AppState, scope: Option<&str>, message: &str) -> OciError {
    OciError {
        challenge: Some(challenge(state, scope)),
        ..OciError::new(RegistryCode::Unauthorized, message)
    }
}

/// The password of an HTTP Basic credential.
pub fn basic_password(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    text.split_once(':')
        .map(|(_, password)| password.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// The principal behind a personal access token or an agent's credential.
pub async fn from_secret(
    state: &AppState,
    secret: &str,
) -> Result<Option<RegistryPrincipal>, OciError> {
    if service::targets::is_agent_credential(secret) {
        return Ok(service::targets::registry_principal(&state.services, secret).await?);
    }
    Ok(
        service::access_tokens::authenticate(&state.services, secret)
            .await?
            .map(RegistryPrincipal::Person),
    )
}

/// The caller of a registry request, or the 401 that tells it how to authenticate.
pub async fn principal(
    state: &AppState,
    headers: &HeaderMap,
    scope: Option<&str>,
) -> Result<RegistryPrincipal, OciError> {
    let found = if let Some(password) = basic_password(headers) {
        from_secret(state, &password).await?
    } else if let Some(token) = bearer(headers) {
        if service::access_tokens::is_well_formed_secret(token)
            || service::targets::is_agent_credential(token)
        {
            from_secret(state, token).await?
        } else {
            state
                .registry
                .verify_token(&state.services, token, chrono::Utc::now())
                .await?
        }
    } else {
        return Err(unauthorized(
            state,
            scope,
            "authentication required: log in with a personal access token as the password",
        ));
    };
    found.ok_or_else(|| {
        unauthorized(
            state,
            scope,
            "the credential is invalid, expired or revoked: log in again with a valid personal access token",
        )
    })
}
