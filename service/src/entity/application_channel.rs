//! A release channel of an application, with its optional minimum version.

use sea_orm::entity::prelude::*;

/// A row of `application_channel`; created when a version is first published to the channel.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application_channel")]
pub struct Model {
    /// The application.
    #[sea_orm(primary_key, auto_increment = false)]
    pub application_id: Uuid,
    /// The channel's name, such as `stable`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// Installs older than this version are flagged as needing an update.
    pub minimum_version_id: Option<Uuid>,
}

/// Relations of `application_channel`.
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
