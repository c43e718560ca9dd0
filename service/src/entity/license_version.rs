//! A version granted by a license that does not grant every version.

use sea_orm::entity::prelude::*;

/// A row of `license_version`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "license_version")]
pub struct Model {
    /// The license.
    #[sea_orm(primary_key, auto_increment = false)]
    pub license_id: Uuid,
    /// The granted version.
    #[sea_orm(primary_key, auto_increment = false)]
    pub version_id: Uuid,
}

/// Relations of `license_version`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
