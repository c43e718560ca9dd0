//! Executors turn a desired deployment into running software. One implementation now
//! (Docker Compose, [`compose::ComposeExecutor`]); Helm comes later behind the same trait.

pub mod compose;
pub mod hub_registry;
pub mod inspect;
mod logs;
mod process;

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use types::protocol::{DeploymentState, DesiredDeployment, Undeploy};
use types::{DeploymentId, RevisionId};

use crate::error::Result;
use crate::mask::Masker;
use crate::outbox::Outbox;

pub use compose::{ComposeCli, ComposeExecutor};
pub use hub_registry::HubRegistry;

/// What applying a desired deployment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The revision (and restart generation) was already applied: nothing ran.
    Unchanged,
    /// The executor started or updated the deployment.
    Changed,
}

/// A deployment's state as the executor sees it.
#[derive(Debug, Clone)]
pub struct Observation {
    /// The derived state.
    pub state: DeploymentState,
    /// A message for people.
    pub message: String,
    /// The containers running now (for log following).
    pub running: Vec<RunningContainer>,
    /// The services with a container where it should be (see
    /// [`inspect::Container::is_settled`]); a service of the compose file missing here has
    /// drifted.
    pub settled: Vec<String>,
}

/// A running container of a deployment.
#[derive(Debug, Clone)]
pub struct RunningContainer {
    /// Its id.
    pub id: String,
    /// Its service.
    pub service: String,
    /// When it started.
    pub started_at: Option<DateTime<Utc>>,
}

/// Where a log follower sends its lines.
#[derive(Debug, Clone)]
pub struct LogTarget {
    /// The deployment.
    pub deployment_id: DeploymentId,
    /// Its revision.
    pub revision_id: Option<RevisionId>,
    /// Masks secrets.
    pub masker: Masker,
    /// Receives the batches.
    pub outbox: Arc<Outbox>,
}

/// Something that can run deployments on this host.
pub trait Executor: Send + Sync + 'static {
    /// The capability this executor announces in `Hello`, for example `docker-compose`.
    fn capability(&self) -> &'static str;

    /// Brings the deployment to its desired revision; idempotent per revision and restart
    /// generation, also across agent restarts.
    fn apply(&self, desired: &DesiredDeployment) -> impl Future<Output = Result<Applied>> + Send;

    /// Brings an applied deployment back to its compose file after drift (containers stopped
    /// or removed behind the agent's back), without recreating what still runs.
    fn repair(&self, desired: &DesiredDeployment) -> impl Future<Output = Result<()>> + Send;

    /// Removes a deployment (keeping its volumes unless `delete_data`); idempotent.
    fn undeploy(&self, undeploy: &Undeploy) -> impl Future<Output = Result<()>> + Send;

    /// Observes a deployment by its project name.
    fn observe(&self, project_name: &str) -> impl Future<Output = Result<Observation>> + Send;

    /// The deployments applied before (read from the state directory), with their project
    /// name and revision, so an agent restart keeps watching them.
    fn applied(&self) -> Vec<(DeploymentId, String, RevisionId)>;

    /// Follows a running container's output from `since` (or from now), sending masked
    /// batches to the target until the container stops.
    fn follow_logs(
        &self,
        container: &RunningContainer,
        since: Option<DateTime<Utc>>,
        target: LogTarget,
    ) -> tokio::task::JoinHandle<()>;
}
