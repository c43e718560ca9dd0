//! A tag of an artifact.

use sea_orm::entity::prelude::*;

/// A row of `artifact_tag`: a name pointing at one manifest of the artifact.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifact_tag")]
pub struct Model {
    /// The artifact.
    #[sea_orm(primary_key, auto_increment = false)]
    pub artifact_id: Uuid,
    /// The tag, such as `1.4.2`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// The manifest it points at.
    pub manifest_id: Uuid,
    /// When it was set.
    pub updated_at: DateTimeUtc,
}

/// Relations of `artifact_tag` (queries join by hand).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
