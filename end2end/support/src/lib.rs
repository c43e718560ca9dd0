//! What the hub's (`server/tests`), the agent's (`agent/tests`) and the end-to-end tests
//! (`end2end/tests`) share, as one dev-dependency instead of files included across crates:
//!
//! - [`agent_binary`]: the `consign-agent` binary of this build;
//! - [`agents`]: a hub that serves it, real agent processes enrolled on it, and waiting until
//!   something holds;
//! - [`apps`]: applications with versions and licenses, built in a few lines;
//! - [`hub`]: a hub on SQLite or PostgreSQL, and agent credentials without an agent process;
//! - [`docker`]: a locally imported busybox image and guards that remove what a test left on
//!   the Docker engine;
//! - [`registry`]: a client of the hub's OCI registry and builders for what tests push;
//! - [`s3`]: a real S3-compatible server (moto) for the registry's object storage.
//!
//! It builds on `server::testing` and `service::testing` and never reaches into the hub's
//! internals beyond them. A panic is how a helper reports a failure to the test that called it,
//! so unwrapping is the point here.

#![allow(clippy::unwrap_used)]

pub mod agent_binary;
pub mod agents;
pub mod apps;
pub mod docker;
pub mod hub;
pub mod registry;
pub mod s3;

pub use agent_binary::agent_binary;
pub use agents::wait_for;
