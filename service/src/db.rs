//! Opening the database: SQLite by default, PostgreSQL by URL.

use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseConnection, DbBackend};
use std::time::Duration;

/// Opens a pool for `url` (`sqlite://…?mode=rwc` or `postgres://…`) and tunes SQLite for a
/// server: write-ahead logging, so readers never wait for the writer, and a busy timeout, so
/// concurrent writers queue instead of failing.
pub async fn connect(url: &str) -> crate::Result<Database> {
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
    let db = sea_orm::Database::connect(options).await?;
    if db.get_database_backend() == DbBackend::Sqlite && !url.contains(":memory:") {
        db.execute_unprepared("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;")
            .await?;
    }
    Ok(Database(db))
}

/// An open database pool. Opaque outside this crate: every query goes through `service`.
#[derive(Clone, Debug)]
pub struct Database(pub(crate) DatabaseConnection);

/// Applies every pending migration, then records the images of versions published before the
/// hub stored them (the compose parser lives here, out of the migrations' reach). Returns how
/// many versions were backfilled.
pub async fn migrate(db: &Database) -> crate::Result<usize> {
    use sea_orm_migration::MigratorTrait;
    migrations::Migrator::up(&db.0, None).await?;
    crate::version_images::backfill_in(&db.0).await
}

/// Answers whether the database takes queries; used by the readiness probe.
pub async fn ping(services: &crate::Services) -> crate::Result<()> {
    services.db.ping().await?;
    Ok(())
}

/// Begins a transaction that will write after reading. On SQLite it starts as the writer
/// (`BEGIN IMMEDIATE`), waiting its turn under the busy timeout: a deferred one that read first
/// cannot be promoted once another writer has committed, and fails at once with "database is
/// locked". PostgreSQL ignores the mode.
pub(crate) async fn begin_writer(
    db: &DatabaseConnection,
) -> crate::Result<sea_orm::DatabaseTransaction> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    Ok(db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?)
}
