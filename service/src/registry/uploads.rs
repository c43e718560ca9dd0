//! Upload sessions: a blob is assembled in `uploads/<id>` (its artifact in `uploads/<id>.artifact`),
//! chunks must arrive in order, and the digest is checked before the blob reaches the store.
//! A failed or refused chunk is cut off again, so a session never holds half a chunk.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::Stream;
use types::ArtifactId;
use uuid::Uuid;

use super::writer::{self, WriteError};
use super::{Algorithm, Digest, Hasher, Registry, RegistryCode};
use crate::{Error, Result, repo};

/// Identifies an upload session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UploadId(pub Uuid);

impl fmt::Display for UploadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for UploadId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Uuid::parse_str(s).map(Self).map_err(|_| unknown_upload())
    }
}

/// What the hub remembers of an upload between requests.
pub(super) struct Session {
    /// The hash of everything received so far; `None` when it was lost (the hub restarted),
    /// and the file is hashed again at the end.
    hasher: Option<Hasher>,
    /// Bytes received so far.
    size: u64,
}

fn unknown_upload() -> Error {
    Error::registry(
        RegistryCode::BlobUploadUnknown,
        "no such upload in this repository (it finished, was cancelled or expired): start a new one",
    )
}

impl Registry {
    fn data_path(&self, id: UploadId) -> PathBuf {
        self.uploads_dir.join(id.0.to_string())
    }

    fn owner_path(&self, id: UploadId) -> PathBuf {
        self.uploads_dir.join(format!("{}.artifact", id.0))
    }

    /// Starts an upload into `artifact_id`, hashed with `algorithm` as it arrives (finishing it
    /// with a digest of another algorithm hashes the file again).
    pub async fn start_upload(
        &self,
        artifact_id: ArtifactId,
        algorithm: Algorithm,
    ) -> Result<UploadId> {
        let id = UploadId(Uuid::new_v4());
        tokio::fs::write(self.data_path(id), b"").await?;
        tokio::fs::write(self.owner_path(id), artifact_id.to_string()).await?;
        self.sessions()?.insert(
            id.0,
            Arc::new(tokio::sync::Mutex::new(Session {
                hasher: Some(Hasher::new(algorithm)),
                size: 0,
            })),
        );
        Ok(id)
    }

    fn sessions(
        &self,
    ) -> Result<
        std::sync::MutexGuard<
            '_,
            std::collections::HashMap<Uuid, Arc<tokio::sync::Mutex<Session>>>,
        >,
    > {
        self.sessions
            .lock()
            .map_err(|_| Error::storage("the upload table is poisoned"))
    }

    /// The session of upload `id` in `artifact_id`; an upload of another artifact is unknown.
    async fn session(
        &self,
        artifact_id: ArtifactId,
        id: UploadId,
    ) -> Result<Arc<tokio::sync::Mutex<Session>>> {
        let owner = match tokio::fs::read_to_string(self.owner_path(id)).await {
            Ok(owner) => owner,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(unknown_upload()),
            Err(e) => return Err(e.into()),
        };
        if owner.trim() != artifact_id.to_string() {
            return Err(unknown_upload());
        }
        if let Some(found) = self.sessions()?.get(&id.0) {
            return Ok(found.clone());
        }
        let size = tokio::fs::metadata(self.data_path(id)).await?.len();
        let session = Arc::new(tokio::sync::Mutex::new(Session { hasher: None, size }));
        Ok(self.sessions()?.entry(id.0).or_insert(session).clone())
    }

    /// How many bytes upload `id` holds.
    pub async fn upload_size(&self, artifact_id: ArtifactId, id: UploadId) -> Result<u64> {
        let session = self.session(artifact_id, id).await?;
        let size = session.lock().await.size;
        Ok(size)
    }

    /// Appends a chunk. With `range` (`Content-Range: start-end`), the chunk must start where
    /// the upload ends and hold exactly `end - start + 1` bytes. Returns the new size.
    pub async fn append_upload<S, E>(
        &self,
        artifact_id: ArtifactId,
        id: UploadId,
        range: Option<(u64, u64)>,
        body: S,
    ) -> Result<u64>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
        E: fmt::Display,
    {
        let session = self.session(artifact_id, id).await?;
        let mut session = session.lock().await;
        self.append_locked(&mut session, id, range, body).await?;
        Ok(session.size)
    }

