//! A single-use link sent by email.

use sea_orm::entity::prelude::*;

/// A row of `email_token`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_token")]
pub struct Model {
    /// Hex SHA-256 of the link's token.
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    /// Whose account it acts on.
    pub user_id: Uuid,
    /// `reset`, `verify` or `change`.
    pub purpose: String,
    /// For `change`: the new address.
    pub new_email: Option<String>,
    /// When it was sent.
    pub created_at: DateTimeUtc,
    /// When it stops working.
    pub expires_at: DateTimeUtc,
    /// When it was used.
    pub used_at: Option<DateTimeUtc>,
}

/// Relations of `email_token`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
