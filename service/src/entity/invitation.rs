//! An invitation to join an organization (as a vendor or a customer member).

use sea_orm::entity::prelude::*;

/// A row of `invitation`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitation")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Hex SHA-256 of the link's token.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The vendor organization.
    pub organization_id: Uuid,
    /// The customer organization, for customer invitations.
    pub customer_organization_id: Option<Uuid>,
    /// Who is invited.
    pub email: String,
    /// The role they get.
    pub role: String,
    /// Who invited them.
    pub invited_by: Uuid,
    /// When it was created (or last re-sent).
    pub created_at: DateTimeUtc,
    /// When the link stops working.
    pub expires_at: DateTimeUtc,
    /// When it was used.
    pub accepted_at: Option<DateTimeUtc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTimeUtc>,
}

/// Relations of `invitation`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
