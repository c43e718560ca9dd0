//! Plain axum routes beside the Leptos pages.

pub mod api;
pub mod branding;
pub mod csrf;
pub mod health;
