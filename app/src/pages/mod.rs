//! One module per page.

pub mod account;
pub mod application;
pub mod applications;
pub mod artifacts;
pub mod branding;
pub mod custom_host;
pub mod customer;
pub mod customer_detail;
pub mod customers;
pub mod deploy;
pub mod deployment;
pub mod deployments;
pub mod email_links;
pub mod fleet;
pub mod home;
pub mod invite;
pub mod licenses;
pub mod not_found;
pub mod signup;
pub mod targets;
pub mod tokens;
pub mod users;
pub mod vendor;
