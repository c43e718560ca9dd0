//! An immutable revision of a deployment's desired state.

use sea_orm::entity::prelude::*;

/// A row of `deployment_revision`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deployment_revision")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The deployment.
    pub deployment_id: Uuid,
    /// The version.
    pub application_version_id: Uuid,
    /// The env file as the user wrote it (placeholders unrendered).
    pub env_values: String,
    /// Force-restart counter.
    pub restart_generation: i64,
    /// When it was made.
    pub created_at: DateTimeUtc,
}

/// Relations of `deployment_revision` (joins are done in `repo`).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
