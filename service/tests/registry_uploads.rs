//! Registry upload sessions on disk, on SQLite and PostgreSQL: an upload survives a hub restart
//! between chunks (its hash state is rebuilt from the file), a session belongs to one artifact,
//! and a body that breaks off mid-chunk leaves the session as it was.

#![allow(clippy::unwrap_used)]

use bytes::Bytes;
use consign_service::Services;
use consign_service::auth::Actor;
use consign_service::registry::{Artifact, Digest, Registry, RegistryCode};
use consign_service::testing::{self, world::vendor};
use consign_service::{Error, on_both_databases, repo};
use futures_util::stream;

type Chunk = Result<Bytes, std::io::Error>;

fn body(parts: &[&'static [u8]]) -> impl futures_util::Stream<Item = Chunk> + Unpin {
    stream::iter(
        parts
            .iter()
            .map(|p| Ok(Bytes::from_static(p)))
            .collect::<Vec<Chunk>>(),
    )
}

/// The artifact `name` of `vendor`'s organization, created as a first push would.
async fn artifact_of(services: &Services, vendor: &Actor, name: &str) -> Artifact {
    repo::registry::find_or_create_artifact(
        testing::connection(services),
        vendor.organization_id.0,
        name,
    )
    .await
    .unwrap()
    .into()
}

async fn an_upload_survives_a_restart_and_belongs_to_one_artifact(services: &Services) {
    let admin = vendor(services, "Acme", "admin@acme.test").await;
    let artifact = artifact_of(services, &admin, "app").await;
    let other = artifact_of(services, &admin, "other").await;
    let dir = tempfile::tempdir().unwrap();
    let first = Registry::on_filesystem(dir.path()).unwrap();
    let id = first
        .start_upload(artifact.id, consign_service::registry::Algorithm::Sha256)
        .await
        .unwrap();
    let size = first
        .append_upload(artifact.id, id, Some((0, 5)), body(&[b"hel", b"lo "]))
        .await
        .unwrap();
    assert_eq!(size, 6);
    // Another artifact cannot touch the session.
    let foreign = first.upload_size(other.id, id).await;
    assert!(
        matches!(
            foreign,
            Err(Error::Registry {
                code: RegistryCode::BlobUploadUnknown,
                ..
            })
        ),
        "{foreign:?}"
    );
    // A body that breaks off is cut off again.
    let broken = stream::iter(vec![
        Ok(Bytes::from_static(b"wor")),
        Err(std::io::Error::other("connection reset")),
    ]);
    let refused = first.append_upload(artifact.id, id, None, broken).await;
    assert!(refused.is_err());
    assert_eq!(first.upload_size(artifact.id, id).await.unwrap(), 6);
    drop(first);

    // A new process on the same folder finishes it.
    let second = Registry::on_filesystem(dir.path()).unwrap();
    assert_eq!(second.upload_size(artifact.id, id).await.unwrap(), 6);
    let digest = Digest::of(b"hello world");
    let stored = second
        .finish_upload(
            services,
            artifact.id,
            id,
            &digest,
            Some((Some((6, 10)), body(&[b"world"]))),
        )
        .await
        .unwrap();
    assert_eq!(stored, 11);
    assert_eq!(second.store().size(&digest).await.unwrap(), Some(11));
    assert!(
        repo::registry::find_blob(
            testing::connection(services),
            artifact.id.0,
            digest.as_str()
        )
        .await
        .unwrap()
        .is_some()
    );
    assert!(second.upload_size(artifact.id, id).await.is_err());
}

on_both_databases!(an_upload_survives_a_restart_and_belongs_to_one_artifact);
