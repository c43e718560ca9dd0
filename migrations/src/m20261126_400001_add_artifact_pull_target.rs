//! Adds the deployment target to the pull audit, for pulls made with an agent's credential.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ArtifactPull {
    Table,
    DeploymentTargetId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // No foreign key: SQLite cannot add one to an existing table, and the audit keeps the
        // id of a target deleted since (like a log line would).
        manager
            .alter_table(
                Table::alter()
                    .table(ArtifactPull::Table)
                    .add_column(uuid_null(ArtifactPull::DeploymentTargetId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ArtifactPull::Table)
                    .drop_column(ArtifactPull::DeploymentTargetId)
                    .to_owned(),
            )
            .await
    }
}
