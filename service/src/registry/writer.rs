//! Writing a request body to a file while hashing it, in large blocks on a blocking thread, so
//! a blob of any size costs a few megabytes of memory and the network never waits on the disk
//! for long (one block is written while the next is received).

use std::io::{self, Write};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use tokio::task::JoinHandle;

use super::{Algorithm, Hasher};
use crate::{Error, Result};

/// How much is gathered before one write.
const BLOCK: usize = 4 * 1024 * 1024;

type Pending = JoinHandle<io::Result<(std::fs::File, Option<Hasher>)>>;

/// What a body left behind: the file (positioned at its end), the hash state and the bytes
/// written.
pub(super) struct Written {
    pub file: std::fs::File,
    pub hasher: Option<Hasher>,
    pub bytes: u64,
}

/// Why a body could not be written.
pub(super) enum WriteError {
    /// The client's stream failed (it disconnected, or sent a malformed body).
    Body(String),
    /// The disk failed.
    Storage(Error),
}

/// Appends `body` to `file`, feeding `hasher` (when the upload's hash state is known).
pub(super) async fn append<S, E>(
    file: std::fs::File,
    hasher: Option<Hasher>,
    mut body: S,
) -> std::result::Result<Written, WriteError>
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut state = Some((file, hasher));
    let mut pending: Option<Pending> = None;
    let mut block = Vec::with_capacity(BLOCK);
    let mut bytes = 0u64;
    let mut failure = None;
    while let Some(item) = body.next().await {
        match item {
            Ok(chunk) => {
                bytes += chunk.len() as u64;
                block.extend_from_slice(&chunk);
                if block.len() >= BLOCK {
                    let full = std::mem::replace(&mut block, Vec::with_capacity(BLOCK));
                    flush(&mut state, &mut pending, full).await?;
                }
            }
            Err(e) => {
                failure = Some(e.to_string());
                break;
            }
        }
    }
    if !block.is_empty() && failure.is_none() {
        flush(&mut state, &mut pending, block).await?;
    }
    if let Some(p) = pending.take() {
        state = Some(join(p).await?);
    }
    if let Some(why) = failure {
        return Err(WriteError::Body(why));
    }
    let (file, hasher) = state
        .ok_or_else(|| WriteError::Storage(Error::storage("the upload writer lost its file")))?;
    Ok(Written {
        file,
        hasher,
        bytes,
    })
}

async fn flush(
    state: &mut Option<(std::fs::File, Option<Hasher>)>,
    pending: &mut Option<Pending>,
    block: Vec<u8>,
) -> std::result::Result<(), WriteError> {
    if let Some(p) = pending.take() {
        *state = Some(join(p).await?);
    }
    let (mut file, mut hasher) = state
        .take()
        .ok_or_else(|| WriteError::Storage(Error::storage("the upload writer lost its file")))?;
    *pending = Some(tokio::task::spawn_blocking(move || {
        file.write_all(&block)?;
        if let Some(h) = hasher.as_mut() {
            h.update(&block);
        }
        Ok((file, hasher))
    }));
    Ok(())
}

async fn join(p: Pending) -> std::result::Result<(std::fs::File, Option<Hasher>), WriteError> {
    match p.await {
        Ok(Ok(done)) => Ok(done),
        Ok(Err(e)) => Err(WriteError::Storage(e.into())),
        Err(e) => Err(WriteError::Storage(Error::storage_caused("", e))),
    }
}

/// The hash of a whole file with `algorithm`, read in large blocks on a blocking thread (for
/// an upload whose hash state was lost, as when the hub restarted between two chunks, or was
/// of another algorithm than the digest it is finished with).
pub(super) async fn hash_file(path: std::path::PathBuf, algorithm: Algorithm) -> Result<Hasher> {
    tokio::task::spawn_blocking(move || -> io::Result<Hasher> {
        let mut file = std::fs::File::open(path)?;
        let mut hasher = Hasher::new(algorithm);
        let mut buf = vec![0u8; BLOCK];
        loop {
            let n = io::Read::read(&mut file, &mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(hasher)
    })
    .await
    .map_err(|e| Error::storage_caused("", e))?
    .map_err(Into::into)
}
