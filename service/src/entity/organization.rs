//! A vendor tenant.

use sea_orm::entity::prelude::*;

/// A row of `organization`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organization")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// Unique, URL-safe identifier.
    #[sea_orm(unique)]
    pub slug: String,
    /// When it was created.
    pub created_at: DateTimeUtc,
}

/// Relations of `organization`.
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
