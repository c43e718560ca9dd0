//! Artifacts as the portals list them: tags with digests and sizes, and download counts. Vendor
//! members see all of their vendor's; customer members see only what their licenses grant.

use crate::Services;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use types::ArtifactId;

use super::RepositoryName;
use super::access::{Grant, RegistryPrincipal};
use crate::auth::Actor;
use crate::{Error, Result, artifact_licenses, repo};

/// One tag of an artifact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagSummary {
    /// The tag.
    pub name: String,
    /// The manifest's digest.
    pub digest: String,
    /// The manifest's media type.
    pub media_type: String,
    /// Its artifact type (a Helm chart's config type, for example).
    pub artifact_type: Option<String>,
    /// The manifest plus everything it references, in bytes.
    pub size: u64,
    /// When the tag was set.
    pub updated_at: DateTime<Utc>,
}

/// An artifact with its tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtifactSummary {
    /// Its id.
    pub id: ArtifactId,
    /// Its name inside the namespace.
    pub name: String,
    /// `<slug>/<name>`, as clients spell it.
    pub repository: String,
    /// Its tags the viewer may pull, newest first.
    pub tags: Vec<TagSummary>,
    /// How many times its manifests were downloaded.
    pub pulls: u64,
    /// When it was first pushed.
    pub created_at: DateTime<Utc>,
}

impl ArtifactSummary {
    /// Whether its newest tag is a Helm chart.
    pub fn is_helm_chart(&self) -> bool {
        self.tags.first().is_some_and(|t| {
            t.artifact_type.as_deref() == Some("application/vnd.cncf.helm.config.v1+json")
        })
    }
}

/// The artifacts `actor` may see, by name: only those holding a manifest.
pub async fn artifacts(services: &Services, actor: &Actor) -> Result<Vec<ArtifactSummary>> {
    let org = repo::organizations::find_by_id(&services.db, actor.organization_id.0)
        .await?
        .ok_or(Error::NotFound {
            what: "organization",
        })?;
    let all = repo::registry::list_committed_artifacts(&services.db, org.id).await?;
    let pulls =
        repo::registry::pull_counts(&services.db, all.iter().map(|a| a.id).collect()).await?;
    let principal = RegistryPrincipal::Person(actor.clone());
    let mut out = Vec::new();
    for artifact in all.into_iter().map(super::Artifact::from) {
        let name = RepositoryName::from_parts(&org.slug, &artifact.name);
        let grant = match principal.customer() {
            None => Grant::Everything,
            Some(customer) => {
                match artifact_licenses::grant(services, customer, &artifact, &name).await {
                    Ok(g) => g,
                    Err(Error::Registry { .. }) => continue,
                    Err(e) => return Err(e),
                }
            }
        };
        let tags = repo::registry::list_tags(&services.db, artifact.id.0).await?;
        let manifests: HashMap<_, _> = repo::registry::manifests_by_id(
            &services.db,
            tags.iter().map(|t| t.manifest_id).collect(),
        )
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
        let mut summaries: Vec<TagSummary> = tags
            .into_iter()
            .filter(|t| grant.reaches_tag(&t.name))
            .filter_map(|t| {
                let m = manifests.get(&t.manifest_id)?;
                Some(TagSummary {
                    name: t.name,
                    digest: m.digest.clone(),
                    media_type: m.media_type.clone(),
                    artifact_type: m.artifact_type.clone(),
                    size: u64::try_from(m.total_size).unwrap_or(0),
                    updated_at: t.updated_at,
                })
            })
            .collect();
        summaries.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(a.name.cmp(&b.name)));
        out.push(ArtifactSummary {
            id: artifact.id,
            repository: name.to_string(),
            name: artifact.name,
            tags: summaries,
            pulls: pulls.get(&artifact.id.0).copied().unwrap_or(0),
            created_at: artifact.created_at,
        });
    }
    Ok(out)
}
