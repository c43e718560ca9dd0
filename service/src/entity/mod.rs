//! SeaORM entities, one file per table. Only `repo` touches them directly.

pub mod access_token;
pub mod application;
pub mod application_channel;
pub mod application_version;
pub mod branding;
pub mod customer_organization;
pub mod deployment;
pub mod deployment_log;
pub mod deployment_revision;
pub mod deployment_status;
pub mod deployment_target;
pub mod email_token;
pub mod invitation;
pub mod license;
pub mod license_version;
pub mod membership;
pub mod organization;
pub mod secret;
pub mod session;
pub mod target_metric;
pub mod user_account;
