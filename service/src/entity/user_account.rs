//! A person's account.

use sea_orm::entity::prelude::*;

/// A row of `user_account`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_account")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Lower-cased, unique email address.
    #[sea_orm(unique)]
    pub email: String,
    /// Display name.
    pub name: String,
    /// PHC string of the argon2id hash; never leaves the service layer.
    pub password_hash: String,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When the address was confirmed through an emailed link.
    pub email_verified_at: Option<DateTimeUtc>,
}

/// Relations of `user_account`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Its memberships.
    #[sea_orm(has_many = "super::membership::Entity")]
    Membership,
}

impl Related<super::membership::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Membership.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
