//! Checks and small languages of the catalogue's content (compose files, values, templates).

pub mod compose;
pub mod templates;
