//! Wire types shared by the Consign hub, both portals and the agent.
//!
//! This crate owns identifiers, validated strings, DTOs and the agent protocol. It compiles to
//! `wasm32-unknown-unknown` and must never depend on sea-orm, tokio, axum or leptos: everything
//! here is plain data with serde.

pub mod accent;
pub mod ids;
#[macro_use]
pub mod names;
pub mod catalog;
pub mod catalog_names;
pub mod license_file;
pub mod licenses;
pub mod list;
pub mod protocol;

pub use catalog::ApplicationKind;
pub use catalog_names::{ApplicationName, ChannelName, EntitlementKey, VersionName};
pub use ids::{
    ApplicationId, ApplicationVersionId, ArtifactId, ArtifactLicenseId, CustomerOrganizationId,
    DeploymentId, DeploymentTargetId, InvitationId, LicenseId, OrganizationId, RevisionId, UserId,
};
pub use licenses::LicenseStanding;
pub use names::{Email, NameError, OrganizationName, Slug};
pub mod roles;
pub use roles::Role;
