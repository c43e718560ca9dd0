//! One status report of a deployment.

use sea_orm::entity::prelude::*;

/// A row of `deployment_status`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deployment_status")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The deployment.
    pub deployment_id: Uuid,
    /// The revision the agent applied, when it said.
    pub revision_id: Option<Uuid>,
    /// `progressing`, `running`, `healthy`, `error`, `stopped` or `undeployed`.
    pub state: String,
    /// What the agent said.
    pub message: String,
    /// When the agent observed it (first, when repeated).
    pub at: DateTimeUtc,
    /// How many times the agent reported it in a row (1 for a status seen once).
    pub repeats: i32,
    /// When it was last reported, if more than once.
    pub last_at: Option<DateTimeUtc>,
}

/// Relations of `deployment_status` (joins are done in `repo`).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
