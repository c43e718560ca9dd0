//! An application in a vendor's catalogue.

use sea_orm::entity::prelude::*;

/// A row of `application`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The vendor that publishes it.
    pub organization_id: Uuid,
    /// Its name, unique within the vendor.
    pub name: String,
    /// `docker` (Compose) or `kubernetes` (Helm).
    pub kind: String,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When the vendor archived it (hidden from new licenses and deployments).
    pub archived_at: Option<DateTimeUtc>,
}

/// Relations of `application`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The vendor.
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OrganizationId",
        to = "super::organization::Column::Id",
        on_delete = "Cascade"
    )]
    Organization,
}

impl ActiveModelBehavior for ActiveModel {}
