//! An artifact license.

use sea_orm::entity::prelude::*;

/// A row of `artifact_license`: what registry artifacts one customer may pull.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifact_license")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The vendor.
    pub organization_id: Uuid,
    /// The customer it grants.
    pub customer_organization_id: Uuid,
    /// Unique per vendor.
    pub name: String,
    /// When it stops granting; `None` for never.
    pub expires_at: Option<DateTimeUtc>,
    /// When the vendor revoked it.
    pub revoked_at: Option<DateTimeUtc>,
    /// When it was created.
    pub created_at: DateTimeUtc,
}

/// Relations of `artifact_license` (queries join by hand).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
