//! Where blob bytes live: a content-addressed store, written once per digest whatever the
//! number of artifacts linking it. Uploads are always assembled in a local folder first (so
//! the digest is verified before anything is stored), then handed to the store.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use bytes::Bytes;
use futures_util::stream::BoxStream;

use super::{Algorithm, Digest};
use crate::Result;

/// The algorithms blobs are stored under, each in its own folder.
pub(super) const ALGORITHMS: [Algorithm; 2] = [Algorithm::Sha256, Algorithm::Sha512];

/// A blob's bytes as they are read.
pub type BlobStream = BoxStream<'static, io::Result<Bytes>>;

/// How much is read from the filesystem at once when serving a blob.
const READ_CHUNK: usize = 1024 * 1024;

/// Blob storage: the filesystem under the data directory ([`FsBlobStore`]), or S3-compatible
/// object storage ([`super::S3BlobStore`]).
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync + fmt::Debug {
    /// The size of a stored blob, or `None` if it is not stored.
    async fn size(&self, digest: &Digest) -> Result<Option<u64>>;

    /// `len` bytes of a stored blob from `start` (the caller checked the range).
    async fn read(&self, digest: &Digest, start: u64, len: u64) -> Result<BlobStream>;

    /// Stores a verified local file as `digest`, consuming it. Storing a digest that is already
    /// there replaces it with the same bytes and refreshes its age.
    async fn put_file(&self, digest: &Digest, file: &Path) -> Result<()>;

    /// Removes a blob (a blob that is not there is not an error).
    async fn delete(&self, digest: &Digest) -> Result<()>;

    /// Every stored blob, with when it was last stored.
    async fn list(&self) -> Result<Vec<(Digest, SystemTime)>>;
}

/// `len` bytes of `file` from where it stands, in large chunks, each read on the blocking pool
/// while the connection sends the one before: one read and one copy per byte (tokio's `File`
/// copies each chunk once more, in smaller pieces). A blocking thread is held only while it
/// reads, never while a slow client takes its time, so downloads cannot starve the pool.
fn read_ahead(file: std::fs::File, len: u64) -> BlobStream {
    type Chunk = tokio::task::JoinHandle<io::Result<(std::fs::File, Vec<u8>)>>;
    fn read_chunk(mut file: std::fs::File, want: u64) -> Chunk {
        tokio::task::spawn_blocking(move || {
            let mut chunk = Vec::with_capacity(usize::try_from(want).unwrap_or(READ_CHUNK));
            io::Read::read_to_end(&mut io::Read::take(&mut file, want), &mut chunk)?;
            Ok((file, chunk))
        })
    }
    let first = (len > 0).then(|| read_chunk(file, len.min(READ_CHUNK as u64)));
    Box::pin(futures_util::stream::unfold(
        (first, len),
        |(pending, left)| async move {
            let item = match pending?.await {
                Ok(Ok((_, chunk))) if chunk.is_empty() => Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the blob is shorter than its recorded size",
                )),
                Ok(Ok((file, chunk))) => {
                    let left = left - chunk.len() as u64;
                    let next = (left > 0).then(|| read_chunk(file, left.min(READ_CHUNK as u64)));
                    return Some((Ok(Bytes::from(chunk)), (next, left)));
                }
                Ok(Err(e)) => Err(e),
                Err(e) => Err(io::Error::other(e)),
            };
            // After an error the stream ends.
            Some((item, (None, 0)))
        },
    ))
}

/// Blobs as files: `<root>/sha256/ab/abcdef…`.
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    /// A store under `root` (created when missing). Uploads must be assembled on the same
    /// filesystem, so storing one is a rename.
    pub fn new(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        for algorithm in ALGORITHMS {
            std::fs::create_dir_all(root.join(algorithm.name()))?;
        }
        Ok(Self { root })
    }

    fn path(&self, digest: &Digest) -> PathBuf {
        let hex = digest.hex();
        self.root
            .join(digest.algorithm().name())
            .join(&hex[..2])
            .join(hex)
    }
}

#[async_trait::async_trait]
impl BlobStore for FsBlobStore {
    async fn size(&self, digest: &Digest) -> Result<Option<u64>> {
        match tokio::fs::metadata(self.path(digest)).await {
            Ok(meta) => Ok(Some(meta.len())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn read(&self, digest: &Digest, start: u64, len: u64) -> Result<BlobStream> {
        let path = self.path(digest);
        // Opened before the response starts, so a missing file is an error and not a cut body.
        let file = tokio::task::spawn_blocking(move || -> io::Result<std::fs::File> {
            let mut file = std::fs::File::open(path)?;
            io::Seek::seek(&mut file, io::SeekFrom::Start(start))?;
            Ok(file)
        })
        .await
        .map_err(|e| crate::Error::storage_caused("", e))??;
        Ok(read_ahead(file, len))
    }

    async fn put_file(&self, digest: &Digest, file: &Path) -> Result<()> {
        let target = self.path(digest);
        if let Some(dir) = target.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::rename(file, &target).await?;
        Ok(())
    }

    async fn delete(&self, digest: &Digest) -> Result<()> {
        match tokio::fs::remove_file(self.path(digest)).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    async fn list(&self) -> Result<Vec<(Digest, SystemTime)>> {
        let root = self.root.clone();
        let found =
            tokio::task::spawn_blocking(move || -> io::Result<Vec<(Digest, SystemTime)>> {
                let mut found = Vec::new();
                for algorithm in ALGORITHMS {
                    let folder = root.join(algorithm.name());
                    if !folder.exists() {
                        continue;
                    }
                    for dir in std::fs::read_dir(folder)? {
                        let dir = dir?;
                        if !dir.file_type()?.is_dir() {
                            continue;
                        }
                        for file in std::fs::read_dir(dir.path())? {
                            let file = file?;
                            let name = file.file_name();
                            // Anything else in the folder is not ours to judge.
                            let Ok(digest) = Digest::parse(&format!(
                                "{}:{}",
                                algorithm.name(),
                                name.to_string_lossy()
                            )) else {
                                continue;
                            };
                            // Gone since the listing: nothing to collect.
                            let modified = match file.metadata() {
                                Ok(meta) => meta.modified()?,
                                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                                Err(e) => return Err(e),
                            };
                            found.push((digest, modified));
                        }
                    }
                }
                Ok(found)
            })
            .await
            .map_err(|e| crate::Error::storage_caused("", e))??;
        Ok(found)
    }
}
