//! Building blocks shared by the pages of both portals.

pub mod catalogue;
pub mod chart;
pub mod confirm;
pub mod copy_link;
pub mod form;
pub mod frame;
pub mod list;
pub mod live;
pub mod nav;
pub mod overview;
pub mod people;
pub mod registry;
pub mod shell;
pub mod sign_in_form;
pub mod state_badge;
pub mod stats;
pub mod switcher;
pub mod upstreams;
