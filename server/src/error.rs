//! Why the hub could not start or keep serving.

use std::path::PathBuf;

/// A start-up or serving failure; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The settings are invalid.
    #[error("invalid settings: {0}")]
    Settings(String),
    /// The data directory cannot be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The database cannot be opened.
    #[error("cannot open the database (check CONSIGN_DATABASE_URL / DATABASE_URL): {0}")]
    Database(service::Error),
    /// The mail settings cannot be used.
    #[error("invalid mail settings: {0}")]
    Mail(service::Error),
    /// The license-signing key cannot be read or created.
    #[error("{0}")]
    Signer(service::licenses::SignerError),
    /// The registry's storage cannot be opened.
    #[error("cannot open the registry storage (check CONSIGN_REGISTRY_DIR): {0}")]
    Registry(service::Error),
    /// The secrets key cannot be read or created.
    #[error("{0}")]
    SecretsKey(service::secrets::SecretKeyError),
    /// A migration failed.
    #[error("cannot migrate the database: {0}")]
    Migrate(service::Error),
    /// A file or folder of the hub cannot be made private to its user.
    #[error("cannot make {path} readable by the hub's user only: {source}")]
    Permissions {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The listener failed.
    #[error("cannot serve: {0}")]
    Serve(std::io::Error),
}
