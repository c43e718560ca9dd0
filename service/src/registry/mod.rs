//! The OCI registry's storage and rules: content-addressed blobs in a [`BlobStore`], upload
//! sessions assembled on local disk and verified against their digest before anything is
//! stored, manifests and tags in the database, who may pull or push what ([`access`]), and
//! the garbage collector ([`gc`]).
//!
//! The HTTP layer (`server::routes::registry`) parses requests and calls these functions; it
//! holds no rule of its own.

pub mod access;
pub mod blobs;
mod digest;
mod error;
pub mod gc;
pub mod listing;
pub mod manifests;
mod model;
mod names;
pub mod pulls;
pub mod s3;
pub mod settings;
pub mod store;
pub mod tags;
pub mod token;
mod uploads;
pub mod upstream;
mod writer;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use digest::{Algorithm, Digest, Hasher};
pub use error::RegistryCode;
pub use model::{Artifact, Manifest};
pub use names::{Reference, RepositoryName, is_repository_path, is_tag};
pub use s3::{S3BlobStore, S3Settings};
pub use store::{BlobStore, BlobStream, FsBlobStore};
pub use uploads::UploadId;

/// The registry's state: the blob store, the folder where uploads are assembled, the hash state
/// of uploads in progress and the key that signs registry tokens.
pub struct Registry {
    store: Arc<dyn BlobStore>,
    uploads_dir: PathBuf,
    sessions: Mutex<HashMap<uuid::Uuid, Arc<tokio::sync::Mutex<uploads::Session>>>>,
    token_key: token::TokenKey,
    /// Pushes (linking blobs, committing manifests) share it; the garbage collector takes it
    /// alone while it decides a link or a blob is unreferenced and removes it, so it never
    /// removes what a push is about to rely on (see [`gc`]).
    references: tokio::sync::RwLock<()>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("store", &self.store)
            .field("uploads_dir", &self.uploads_dir)
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// A registry keeping everything under `dir`: blobs in `dir/blobs`, uploads in
    /// `dir/uploads`, the token signing key in `dir/token.key` (made on first start).
    pub fn on_filesystem(dir: &Path) -> crate::Result<Self> {
        let store = FsBlobStore::new(dir.join("blobs"))?;
        Self::new(Arc::new(store), dir.join("uploads"), dir)
    }

    /// A registry keeping blobs in a bucket, and uploads and the token key under `dir`
    /// (`dir/uploads`, `dir/token.key`).
    pub fn on_s3(dir: &Path, settings: &S3Settings) -> crate::Result<Self> {
        let store = S3BlobStore::new(settings)?;
        Self::new(Arc::new(store), dir.join("uploads"), dir)
    }

    /// A registry on `store`, assembling uploads in `uploads_dir` and keeping its token key
    /// in `key_dir`.
    pub fn new(
        store: Arc<dyn BlobStore>,
        uploads_dir: PathBuf,
        key_dir: &Path,
    ) -> crate::Result<Self> {
        std::fs::create_dir_all(&uploads_dir)?;
        let token_key = token::TokenKey::load_or_create(&key_dir.join("token.key"))?;
        Ok(Self {
            store,
            uploads_dir,
            sessions: Mutex::default(),
            token_key,
            references: tokio::sync::RwLock::default(),
        })
    }

    /// Held while a push links blobs or commits a manifest naming them.
    pub(crate) async fn pushing(&self) -> tokio::sync::RwLockReadGuard<'_, ()> {
        self.references.read().await
    }

    /// Held alone while the garbage collector removes what nothing references.
    pub(crate) async fn collecting(&self) -> tokio::sync::RwLockWriteGuard<'_, ()> {
        self.references.write().await
    }

    /// The blob store.
    pub fn store(&self) -> &dyn BlobStore {
        self.store.as_ref()
    }
}
