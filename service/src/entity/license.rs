//! A license: one customer's grant of one application.

use sea_orm::entity::prelude::*;

/// A row of `license`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "license")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The vendor that granted it.
    pub organization_id: Uuid,
    /// The customer it grants.
    pub customer_organization_id: Uuid,
    /// The application it grants.
    pub application_id: Uuid,
    /// Its name, unique within the vendor.
    pub name: String,
    /// Every version (true) or only those in `license_version` (false).
    pub all_versions: bool,
    /// JSON array of the channels the customer follows.
    pub channels: String,
    /// JSON object of entitlements (string keys and values).
    pub entitlements: String,
    /// When it was granted.
    pub created_at: DateTimeUtc,
    /// When it was last changed.
    pub updated_at: DateTimeUtc,
    /// When it ends; `None` for never.
    pub expires_at: Option<DateTimeUtc>,
    /// When the vendor revoked it.
    pub revoked_at: Option<DateTimeUtc>,
}

/// Relations of `license`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The application.
    #[sea_orm(
        belongs_to = "super::application::Entity",
        from = "Column::ApplicationId",
        to = "super::application::Column::Id",
        on_delete = "Cascade"
    )]
    Application,
}

impl ActiveModelBehavior for ActiveModel {}
