//! The upstream repository an artifact pulls through from: another registry holding the
//! vendor's images, fetched on demand and cached by the hub.

use sea_orm::entity::prelude::*;

/// A row of `artifact_upstream`, at most one per artifact.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifact_upstream")]
pub struct Model {
    /// The artifact (primary key: one upstream each).
    #[sea_orm(primary_key, auto_increment = false)]
    pub artifact_id: Uuid,
    /// The upstream registry's base address, such as `https://registry.example.com`.
    pub url: String,
    /// The repository there, such as `acme/web`.
    pub repository: String,
    /// The user name to sign in with, if the upstream asks for one.
    pub username: Option<String>,
    /// The password or token, sealed with the hub's secrets key.
    pub password_sealed: Option<String>,
    /// When it was linked or last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations of `artifact_upstream` (queries join by hand).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
