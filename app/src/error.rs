//! The portals' one error type, and its mapping from the service layer (the only place where
//! service errors become something a person reads).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::{Bytes, Encodes};
use serde::{Deserialize, Serialize};

/// What a server function can fail with, as shown to the person using the portal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// A field's value is malformed; the message names the field and what to change.
    #[error("{message}")]
    Invalid {
        /// The form field at fault.
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// Sign-in failed. One message for every cause, so accounts cannot be probed.
    #[error("Invalid email or password. Check both and try again.")]
    InvalidCredentials,
    /// The request needs a signed-in user.
    #[error("Your session has ended. Sign in again to continue.")]
    Unauthenticated,
    /// The signed-in person may not do this.
    #[error("You do not have permission to {action}. Ask an admin of your organization.")]
    Forbidden {
        /// What was attempted.
        action: String,
    },
    /// The hub does not take new vendor sign-ups.
    #[error("Sign-up is closed on this hub. Ask an admin of your organization for an invitation.")]
    SignUpClosed,
    /// The invitation link cannot be used.
    #[error("This invitation link is {0}. Ask the person who invited you to send a new one.")]
    InvitationUnusable(String),
    /// An emailed link cannot be used.
    #[error(
        "This link is no longer valid: it was used, replaced by a newer one, or has expired. Ask for a new one."
    )]
    LinkUnusable,
    /// Too many attempts.
    #[error("Too many attempts. Wait {retry_after_secs} seconds, then try again.")]
    RateLimited {
        /// How long to wait.
        retry_after_secs: u64,
    },
    /// The change would leave no admin.
    #[error("An organization needs at least one admin. Make someone else admin first.")]
    LastAdmin,
    /// No valid license covers what was asked for; the message says why (expired, revoked…).
    #[error("{0} Ask your vendor to renew or extend your license.")]
    NotLicensed(String),
    /// The thing asked for does not exist, or the user may not see it.
    #[error("{what} not found. It may have been deleted; go back and reload the list.")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// A unique value is taken.
    #[error("This {field} is already taken. Choose another one.")]
    Conflict {
        /// The field whose value is taken.
        field: String,
    },
    /// The server failed; details are in its log, never in the browser.
    #[error(
        "Something went wrong on the server. Try again in a moment; if it keeps happening, ask your Consign administrator to check the hub's log."
    )]
    Internal,
    /// The request did not reach the server function, or its answer could not be read.
    #[error("The hub could not be reached ({0}). Check your connection and try again.")]
    Transport(String),
}

impl AppError {
    /// The form field this error is about, when it is about one (shown beside that field).
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } | AppError::Conflict { field } => Some(field),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }

    // The server-function machinery calls this on the hub exactly when a failed call's answer
    // is written, so it is the one place where an error gets its HTTP status: errors that a
    // server function handles itself (an absent session read as "nobody") never get here.
    fn ser(&self) -> Bytes {
        #[cfg(feature = "ssr")]
        self.answer_with_status();
        <JsonEncoding as Encodes<Self>>::encode(self)
            .unwrap_or_else(|_| Bytes::from_static(b"\"Internal\""))
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status this error is answered with: the client's mistakes are 4xx, and only
    /// the hub's own failures are 500.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::Invalid { .. } | AppError::Transport(_) => S::BAD_REQUEST,
            AppError::InvalidCredentials | AppError::Unauthenticated => S::UNAUTHORIZED,
            AppError::Forbidden { .. } | AppError::SignUpClosed | AppError::NotLicensed(_) => {
                S::FORBIDDEN
            }
            AppError::NotFound { .. } => S::NOT_FOUND,
            AppError::Conflict { .. } | AppError::LastAdmin => S::CONFLICT,
            AppError::InvitationUnusable(_) | AppError::LinkUnusable => S::GONE,
            AppError::RateLimited { .. } => S::TOO_MANY_REQUESTS,
            AppError::Internal => S::INTERNAL_SERVER_ERROR,
        }
    }

    /// Sets this error's status (and `Retry-After` when rate limited) on the server function's
    /// response, and logs it at a level that says whose fault it is. A plain HTML form post
    /// keeps the redirect back to its page that the server-function layer gives it.
    fn answer_with_status(&self) {
        use leptos::prelude::use_context;
        let status = self.status();
        if status.is_server_error() {
            // The cause was logged at ERROR where it was mapped (`From<service::Error>`).
            tracing::warn!(%status, "server function answered with an internal error");
        } else if matches!(self, AppError::RateLimited { .. }) {
            tracing::warn!(%status, error = %self, "server function refused: rate limited");
        } else {
            tracing::info!(%status, error = %self, "server function refused the request");
        }
        let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
            return;
        };
        let form_post = use_context::<http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        });
        if let AppError::RateLimited { retry_after_secs } = self {
            response.insert_header(
                http::header::RETRY_AFTER,
                http::HeaderValue::from(*retry_after_secs),
            );
        }
        if !form_post {
            response.set_status(status);
        }
    }
}

#[cfg(feature = "ssr")]
impl From<service::Error> for AppError {
    fn from(err: service::Error) -> Self {
        use service::Error as E;
        match err {
            E::Invalid(name) => {
                let field = match &name {
                    types::NameError::Empty { field }
                    | types::NameError::TooLong { field, .. }
                    | types::NameError::TooShort { field, .. }
                    | types::NameError::Invalid { field, .. } => field.to_string(),
                };
                AppError::Invalid {
                    field,
                    message: service::error::sentence_case(&name.to_string()),
                }
            }
            E::InvalidInput { field, message } => AppError::Invalid {
                field: field.to_string(),
                message: service::error::sentence_case(&message),
            },
            E::NotLicensed(why) => AppError::NotLicensed(service::error::sentence_case(&why)),
            E::NotFound { what } => AppError::NotFound {
                what: service::error::sentence_case(what),
            },
            E::Conflict { field } => AppError::Conflict {
                field: field.to_string(),
            },
            E::InvalidCredentials => AppError::InvalidCredentials,
            E::Forbidden { action } => AppError::Forbidden {
                action: action.to_string(),
            },
            E::SignUpClosed => AppError::SignUpClosed,
            E::InvitationUnusable(why) => AppError::InvitationUnusable(why.to_string()),
            E::LastAdmin => AppError::LastAdmin,
            E::LinkUnusable => AppError::LinkUnusable,
            E::AgentOffline | E::NoAgentBinary(_) => AppError::Invalid {
                field: "agent".into(),
                message: service::error::sentence_case(&err.to_string()),
            },
            E::RateLimited { retry_after_secs } => AppError::RateLimited { retry_after_secs },
            E::PasswordHash(_) | E::Database(_) => {
                tracing::error!(error = %err, "server function failed");
                AppError::Internal
            }
            E::Mail { .. } => {
                tracing::error!(error = %err, "sending mail failed");
                AppError::Internal
            }
            E::Registry { message, .. } => AppError::Invalid {
                field: "artifact".into(),
                message: service::error::sentence_case(&message),
            },
            E::Storage { .. } => {
                tracing::error!(error = %err, "registry storage failed");
                AppError::Internal
            }
        }
    }
}
