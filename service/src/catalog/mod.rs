//! Checks and small languages of the catalogue's content (compose files, values, templates,
//! image references).

pub mod compose;
pub mod images;
pub mod templates;
