//! The pull audit: every manifest download, with who, for which customer, which version, when.

use crate::Services;
use chrono::{DateTime, Utc};
use types::{ArtifactId, CustomerOrganizationId, DeploymentTargetId, UserId};
use uuid::Uuid;

use super::Reference;
use super::access::RegistryPrincipal;
use crate::entity::artifact_pull;
use crate::{Result, repo};

/// One recorded pull.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pull {
    /// The tag or digest asked for.
    pub reference: String,
    /// The manifest digest served.
    pub digest: String,
    /// Who pulled.
    pub user_id: Option<UserId>,
    /// For whom.
    pub customer_organization_id: Option<CustomerOrganizationId>,
    /// Which deployment target's agent pulled (its credential).
    pub deployment_target_id: Option<DeploymentTargetId>,
    /// From where.
    pub remote_address: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Records that `principal` downloaded `manifest` by `reference`.
pub async fn record(
    services: &Services,
    principal: &RegistryPrincipal,
    artifact: &crate::registry::Artifact,
    reference: &Reference,
    manifest: &super::Manifest,
    remote_address: Option<String>,
) -> Result<()> {
    repo::registry::insert_pull(
        &services.db,
        artifact_pull::Model {
            id: Uuid::new_v4(),
            artifact_id: artifact.id.0,
            reference: reference.to_string(),
            digest: manifest.digest.clone(),
            user_id: principal.user_id().map(|u| u.0),
            customer_organization_id: principal.customer().map(|c| c.0),
            deployment_target_id: principal.target_id().map(|t| t.0),
            remote_address: remote_address.map(|a| a.chars().take(64).collect()),
            created_at: Utc::now(),
        },
    )
    .await
}

/// The latest pulls of an artifact, newest first.
pub async fn recent(services: &Services, artifact: ArtifactId, limit: u64) -> Result<Vec<Pull>> {
    Ok(repo::registry::list_pulls(&services.db, artifact.0, limit)
        .await?
        .into_iter()
        .map(|p| Pull {
            reference: p.reference,
            digest: p.digest,
            user_id: p.user_id.map(UserId),
            customer_organization_id: p.customer_organization_id.map(CustomerOrganizationId),
            deployment_target_id: p.deployment_target_id.map(DeploymentTargetId),
            remote_address: p.remote_address,
            at: p.created_at,
        })
        .collect())
}
