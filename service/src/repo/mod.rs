//! Every SeaORM call of the hub lives here. Functions take `&impl ConnectionTrait`, so the same
//! function runs on the pool or inside a transaction opened by a service function.

pub mod access_tokens;
pub mod applications;
pub mod artifact_licenses;
pub mod branding;
pub mod channels;
pub mod customers;
pub mod deployments;
pub mod email_tokens;
pub mod invitations;
pub mod licenses;
pub mod memberships;
pub mod organizations;
pub mod overview;
pub mod paging;
pub mod registry;
pub mod secrets;
pub mod sessions;
pub mod stats;
pub mod targets;
pub mod upstreams;
pub mod users;
pub mod version_images;
pub mod versions;
