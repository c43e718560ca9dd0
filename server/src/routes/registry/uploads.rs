//! Blob uploads: `POST /v2/<name>/blobs/uploads/` (start, monolithic with `?digest=`, or
//! cross-repository mount with `?mount=&from=`), then `PATCH` chunks, `PUT ?digest=` to finish,
//! `GET` for the status and `DELETE` to cancel.

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::Response;
use service::registry::access::{self, Grant, RegistryPrincipal};
use service::registry::{Algorithm, Digest, RegistryCode, RepositoryName, UploadId, blobs};

use super::error::OciError;
use super::{auth, header as value, header_text, query_value};
use crate::state::AppState;

async fn pusher(
    state: &AppState,
    name: &RepositoryName,
    parts: &Parts,
) -> Result<(RegistryPrincipal, service::registry::Artifact), OciError> {
    let principal = auth::principal(
        state,
        &parts.headers,
        Some(&format!("repository:{name}:pull,push")),
    )
    .await?;
    let artifact = access::for_push(&state.services, &principal, name).await?;
    Ok((principal, artifact))
}

fn build(builder: axum::http::response::Builder) -> Result<Response, OciError> {
    builder
        .header(header::CONTENT_LENGTH, 0)
        .body(Body::empty())
        .map_err(|e| OciError::new(RegistryCode::BlobUploadInvalid, e.to_string()))
}

/// `201 Created` for a stored blob.
fn created(name: &RepositoryName, digest: &Digest) -> Result<Response, OciError> {
    build(
        Response::builder()
            .status(StatusCode::CREATED)
            .header(
                header::LOCATION,
                value(&format!("/v2/{name}/blobs/{digest}")),
            )
            .header("docker-content-digest", value(digest.as_str())),
    )
}

/// `202 Accepted`/`204 No Content` describing an upload in progress.
fn in_progress(
    status: StatusCode,
    name: &RepositoryName,
    id: UploadId,
    size: u64,
) -> Result<Response, OciError> {
    build(
        Response::builder()
            .status(status)
            .header(
                header::LOCATION,
                value(&format!("/v2/{name}/blobs/uploads/{id}")),
            )
            .header(header::RANGE, format!("0-{}", size.saturating_sub(1)))
            .header("docker-upload-uuid", value(&id.to_string())),
    )
}

fn digest_param(parts: &Parts) -> Result<Option<Digest>, OciError> {
    query_value(parts, "digest")
        .map(|d| Digest::parse(&d))
        .transpose()
        .map_err(Into::into)
}

/// `Content-Range: <start>-<end>` of a chunk (also taken with a `bytes ` prefix).
fn content_range(parts: &Parts) -> Result<Option<(u64, u64)>, OciError> {
    let Some(text) = header_text(parts, "content-range") else {
        return Ok(None);
    };
    let bad = || {
        OciError::new(
            RegistryCode::BlobUploadOutOfOrder,
            format!("Content-Range {text:?} is not of the form <start>-<end>"),
        )
    };
    let spec = text.trim();
    let spec = spec
        .strip_prefix("bytes=")
        .or_else(|| spec.strip_prefix("bytes "))
        .unwrap_or(spec);
    let spec = spec.split('/').next().unwrap_or(spec);
    let (start, end) = spec.split_once('-').ok_or_else(bad)?;
    Ok(Some((
        start.trim().parse().map_err(|_| bad())?,
        end.trim().parse().map_err(|_| bad())?,
    )))
}

/// Whether a request carries a body (a length above zero, or chunked transfer).
fn has_body(parts: &Parts) -> bool {
    match header_text(parts, "content-length") {
        Some(l) => l.trim() != "0",
        None => parts.headers.contains_key(header::TRANSFER_ENCODING),
    }
}

