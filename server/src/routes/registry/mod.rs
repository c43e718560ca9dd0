//! The OCI registry under `/v2/` (distribution spec v1.1): pull, push, tag lists, catalog,
//! referrers and deletes. Repository names contain slashes, so one handler takes every path
//! under `/v2/` and [`Route::parse`] splits it; each operation then authenticates the caller,
//! asks `service::registry` and writes the spec's headers. Blob bodies stream both ways.

mod auth;
mod blobs;
mod error;
mod listing;
mod manifests;
mod token;
mod uploads;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use service::registry::{Digest, Reference, RegistryCode, RepositoryName, UploadId};

pub use error::OciError;

use crate::state::AppState;

/// The registry's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v2", get(base))
        .route("/v2/", get(base))
        .route("/v2/token", get(token::token))
        .route("/v2/_catalog", get(listing::catalog))
        .route("/v2/{*rest}", any(dispatch))
        .layer(axum::middleware::map_response(api_version))
}

/// Every registry response says which API it speaks.
async fn api_version(mut response: Response) -> Response {
    response.headers_mut().insert(
        HeaderName::from_static("docker-distribution-api-version"),
        HeaderValue::from_static("registry/2.0"),
    );
    response
}

/// `GET /v2/`: 200 for an authenticated caller, else the challenge.
async fn base(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, OciError> {
    auth::principal(&state, &headers, None).await?;
    Ok(axum::Json(serde_json::json!({})).into_response())
}

/// One registry operation, from the path under `/v2/`.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    Manifest(RepositoryName, String),
    Blob(RepositoryName, String),
    Uploads(RepositoryName),
    Upload(RepositoryName, String),
    Tags(RepositoryName),
    Referrers(RepositoryName, String),
}

impl Route {
    fn parse(rest: &str) -> Result<Self, OciError> {
        let unknown = || {
            OciError::new(
                RegistryCode::Unsupported,
                format!("/v2/{rest} is not a registry endpoint"),
            )
        };
        let parts: Vec<&str> = rest.split('/').collect();
        let name = |n: usize| -> Result<RepositoryName, OciError> {
            if n == 0 {
                return Err(unknown());
            }
            Ok(RepositoryName::parse(&parts[..n].join("/"))?)
        };
        let len = parts.len();
        if len >= 3 && parts[len - 2] == "tags" && parts[len - 1] == "list" {
            return Ok(Self::Tags(name(len - 2)?));
        }
        if len >= 4 && parts[len - 3] == "blobs" && parts[len - 2] == "uploads" {
            let id = parts[len - 1];
            let repository = name(len - 3)?;
            return Ok(if id.is_empty() {
                Self::Uploads(repository)
            } else {
                Self::Upload(repository, id.to_string())
            });
        }
        if len >= 3 && parts[len - 2] == "blobs" && parts[len - 1] == "uploads" {
            return Ok(Self::Uploads(name(len - 2)?));
        }
        if len >= 3 {
            let reference = parts[len - 1].to_string();
            let repository = || name(len - 2);
            match parts[len - 2] {
                "manifests" => return Ok(Self::Manifest(repository()?, reference)),
                "blobs" => return Ok(Self::Blob(repository()?, reference)),
                "referrers" => return Ok(Self::Referrers(repository()?, reference)),
                _ => {}
            }
        }
        Err(unknown())
    }
}

