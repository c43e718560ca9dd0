//! [`ApiError`]: every API failure as JSON `{"error": {"code", "message", "field"?}}`, and the
//! one place where [`service::Error`] becomes an HTTP status.

use std::borrow::Cow;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// An API failure: a status, a stable machine-readable code and a message safe to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable code, such as `not_found`.
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
    /// The request field at fault (camelCase, as in the request), for invalid input and
    /// conflicts.
    pub field: Option<Cow<'static, str>>,
    /// For `429 Too Many Requests`: seconds to wait (sent as `Retry-After`).
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    /// An error without a field.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after_secs: None,
        }
    }

    /// A `400 invalid` naming the request field at fault.
    pub fn invalid(field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.into()),
            ..Self::new(StatusCode::BAD_REQUEST, "invalid", message)
        }
    }

    /// A missing or unusable credential (answered with `WWW-Authenticate: Bearer`).
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    fn with_field(mut self, field: &'static str) -> Self {
        self.field = Some(camel_case(field));
        self
    }
}

/// A service field name as the API spells it: the service names some fields in snake_case
/// (`expires_in_days`), the API's JSON is camelCase throughout (`expiresInDays`).
pub fn camel_case(field: &'static str) -> Cow<'static, str> {
    if !field.contains('_') {
        return Cow::Borrowed(field);
    }
    let mut out = String::with_capacity(field.len());
    let mut upper = false;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
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
                Self::new(StatusCode::BAD_REQUEST, "invalid", name.to_string()).with_field(field)
            }
            E::InvalidInput { field, .. } => {
                Self::new(StatusCode::BAD_REQUEST, "invalid", err.to_string()).with_field(field)
            }
            E::NotLicensed(_) => Self::new(StatusCode::FORBIDDEN, "not_licensed", err.to_string()),
            E::Conflict { field } => {
                Self::new(StatusCode::CONFLICT, "conflict", err.to_string()).with_field(field)
            }
            E::NotFound { .. } => Self::new(StatusCode::NOT_FOUND, "not_found", err.to_string()),
            E::Forbidden { .. } => Self::new(StatusCode::FORBIDDEN, "forbidden", err.to_string()),
            E::InvalidCredentials => Self::unauthenticated(err.to_string()),
            E::LastAdmin => Self::new(StatusCode::CONFLICT, "last_admin", err.to_string()),
            E::SignUpClosed => Self::new(StatusCode::FORBIDDEN, "signup_closed", err.to_string()),
            E::InvitationUnusable(_) => {
                Self::new(StatusCode::GONE, "invitation_unusable", err.to_string())
            }
            E::LinkUnusable => Self::new(StatusCode::GONE, "link_unusable", err.to_string()),
            E::AgentOffline => Self::new(StatusCode::CONFLICT, "agent_offline", err.to_string()),
            E::NoAgentBinary(_) => {
                Self::new(StatusCode::CONFLICT, "no_agent_binary", err.to_string())
            }
            E::RateLimited { retry_after_secs } => Self {
                retry_after_secs: Some(retry_after_secs),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    err.to_string(),
                )
            },
            // The hub's own failures: details go to the log, never to the client. A registry
            // refusal belongs to `/v2/` (no API route calls the registry's services), so one
            // reaching here is the hub's fault too.
            E::PasswordHash(_)
            | E::Database(_)
            | E::Mail { .. }
            | E::Storage { .. }
            | E::Registry { .. } => {
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

/// The body of every API error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody<'a> {
    /// What went wrong.
    pub error: ErrorDetail<'a>,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail<'a> {
    /// A stable machine-readable code: `invalid`, `unsupported_media_type`, `too_large`,
    /// `unauthenticated`, `forbidden`, `not_found`, `conflict`, `last_admin`,
    /// `invitation_unusable`, `rate_limited`, `internal`…
    #[schema(example = "invalid")]
    pub code: &'a str,
    /// What went wrong, for a person.
    #[schema(example = "name must not be empty")]
    pub message: &'a str,
    /// The request field at fault (camelCase, as sent), for invalid input and conflicts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "name")]
    pub field: Option<&'a str>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
                field: self.field.as_deref(),
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

    #[test]
    fn service_errors_map_to_statuses_and_name_the_field() {
        let invalid = ApiError::from(service::Error::Invalid(types::NameError::Empty {
            field: "label",
        }));
        assert_eq!(
            (invalid.status, invalid.field.as_deref()),
            (StatusCode::BAD_REQUEST, Some("label"))
        );
        let conflict = ApiError::from(service::Error::Conflict { field: "slug" });
        assert_eq!(
            (conflict.status, conflict.field.as_deref()),
            (StatusCode::CONFLICT, Some("slug"))
        );
        let missing = ApiError::from(service::Error::NotFound {
            what: "access token",
        });
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let forbidden = ApiError::from(service::Error::Forbidden { action: "x" });
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
        let internal = ApiError::from(service::Error::mail("smtp.example.com: refused"));
        assert_eq!(internal.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            !internal.message.contains("smtp"),
            "internal details never reach the client"
        );
    }

    #[test]
    fn service_field_names_are_spelled_as_the_api_spells_them() {
        let invalid = ApiError::from(service::Error::Invalid(types::NameError::Invalid {
            field: "expires_in_days",
            rule: "x",
        }));
        assert_eq!(invalid.field.as_deref(), Some("expiresInDays"));
        assert_eq!(camel_case("composeFile"), "composeFile");
        assert_eq!(
            camel_case("customer_organization_id"),
            "customerOrganizationId"
        );
    }

    #[test]
    fn an_unauthenticated_answer_asks_for_a_bearer_token() {
        let response = ApiError::unauthenticated("no").into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }
}