    async fn append_locked<S, E>(
        &self,
        session: &mut Session,
        id: UploadId,
        range: Option<(u64, u64)>,
        body: S,
    ) -> Result<()>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
        E: fmt::Display,
    {
        if let Some((start, end)) = range {
            if start != session.size {
                return Err(Error::registry(
                    RegistryCode::BlobUploadOutOfOrder,
                    format!(
                        "the chunk starts at byte {start} but the upload holds {} bytes: send the chunk that starts at {}",
                        session.size, session.size
                    ),
                ));
            }
            if end < start {
                return Err(Error::registry(
                    RegistryCode::BlobUploadOutOfOrder,
                    format!("Content-Range {start}-{end} ends before it starts"),
                ));
            }
        }
        let path = self.data_path(id);
        let file = std::fs::OpenOptions::new().append(true).open(&path)?;
        let before = session.hasher.clone();
        let outcome = writer::append(file, session.hasher.take(), body).await;
        let refusal = match outcome {
            Ok(written) => match range {
                Some((start, end)) if written.bytes != (end - start).saturating_add(1) => {
                    drop(written.file);
                    Error::registry(
                        RegistryCode::BlobUploadInvalid,
                        format!(
                            "Content-Range {start}-{end} announces {} bytes but the chunk held {}: nothing of it was kept",
                            (end - start).saturating_add(1),
                            written.bytes
                        ),
                    )
                }
                _ => {
                    session.hasher = written.hasher;
                    session.size += written.bytes;
                    return Ok(());
                }
            },
            Err(WriteError::Body(why)) => Error::registry(
                RegistryCode::BlobUploadInvalid,
                format!("the chunk did not arrive whole ({why}): nothing of it was kept"),
            ),
            Err(WriteError::Storage(e)) => e,
        };
        // Cut the file back to what it held, so the session stays consistent.
        let keep = session.size;
        tokio::task::spawn_blocking(move || {
            std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|f| f.set_len(keep))
        })
        .await
        .map_err(|e| Error::storage_caused("", e))??;
        session.hasher = before;
        Err(refusal)
    }

    /// Appends the last chunk (if any), checks that the content has `digest`, stores the blob
    /// and links it into `artifact_id`. On a mismatch the upload is discarded and nothing is
    /// stored. Returns the blob's size.
    pub async fn finish_upload<S, E>(
        &self,
        services: &crate::Services,
        artifact_id: ArtifactId,
        id: UploadId,
        digest: &Digest,
        last_chunk: Option<(Option<(u64, u64)>, S)>,
    ) -> Result<u64>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
        E: fmt::Display,
    {
        let session = self.session(artifact_id, id).await?;
        let mut session = session.lock().await;
        if let Some((range, body)) = last_chunk {
            self.append_locked(&mut session, id, range, body).await?;
        }
        let hasher = match session.hasher.take() {
            Some(h) if h.algorithm() == digest.algorithm() => h,
            _ => writer::hash_file(self.data_path(id), digest.algorithm()).await?,
        };
        let actual = hasher.finish();
        if &actual != digest {
            self.discard(id).await?;
            return Err(Error::registry(
                RegistryCode::DigestInvalid,
                format!(
                    "the uploaded content has digest {actual}, not {digest}: nothing was stored"
                ),
            ));
        }
        let size = session.size;
        {
            // Stored and linked as one step for the collector (which checks the link before
            // deleting the bytes).
            let _pushing = self.pushing().await;
            self.store.put_file(digest, &self.data_path(id)).await?;
            repo::registry::link_blob(&services.db, artifact_id.0, digest.as_str(), size).await?;
        }
        self.discard(id).await?;
        Ok(size)
    }

    /// Cancels an upload of `artifact_id`.
    pub async fn cancel_upload(&self, artifact_id: ArtifactId, id: UploadId) -> Result<()> {
        let session = self.session(artifact_id, id).await?;
        let _held = session.lock().await;
        self.discard(id).await
    }

    /// Removes an upload's files and state (files already gone are fine).
    pub(super) async fn discard(&self, id: UploadId) -> Result<()> {
        for path in [self.data_path(id), self.owner_path(id)] {
            match tokio::fs::remove_file(path).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
        self.sessions()?.remove(&id.0);
        Ok(())
    }

    /// Uploads untouched since `before` (for the garbage collector).
    pub(super) async fn stale_uploads(
        &self,
        before: std::time::SystemTime,
    ) -> Result<Vec<UploadId>> {
        let mut stale = Vec::new();
        let mut dir = tokio::fs::read_dir(&self.uploads_dir).await?;
        while let Some(entry) = dir.next_entry().await? {
            let name = entry.file_name();
            let Ok(id) = Uuid::parse_str(&name.to_string_lossy()) else {
                continue;
            };
            // An upload finishing now moves its file away between the listing and this look:
            // it is no longer there to collect.
            let modified = match entry.metadata().await {
                Ok(meta) => meta.modified()?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            if modified < before {
                stale.push(UploadId(id));
            }
        }
        Ok(stale)
    }
}
