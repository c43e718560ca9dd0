//! Blobs in S3-compatible object storage (AWS S3, MinIO, Ceph, Garage, …): one object per
//! digest, `<prefix>/sha256/ab/abcdef…` (or `sha512/…`). Uploads are still assembled and verified on local disk
//! ([`super::uploads`]); only a verified blob is sent, in 8 MiB parts of a multipart upload
//! for anything larger than one part, so memory stays flat whatever the size, and an upload
//! that fails half-way is aborted (S3 shows nothing of an unfinished multipart upload).

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, PutPayload, WriteMultipart};
use secrecy::{ExposeSecret, SecretString};
use tokio::io::AsyncReadExt;

use super::Digest;
use super::store::{BlobStore, BlobStream};
use crate::{Error, Result};

/// The size of one part of a multipart upload (S3 wants at least 5 MiB but the last).
const PART: usize = 8 * 1024 * 1024;

/// How many parts are in flight at once (each holds one part in memory).
const PARTS_IN_FLIGHT: usize = 2;

/// Where and how to reach the bucket.
#[derive(Clone)]
pub struct S3Settings {
    /// The endpoint, for example `https://minio.example.com:9000`; `None` is AWS itself.
    pub endpoint: Option<String>,
    /// The bucket (it must exist).
    pub bucket: String,
    /// The region (`us-east-1` when the service does not care).
    pub region: String,
    /// The access key id; with the secret key, or neither (the environment's credentials,
    /// such as an instance role, are used then).
    pub access_key_id: Option<String>,
    /// The secret access key.
    pub secret_access_key: Option<SecretString>,
    /// Path-style requests (`<endpoint>/<bucket>/<key>`), which most self-hosted services
    /// need, rather than virtual-hosted ones (`<bucket>.<endpoint>/<key>`).
    pub path_style: bool,
    /// A folder inside the bucket (empty for its root).
    pub prefix: String,
}

impl fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("path_style", &self.path_style)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// Blobs in a bucket.
pub struct S3BlobStore {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    description: String,
}

impl fmt::Debug for S3BlobStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

fn storage(e: object_store::Error) -> Error {
    Error::storage_caused("object storage", e)
}

impl S3BlobStore {
    /// A store on the bucket `settings` names. Nothing is contacted yet.
    pub fn new(settings: &S3Settings) -> Result<Self> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_virtual_hosted_style_request(!settings.path_style);
        if let Some(endpoint) = &settings.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let (Some(id), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret.expose_secret());
        }
        let store = builder.build().map_err(storage)?;
        let prefix = settings.prefix.trim_matches('/');
        // Keys are `<prefix>/<algorithm>/<2 hex>/<hex>`.
        let prefix = prefix.to_string();
        Ok(Self {
            store: Arc::new(store),
            description: format!(
                "S3BlobStore({}/{}/{prefix})",
                settings.endpoint.as_deref().unwrap_or("aws"),
                settings.bucket
            ),
            prefix,
        })
    }

    /// `<prefix>/<algorithm>`, or `<algorithm>` without a prefix.
    fn folder(&self, algorithm: super::Algorithm) -> String {
        if self.prefix.is_empty() {
            algorithm.name().to_string()
        } else {
            format!("{}/{}", self.prefix, algorithm.name())
        }
    }

    fn key(&self, digest: &Digest) -> ObjectPath {
        let hex = digest.hex();
        let folder = self.folder(digest.algorithm());
        ObjectPath::from(format!("{folder}/{}/{hex}", &hex[..2]))
    }

    /// Sends a file larger than one part as a multipart upload, aborting it on any failure.
    async fn put_multipart(&self, key: &ObjectPath, mut file: tokio::fs::File) -> Result<()> {
        let upload = self.store.put_multipart(key).await.map_err(storage)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut buf = vec![0u8; PART];
        let sent: Result<()> = async {
            loop {
                writer
                    .wait_for_capacity(PARTS_IN_FLIGHT)
                    .await
                    .map_err(storage)?;
                let n = read_full(&mut file, &mut buf).await?;
                if n == 0 {
                    return Ok(());
                }
                writer.write(&buf[..n]);
            }
        }
        .await;
        match sent {
            Ok(()) => writer.finish().await.map(|_| ()).map_err(storage),
            Err(e) => {
                if let Err(abort) = writer.abort().await {
                    tracing::warn!(error = %abort, "aborting a multipart upload failed");
                }
                Err(e)
            }
        }
    }
}

/// Fills `buf` from `file` as far as it goes; returns how much was read (0 at the end).
async fn read_full(file: &mut tokio::fs::File, buf: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

#[async_trait::async_trait]
impl BlobStore for S3BlobStore {
    async fn size(&self, digest: &Digest) -> Result<Option<u64>> {
        match self.store.head(&self.key(digest)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(storage(e)),
        }
    }

    async fn read(&self, digest: &Digest, start: u64, len: u64) -> Result<BlobStream> {
        if len == 0 {
            return Ok(Box::pin(futures_util::stream::empty()));
        }
        let options = GetOptions {
            range: Some(GetRange::Bounded(start..start + len)),
            ..GetOptions::default()
        };
        let found = self
            .store
            .get_opts(&self.key(digest), options)
            .await
            .map_err(storage)?;
        Ok(Box::pin(found.into_stream().map_err(std::io::Error::other)))
    }

    async fn put_file(&self, digest: &Digest, file: &Path) -> Result<()> {
        let key = self.key(digest);
        let opened = tokio::fs::File::open(file).await?;
        let size = opened.metadata().await?.len();
        if size > PART as u64 {
            self.put_multipart(&key, opened).await?;
        } else {
            let bytes = tokio::fs::read(file).await?;
            self.store
                .put(&key, PutPayload::from(bytes))
                .await
                .map_err(storage)?;
        }
        // Stored: the local copy has done its work.
        tokio::fs::remove_file(file).await?;
        Ok(())
    }

    async fn delete(&self, digest: &Digest) -> Result<()> {
        match self.store.delete(&self.key(digest)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(storage(e)),
        }
    }

    async fn list(&self) -> Result<Vec<(Digest, SystemTime)>> {
        let mut found = Vec::new();
        for algorithm in super::store::ALGORITHMS {
            let prefix = ObjectPath::from(self.folder(algorithm));
            let mut listing = self.store.list(Some(&prefix));
            while let Some(meta) = listing.next().await {
                let meta = meta.map_err(storage)?;
                // Anything else in the bucket is not ours to judge.
                let Some(name) = meta.location.filename() else {
                    continue;
                };
                let Ok(digest) = Digest::parse(&format!("{}:{name}", algorithm.name())) else {
                    continue;
                };
                found.push((digest, SystemTime::from(meta.last_modified)));
            }
        }
        Ok(found)
    }
}
