//! A registry artifact: one OCI repository `<vendor-slug>/<name>`.

use sea_orm::entity::prelude::*;

/// A row of `artifact`, created on the first push to its name.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifact")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The vendor that owns it (its slug is the namespace).
    pub organization_id: Uuid,
    /// The repository name after the namespace, such as `app` or `charts/app`.
    pub name: String,
    /// When it was first pushed.
    pub created_at: DateTimeUtc,
}

/// Relations of `artifact` (queries join by hand).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
