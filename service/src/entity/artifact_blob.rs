//! A blob linked to an artifact.

use sea_orm::entity::prelude::*;

/// A row of `artifact_blob`: the blob `digest` may be read through this artifact. The bytes
/// live once in the blob store, whatever the number of artifacts linking them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifact_blob")]
pub struct Model {
    /// The artifact.
    #[sea_orm(primary_key, auto_increment = false)]
    pub artifact_id: Uuid,
    /// `sha256:<64 hex>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub digest: String,
    /// Its length in bytes.
    pub size: i64,
    /// When it was linked.
    pub created_at: DateTimeUtc,
}

/// Relations of `artifact_blob` (queries join by hand).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
