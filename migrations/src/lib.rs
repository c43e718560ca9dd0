//! The hub's database schema, as sea-orm-migration files applied in order at start-up.
//!
//! One file per migration, named `mYYYYMMDD_HHMMSS_verb_noun.rs`, each opening with a one-line
//! `//!` of what it adds. A migration that has landed is never edited: add a new one instead.
//! This crate must not depend on the service crate's entities, so the schema history stays
//! independent of today's Rust types.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_identity_tables;
mod m20261123_000002_create_session;
mod m20261123_000003_create_customer_organization;
mod m20261123_000004_create_invitation;
mod m20261123_000005_create_branding;
mod m20261123_000006_add_session_organization;
mod m20261123_000007_create_access_token;
mod m20261123_000008_create_email_token;
mod m20261126_000001_create_catalog;
mod m20261126_000002_create_license;
mod m20261126_200001_create_registry;
mod m20261126_200002_create_artifact_license;
mod m20261126_300001_create_deployments;
mod m20261126_400001_add_artifact_pull_target;
mod m20261204_100001_add_status_repeats;
mod m20261204_210001_add_custom_host_verification;
mod m20261205_000001_create_version_image;
mod m20261205_010001_add_repair_drift;
mod m20261205_020001_widen_registry_digests;
mod m20261205_030001_add_deployment_current;
mod m20261205_040001_create_artifact_upstream;
mod m20261205_050001_index_deployment_lookups;

/// Applies every migration of the hub, in order.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_identity_tables::Migration),
            Box::new(m20261123_000002_create_session::Migration),
            Box::new(m20261123_000003_create_customer_organization::Migration),
            Box::new(m20261123_000004_create_invitation::Migration),
            Box::new(m20261123_000005_create_branding::Migration),
            Box::new(m20261123_000006_add_session_organization::Migration),
            Box::new(m20261123_000007_create_access_token::Migration),
            Box::new(m20261123_000008_create_email_token::Migration),
            Box::new(m20261126_000001_create_catalog::Migration),
            Box::new(m20261126_000002_create_license::Migration),
            Box::new(m20261126_200001_create_registry::Migration),
            Box::new(m20261126_200002_create_artifact_license::Migration),
            Box::new(m20261126_300001_create_deployments::Migration),
            Box::new(m20261126_400001_add_artifact_pull_target::Migration),
            Box::new(m20261204_100001_add_status_repeats::Migration),
            Box::new(m20261204_210001_add_custom_host_verification::Migration),
            Box::new(m20261205_000001_create_version_image::Migration),
            Box::new(m20261205_010001_add_repair_drift::Migration),
            Box::new(m20261205_020001_widen_registry_digests::Migration),
            Box::new(m20261205_030001_add_deployment_current::Migration),
            Box::new(m20261205_040001_create_artifact_upstream::Migration),
            Box::new(m20261205_050001_index_deployment_lookups::Migration),
        ]
    }
}
