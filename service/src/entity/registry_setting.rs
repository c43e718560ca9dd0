//! A vendor's registry settings.

use sea_orm::entity::prelude::*;

/// A row of `registry_setting`; a vendor without one has the defaults.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_setting")]
pub struct Model {
    /// The vendor.
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: Uuid,
    /// Whether pushing an existing tag may move it to another manifest.
    pub tags_mutable: bool,
}

/// Relations of `registry_setting` (queries join by hand).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
