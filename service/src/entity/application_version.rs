//! One immutable version of an application.

use sea_orm::entity::prelude::*;

/// A row of `application_version`. Only `archived_at` ever changes after insertion.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application_version")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The application.
    pub application_id: Uuid,
    /// Its name, unique within the application.
    pub name: String,
    /// The release channel it was published to.
    pub channel: String,
    /// Publication order within the application (1, 2, …).
    pub sequence: i64,
    /// Docker: the compose file.
    pub compose_file: Option<String>,
    /// Docker: the env-file template that pre-fills the deployment form.
    pub env_template: Option<String>,
    /// The "open application" URL template.
    pub link_template: Option<String>,
    /// Helm: the chart repository URL or `oci://` reference.
    pub chart_url: Option<String>,
    /// Helm: the chart's name in a repository (`None` for `oci://`).
    pub chart_name: Option<String>,
    /// Helm: the chart version.
    pub chart_version: Option<String>,
    /// Helm: base values.
    pub base_values: Option<String>,
    /// Helm: the values template that pre-fills the deployment form.
    pub values_template: Option<String>,
    /// When it was published.
    pub created_at: DateTimeUtc,
    /// When the vendor archived it.
    pub archived_at: Option<DateTimeUtc>,
}

/// Relations of `application_version`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The application.
    #[sea_orm(
        belongs_to = "super::application::Entity",
        from = "Column::ApplicationId",
        to = "super::application::Column::Id",
        on_delete = "Cascade"
    )]
    Application,
}

impl ActiveModelBehavior for ActiveModel {}
