//! Keeps the hub's files to the user it runs as: the data and registry folders owner-only
//! (0700), the SQLite database with its `-wal`/`-shm`/`-journal` companions and the keys
//! owner-only (0600). Modes are set explicitly rather than left to the umask, and tightened at
//! every start, so a data directory made by an older hub or loosened by hand is fixed too.

use std::io;
use std::path::{Path, PathBuf};

use crate::StartError;

/// Owner-only folders.
const DIR_MODE: u32 = 0o700;
/// Owner-only files.
const FILE_MODE: u32 = 0o600;

/// The companions SQLite keeps next to a database file.
const SQLITE_COMPANIONS: [&str; 3] = ["-wal", "-shm", "-journal"];

fn failed(path: &Path) -> impl FnOnce(io::Error) -> StartError + '_ {
    move |source| StartError::Permissions {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates `dir` (with its missing parents) owner-only, or makes an existing one owner-only.
pub fn private_dir(dir: &Path) -> Result<(), StartError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir).map_err(|source| StartError::DataDir {
        path: dir.to_path_buf(),
        source,
    })?;
    set_mode(dir, DIR_MODE).map_err(failed(dir))
}

/// Makes `path` owner-only if it exists (0700 for a folder, 0600 for a file).
pub fn tighten(path: &Path) -> Result<(), StartError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => set_mode(path, DIR_MODE).map_err(failed(path)),
        Ok(_) => set_mode(path, FILE_MODE).map_err(failed(path)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(failed(path)(err)),
    }
}

/// The file of a SQLite database URL (`sqlite://path?…` or `sqlite:path`); `None` for another
/// database or an in-memory one.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") || url.contains("mode=memory") {
        return None;
    }
    Some(PathBuf::from(path))
}

/// Before the database is opened: creates a missing SQLite file empty and owner-only (SQLite
/// gives its `-wal` and `-shm` files the mode of the database file), and tightens an existing
/// one and its companions. Does nothing for other databases.
pub fn prepare_sqlite(url: &str) -> Result<(), StartError> {
    let Some(file) = sqlite_file(url) else {
        return Ok(());
    };
    if !file.exists() {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
        match options.open(&file) {
            Ok(_) => {}
            // Another process made it meanwhile: tightened below.
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
            // A missing parent folder and the like: SQLite reports it better when it opens.
            Err(_) => return Ok(()),
        }
    }
    tighten_sqlite(&file)
}

/// Tightens a SQLite database file and whichever of its companions exist.
pub fn tighten_sqlite_url(url: &str) -> Result<(), StartError> {
    match sqlite_file(url) {
        Some(file) => tighten_sqlite(&file),
        None => Ok(()),
    }
}

fn tighten_sqlite(file: &Path) -> Result<(), StartError> {
    tighten(file)?;
    for suffix in SQLITE_COMPANIONS {
        let mut companion = file.as_os_str().to_owned();
        companion.push(suffix);
        tighten(Path::new(&companion))?;
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current == mode {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sqlite_file_is_found_in_its_url_forms() {
        assert_eq!(
            sqlite_file("sqlite:///srv/consign/consign.db?mode=rwc"),
            Some(PathBuf::from("/srv/consign/consign.db"))
        );
        assert_eq!(
            sqlite_file("sqlite://data/consign.db"),
            Some(PathBuf::from("data/consign.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:data/x.db"),
            Some(PathBuf::from("data/x.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }
}
