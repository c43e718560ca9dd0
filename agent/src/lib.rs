//! The Consign agent: a small program in the customer's environment that connects to the hub,
//! receives the desired state and deploys it.
//!
//! This crate owns the agent's settings and (in later work) its websocket connection, dispatcher
//! and executors. It speaks to the hub only through `types::protocol` and must never depend on
//! the hub's crates (`service`, `app`, `server`).

pub mod license;
pub mod settings;

pub use settings::{Settings, SettingsError};
