//! Reading, mounting and deleting blobs of a repository, within what a pull is granted.

use crate::Services;
use uuid::Uuid;

use super::access::{Grant, Granted};
use super::{BlobStream, Digest, Registry, RegistryCode, RepositoryName};
use crate::entity::artifact_manifest;
use crate::{Error, Result, repo};

/// The manifests a limited grant reaches: those its tags point at and its digests name, and
/// the child manifests of those that are indexes.
pub(crate) async fn granted_manifests(
    services: &Services,
    artifact_id: Uuid,
    granted: &Granted,
) -> Result<Vec<artifact_manifest::Model>> {
    let mut found: Vec<artifact_manifest::Model> = Vec::new();
    for tag in &granted.tags {
        if let Some(m) = repo::registry::find_tag(&services.db, artifact_id, tag).await?
            && !found.iter().any(|f| f.id == m.id)
        {
            found.push(m);
        }
    }
    for digest in &granted.digests {
        if let Some(m) = repo::registry::find_manifest(&services.db, artifact_id, digest).await?
            && !found.iter().any(|f| f.id == m.id)
        {
            found.push(m);
        }
    }
    let children: Vec<String> =
        repo::registry::manifest_refs(&services.db, found.iter().map(|m| m.id).collect())
            .await?
            .into_iter()
            .filter(|(_, is_manifest)| *is_manifest)
            .map(|(d, _)| d)
            .collect();
    for digest in children {
        if let Some(m) = repo::registry::find_manifest(&services.db, artifact_id, &digest).await?
            && !found.iter().any(|f| f.id == m.id)
        {
            found.push(m);
        }
    }
    Ok(found)
}

/// Whether a manifest that `granted` reaches names `digest` (a blob, or an index's child).
pub(crate) async fn reaches(
    services: &Services,
    artifact_id: Uuid,
    granted: &Granted,
    digest: &str,
) -> Result<bool> {
    let manifests = granted_manifests(services, artifact_id, granted).await?;
    let refs =
        repo::registry::manifest_refs(&services.db, manifests.iter().map(|m| m.id).collect())
            .await?;
    Ok(refs.iter().any(|(d, _)| d == digest))
}

/// The size of blob `digest` in `artifact`, if `grant` reaches it.
pub async fn size(
    services: &Services,
    artifact: &crate::registry::Artifact,
    name: &RepositoryName,
    grant: &Grant,
    digest: &Digest,
) -> Result<u64> {
    let link = repo::registry::find_blob(&services.db, artifact.id.0, digest.as_str())
        .await?
        .ok_or_else(|| {
            Error::registry(
                RegistryCode::BlobUnknown,
                format!("{name} has no blob {digest}"),
            )
        })?;
    if let Grant::Only(granted) = grant
        && !reaches(services, artifact.id.0, granted, digest.as_str()).await?
    {
        return Err(Error::registry(
            RegistryCode::Denied,
            format!("your license does not grant blob {digest} of {name}"),
        ));
    }
    Ok(u64::try_from(link.size).unwrap_or(0))
}

impl Registry {
    /// `len` bytes of a blob from `start`.
    pub async fn read_blob(&self, digest: &Digest, start: u64, len: u64) -> Result<BlobStream> {
        self.store.read(digest, start, len).await
    }
}

/// Links blob `digest` of `from` into `into` (both the caller's, checked by the caller).
/// Returns the size, or `None` when `from` does not hold it (the client then uploads it).
pub async fn mount(
    services: &Services,
    registry: &Registry,
    into: &crate::registry::Artifact,
    from: &crate::registry::Artifact,
    digest: &Digest,
) -> Result<Option<u64>> {
    // The source's link, the bytes and the new link are read and made with the collector
    // kept out, so it cannot take the bytes in between.
    let _pushing = registry.pushing().await;
    let Some(link) = repo::registry::find_blob(&services.db, from.id.0, digest.as_str()).await?
    else {
        return Ok(None);
    };
    // The link may outlive the bytes only if the store lost them; then upload again.
    if registry.store.size(digest).await?.is_none() {
        return Ok(None);
    }
    let size = u64::try_from(link.size).unwrap_or(0);
    repo::registry::link_blob(&services.db, into.id.0, digest.as_str(), size).await?;
    Ok(Some(size))
}

/// Unlinks a blob from an artifact (the garbage collector frees the bytes once no artifact
/// links them).
pub async fn delete(
    services: &Services,
    artifact: &crate::registry::Artifact,
    name: &RepositoryName,
    digest: &Digest,
) -> Result<()> {
    if repo::registry::unlink_blob(&services.db, artifact.id.0, digest.as_str()).await? {
        Ok(())
    } else {
        Err(Error::registry(
            RegistryCode::BlobUnknown,
            format!("{name} has no blob {digest}"),
        ))
    }
}
