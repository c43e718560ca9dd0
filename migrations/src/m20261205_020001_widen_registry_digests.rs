//! Widens the registry's digest columns for sha512 (`sha512:` and 128 hex digits, 135
//! characters; they were sized for sha256's 71), and a pull's reference, which may be one. SQLite does not enforce a declared length,
//! so only PostgreSQL's columns change.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Room for the longest digest the registry accepts, and some to spare.
const DIGEST_LEN: u32 = 140;

/// `(table, column, nullable, length before)` of every column holding a digest (a pull's
/// reference may be one).
const COLUMNS: [(&str, &str, bool, u32); 6] = [
    ("artifact_blob", "digest", false, 80),
    ("artifact_manifest", "digest", false, 80),
    ("artifact_manifest", "subject_digest", true, 80),
    ("artifact_manifest_ref", "digest", false, 80),
    ("artifact_pull", "digest", false, 80),
    ("artifact_pull", "reference", false, 128),
];

/// Sets every column to `len`, or back to its length before when `None`.
async fn resize(manager: &SchemaManager<'_>, len: Option<u32>) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for (table, column, nullable, before) in COLUMNS {
        let len = len.unwrap_or(before);
        let mut def = ColumnDef::new(Alias::new(column));
        def.string_len(len);
        if !nullable {
            def.not_null();
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new(table))
                    .modify_column(def)
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        resize(manager, Some(DIGEST_LEN)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        resize(manager, None).await
    }
}
