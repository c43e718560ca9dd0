//! Deriving a deployment's state from `docker inspect` of its containers.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use types::protocol::DeploymentState;

/// The label Compose (v1 and v2) puts on every container of a project.
pub const PROJECT_LABEL: &str = "com.docker.compose.project";
/// The label naming the container's Compose service.
pub const SERVICE_LABEL: &str = "com.docker.compose.service";

/// The part of one `docker inspect` entry the agent reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Container {
    /// The full container id.
    pub id: String,
    /// `/name`.
    #[serde(default)]
    pub name: String,
    /// Run state.
    pub state: ContainerState,
    /// Configuration (for the labels).
    #[serde(default)]
    pub config: ContainerConfig,
}

/// `State` of a container.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerState {
    /// `created`, `running`, `restarting`, `paused`, `exited`, `dead` or `removing`.
    pub status: String,
    /// The exit code of the last run.
    #[serde(default)]
    pub exit_code: i64,
    /// When it last started.
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    /// Healthcheck state, when the container has a healthcheck.
    #[serde(default)]
    pub health: Option<Health>,
}

/// `State.Health`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Health {
    /// `starting`, `healthy` or `unhealthy`.
    pub status: String,
}

/// `Config` of a container.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    /// Its labels.
    #[serde(default)]
    pub labels: Option<std::collections::HashMap<String, String>>,
}

impl Container {
    /// The Compose service, or the container name when the label is missing.
    pub fn service(&self) -> &str {
        self.config
            .labels
            .as_ref()
            .and_then(|l| l.get(SERVICE_LABEL))
            .map_or_else(|| self.name.trim_start_matches('/'), String::as_str)
    }

    /// Whether the container is running now.
    pub fn is_running(&self) -> bool {
        self.state.status == "running"
    }

    /// Whether the container is where its service should be: running, starting or
    /// restarting under its restart policy, or finished with exit code 0 (a one-shot job).
    /// A container stopped by hand or killed is not.
    pub fn is_settled(&self) -> bool {
        match self.state.status.as_str() {
            "running" | "restarting" | "created" | "removing" => true,
            "exited" => self.state.exit_code == 0,
            _ => false,
        }
    }
}

/// Parses the JSON array `docker inspect` prints.
pub fn parse(json: &str) -> Result<Vec<Container>, serde_json::Error> {
    serde_json::from_str(json)
}

