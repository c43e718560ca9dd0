//! The agent's one error type.

use std::path::PathBuf;

use crate::settings::SettingsError;

/// Everything that can go wrong in the agent, each with a message that says what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The settings are unusable.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The hub refused the enrolment secret.
    #[error(
        "the hub refused the enrolment secret (HTTP {status}): it was already used, rotated, \
         or the target was deleted; copy a fresh install command from the portal"
    )]
    EnrolmentRefused {
        /// The HTTP status the hub answered.
        status: u16,
    },
    /// Enrolment failed for another reason (network, hub error, bad answer).
    #[error("enrolment at {url} failed: {reason}")]
    Enrolment {
        /// The enrolment endpoint.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// A file in the state directory cannot be read or written.
    #[error("{path}: {source}")]
    StateFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// TLS cannot be configured.
    #[error("cannot configure TLS: {0}")]
    Tls(#[from] rustls::Error),
    /// Neither `docker compose` nor `docker-compose` works on this host.
    #[error(
        "neither `docker compose` nor `docker-compose` works on this host: install the Docker \
         Compose plugin"
    )]
    NoCompose,
    /// A docker or compose command failed.
    #[error("`{command}` failed: {output}")]
    Command {
        /// The command line, without secrets.
        command: String,
        /// The tail of its output, secrets masked.
        output: String,
    },
    /// Compose could not bring a deployment up: names the Compose that ran and, when that is
    /// the cause, the images that are neither on the host nor pullable.
    #[error("{tool} could not start the deployment{missing}: `{command}` failed: {output}")]
    ComposeUp {
        /// Which Compose ran, with its version, e.g. `Docker Compose 1.29.2 (docker-compose)`.
        tool: String,
        /// The command line, without secrets.
        command: String,
        /// Empty, or `: image … is not on this host and could not be pulled`.
        missing: String,
        /// The tail of its output, secrets masked.
        output: String,
    },
    /// The desired state names a project the agent refuses.
    #[error("the project name {0:?} is not usable: 1 to 63 lowercase letters, digits, '-' or '_'")]
    BadProjectName(String),
    /// Docker answered something the agent cannot read.
    #[error("cannot read docker's answer: {0}")]
    DockerOutput(String),
    /// Updating the agent binary failed.
    #[error("updating the agent failed: {0}")]
    Update(String),
}

/// The agent's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
