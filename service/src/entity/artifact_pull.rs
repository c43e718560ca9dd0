//! The pull audit log.

use sea_orm::entity::prelude::*;

/// A row of `artifact_pull`: one manifest download.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifact_pull")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The artifact.
    pub artifact_id: Uuid,
    /// The reference asked for: a tag or a digest.
    pub reference: String,
    /// The digest served.
    pub digest: String,
    /// Who pulled (`None` once the account is deleted).
    pub user_id: Option<Uuid>,
    /// For a customer's pull, the customer.
    pub customer_organization_id: Option<Uuid>,
    /// For a pull by a deployment agent (with its credential), its target.
    pub deployment_target_id: Option<Uuid>,
    /// The client's address.
    pub remote_address: Option<String>,
    /// When.
    pub created_at: DateTimeUtc,
}

/// Relations of `artifact_pull` (queries join by hand).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
