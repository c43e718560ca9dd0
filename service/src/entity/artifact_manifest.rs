//! A manifest (image manifest or index) stored in an artifact.

use sea_orm::entity::prelude::*;

/// A row of `artifact_manifest`; its exact bytes are kept, since its digest covers them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifact_manifest")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The artifact.
    pub artifact_id: Uuid,
    /// `sha256:<64 hex>` of `content`.
    pub digest: String,
    /// Its media type (OCI or Docker manifest or index).
    pub media_type: String,
    /// `artifactType`, or the config's media type for an image manifest without one.
    pub artifact_type: Option<String>,
    /// The digest of the manifest it refers to (`subject`), for the referrers API.
    pub subject_digest: Option<String>,
    /// Its annotations as a JSON object, if any.
    pub annotations: Option<String>,
    /// Length of `content`.
    pub size: i64,
    /// Length of the manifest plus everything it references (for listings).
    pub total_size: i64,
    /// The manifest's bytes.
    pub content: Vec<u8>,
    /// When it was pushed.
    pub created_at: DateTimeUtc,
}

/// Relations of `artifact_manifest` (queries join by hand).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
