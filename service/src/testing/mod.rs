//! Test support: a fresh, migrated database per test, on SQLite or PostgreSQL.
//!
//! PostgreSQL tests need `CONSIGN_TEST_POSTGRES_URL` (an admin URL such as
//! `postgres://postgres@127.0.0.1:5433/postgres`); `cargo xtask test` starts a private cluster
//! and sets it. Without it the PostgreSQL tests fail, naming the variable: they never skip.
//!
//! Each PostgreSQL test gets a database of its own, dropped by [`TestDb::close`] or, when the
//! test panics before that, by `TestDb`'s `Drop`. Only a test process killed outright (a
//! nextest timeout) leaves its database behind; `cargo xtask test` removes its whole cluster
//! at the end of the run.

pub mod world;

use sea_orm::{ConnectionTrait, DatabaseConnection};
use sea_orm_migration::MigratorTrait;

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "CONSIGN_TEST_POSTGRES_URL";

/// Which database engine a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An in-memory SQLite database.
    Sqlite,
    /// A fresh database on the test PostgreSQL server.
    Postgres,
}

/// A fresh, migrated database that belongs to one test.
#[derive(Debug)]
pub struct TestDb {
    /// The connection pool.
    pub conn: DatabaseConnection,
    /// The URL it was opened with (to open more connections, or to start a hub on it).
    pub url: String,
    cleanup: Option<(String, String)>,
    dir: Option<std::path::PathBuf>,
}

impl TestDb {
    /// Services on this database, with default settings (see [`crate::Services::new`]).
    pub fn services(&self) -> crate::Services {
        crate::Services::new(crate::db::Database(self.conn.clone()))
    }

    /// Opens a fresh database on `backend` and applies every migration.
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::sqlite().await,
            Backend::Postgres => Self::postgres().await,
        }
    }

    /// A migrated in-memory SQLite database.
    pub async fn sqlite() -> Self {
        let url = "sqlite::memory:".to_string();
        let conn = crate::db::connect(&url)
            .await
            .expect("open in-memory SQLite")
            .0;
        migrations::Migrator::up(&conn, None)
            .await
            .expect("migrate SQLite");
        Self {
            conn,
            url,
            cleanup: None,
            dir: None,
        }
    }

    /// SQLite in a file of its own (removed by [`TestDb::close`]), with the hub's pool of
    /// several connections: what concurrency tests need, unlike the one-connection in-memory
    /// database.
    pub async fn sqlite_file() -> Self {
        let dir =
            std::env::temp_dir().join(format!("consign-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("create the test database folder");
        let url = format!("sqlite://{}?mode=rwc", dir.join("consign.db").display());
        let conn = crate::db::connect(&url).await.expect("open file SQLite").0;
        migrations::Migrator::up(&conn, None)
            .await
            .expect("migrate SQLite");
        Self {
            conn,
            url,
            cleanup: None,
            dir: Some(dir),
        }
    }

    /// A migrated database of its own on the test PostgreSQL server.
    pub async fn postgres() -> Self {
        let admin_url = std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| {
            panic!(
                "{POSTGRES_URL_VAR} is not set: run the tests with `cargo xtask test`, which starts \
                 PostgreSQL, or point it at a server where this user may create databases"
            )
        });
        let name = format!("consign_test_{}", uuid::Uuid::new_v4().simple());
        let admin = crate::db::connect(&admin_url)
            .await
            .expect("connect to test PostgreSQL")
            .0;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        admin.close().await.ok();
        let url = replace_database(&admin_url, &name);
        let conn = crate::db::connect(&url)
            .await
            .expect("open test database")
            .0;
        migrations::Migrator::up(&conn, None)
            .await
            .expect("migrate PostgreSQL");
        Self {
            conn,
            url,
            cleanup: Some((admin_url, name)),
            dir: None,
        }
    }

    /// Closes the pool and drops the PostgreSQL database, or removes the SQLite file.
    pub async fn close(mut self) {
        self.conn.close_by_ref().await.ok();
        if let Some(dir) = self.dir.take() {
            std::fs::remove_dir_all(dir).ok();
        }
        if let Some((admin_url, name)) = self.cleanup.take() {
            drop_database(&admin_url, &name).await;
        }
    }
}

impl Drop for TestDb {
    /// What [`TestDb::close`] would have done, for a test that panicked before calling it.
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            std::fs::remove_dir_all(dir).ok();
        }
        if let Some((admin_url, name)) = self.cleanup.take() {
            // Drop runs while the test's runtime unwinds, where nothing async can be awaited
            // (and `block_on` would panic again): a thread with a runtime of its own does it.
            let dropping = std::thread::spawn(move || {
                if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    runtime.block_on(drop_database(&admin_url, &name));
                }
            });
            dropping.join().ok();
        }
    }
}

/// Drops the test database `name`. `FORCE` ends the connections still open to it: the test's
/// own pool, and those of a hub the test did not get to stop.
async fn drop_database(admin_url: &str, name: &str) {
    if let Ok(crate::db::Database(admin)) = crate::db::connect(admin_url).await {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .ok();
        admin.close().await.ok();
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// The connection under `services`, for tests that look at or plant rows directly (a row
/// older than the clock allows, a column the API never shows).
pub fn connection(services: &crate::Services) -> &DatabaseConnection {
    &services.db
}

/// The database handle under `services`, for what the hub runs on it at start
/// ([`crate::db::migrate`]).
pub fn database(services: &crate::Services) -> crate::db::Database {
    crate::db::Database(services.db.clone())
}

/// Generates, for each named `async fn(&Services)`, one test on SQLite and one on
/// PostgreSQL, each on a fresh database: `mod <name> { fn sqlite(); fn postgres(); }`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let db = $crate::testing::TestDb::new($crate::testing::Backend::Sqlite).await;
                super::$name(&db.services()).await;
                db.close().await;
            }

            #[tokio::test]
            async fn postgres() {
                let db = $crate::testing::TestDb::new($crate::testing::Backend::Postgres).await;
                super::$name(&db.services()).await;
                db.close().await;
            }
        }
    )*};
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn the_database_name_is_swapped_and_the_query_kept() {
        assert_eq!(
            replace_database("postgres://u@127.0.0.1:5433/postgres?sslmode=disable", "t1"),
            "postgres://u@127.0.0.1:5433/t1?sslmode=disable"
        );
        assert_eq!(
            replace_database("postgres://u@h/db", "t2"),
            "postgres://u@h/t2"
        );
    }
}
