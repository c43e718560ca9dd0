//! A personal access token for the REST API.

use sea_orm::entity::prelude::*;

/// A row of `access_token`. Only the SHA-256 of the secret is stored, so a leaked database
/// cannot be replayed against the API.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_token")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Whose token it is.
    pub user_id: Uuid,
    /// The organization the token acts in.
    pub organization_id: Uuid,
    /// What its owner calls it.
    pub label: String,
    /// Hex SHA-256 of the secret.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When it stops working; `None` for never.
    pub expires_at: Option<DateTimeUtc>,
    /// When it last authenticated a request (to the minute).
    pub last_used_at: Option<DateTimeUtc>,
    /// When its owner revoked it.
    pub revoked_at: Option<DateTimeUtc>,
}

/// Relations of `access_token`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The owner's account.
    #[sea_orm(
        belongs_to = "super::user_account::Entity",
        from = "Column::UserId",
        to = "super::user_account::Column::Id",
        on_delete = "Cascade"
    )]
    UserAccount,
    /// The organization it acts in.
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OrganizationId",
        to = "super::organization::Column::Id",
        on_delete = "Cascade"
    )]
    Organization,
}

impl ActiveModelBehavior for ActiveModel {}
