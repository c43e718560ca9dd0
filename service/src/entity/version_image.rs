//! One image a compose version references.

use sea_orm::entity::prelude::*;

/// A row of `version_image`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "version_image")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The version.
    pub version_id: Uuid,
    /// Its order in the compose file.
    pub position: i32,
    /// The reference as written.
    pub reference: String,
    /// The registry host, lower-case (`docker.io` when none is written); `None` when the
    /// reference could not be parsed.
    pub registry: Option<String>,
    /// The repository path inside the registry.
    pub repository: Option<String>,
    /// The tag, if written (or `latest` when neither tag nor digest is).
    pub tag: Option<String>,
    /// The digest, if written.
    pub digest: Option<String>,
}

/// Relations of `version_image` (queries join by hand).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
