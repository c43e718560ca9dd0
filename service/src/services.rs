//! The service graph, built once at start-up and shared by every request.

use sea_orm::DatabaseConnection;

/// Everything a request handler needs from the service layer.
#[derive(Clone, Debug)]
pub struct Services {
    /// The database pool.
    pub db: DatabaseConnection,
    /// Whether cookies get the `Secure` attribute (the hub is served over https).
    pub secure_cookies: bool,
}