/// The state of a project with these containers, and a message for people.
///
/// Any unhealthy, restarting, or failed (non-zero exit) container makes it `error`; else any
/// container starting (created, or healthcheck not yet passed) makes it `progressing`; no
/// running container makes it `stopped`; running containers are `healthy` when at least one
/// has a healthcheck and every healthcheck passes, else `running`. Containers that exited with
/// code 0 (one-shot jobs) count as done, not as failed.
pub fn derive_state(containers: &[Container]) -> (DeploymentState, String) {
    if containers.is_empty() {
        return (DeploymentState::Stopped, "no containers".into());
    }
    let mut errors = Vec::new();
    let mut starting = Vec::new();
    let (mut running, mut healthy, mut unchecked) = (0, 0, 0);
    let mut sorted: Vec<&Container> = containers.iter().collect();
    sorted.sort_by(|a, b| a.service().cmp(b.service()));
    for c in sorted {
        let service = c.service();
        let health = c.state.health.as_ref().map(|h| h.status.as_str());
        match c.state.status.as_str() {
            "running" => {
                running += 1;
                match health {
                    Some("unhealthy") => errors.push(format!("{service} is unhealthy")),
                    Some("healthy") => healthy += 1,
                    Some(_) => starting.push(format!("{service} is starting")),
                    None => unchecked += 1,
                }
            }
            "restarting" => errors.push(format!(
                "{service} keeps restarting (last exit code {})",
                c.state.exit_code
            )),
            "exited" | "dead" if c.state.exit_code != 0 => {
                errors.push(format!("{service} exited with code {}", c.state.exit_code))
            }
            "created" => starting.push(format!("{service} is created, not started")),
            "removing" => starting.push(format!("{service} is being removed")),
            _ => {}
        }
    }
    if !errors.is_empty() {
        (DeploymentState::Error, errors.join("; "))
    } else if !starting.is_empty() {
        (DeploymentState::Progressing, starting.join("; "))
    } else if running == 0 {
        (DeploymentState::Stopped, "no container is running".into())
    } else if healthy > 0 && unchecked == 0 {
        (
            DeploymentState::Healthy,
            format!("{running} running, all healthchecks pass"),
        )
    } else if healthy > 0 {
        (
            DeploymentState::Healthy,
            format!("{running} running, {healthy} with passing healthchecks"),
        )
    } else {
        (
            DeploymentState::Running,
            format!("{running} running, no healthchecks"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(
        service: &str,
        status: &str,
        exit: i64,
        health: Option<&str>,
    ) -> serde_json::Value {
        let mut state = serde_json::json!({
            "Status": status,
            "Running": status == "running",
            "ExitCode": exit,
            "StartedAt": "2026-11-26T12:00:00.123456789Z",
        });
        if let Some(h) = health {
            state["Health"] = serde_json::json!({ "Status": h, "FailingStreak": 0, "Log": [] });
        }
        serde_json::json!({
            "Id": format!("{service}0123456789"),
            "Name": format!("/shop-{service}-1"),
            "State": state,
            "Config": { "Labels": { PROJECT_LABEL: "shop", SERVICE_LABEL: service }, "Image": "x" },
            "HostConfig": {}
        })
    }

    fn derive(containers: &[serde_json::Value]) -> (DeploymentState, String) {
        let json = serde_json::Value::Array(containers.to_vec()).to_string();
        derive_state(&parse(&json).unwrap())
    }

    #[test]
    fn all_running_with_passing_healthchecks_is_healthy() {
        let (state, message) = derive(&[
            container("web", "running", 0, Some("healthy")),
            container("db", "running", 0, Some("healthy")),
        ]);
        assert_eq!(state, DeploymentState::Healthy, "{message}");
    }

    #[test]
    fn running_without_healthchecks_is_running() {
        let (state, _) = derive(&[container("web", "running", 0, None)]);
        assert_eq!(state, DeploymentState::Running);
    }

    #[test]
    fn a_starting_healthcheck_or_a_created_container_is_progressing() {
        let (state, message) = derive(&[
            container("web", "running", 0, Some("starting")),
            container("db", "running", 0, Some("healthy")),
        ]);
        assert_eq!(state, DeploymentState::Progressing);
        assert!(message.contains("web is starting"), "{message}");
        let (state, _) = derive(&[container("web", "created", 0, None)]);
        assert_eq!(state, DeploymentState::Progressing);
    }

    #[test]
    fn unhealthy_restarting_or_failed_containers_are_errors_naming_the_service() {
        let (state, message) = derive(&[
            container("web", "running", 0, Some("unhealthy")),
            container("worker", "exited", 3, None),
            container("cron", "restarting", 1, None),
        ]);
        assert_eq!(state, DeploymentState::Error);
        assert!(message.contains("web is unhealthy"), "{message}");
        assert!(message.contains("worker exited with code 3"), "{message}");
        assert!(message.contains("cron keeps restarting"), "{message}");
    }

    #[test]
    fn a_one_shot_job_that_exited_cleanly_does_not_count_as_failure() {
        let (state, _) = derive(&[
            container("migrate", "exited", 0, None),
            container("web", "running", 0, Some("healthy")),
        ]);
        assert_eq!(state, DeploymentState::Healthy);
        let (state, _) = derive(&[container("migrate", "exited", 0, None)]);
        assert_eq!(state, DeploymentState::Stopped);
    }

    #[test]
    fn no_containers_is_stopped() {
        assert_eq!(derive(&[]).0, DeploymentState::Stopped);
    }

    #[test]
    fn inspect_output_without_labels_still_parses() {
        let json = r#"[{"Id":"abc","Name":"/x","State":{"Status":"running","ExitCode":0,"StartedAt":"0001-01-01T00:00:00Z"},"Config":{"Labels":null}}]"#;
        let containers = parse(json).unwrap();
        assert_eq!(containers[0].service(), "x");
        assert_eq!(derive_state(&containers).0, DeploymentState::Running);
    }
}
