//! A secret: an encrypted value of the vendor's or of one customer's scope.

use sea_orm::entity::prelude::*;

/// A row of `secret`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "secret")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The vendor.
    pub organization_id: Uuid,
    /// The customer; `None` for the vendor's own scope.
    pub customer_organization_id: Option<Uuid>,
    /// `vendor` or the customer id (for the unique index).
    pub scope: String,
    /// The name used in `{{ secrets.NAME }}`.
    pub key: String,
    /// base64(nonce ‖ ciphertext) under the hub's secrets key.
    pub sealed_value: String,
    /// When it was last set.
    pub updated_at: DateTimeUtc,
}

/// Relations of `secret` (joins are done in `repo`).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
