//! The hub keeps its files to its own user: on a fresh data directory and on one whose modes
//! were loosened, the folders end up 0700 and the database (with `-wal`/`-shm`) and keys 0600.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use consign_server::testing::TestHub;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Every folder and file the hub keeps under `data`, with the mode it must have.
fn expected(data: &Path) -> Vec<(PathBuf, u32)> {
    let registry = data.join("registry");
    vec![
        (data.to_path_buf(), 0o700),
        (data.join("consign.db"), 0o600),
        (data.join("consign.db-wal"), 0o600),
        (data.join("consign.db-shm"), 0o600),
        (data.join(consign_server::LICENSE_KEY_FILE), 0o600),
        (data.join(consign_server::SECRETS_KEY_FILE), 0o600),
        (registry.clone(), 0o700),
        (registry.join("token.key"), 0o600),
        (registry.join("uploads"), 0o700),
        (registry.join("blobs"), 0o700),
    ]
}

fn assert_private(data: &Path) {
    for (path, want) in expected(data) {
        assert_eq!(
            mode(&path),
            want,
            "{} is {:o}, expected {want:o}",
            path.display(),
            mode(&path)
        );
    }
}

async fn start_on(data: &Path) -> TestHub {
    let data = data.to_path_buf();
    TestHub::start_with(move |s| s.data_dir = data).await
}

#[tokio::test]
async fn a_fresh_data_directory_is_created_owner_only() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let hub = start_on(&data).await;
    // The database is in WAL mode and open: its -wal and -shm files exist now.
    assert_private(&data);
    hub.stop().await;
}

#[tokio::test]
async fn loosened_modes_are_tightened_at_start() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let hub = start_on(&data).await;
    for (path, want) in expected(&data) {
        set_mode(&path, if want == 0o700 { 0o777 } else { 0o666 });
    }
    hub.stop().await;
    // Whatever SQLite left behind stays loose until the next start.
    for (path, want) in expected(&data) {
        if path.exists() {
            set_mode(&path, if want == 0o700 { 0o777 } else { 0o666 });
        }
    }

    let hub = start_on(&data).await;
    assert_private(&data);
    hub.stop().await;
}
