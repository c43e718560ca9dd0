//! A deployment: one application installed on one target.

use sea_orm::entity::prelude::*;

/// A row of `deployment`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deployment")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The target.
    pub deployment_target_id: Uuid,
    /// The application (fixed for the deployment's life).
    pub application_id: Uuid,
    /// The Compose project name.
    pub project_name: String,
    /// The license that allowed the latest revision (customer targets).
    pub license_id: Option<Uuid>,
    /// Whether the agent streams container logs.
    pub logs_enabled: bool,
    /// Whether the agent repairs drift (else it only reports it).
    pub repair_drift: bool,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When someone asked to undeploy it.
    pub undeploy_requested_at: Option<DateTimeUtc>,
    /// Whether the undeploy also deletes volumes.
    pub delete_data: bool,
    /// When the agent reported it undeployed.
    pub undeployed_at: Option<DateTimeUtc>,
    /// The state of its latest report (written with the report), `None` before the first.
    pub reported_state: Option<String>,
    /// When that report was observed: a report only replaces a newer one's state.
    pub reported_at: Option<DateTimeUtc>,
    /// The version its newest revision runs (written with the revision).
    pub running_version_id: Option<Uuid>,
    /// When that revision was made: a revision only replaces an older one's version.
    pub revised_at: Option<DateTimeUtc>,
}

/// Relations of `deployment` (joins are done in `repo`).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
