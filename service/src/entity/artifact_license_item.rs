//! One artifact granted by an artifact license.

use sea_orm::entity::prelude::*;

/// A row of `artifact_license_item`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifact_license_item")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The license.
    pub artifact_license_id: Uuid,
    /// The granted artifact.
    pub artifact_id: Uuid,
    /// The granted tag; `None` grants every version.
    pub tag: Option<String>,
}

/// Relations of `artifact_license_item` (queries join by hand).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