/// Starts an upload, stores a whole blob in one request, or mounts one from another
/// repository of the same vendor.
pub async fn start(
    state: &AppState,
    name: &RepositoryName,
    parts: &Parts,
    body: Body,
) -> Result<Response, OciError> {
    let (principal, artifact) = pusher(state, name, parts).await?;
    if let (Some(mount), Some(from)) = (query_value(parts, "mount"), query_value(parts, "from")) {
        let digest = Digest::parse(&mount)?;
        // A source the caller cannot fully read is treated as absent: the client uploads.
        if let Ok(from) = RepositoryName::parse(&from)
            && let Ok((source, Grant::Everything)) = access::for_pull(
                &state.services,
                &principal,
                &from,
                &state.services.config.registry_hosts(),
            )
            .await
            && blobs::mount(
                &state.services,
                &state.registry,
                &artifact,
                &source,
                &digest,
            )
            .await?
            .is_some()
        {
            return created(name, &digest);
        }
    }
    // The hash runs as the bytes arrive: with the algorithm of a monolithic upload's digest,
    // else of `?digest-algorithm=` (distribution spec 1.1), else sha256.
    let digest = digest_param(parts)?;
    let algorithm = match (&digest, query_value(parts, "digest-algorithm")) {
        (Some(d), _) => d.algorithm(),
        (None, Some(name)) => Algorithm::parse(&name).ok_or_else(|| {
            OciError::new(
                RegistryCode::DigestInvalid,
                format!("digest-algorithm {name:?} is not supported: use sha256 or sha512"),
            )
        })?,
        (None, None) => Algorithm::Sha256,
    };
    let id = state.registry.start_upload(artifact.id, algorithm).await?;
    if let Some(digest) = digest {
        let size = state
            .registry
            .finish_upload(
                &state.services,
                artifact.id,
                id,
                &digest,
                Some((None, body.into_data_stream())),
            )
            .await;
        if size.is_err() {
            state.registry.cancel_upload(artifact.id, id).await.ok();
        }
        size?;
        return created(name, &digest);
    }
    in_progress(StatusCode::ACCEPTED, name, id, 0)
}

/// Appends a chunk.
pub async fn patch(
    state: &AppState,
    name: &RepositoryName,
    id: UploadId,
    parts: &Parts,
    body: Body,
) -> Result<Response, OciError> {
    let (_, artifact) = pusher(state, name, parts).await?;
    let range = content_range(parts)?;
    let size = state
        .registry
        .append_upload(artifact.id, id, range, body.into_data_stream())
        .await?;
    in_progress(StatusCode::ACCEPTED, name, id, size)
}

/// Finishes an upload with `?digest=`, appending a last chunk if the request has one.
pub async fn finish(
    state: &AppState,
    name: &RepositoryName,
    id: UploadId,
    parts: &Parts,
    body: Body,
) -> Result<Response, OciError> {
    let (_, artifact) = pusher(state, name, parts).await?;
    let digest = digest_param(parts)?.ok_or_else(|| {
        OciError::new(
            RegistryCode::DigestInvalid,
            "finishing an upload takes ?digest=sha256:<hex> naming the content",
        )
    })?;
    let last = if has_body(parts) {
        let range = content_range(parts)?;
        Some((range, body.into_data_stream()))
    } else {
        None
    };
    state
        .registry
        .finish_upload(&state.services, artifact.id, id, &digest, last)
        .await?;
    created(name, &digest)
}

/// How far an upload has come.
pub async fn status(
    state: &AppState,
    name: &RepositoryName,
    id: UploadId,
    parts: &Parts,
) -> Result<Response, OciError> {
    let (_, artifact) = pusher(state, name, parts).await?;
    let size = state.registry.upload_size(artifact.id, id).await?;
    in_progress(StatusCode::NO_CONTENT, name, id, size)
}

/// Cancels an upload.
pub async fn cancel(
    state: &AppState,
    name: &RepositoryName,
    id: UploadId,
    parts: &Parts,
) -> Result<Response, OciError> {
    let (_, artifact) = pusher(state, name, parts).await?;
    state.registry.cancel_upload(artifact.id, id).await?;
    build(Response::builder().status(StatusCode::NO_CONTENT))
}
