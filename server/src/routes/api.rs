//! The REST API under `/api/v1`, authenticated by personal access token.
//!
//! Clients send `Authorization: Bearer consign_pat_…`; the [`Bearer`] extractor resolves it to
//! the token owner's [`Actor`]. Every failure is JSON, `{"error": {"code", "message", "field"?}}`,
//! and service errors become HTTP statuses in exactly one place, [`ApiError::from`].

use axum::Json;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use service::auth::Actor;
use types::{CustomerOrganizationId, OrganizationId, Role, UserId};

use crate::state::AppState;

/// The REST API routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/{*rest}", axum::routing::any(unknown_route))
}

/// Any other path under `/api/v1`: a JSON 404, never the portal's HTML page.
async fn unknown_route(uri: axum::http::Uri) -> impl axum::response::IntoResponse {
    (
        axum::http::StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({
            "error": {
                "code": "not_found",
                "message": format!("no API route {}: see /api/v1/openapi.json once it is published", uri.path()),
            }
        })),
    )
}

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
        match service::access_tokens::authenticate(&state.services.db, secret).await? {
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

/// Who the token acts as.
#[derive(Clone, Debug, Serialize)]
pub struct Me {
    /// The token's owner.
    pub user_id: UserId,
    /// The vendor organization the token acts in.
    pub organization_id: OrganizationId,
    /// The owner's current role there.
    pub role: Role,
    /// For a customer member, their customer organization; `null` for vendor members.
    pub customer_organization_id: Option<CustomerOrganizationId>,
}

/// `GET /api/v1/me`: the identity behind the token.
async fn me(Bearer(actor): Bearer) -> Json<Me> {
    Json(Me {
        user_id: actor.user_id,
        organization_id: actor.organization_id,
        role: actor.role,
        customer_organization_id: actor.customer_organization_id,
    })
}

/// An API failure: a status, a stable machine-readable code and a message safe to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable code, such as `not_found`.
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
    /// The request field at fault, for invalid input and conflicts.
    pub field: Option<&'static str>,
    /// For `429 Too Many Requests`: seconds to wait (sent as `Retry-After`).
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after_secs: None,
        }
    }

    /// A missing or unusable credential (answered with `WWW-Authenticate: Bearer`).
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }
}

impl From<service::Error> for ApiError {
    /// The one place where service errors become API responses. Internal failures are logged
    /// here, once, and reach the client only as a generic message.
    fn from(err: service::Error) -> Self {
        use service::Error as E;
        match err {
            E::Invalid(name) => {
                let field = match &name {
                    types::NameError::Empty { field }
                    | types::NameError::TooLong { field, .. }
                    | types::NameError::TooShort { field, .. }
                    | types::NameError::Invalid { field, .. } => *field,
                };
                Self {
                    field: Some(field),
                    ..Self::new(StatusCode::BAD_REQUEST, "invalid", name.to_string())
                }
            }
            E::InvalidInput { field, .. } => Self {
                field: Some(field),
                ..Self::new(StatusCode::BAD_REQUEST, "invalid", err.to_string())
            },
            E::NotLicensed(_) => Self::new(StatusCode::FORBIDDEN, "not_licensed", err.to_string()),
            E::Conflict { field } => Self {
                field: Some(field),
                ..Self::new(StatusCode::CONFLICT, "conflict", err.to_string())
            },
            E::NotFound { .. } => Self::new(StatusCode::NOT_FOUND, "not_found", err.to_string()),
            E::Forbidden { .. } => Self::new(StatusCode::FORBIDDEN, "forbidden", err.to_string()),
            E::InvalidCredentials => Self::unauthenticated(err.to_string()),
            E::LastAdmin => Self::new(StatusCode::CONFLICT, "last_admin", err.to_string()),
            E::SignUpClosed => Self::new(StatusCode::FORBIDDEN, "signup_closed", err.to_string()),
            E::InvitationUnusable(_) => {
                Self::new(StatusCode::GONE, "invitation_unusable", err.to_string())
            }
            E::LinkUnusable => Self::new(StatusCode::GONE, "link_unusable", err.to_string()),
            E::RateLimited { retry_after_secs } => Self {
                retry_after_secs: Some(retry_after_secs),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    err.to_string(),
                )
            },
            // Database, password-hashing and mail failures, and whatever is added later until it
            // gets its own status: details go to the log, never to the client.
            _ => {
                tracing::error!(error = %err, "API request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the hub failed to answer; try again, and if it persists ask its administrator to check the log",
                )
            }
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
                field: self.field,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
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

    #[test]
    fn service_errors_map_to_statuses_and_name_the_field() {
        let invalid = ApiError::from(service::Error::Invalid(types::NameError::Empty {
            field: "label",
        }));
        assert_eq!(
            (invalid.status, invalid.field),
            (StatusCode::BAD_REQUEST, Some("label"))
        );
        let conflict = ApiError::from(service::Error::Conflict { field: "slug" });
        assert_eq!(
            (conflict.status, conflict.field),
            (StatusCode::CONFLICT, Some("slug"))
        );
        let missing = ApiError::from(service::Error::NotFound {
            what: "access token",
        });
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let forbidden = ApiError::from(service::Error::Forbidden { action: "x" });
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
        let internal = ApiError::from(service::Error::Mail("smtp.example.com: refused".into()));
        assert_eq!(internal.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            !internal.message.contains("smtp"),
            "internal details never reach the client"
        );
    }

    #[test]
    fn an_unauthenticated_answer_asks_for_a_bearer_token() {
        let response = ApiError::unauthenticated("no").into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }
}