/// Sends each path under `/v2/` to its operation.
async fn dispatch(State(state): State<AppState>, request: Request) -> Response {
    let rest = request
        .uri()
        .path()
        .strip_prefix("/v2/")
        .unwrap_or_default()
        .to_string();
    let method = request.method().clone();
    // Handlers borrow the head and take the body: a request is not `Sync`, so a reference to
    // the whole of it cannot be held across an await.
    let (parts, body) = request.into_parts();
    let result = match Route::parse(&rest) {
        Err(e) => Err(e),
        Ok(route) => handle(&state, method, route, &parts, body).await,
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn handle(
    state: &AppState,
    method: Method,
    route: Route,
    parts: &Parts,
    body: Body,
) -> Result<Response, OciError> {
    let not_allowed = || OciError {
        status: axum::http::StatusCode::METHOD_NOT_ALLOWED,
        ..OciError::new(
            RegistryCode::Unsupported,
            format!("{method} is not supported here"),
        )
    };
    match (&method, route) {
        (&Method::GET | &Method::HEAD, Route::Manifest(name, r)) => {
            manifests::get(state, &name, &r, parts, method == Method::HEAD).await
        }
        (&Method::PUT, Route::Manifest(name, r)) => {
            manifests::put(state, &name, parse_reference(&r)?, parts, body).await
        }
        (&Method::DELETE, Route::Manifest(name, r)) => {
            manifests::delete(state, &name, parse_reference(&r)?, parts).await
        }
        (&Method::GET | &Method::HEAD, Route::Blob(name, d)) => {
            blobs::get(
                state,
                &name,
                Digest::parse(&d)?,
                parts,
                method == Method::HEAD,
            )
            .await
        }
        (&Method::DELETE, Route::Blob(name, d)) => {
            blobs::delete(state, &name, Digest::parse(&d)?, parts).await
        }
        (&Method::POST, Route::Uploads(name)) => uploads::start(state, &name, parts, body).await,
        (&Method::PATCH, Route::Upload(name, id)) => {
            uploads::patch(state, &name, parse_upload(&id)?, parts, body).await
        }
        (&Method::PUT, Route::Upload(name, id)) => {
            uploads::finish(state, &name, parse_upload(&id)?, parts, body).await
        }
        (&Method::GET, Route::Upload(name, id)) => {
            uploads::status(state, &name, parse_upload(&id)?, parts).await
        }
        (&Method::DELETE, Route::Upload(name, id)) => {
            uploads::cancel(state, &name, parse_upload(&id)?, parts).await
        }
        (&Method::GET, Route::Tags(name)) => listing::tags(state, &name, parts).await,
        (&Method::GET, Route::Referrers(name, d)) => {
            listing::referrers(state, &name, Digest::parse(&d)?, parts).await
        }
        _ => Err(not_allowed()),
    }
}

fn parse_reference(text: &str) -> Result<Reference, OciError> {
    Ok(Reference::parse(text)?)
}

fn parse_upload(text: &str) -> Result<UploadId, OciError> {
    Ok(text.parse::<UploadId>()?)
}

/// The query's value for `key`.
fn query_value(parts: &Parts, key: &str) -> Option<String> {
    let query = parts.uri.query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// The client's address, for the pull audit.
fn client_address(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip().to_string())
}

/// A header value, when it is text.
fn header_text<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name)?.to_str().ok()
}

fn header(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `202 Accepted` with no body (deletes).
fn accepted() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = axum::http::StatusCode::ACCEPTED;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> RepositoryName {
        RepositoryName::parse(s).unwrap()
    }

    #[test]
    fn paths_split_into_name_and_operation() {
        assert_eq!(
            Route::parse("acme/app/manifests/1.0").unwrap(),
            Route::Manifest(name("acme/app"), "1.0".into())
        );
        assert_eq!(
            Route::parse("acme/team/app/blobs/uploads/").unwrap(),
            Route::Uploads(name("acme/team/app"))
        );
        assert_eq!(
            Route::parse("acme/app/blobs/uploads/abc").unwrap(),
            Route::Upload(name("acme/app"), "abc".into())
        );
        assert_eq!(
            Route::parse("acme/blobs/tags/list").unwrap(),
            Route::Tags(name("acme/blobs"))
        );
        assert_eq!(
            Route::parse("acme/app/referrers/sha256:x").unwrap(),
            Route::Referrers(name("acme/app"), "sha256:x".into())
        );
        assert!(Route::parse("acme/app").is_err());
        assert!(Route::parse("manifests/latest").is_err());
        assert!(Route::parse("ACME/app/manifests/latest").is_err());
    }
}
