//! Adds a repeat count and the time last seen to deployment statuses, so a status the agent
//! reports again and again (a failing retry) is one row, not a flood that pushes the cause out
//! of the kept history.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DeploymentStatus {
    Table,
    Repeats,
    LastAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds only one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(DeploymentStatus::Table)
                    .add_column(integer(DeploymentStatus::Repeats).default(1))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DeploymentStatus::Table)
                    .add_column(timestamp_with_time_zone_null(DeploymentStatus::LastAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [DeploymentStatus::LastAt, DeploymentStatus::Repeats] {
            manager
                .alter_table(
                    Table::alter()
                        .table(DeploymentStatus::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
