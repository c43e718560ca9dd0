//! Plain axum routes beside the Leptos pages.

pub mod agent;
pub mod agent_ws;
pub mod api;
pub mod branding;
pub mod csrf;
pub mod events;
pub mod health;
pub mod licenses;
pub mod registry;
