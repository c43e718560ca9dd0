//! A signed-in browser.

use sea_orm::entity::prelude::*;

/// A row of `session`. Only the SHA-256 of the cookie's token is stored, so a leaked database
/// cannot be replayed as sessions.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "session")]
pub struct Model {
    /// Hex SHA-256 of the session token.
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    /// Whose session it is.
    pub user_id: Uuid,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When it stops working.
    pub expires_at: DateTimeUtc,
    /// The organization the person is working in (they may belong to several).
    pub organization_id: Option<Uuid>,
}

/// Relations of `session`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The account.
    #[sea_orm(
        belongs_to = "super::user_account::Entity",
        from = "Column::UserId",
        to = "super::user_account::Column::Id",
        on_delete = "Cascade"
    )]
    UserAccount,
}

impl Related<super::user_account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UserAccount.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
