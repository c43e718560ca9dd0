//! What the agent reports back: deployment status, container logs and host metrics.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::DeploymentState;
use crate::ids::{DeploymentId, RevisionId};

/// A deployment's observed state; sent at once whenever it changes, and for every known
/// deployment right after each `Welcome`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusReport {
    /// The deployment.
    pub deployment_id: DeploymentId,
    /// The revision the agent last applied (absent when it never applied one, for example an
    /// undeploy of a deployment this agent never ran).
    #[serde(default)]
    pub revision_id: Option<RevisionId>,
    /// What the agent sees.
    pub state: DeploymentState,
    /// A short explanation for people, with secret values masked (empty when there is
    /// nothing to add).
    #[serde(default)]
    pub message: String,
    /// When the agent observed it.
    pub observed_at: DateTime<Utc>,
}

/// A batch of container log lines of one deployment (only for deployments with
/// `logs_enabled`). Secret values are masked by the agent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogBatch {
    /// The deployment.
    pub deployment_id: DeploymentId,
    /// The revision running when the lines were written.
    #[serde(default)]
    pub revision_id: Option<RevisionId>,
    /// The lines, oldest first.
    pub lines: Vec<LogLine>,
}

/// One line a container wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// The Compose service the container belongs to.
    pub service: String,
    /// Which stream it came from.
    pub stream: LogStream,
    /// The time Docker recorded for the line.
    pub at: DateTime<Utc>,
    /// The text, without its trailing newline.
    pub line: String,
}

/// A container's output stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogStream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// The host's CPU and memory, sent every 30 seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostMetrics {
    /// CPU busy over the last interval, 0–100 % of the whole host.
    pub cpu_percent: f32,
    /// Logical CPUs of the host.
    pub cpu_cores: u32,
    /// Memory in use (total minus available), in bytes.
    pub memory_used_bytes: u64,
    /// Total memory, in bytes.
    pub memory_total_bytes: u64,
    /// When the sample was taken.
    pub at: DateTime<Utc>,
}
