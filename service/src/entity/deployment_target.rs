//! A deployment target: the slot one agent fills.

use sea_orm::entity::prelude::*;

/// A row of `deployment_target`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deployment_target")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The vendor.
    pub organization_id: Uuid,
    /// The customer that owns it; `None` for a vendor-managed target.
    pub customer_organization_id: Option<Uuid>,
    /// Its name.
    pub name: String,
    /// SHA-256 of the one-time enrolment secret; `None` once used.
    pub secret_hash: Option<String>,
    /// When the current secret was issued.
    pub secret_created_at: DateTimeUtc,
    /// When an agent traded the secret for its credential.
    pub secret_used_at: Option<DateTimeUtc>,
    /// SHA-256 of the agent's credential.
    pub credential_hash: Option<String>,
    /// The version the agent reported in its last `hello`.
    pub agent_version: Option<String>,
    /// When the agent last sent a frame.
    pub last_seen_at: Option<DateTimeUtc>,
    /// When it was created.
    pub created_at: DateTimeUtc,
}

/// Relations of `deployment_target` (joins are done in `repo`).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
