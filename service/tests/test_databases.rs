//! The test databases themselves: a PostgreSQL test database is dropped when its test closes it
//! and also when the test panics first, and its SQLite file is removed either way.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_service::testing::{Backend, POSTGRES_URL_VAR, TestDb};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

/// Whether the PostgreSQL server holds a database called `name`.
async fn database_exists(name: &str) -> bool {
    let admin = sea_orm::Database::connect(&std::env::var(POSTGRES_URL_VAR).unwrap())
        .await
        .unwrap();
    let found = admin
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 FROM pg_database WHERE datname = $1",
            [name.into()],
        ))
        .await
        .unwrap()
        .is_some();
    admin.close().await.unwrap();
    found
}

/// The database name at the end of a PostgreSQL URL.
fn database_name(url: &str) -> String {
    let path = url.split('?').next().unwrap();
    path.rsplit('/').next().unwrap().to_string()
}

#[tokio::test]
async fn a_postgres_test_database_is_dropped_when_closed() {
    let db = TestDb::new(Backend::Postgres).await;
    let name = database_name(&db.url);
    assert!(database_exists(&name).await);
    db.close().await;
    assert!(!database_exists(&name).await);
}

#[tokio::test]
async fn a_postgres_test_database_is_dropped_when_its_test_panics() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    // A task stands in for a test: it panics while holding the database and an open
    // connection to it, and never reaches `close`.
    let test = tokio::spawn(async move {
        let db = TestDb::new(Backend::Postgres).await;
        db.conn.execute_unprepared("SELECT 1").await.unwrap();
        tx.send(database_name(&db.url)).unwrap();
        panic!("the test fails");
    });
    let name = rx.await.unwrap();
    assert!(test.await.unwrap_err().is_panic());
    assert!(!database_exists(&name).await, "{name} is still there");
}

#[tokio::test]
async fn a_sqlite_test_database_file_is_removed_when_its_test_panics() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let test = tokio::spawn(async move {
        let db = TestDb::sqlite_file().await;
        let file = db
            .url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        tx.send(std::path::PathBuf::from(file)).unwrap();
        panic!("the test fails");
    });
    let file = rx.await.unwrap();
    assert!(test.await.unwrap_err().is_panic());
    assert!(!file.exists(), "{} is still there", file.display());
}
