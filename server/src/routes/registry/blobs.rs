//! `GET`/`HEAD`/`DELETE /v2/<name>/blobs/<digest>`, with single byte ranges.

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::Response;
use service::registry::{Digest, RegistryCode, RepositoryName, access, blobs, upstream};

use super::error::OciError;
use super::{auth, header as value, header_text};
use crate::state::AppState;

/// A `Range: bytes=…` header resolved against a blob of `size` bytes: `(start, length)`, or
/// `None` when the header is unusable or cannot be satisfied.
fn resolve_range(range: &str, size: u64) -> Option<(u64, u64)> {
    let spec = range.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let (start, end) = (start.trim(), end.trim());
    if start.is_empty() {
        // The last `end` bytes.
        let n: u64 = end.parse().ok()?;
        if n == 0 || size == 0 {
            return None;
        }
        let n = n.min(size);
        return Some((size - n, n));
    }
    let start: u64 = start.parse().ok()?;
    if start >= size {
        return None;
    }
    let end = if end.is_empty() {
        size - 1
    } else {
        end.parse::<u64>().ok()?.min(size - 1)
    };
    // Not `then_some`: its argument is computed even when `end < start`, and would underflow.
    if end >= start {
        Some((start, end - start + 1))
    } else {
        None
    }
}

/// Serves a blob, or the byte range asked for.
pub async fn get(
    state: &AppState,
    name: &RepositoryName,
    digest: Digest,
    parts: &Parts,
    head: bool,
) -> Result<Response, OciError> {
    let principal = auth::principal(
        state,
        &parts.headers,
        Some(&format!("repository:{name}:pull")),
    )
    .await?;
    let (artifact, grant) = access::for_pull(
        &state.services,
        &principal,
        name,
        &state.services.config.registry_hosts(),
    )
    .await?;
    let size = match blobs::size(&state.services, &artifact, name, &grant, &digest).await {
        // An artifact pulling through from an upstream fetches a blob it does not hold yet.
        Err(service::Error::Registry {
            code: RegistryCode::BlobUnknown,
            message,
        }) => {
            if upstream::fill_blob(&state.services, &state.registry, &artifact, &grant, &digest)
                .await?
            {
                blobs::size(&state.services, &artifact, name, &grant, &digest).await?
            } else {
                return Err(OciError::new(RegistryCode::BlobUnknown, message));
            }
        }
        found => found?,
    };
    let (status, start, len) = match header_text(parts, "range") {
        None => (StatusCode::OK, 0, size),
        Some(range) => match resolve_range(range, size) {
            Some((start, len)) => (StatusCode::PARTIAL_CONTENT, start, len),
            None => {
                return Err(OciError {
                    content_range: Some(format!("bytes */{size}")),
                    ..OciError::new(
                        RegistryCode::RangeInvalid,
                        format!("range {range:?} cannot be served from a blob of {size} bytes"),
                    )
                });
            }
        },
    };
    let mut builder = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .header(header::CONTENT_LENGTH, len)
        .header(header::ACCEPT_RANGES, "bytes")
        .header("docker-content-digest", value(digest.as_str()));
    if status == StatusCode::PARTIAL_CONTENT {
        builder = builder.header(
            header::CONTENT_RANGE,
            format!("bytes {start}-{}/{size}", start + len - 1),
        );
    }
    let body = if head || len == 0 {
        Body::empty()
    } else {
        Body::from_stream(state.registry.read_blob(&digest, start, len).await?)
    };
    builder
        .body(body)
        .map_err(|e| OciError::new(RegistryCode::BlobUnknown, e.to_string()))
}

/// Unlinks a blob from the repository.
pub async fn delete(
    state: &AppState,
    name: &RepositoryName,
    digest: Digest,
    parts: &Parts,
) -> Result<Response, OciError> {
    let principal = auth::principal(
        state,
        &parts.headers,
        Some(&format!("repository:{name}:delete")),
    )
    .await?;
    let artifact = access::for_delete(&state.services, &principal, name).await?;
    blobs::delete(&state.services, &artifact, name, &digest).await?;
    Ok(super::accepted())
}

#[cfg(test)]
mod tests {
    use super::resolve_range;

    #[test]
    fn ranges_resolve_to_start_and_length_or_are_refused() {
        assert_eq!(resolve_range("bytes=0-9", 100), Some((0, 10)));
        assert_eq!(resolve_range("bytes=90-", 100), Some((90, 10)));
        assert_eq!(resolve_range("bytes=-5", 100), Some((95, 5)));
        assert_eq!(resolve_range("bytes=50-500", 100), Some((50, 50)));
        for bad in [
            "bytes=100-",
            "bytes=5-1",
            "items=0-1",
            "bytes=0-1,5-6",
            "bytes=a-b",
            "bytes=-0",
        ] {
            assert_eq!(resolve_range(bad, 100), None, "{bad}");
        }
    }
}
