//! The one error type of the service layer; each boundary (REST, portal) maps it once.

use types::NameError;

/// Shorthand for results of the service layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a service call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is malformed; the message names the field.
    #[error(transparent)]
    Invalid(#[from] NameError),
    /// A field's value is malformed in a way a [`NameError`] cannot say (a YAML syntax error with
    /// its line and column, an expiry in the past…).
    #[error("{field}: {message}")]
    InvalidInput {
        /// The request field at fault, such as `composeFile`.
        field: &'static str,
        /// What is wrong, and where when the field is a document.
        message: String,
    },
    /// No valid license lets the caller use this version; the message says why.
    #[error("{0}")]
    NotLicensed(String),
    /// The named thing does not exist (or the caller may not know that it does).
    #[error("{what} not found")]
    NotFound {
        /// What was looked for, such as `organization`.
        what: &'static str,
    },
    /// A unique value is already taken.
    #[error("{field} is already taken")]
    Conflict {
        /// The field whose value is taken, such as `slug`.
        field: &'static str,
    },
    /// Email or password is wrong. Deliberately says not which, so accounts cannot be probed.
    #[error("invalid email or password")]
    InvalidCredentials,
    /// The caller is signed in but may not do this (or may not see that the thing exists).
    #[error("you do not have permission to {action}")]
    Forbidden {
        /// What was attempted, such as `manage customers`.
        action: &'static str,
    },
    /// An emailed link is unknown, used or expired.
    #[error(
        "this link is no longer valid (it was used, replaced or has expired): ask for a new one"
    )]
    LinkUnusable,
    /// Too many attempts from this address or for this account.
    #[error("too many attempts: wait {retry_after_secs} seconds and try again")]
    RateLimited {
        /// How long to wait.
        retry_after_secs: u64,
    },
    /// The change would leave an organization without an admin.
    #[error("an organization needs at least one admin: make someone else admin first")]
    LastAdmin,
    /// New vendor sign-ups are turned off on this hub.
    #[error(
        "sign-up is closed on this hub: ask an administrator of your organization for an invitation"
    )]
    SignUpClosed,
    /// An invitation link is unknown, used, revoked or expired.
    #[error("this invitation link is {0}: ask the person who invited you to send a new one")]
    InvitationUnusable(&'static str),
    /// Hashing a password failed (only on broken parameters: a bug, not user input).
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    /// The database failed or is unreachable.
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// Mail could not be sent (or the mail settings cannot work); the message names the server.
    #[error("mail error: {0}")]
    Mail(String),
    /// A registry request is refused with one of the OCI distribution spec's error codes.
    #[error("{message}")]
    Registry {
        /// The spec's code, which also decides the HTTP status.
        code: crate::registry::RegistryCode,
        /// What is wrong, for a person.
        message: String,
    },
    /// The target's agent is not connected to the hub, so it cannot be told anything now.
    #[error(
        "the agent is offline; it updates when it is connected and asked again, or when its install command is run again on the host"
    )]
    AgentOffline,
    /// The hub has no agent binary to serve, so agents cannot install or update; the message
    /// says where it looked and how to provide one.
    #[error("{0}")]
    NoAgentBinary(String),
    /// Reading or writing the blob store failed (disk full, permissions, object storage down).
    #[error("blob storage error: {0}")]
    Storage(String),
}

impl Error {
    /// A registry refusal with `code` and `message`.
    pub fn registry(code: crate::registry::RegistryCode, message: impl Into<String>) -> Self {
        Error::Registry {
            code,
            message: message.into(),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::Storage(err.to_string())
    }
}

impl Error {
    /// An [`Error::InvalidInput`] on `field`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            message: message.into(),
        }
    }

    /// Turns a unique-constraint violation into [`Error::Conflict`] on `field`; other database
    /// errors pass through.
    pub fn conflict_on(field: &'static str) -> impl FnOnce(sea_orm::DbErr) -> Error {
        move |err| match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::Conflict { field },
            _ => Error::Database(err),
        }
    }
}

/// An error message as a sentence for people: its first letter upper-cased (the messages
/// themselves start lower-case so they also read well inside log lines).
pub fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
