//! Registry failures as the OCI distribution spec writes them:
//! `{"errors": [{"code", "message", "detail"}]}` with the code's status, and the bearer
//! challenge on 401 so docker knows where to get a token.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use service::registry::RegistryCode;

/// A registry error response.
#[derive(Debug)]
pub struct OciError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The spec's code.
    pub code: &'static str,
    /// What is wrong, for a person.
    pub message: String,
    /// The `WWW-Authenticate` challenge for 401s.
    pub challenge: Option<String>,
    /// `Content-Range` for 416s on blob reads.
    pub content_range: Option<String>,
}

impl OciError {
    /// An error with `code` and `message`.
    pub fn new(code: RegistryCode, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(code.status()).unwrap_or(StatusCode::BAD_REQUEST),
            code: code.as_str(),
            message: message.into(),
            challenge: None,
            content_range: None,
        }
    }
}

impl From<service::Error> for OciError {
    /// The one place where service errors become registry responses; internal failures are
    /// logged here and reach the client as a generic message.
    fn from(err: service::Error) -> Self {
        use service::Error as E;
        match err {
            E::Registry { code, message } => Self::new(code, message),
            E::Forbidden { .. } => Self::new(RegistryCode::Denied, err.to_string()),
            E::NotFound { .. } => Self::new(RegistryCode::NameUnknown, err.to_string()),
            E::Invalid(_) => Self::new(RegistryCode::NameInvalid, err.to_string()),
            // The hub's own failures, and the portal's and API's refusals, which the registry's
            // services never give (a registry refusal is `E::Registry`, with its spec code): one
            // reaching `/v2/` is the hub's fault. Details go to the log, never to the client.
            E::PasswordHash(_)
            | E::Database(_)
            | E::Mail { .. }
            | E::Storage { .. }
            | E::InvalidInput { .. }
            | E::NotLicensed(_)
            | E::Conflict { .. }
            | E::InvalidCredentials
            | E::LinkUnusable
            | E::RateLimited { .. }
            | E::LastAdmin
            | E::SignUpClosed
            | E::InvitationUnusable(_)
            | E::AgentOffline
            | E::NoAgentBinary(_) => {
                tracing::error!(error = %err, "registry request failed");
                Self {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    code: "UNKNOWN",
                    message: "the registry failed to answer; try again, and if it persists ask the hub's administrator to check the log".into(),
                    challenge: None,
                    content_range: None,
                }
            }
        }
    }
}

impl IntoResponse for OciError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "errors": [{"code": self.code, "message": self.message, "detail": null}]
        });
        let mut response = (self.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        if let Some(challenge) = self.challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        if let Some(range) = self
            .content_range
            .and_then(|c| HeaderValue::from_str(&c).ok())
        {
            headers.insert(header::CONTENT_RANGE, range);
        }
        response
    }
}
