//! `GET /v2/_catalog`, `GET /v2/<name>/tags/list` (both paginated with `n` and `last`, and a
//! `Link` header to the next page) and `GET /v2/<name>/referrers/<digest>`.

use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use service::registry::access::{self, Grant};
use service::registry::tags::{self, Page};
use service::registry::{Digest, Reference, RegistryCode, RepositoryName, manifests};

use super::error::OciError;
use super::{auth, header as value, query_value};
use crate::state::AppState;

/// The `n` and `last` parameters of a query.
fn pagination(query: Option<&str>) -> Result<(Option<usize>, Option<String>), OciError> {
    let mut n = None;
    let mut last = None;
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "n" => {
                n = Some(v.parse::<usize>().map_err(|_| {
                    OciError::new(
                        RegistryCode::PaginationNumberInvalid,
                        format!(
                            "n={v} is not a number of entries: give a whole number, such as n=100"
                        ),
                    )
                })?)
            }
            "last" => last = Some(v.into_owned()),
            _ => {}
        }
    }
    Ok((n, last))
}

/// The JSON page with a `Link` to the next one when more follow.
fn paged(path: &str, n: Option<usize>, page: Page, body: serde_json::Value) -> Response {
    let mut response = axum::Json(body).into_response();
    if let (true, Some(n), Some(last)) = (page.more, n, page.entries.last()) {
        let last: String = url::form_urlencoded::byte_serialize(last.as_bytes()).collect();
        response.headers_mut().insert(
            header::LINK,
            value(&format!("<{path}?n={n}&last={last}>; rel=\"next\"")),
        );
    }
    response
}

/// The repositories the caller may pull.
pub async fn catalog(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, OciError> {
    let principal = auth::principal(&state, &headers, Some("registry:catalog:*")).await?;
    let (n, last) = pagination(uri.query())?;
    let all = tags::catalog(
        &state.services,
        &principal,
        &state.services.config.registry_hosts(),
    )
    .await?;
    let page = tags::page(all, n, last.as_deref());
    let body = serde_json::json!({ "repositories": page.entries });
    Ok(paged("/v2/_catalog", n, page, body))
}

/// The tags of a repository the caller may pull.
pub async fn tags(
    state: &AppState,
    name: &RepositoryName,
    parts: &Parts,
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
    let (n, last) = pagination(parts.uri.query())?;
    let all = tags::list(&state.services, &artifact, &grant).await?;
    let page = tags::page(all, n, last.as_deref());
    let body = serde_json::json!({ "name": name.to_string(), "tags": page.entries });
    Ok(paged(&format!("/v2/{name}/tags/list"), n, page, body))
}

/// The manifests whose subject is `subject`, optionally of one artifact type.
pub async fn referrers(
    state: &AppState,
    name: &RepositoryName,
    subject: Digest,
    parts: &Parts,
) -> Result<Response, OciError> {
    let principal = auth::principal(
        state,
        &parts.headers,
        Some(&format!("repository:{name}:pull")),
    )
    .await?;
    let found = access::for_referrers(
        &state.services,
        &principal,
        name,
        &state.services.config.registry_hosts(),
    )
    .await?;
    let artifact_type = query_value(parts, "artifactType");
    let Some((artifact, grant)) = found else {
        return Ok(index_response(
            &manifests::empty_index(),
            artifact_type.is_some(),
        ));
    };
    if matches!(grant, Grant::Only(_)) {
        // A tag-limited license lists referrers only of what it grants.
        manifests::get(
            &state.services,
            &artifact,
            name,
            &grant,
            &Reference::Digest(subject.clone()),
        )
        .await?;
    }
    let index = manifests::referrers(
        &state.services,
        &artifact,
        &subject,
        artifact_type.as_deref(),
    )
    .await?;
    Ok(index_response(&index, artifact_type.is_some()))
}

/// A referrers index, saying whether it was filtered by artifact type.
fn index_response(index: &serde_json::Value, filtered: bool) -> Response {
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, manifests::OCI_INDEX)],
        serde_json::to_vec(index).unwrap_or_default(),
    )
        .into_response();
    if filtered {
        response
            .headers_mut()
            .insert("oci-filters-applied", value("artifactType"));
    }
    response
}
