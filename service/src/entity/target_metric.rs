//! One host-metrics sample of a target.

use sea_orm::entity::prelude::*;

/// A row of `target_metric`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "target_metric")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The target.
    pub deployment_target_id: Uuid,
    /// CPU use of the whole host, 0–100.
    pub cpu_percent: f64,
    /// CPU cores.
    pub cpu_cores: i32,
    /// Memory in use.
    pub memory_used_bytes: i64,
    /// Memory in total.
    pub memory_total_bytes: i64,
    /// When it was sampled.
    pub at: DateTimeUtc,
}

/// Relations of `target_metric` (joins are done in `repo`).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
