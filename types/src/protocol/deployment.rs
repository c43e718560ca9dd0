//! What the hub wants running on a target ([`DesiredState`]) and what the agent sees
//! ([`DeploymentState`]).

use serde::{Deserialize, Serialize};

use super::Sensitive;
use crate::ids::{DeploymentId, RevisionId};

/// Everything the hub wants on one deployment target. The hub sends the whole state on every
/// connection and again, at once, whenever any part of it changes; the agent converges to the
/// latest one it received and never acts on an older one.
///
/// A deployment the agent runs that appears in neither list is left alone: only an explicit
/// [`Undeploy`] removes containers, so a hub-side mistake can never wipe a customer's app.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DesiredState {
    /// Deployments that should run, each at its current revision.
    #[serde(default)]
    pub deployments: Vec<DesiredDeployment>,
    /// Deployments to remove. The hub keeps an entry here until the agent has reported
    /// [`DeploymentState::Undeployed`] for it, so an undeploy survives disconnects; repeating
    /// one is harmless.
    #[serde(default)]
    pub undeploy: Vec<Undeploy>,
}

/// One Docker Compose application the hub wants running.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesiredDeployment {
    /// The deployment.
    pub deployment_id: DeploymentId,
    /// The revision to run; the agent applies each revision once.
    pub revision_id: RevisionId,
    /// The Compose project name: stable for the deployment's life, see [`is_valid_project_name`].
    pub project_name: String,
    /// The compose file (YAML), as stored in the application version.
    pub compose_file: String,
    /// The `.env` file, already rendered by the hub with the secrets filled in. The agent
    /// stores it with mode 0600 and passes it to compose for variable substitution.
    pub env_file: Sensitive,
    /// Incremented by the hub for "force restart": a higher value than the one the agent last
    /// applied recreates the containers even when the revision is unchanged.
    #[serde(default)]
    pub restart_generation: u64,
    /// Whether the agent streams this deployment's container logs.
    #[serde(default)]
    pub logs_enabled: bool,
    /// Whether the agent brings back containers that were stopped or removed behind its back
    /// (drift); `false` only reports the drift. A hub that does not send it means `true`.
    #[serde(default = "repair_by_default")]
    pub repair_drift: bool,
    /// Names of the env-file keys whose values came from secrets; the agent masks those values
    /// in every log line and message it sends back.
    #[serde(default)]
    pub secret_keys: Vec<String>,
    /// Credentials for the registry the images come from, when it needs a login.
    #[serde(default)]
    pub registry_auth: Option<RegistryAuth>,
}

fn repair_by_default() -> bool {
    true
}

/// A registry login (`docker login --password-stdin`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryAuth {
    /// The registry host, for example `hub.example.com`.
    pub registry: String,
    /// The user name.
    pub username: String,
    /// The password or token; never shown by `Debug`.
    pub password: Sensitive,
}

/// A deployment the hub wants removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undeploy {
    /// The deployment.
    pub deployment_id: DeploymentId,
    /// Its Compose project name, so the agent can remove it even if it lost its local state.
    pub project_name: String,
    /// Also remove the project's named volumes (the "delete data" tick box).
    #[serde(default)]
    pub delete_data: bool,
}

/// What the agent observes of a deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeploymentState {
    /// Being applied, or containers are starting / their healthchecks have not passed yet.
    Progressing,
    /// All containers run; none has a healthcheck.
    Running,
    /// All containers run and every healthcheck passes.
    Healthy,
    /// Applying failed, a container is unhealthy, or one exited with an error.
    Error,
    /// The project has no running containers.
    Stopped,
    /// The agent removed the deployment as asked; the hub may forget its undeploy entry.
    Undeployed,
}

impl DeploymentState {
    /// The lowercase name used on the wire and in the portals.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Progressing => "progressing",
            Self::Running => "running",
            Self::Healthy => "healthy",
            Self::Error => "error",
            Self::Stopped => "stopped",
            Self::Undeployed => "undeployed",
        }
    }

    /// The state named `word` (as [`Self::as_str`] writes it), if any.
    pub fn parse(word: &str) -> Option<Self> {
        [
            Self::Progressing,
            Self::Running,
            Self::Healthy,
            Self::Error,
            Self::Stopped,
            Self::Undeployed,
        ]
        .into_iter()
        .find(|s| s.as_str() == word)
    }
}

/// What the portals show of a deployment: the state its agent last reported, or why there is
/// none to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ShownState {
    /// The agent has said nothing yet.
    Pending,
    /// An undeploy was asked for and the agent has not confirmed it.
    Undeploying,
    /// What the agent reported last.
    Reported(DeploymentState),
}

impl ShownState {
    /// The word the portals show and tests read (`pending`, `undeploying`, `healthy`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Undeploying => "undeploying",
            Self::Reported(state) => state.as_str(),
        }
    }
}

/// Whether `name` is a usable Compose project name: 1 to 63 characters of lowercase ASCII
/// letters, digits, `-` and `_`, starting with a letter or digit. Compose v2 rejects upper
/// case, and the agent uses the name in file paths and command lines, so the hub must create
/// names that pass and the agent refuses any that do not.
pub fn is_valid_project_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.len() <= 63
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_follow_the_compose_rules() {
        for good in ["shop", "shop-prod_2", "0app"] {
            assert!(is_valid_project_name(good), "{good}");
        }
        for bad in ["", "Shop", "-shop", "shop app", "../etc", &"a".repeat(64)] {
            assert!(!is_valid_project_name(bad), "{bad}");
        }
    }

    #[test]
    fn secrets_in_a_desired_deployment_never_show_in_debug() {
        let d = DesiredDeployment {
            deployment_id: DeploymentId::new(),
            revision_id: RevisionId::new(),
            project_name: "shop".into(),
            compose_file: "services: {}".into(),
            env_file: Sensitive::new("DB_PASSWORD=s3cret-env"),
            restart_generation: 0,
            logs_enabled: false,
            repair_drift: true,
            secret_keys: vec!["DB_PASSWORD".into()],
            registry_auth: Some(RegistryAuth {
                registry: "hub.example.com".into(),
                username: "agent".into(),
                password: Sensitive::new("s3cret-pass"),
            }),
        };
        let debug = format!("{d:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains("s3cret-env") && json.contains("s3cret-pass"));
    }

    #[test]
    fn a_desired_deployment_from_a_minimal_hub_fills_the_optional_fields() {
        let d: DesiredDeployment = serde_json::from_value(serde_json::json!({
            "deployment_id": DeploymentId::new(),
            "revision_id": RevisionId::new(),
            "project_name": "shop",
            "compose_file": "services: {}",
            "env_file": ""
        }))
        .unwrap();
        assert_eq!(d.restart_generation, 0);
        assert!(!d.logs_enabled && d.secret_keys.is_empty() && d.registry_auth.is_none());
        assert!(
            d.repair_drift,
            "drift is repaired unless the hub says otherwise"
        );
        let empty: DesiredState = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, DesiredState::default());
    }
}
