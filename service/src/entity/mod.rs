//! SeaORM entities, one file per table. Only `repo` touches them directly.

pub mod access_token;
pub mod application;
pub mod application_channel;
pub mod application_version;
pub mod artifact;
pub mod artifact_blob;
pub mod artifact_license;
pub mod artifact_license_item;
pub mod artifact_manifest;
pub mod artifact_manifest_ref;
pub mod artifact_pull;
pub mod artifact_tag;
pub mod branding;
pub mod customer_organization;
pub mod email_token;
pub mod invitation;
pub mod license;
pub mod license_version;
pub mod membership;
pub mod organization;
pub mod registry_setting;
pub mod session;
pub mod user_account;
