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
    /// Hashing a password failed (only on broken parameters: a bug, not user input).
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    /// The database failed or is unreachable.
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
}

impl Error {
    /// Turns a unique-constraint violation into [`Error::Conflict`] on `field`; other database
    /// errors pass through.
    pub fn conflict_on(field: &'static str) -> impl FnOnce(sea_orm::DbErr) -> Error {
        move |err| match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::Conflict { field },
            _ => Error::Database(err),
        }
    }
}
