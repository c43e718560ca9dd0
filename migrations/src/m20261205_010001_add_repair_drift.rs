//! Adds `repair_drift` to deployments: whether the agent brings back containers stopped or
//! removed behind its back (the default, also for existing deployments) or only reports it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Deployment {
    Table,
    RepairDrift,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Deployment::Table)
                    .add_column(boolean(Deployment::RepairDrift).default(true))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Deployment::Table)
                    .drop_column(Deployment::RepairDrift)
                    .to_owned(),
            )
            .await
    }
}
