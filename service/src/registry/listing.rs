//! Artifacts as the portals list them: tags with digests and sizes, and download counts. Vendor
//! members see all of their vendor's; customer members see only what their licenses grant.

use crate::Services;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use types::ArtifactId;

use super::RepositoryName;
use super::access::{Grant, RegistryPrincipal};
use crate::auth::Actor;
use crate::entity::artifact;
use crate::listing::{self, ArtifactSort, ListQuery, PAGE_SIZE, Page};
use crate::{Error, Result, artifact_licenses, repo};
use sea_orm::sea_query::Expr;

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
    let org = organization(services, actor).await?;
    let all = repo::registry::list_committed_artifacts(&services.db, org.id).await?;
    let granted = grants(services, actor, &org.slug, all).await?;
    summarize(services, &org.slug, granted).await
}

/// A page of the artifacts `actor` may see (see [`artifacts`]), searched by name. A customer
/// member's artifacts are those their artifact licenses reach, decided artifact by artifact
/// as the registry does; the search, order and page then run in SQL over those.
pub async fn page(
    services: &Services,
    actor: &Actor,
    query: &ListQuery<ArtifactSort>,
) -> Result<Page<ArtifactSummary>> {
    let org = organization(services, actor).await?;
    let only = match actor.customer_organization_id {
        None => None,
        Some(_) => {
            let all = repo::registry::list_committed_artifacts(&services.db, org.id).await?;
            let granted = grants(services, actor, &org.slug, all).await?;
            Some(granted.iter().map(|(a, _)| a.id.0).collect())
        }
    };
    let dir = listing::order(query.dir);
    let name = listing::lower((artifact::Entity, artifact::Column::Name));
    let order = match query.sort {
        ArtifactSort::Name => vec![(name.clone(), dir)],
        ArtifactSort::Created => vec![(
            Expr::col((artifact::Entity, artifact::Column::CreatedAt)),
            dir,
        )],
    };
    let (rows, total) = repo::registry::page_committed_artifacts(
        &services.db,
        org.id,
        only,
        listing::search(query, [name]),
        order,
        query.offset(),
        PAGE_SIZE,
    )
    .await?;
    let granted = grants(services, actor, &org.slug, rows).await?;
    let items = summarize(services, &org.slug, granted).await?;
    Ok(listing::page(query, items, total))
}

async fn organization(
    services: &Services,
    actor: &Actor,
) -> Result<crate::entity::organization::Model> {
    repo::organizations::find_by_id(&services.db, actor.organization_id.0)
        .await?
        .ok_or(Error::NotFound {
            what: "organization",
        })
}

/// Of `rows`, those the actor may see, each with what of it they may pull.
async fn grants(
    services: &Services,
    actor: &Actor,
    slug: &str,
    rows: Vec<crate::entity::artifact::Model>,
) -> Result<Vec<(super::Artifact, Grant)>> {
    let principal = RegistryPrincipal::Person(actor.clone());
    let mut out = Vec::new();
    for artifact in rows.into_iter().map(super::Artifact::from) {
        let grant = match principal.customer() {
            None => Grant::Everything,
            Some(customer) => {
                let name = RepositoryName::from_parts(slug, &artifact.name);
                match artifact_licenses::grant(services, customer, &artifact, &name).await {
                    Ok(g) => g,
                    Err(Error::Registry { .. }) => continue,
                    Err(e) => return Err(e),
                }
            }
        };
        out.push((artifact, grant));
    }
    Ok(out)
}

/// The summaries of granted artifacts, in the order given.
async fn summarize(
    services: &Services,
    slug: &str,
    granted: Vec<(super::Artifact, Grant)>,
) -> Result<Vec<ArtifactSummary>> {
    let pulls =
        repo::registry::pull_counts(&services.db, granted.iter().map(|(a, _)| a.id.0).collect())
            .await?;
    let mut out = Vec::new();
    for (artifact, grant) in granted {
        let name = RepositoryName::from_parts(slug, &artifact.name);
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
