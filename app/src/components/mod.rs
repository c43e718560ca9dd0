//! Building blocks shared by the pages of both portals.

pub mod frame;
pub mod sign_in_form;
