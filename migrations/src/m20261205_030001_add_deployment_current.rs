//! Adds to each deployment what it is now: the state of its latest report and the version of
//! its newest revision, each with the time that orders it. They are written with the report
//! or revision itself, so the overviews and the fleet count and pick deployments from the
//! `deployment` rows alone instead of finding the newest of each deployment's history.
//! Existing deployments get them from their history.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Deployment {
    Table,
    ReportedState,
    ReportedAt,
    RunningVersionId,
    RevisedAt,
}

/// The index on `deployment.reported_at`.
const REPORTED_AT_INDEX: &str = "idx_deployment_reported_at";

/// The newest report's state and time, and the newest revision's version and time, of every
/// deployment (the same order as the hub keeps: time, then id or restart generation).
const BACKFILL: &str = "\
UPDATE deployment SET \
  reported_state = (SELECT s.state FROM deployment_status s WHERE s.deployment_id = deployment.id \
                    ORDER BY s.at DESC, s.id DESC LIMIT 1), \
  reported_at = (SELECT MAX(s.at) FROM deployment_status s WHERE s.deployment_id = deployment.id), \
  running_version_id = (SELECT r.application_version_id FROM deployment_revision r \
                        WHERE r.deployment_id = deployment.id \
                        ORDER BY r.created_at DESC, r.restart_generation DESC LIMIT 1), \
  revised_at = (SELECT MAX(r.created_at) FROM deployment_revision r \
                WHERE r.deployment_id = deployment.id)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [
            string_null(Deployment::ReportedState),
            timestamp_with_time_zone_null(Deployment::ReportedAt),
            uuid_null(Deployment::RunningVersionId),
            timestamp_with_time_zone_null(Deployment::RevisedAt),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Deployment::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared(BACKFILL)
            .await?;
        // The overviews' recent changes walk it newest first and stop after a few rows.
        manager
            .create_index(
                Index::create()
                    .name(REPORTED_AT_INDEX)
                    .table(Deployment::Table)
                    .col(Deployment::ReportedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite drops no indexed column.
        manager
            .drop_index(
                Index::drop()
                    .name(REPORTED_AT_INDEX)
                    .table(Deployment::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Deployment::ReportedState,
            Deployment::ReportedAt,
            Deployment::RunningVersionId,
            Deployment::RevisedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Deployment::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
