//! Adds the proof of a vendor's custom host name: its DNS challenge token and when it was verified.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Branding {
    Table,
    CustomHostToken,
    CustomHostVerifiedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time. Hosts saved
        // before this migration have no token and no proof, so they stop being served until
        // their vendor verifies them.
        manager
            .alter_table(
                Table::alter()
                    .table(Branding::Table)
                    .add_column(string_len_null(Branding::CustomHostToken, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Branding::Table)
                    .add_column(timestamp_with_time_zone_null(
                        Branding::CustomHostVerifiedAt,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Branding::CustomHostVerifiedAt, Branding::CustomHostToken] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Branding::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
