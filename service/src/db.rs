//! Opening the database: SQLite by default, PostgreSQL by URL.

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::time::Duration;

/// Opens a pool for `url` (`sqlite://…?mode=rwc` or `postgres://…`) and tunes SQLite for a
/// server: write-ahead logging, so readers never wait for the writer, and a busy timeout, so
/// concurrent writers queue instead of failing.
pub async fn connect(url: &str) -> crate::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url);
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // In-memory databases live per connection: one connection keeps one database.
        if url.contains(":memory:") {
            options.max_connections(1).min_connections(1);
        } else {
            options.max_connections(8).min_connections(1);
        }
    } else {
        options.max_connections(16).min_connections(1);
    }
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DbBackend::Sqlite && !url.contains(":memory:") {
        db.execute_unprepared("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;")
            .await?;
    }
    Ok(db)
}

/// Answers whether the database takes queries; used by the readiness probe.
pub async fn ping(db: &DatabaseConnection) -> crate::Result<()> {
    db.ping().await?;
    Ok(())
}

/// Starts a transaction that will write. On SQLite it begins `IMMEDIATE`, taking the write lock
/// at once: a deferred transaction that reads and then writes fails with `SQLITE_BUSY_SNAPSHOT`
/// (code 517) when another connection committed in between, and no busy timeout can help it,
/// whereas an immediate one queues behind the busy timeout like any other writer. PostgreSQL
/// ignores the mode (its default READ COMMITTED has no snapshot conflicts on write).
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}
