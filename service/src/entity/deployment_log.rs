//! One container log line of a deployment.

use sea_orm::entity::prelude::*;

/// A row of `deployment_log`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deployment_log")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The deployment.
    pub deployment_id: Uuid,
    /// The Compose service.
    pub service: String,
    /// `stdout` or `stderr`.
    pub stream: String,
    /// When the container wrote it.
    pub at: DateTimeUtc,
    /// The line, secrets masked.
    pub line: String,
}

/// Relations of `deployment_log` (joins are done in `repo`).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
