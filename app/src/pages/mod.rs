//! One module per page.

pub mod customer;
pub mod home;
pub mod not_found;
pub mod vendor;
