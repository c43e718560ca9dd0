//! The catalogue's plain data shared by the hub, the portals and the agent.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How an application is packaged, and so which executor deploys it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationKind {
    /// A Docker Compose file, deployed with `docker compose`.
    Docker,
    /// A Helm chart, deployed into Kubernetes.
    Kubernetes,
}

impl ApplicationKind {
    /// The stable string stored and sent on the wire (`docker`, `kubernetes`).
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationKind::Docker => "docker",
            ApplicationKind::Kubernetes => "kubernetes",
        }
    }

    /// What people call it: `Docker Compose` or `Helm`.
    pub fn label(self) -> &'static str {
        match self {
            ApplicationKind::Docker => "Docker Compose",
            ApplicationKind::Kubernetes => "Helm",
        }
    }
}

impl std::str::FromStr for ApplicationKind {
    type Err = crate::NameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "docker" | "compose" => Ok(ApplicationKind::Docker),
            "kubernetes" | "helm" => Ok(ApplicationKind::Kubernetes),
            _ => Err(crate::NameError::Invalid {
                field: "type",
                rule: "must be docker (Docker Compose) or kubernetes (Helm)",
            }),
        }
    }
}

impl fmt::Display for ApplicationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_their_wire_names_and_common_aliases() {
        assert_eq!(
            "docker".parse::<ApplicationKind>().unwrap(),
            ApplicationKind::Docker
        );
        assert_eq!(
            "helm".parse::<ApplicationKind>().unwrap(),
            ApplicationKind::Kubernetes
        );
        let err = "swarm".parse::<ApplicationKind>().unwrap_err();
        assert!(err.to_string().starts_with("type"), "{err}");
        assert_eq!(
            serde_json::to_string(&ApplicationKind::Kubernetes).unwrap(),
            "\"kubernetes\""
        );
    }
}
