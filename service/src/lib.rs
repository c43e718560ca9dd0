//! Consign's domain rules and persistence.
//!
//! This crate owns the SeaORM entities, every database call (`repo`), the business rules of each
//! feature (one module per feature, such as [`accounts`] and [`organizations`]) and the auth
//! primitives (password hashing). The database connection never leaves it: callers hold a
//! [`Services`] and call functions that take it and typed ids, and get domain types back. It must never import axum or leptos: the portals and the REST
//! API call into it, never the other way round.

pub mod access_tokens;
pub mod accounts;
pub mod agent_hub;
pub mod agent_session;
pub mod agent_update;
pub mod applications;
pub mod artifact_licenses;
pub mod auth;
pub mod branding;
pub mod catalog;
pub mod channels;
pub mod custom_host;
pub mod customer_catalog;
pub mod customers;
pub mod db;
pub mod deploy_options;
pub mod deployment_list;
pub mod deployments;
pub mod documents;
pub mod email_links;
// The entities and the repository are this crate's own: callers get domain types. Tests that
// plant or inspect rows directly see them through the `testing` feature.
#[cfg(feature = "testing")]
pub mod entity;
#[cfg(not(feature = "testing"))]
mod entity;
pub mod env_file;
pub mod error;
pub mod fleet;
pub mod html;
pub mod invitations;
pub mod licenses;
pub mod listing;
pub mod mail;
pub mod members;
pub mod notifications;
pub mod organizations;
pub mod overview;
pub mod password;
pub mod rate_limit;
pub mod registry;
#[cfg(feature = "testing")]
pub mod repo;
#[cfg(not(feature = "testing"))]
mod repo;
pub mod secrets;
pub mod services;
pub mod sessions;
pub mod signup;
pub mod stats;
pub mod targets;
pub mod tokens;
pub mod version_images;
pub mod versions;

pub use error::{Error, Result};
pub use services::Services;
#[cfg(feature = "testing")]
pub mod testing;
