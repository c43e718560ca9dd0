//! The registry's resources as callers see them: an artifact (one repository) and a stored
//! manifest, with typed ids instead of database rows.

use chrono::{DateTime, Utc};
use types::{ArtifactId, OrganizationId};

use crate::entity::{artifact, artifact_manifest};

/// One repository of the registry, `<vendor slug>/<name>`, owned by one vendor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    /// The artifact's id.
    pub id: ArtifactId,
    /// The vendor that owns it.
    pub organization_id: OrganizationId,
    /// The name under the vendor's namespace (`web`, `tools/cli`).
    pub name: String,
    /// When the first push created it.
    pub created_at: DateTime<Utc>,
}

impl From<artifact::Model> for Artifact {
    fn from(row: artifact::Model) -> Self {
        Self {
            id: ArtifactId(row.id),
            organization_id: OrganizationId(row.organization_id),
            name: row.name,
            created_at: row.created_at,
        }
    }
}

/// A stored manifest: what a client gets when it pulls by tag or digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The `sha256:…` digest of `content`.
    pub digest: String,
    /// The media type it was pushed with (the `Content-Type` to answer with).
    pub media_type: String,
    /// Its exact bytes.
    pub content: Vec<u8>,
}

impl From<artifact_manifest::Model> for Manifest {
    fn from(row: artifact_manifest::Model) -> Self {
        Self {
            digest: row.digest,
            media_type: row.media_type,
            content: row.content,
        }
    }
}
