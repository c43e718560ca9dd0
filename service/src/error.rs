//! The one error type of the service layer; each boundary (REST, portal) maps it once.

use types::NameError;

/// Shorthand for results of the service layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The error of an outside system behind a service error (lettre, `std::io`, object_store, a
/// blocking task); boxed because its type depends on which system failed.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

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
    #[error("mail error: {}", with_cause(.what, .source.as_deref()))]
    Mail {
        /// What failed, naming the server or the address.
        what: String,
        /// The mail library's error behind it, when there is one.
        #[source]
        source: Option<Cause>,
    },
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
    #[error("blob storage error: {}", with_cause(.what, .source.as_deref()))]
    Storage {
        /// What failed (empty when the cause says it all, as a file system error does).
        what: String,
        /// The file system's, object store's or task's error behind it, when there is one.
        #[source]
        source: Option<Cause>,
    },
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
        Error::storage_caused("", err)
    }
}

/// `what` followed by the cause's own words. The message repeats the cause so that a log line
/// of the error alone (`error = %err`) still says why; the cause itself stays reachable as the
/// error's `source()`.
fn with_cause(
    what: &str,
    cause: Option<&(dyn std::error::Error + Send + Sync + 'static)>,
) -> String {
    match cause {
        None => what.to_string(),
        Some(cause) if what.is_empty() => cause.to_string(),
        Some(cause) => format!("{what}: {cause}"),
    }
}

impl Error {
    /// An [`Error::Mail`] with nothing underneath: settings that cannot work.
    pub fn mail(what: impl Into<String>) -> Self {
        Error::Mail {
            what: what.into(),
            source: None,
        }
    }

    /// An [`Error::Mail`]: `what` failed because of `source`.
    pub fn mail_caused(what: impl Into<String>, source: impl Into<Cause>) -> Self {
        Error::Mail {
            what: what.into(),
            source: Some(source.into()),
        }
    }

    /// An [`Error::Storage`] with nothing underneath (a broken invariant of the store itself).
    pub fn storage(what: impl Into<String>) -> Self {
        Error::Storage {
            what: what.into(),
            source: None,
        }
    }

    /// An [`Error::Storage`]: `what` failed because of `source` (an empty `what` when the cause
    /// says it all).
    pub fn storage_caused(what: impl Into<String>, source: impl Into<Cause>) -> Self {
        Error::Storage {
            what: what.into(),
            source: Some(source.into()),
        }
    }

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

#[cfg(test)]
mod tests {
    use std::error::Error as _;
    use std::io;

    use super::*;

    #[test]
    fn storage_and_mail_errors_keep_their_cause_behind_the_same_message() {
        let err = Error::from(io::Error::new(io::ErrorKind::PermissionDenied, "denied"));
        assert_eq!(err.to_string(), "blob storage error: denied");
        let cause = err.source().and_then(|s| s.downcast_ref::<io::Error>());
        assert_eq!(
            cause.map(io::Error::kind),
            Some(io::ErrorKind::PermissionDenied)
        );

        let err = Error::storage_caused("object storage", io::Error::other("bucket gone"));
        assert_eq!(
            err.to_string(),
            "blob storage error: object storage: bucket gone"
        );
        assert!(err.source().is_some());

        let err = Error::mail("mail settings: the SMTP host is empty");
        assert_eq!(
            err.to_string(),
            "mail error: mail settings: the SMTP host is empty"
        );
        assert!(err.source().is_none());
    }
}
