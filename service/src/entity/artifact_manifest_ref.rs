//! What a manifest references.

use sea_orm::entity::prelude::*;

/// A row of `artifact_manifest_ref`: a config or layer blob, or a child manifest of an index.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifact_manifest_ref")]
pub struct Model {
    /// The referencing manifest.
    #[sea_orm(primary_key, auto_increment = false)]
    pub manifest_id: Uuid,
    /// The referenced digest.
    #[sea_orm(primary_key, auto_increment = false)]
    pub digest: String,
    /// Whether it is a child manifest (else a blob).
    pub is_manifest: bool,
}

/// Relations of `artifact_manifest_ref` (queries join by hand).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
