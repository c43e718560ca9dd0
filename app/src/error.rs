//! The portals' one error type, and its mapping from the service layer (the only place where
//! service errors become something a person reads).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
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

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
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
                    message: capitalise(&name.to_string()),
                }
            }
            E::NotFound { what } => AppError::NotFound {
                what: capitalise(what),
            },
            E::Conflict { field } => AppError::Conflict {
                field: field.to_string(),
            },
            E::InvalidCredentials => AppError::InvalidCredentials,
            E::PasswordHash(_) | E::Database(_) => {
                tracing::error!(error = %err, "server function failed");
                AppError::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
