//! `GET`/`HEAD`/`PUT`/`DELETE /v2/<name>/manifests/<reference>`.

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::Response;
use service::registry::manifests::{self, MAX_MANIFEST_BYTES};
use service::registry::{Reference, RegistryCode, RepositoryName, access, pulls, upstream};

use super::error::OciError;
use super::{auth, client_address, header as value, header_text};
use crate::state::AppState;

fn scope(name: &RepositoryName, actions: &str) -> String {
    format!("repository:{name}:{actions}")
}

/// Serves a manifest by tag or digest; a `GET` is recorded in the pull audit.
pub async fn get(
    state: &AppState,
    name: &RepositoryName,
    reference: &str,
    parts: &Parts,
    head: bool,
) -> Result<Response, OciError> {
    let principal = auth::principal(state, &parts.headers, Some(&scope(name, "pull"))).await?;
    let (artifact, grant) = access::for_pull(
        &state.services,
        &principal,
        name,
        &state.services.config.registry_hosts(),
    )
    .await?;
    // No manifest can have a malformed tag: reading one is "unknown" (the spec's 404), once
    // the caller has shown it may read the repository at all.
    let reference = match Reference::parse(reference) {
        Err(service::Error::Registry {
            code: RegistryCode::TagInvalid,
            ..
        }) => {
            return Err(OciError::new(
                RegistryCode::ManifestUnknown,
                format!("{name} has no manifest {reference:?}"),
            ));
        }
        parsed => parsed?,
    };
    // An artifact pulling through from an upstream asks it first (see `upstream`).
    upstream::fill_manifest(&state.services, &artifact, name, &grant, &reference).await?;
    let manifest = manifests::get(&state.services, &artifact, name, &grant, &reference).await?;
    if !head {
        pulls::record(
            &state.services,
            &principal,
            &artifact,
            &reference,
            &manifest,
            client_address(parts),
        )
        .await?;
    }
    let builder = Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, value(&manifest.media_type))
        .header(header::CONTENT_LENGTH, manifest.content.len())
        .header("docker-content-digest", value(&manifest.digest));
    let body = if head {
        Body::empty()
    } else {
        Body::from(manifest.content)
    };
    builder
        .body(body)
        .map_err(|e| OciError::new(RegistryCode::ManifestInvalid, e.to_string()))
}

/// Stores a manifest (at most [`MAX_MANIFEST_BYTES`]) under a tag or its digest.
pub async fn put(
    state: &AppState,
    name: &RepositoryName,
    reference: Reference,
    parts: &Parts,
    body: Body,
) -> Result<Response, OciError> {
    let principal = auth::principal(state, &parts.headers, Some(&scope(name, "pull,push"))).await?;
    let artifact = access::for_push(&state.services, &principal, name).await?;
    let too_large = || {
        OciError::new(
            RegistryCode::ManifestTooLarge,
            format!(
                "the manifest is larger than {MAX_MANIFEST_BYTES} bytes, the most this registry takes"
            ),
        )
    };
    if header_text(parts, "content-length")
        .and_then(|l| l.parse::<usize>().ok())
        .is_some_and(|l| l > MAX_MANIFEST_BYTES)
    {
        return Err(too_large());
    }
    let content_type = header_text(parts, "content-type").map(str::to_string);
    let bytes = axum::body::to_bytes(body, MAX_MANIFEST_BYTES)
        .await
        .map_err(|_| too_large())?;
    // `?tag=a&tag=b` on a push by digest tags it too (distribution spec 1.1).
    let tags: Vec<String> =
        url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .filter(|(k, _)| k == "tag")
            .map(|(_, v)| v.into_owned())
            .collect();
    let pushed = manifests::put(
        &state.services,
        &state.registry,
        &artifact,
        name,
        &reference,
        &tags,
        content_type.as_deref(),
        bytes.to_vec(),
    )
    .await?;
    let mut builder = Response::builder()
        .status(StatusCode::CREATED)
        .header(
            header::LOCATION,
            value(&format!("/v2/{name}/manifests/{}", pushed.digest)),
        )
        .header("docker-content-digest", value(pushed.digest.as_str()));
    if let Some(subject) = &pushed.subject {
        builder = builder.header("oci-subject", value(subject.as_str()));
    }
    if matches!(reference, Reference::Digest(_)) {
        for tag in &pushed.tags {
            builder = builder.header("oci-tag", value(tag));
        }
    }
    builder
        .body(Body::empty())
        .map_err(|e| OciError::new(RegistryCode::ManifestInvalid, e.to_string()))
}

/// Deletes a manifest by digest, or a tag.
pub async fn delete(
    state: &AppState,
    name: &RepositoryName,
    reference: Reference,
    parts: &Parts,
) -> Result<Response, OciError> {
    let principal = auth::principal(state, &parts.headers, Some(&scope(name, "delete"))).await?;
    let artifact = access::for_delete(&state.services, &principal, name).await?;
    manifests::delete(&state.services, &artifact, name, &reference).await?;
    Ok(super::accepted())
}
