//! [`Bearer`]: the caller of an API request, authenticated by a personal access token sent as
//! `Authorization: Bearer consign_pat_…`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use service::auth::Actor;

use super::error::ApiError;
use crate::state::AppState;

/// The caller of an API request, authenticated by a personal access token.
#[derive(Clone, Debug)]
pub struct Bearer(pub Actor);

impl FromRequestParts<AppState> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let secret = bearer_secret(&parts.headers).ok_or_else(|| {
            ApiError::unauthenticated(
                "send a personal access token as `Authorization: Bearer <token>`",
            )
        })?;
        match service::access_tokens::authenticate(&state.services, secret).await? {
            Some(actor) => Ok(Bearer(actor)),
            None => Err(ApiError::unauthenticated(
                "the access token is invalid, expired or revoked",
            )),
        }
    }
}

/// The credential of `Authorization: Bearer <secret>` (the scheme is case-insensitive).
pub(crate) fn bearer_secret(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credential) = value.trim().split_once(' ')?;
    let credential = credential.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !credential.is_empty()).then_some(credential)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(authorization: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(header::AUTHORIZATION, authorization.parse().unwrap());
        map
    }

    #[test]
    fn only_a_bearer_credential_is_taken() {
        assert_eq!(bearer_secret(&headers("Bearer abc")), Some("abc"));
        assert_eq!(bearer_secret(&headers("bearer   abc ")), Some("abc"));
        assert_eq!(bearer_secret(&headers("Basic YTpi")), None);
        assert_eq!(bearer_secret(&headers("Bearer ")), None);
        assert_eq!(bearer_secret(&headers("Bearer")), None);
        assert_eq!(bearer_secret(&HeaderMap::new()), None);
    }
}
