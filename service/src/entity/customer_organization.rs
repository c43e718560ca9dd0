//! A customer of a vendor.

use sea_orm::entity::prelude::*;

/// A row of `customer_organization`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customer_organization")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The vendor organization it belongs to.
    pub organization_id: Uuid,
    /// Display name, unique per vendor.
    pub name: String,
    /// When it was created.
    pub created_at: DateTimeUtc,
}

/// Relations of `customer_organization`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
