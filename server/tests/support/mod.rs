//! Shared helpers of the server's integration tests.

pub mod registry;
