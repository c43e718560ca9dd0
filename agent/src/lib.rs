//! The Consign agent: a small program in the customer's environment that connects to the hub,
//! receives the desired state and deploys it.
//!
//! This crate owns the agent's settings, enrolment, websocket connection (with reconnect and
//! an offline buffer), the supervisor that converges and watches deployments, and the
//! executors (Docker Compose now). It speaks to the hub only through `types::protocol` and
//! must never depend on the hub's crates (`service`, `app`, `server`).

pub mod backoff;
pub mod connection;
pub mod credential;
pub mod drift;
pub mod enrol;
pub mod error;
pub mod executor;
pub mod license;
pub mod mask;
pub mod metrics;
pub mod outbox;
pub mod runner;
pub mod settings;
pub mod supervisor;
pub mod tls;
pub mod updater;

pub use error::{Error, Result};
pub use settings::{Settings, SettingsError};
