//! Wire types shared by the Consign hub, both portals and the agent.
//!
//! This crate owns identifiers, validated strings, DTOs and the agent protocol. It compiles to
//! `wasm32-unknown-unknown` and must never depend on sea-orm, tokio, axum or leptos: everything
//! here is plain data with serde.

pub mod ids;
pub mod names;
pub mod protocol;

pub use ids::{
    ArtifactId, ArtifactLicenseId, CustomerOrganizationId, InvitationId, OrganizationId, UserId,
};
pub use names::{Email, NameError, OrganizationName, Slug};
pub mod roles;
pub use roles::Role;
