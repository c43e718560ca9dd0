//! The router's state: built once at start-up, cloned into every request.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

/// What every handler can reach.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    /// Where the site's files are and what the bundle is called.
    pub leptos_options: LeptosOptions,
    /// The service graph.
    pub services: service::Services,
    /// The OCI registry's blob store and upload sessions.
    pub registry: std::sync::Arc<service::registry::Registry>,
    /// How the agent endpoints behave.
    pub agent: crate::routes::agent::AgentConfig,
}
