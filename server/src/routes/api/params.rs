//! [`ApiPath`] and [`ApiQuery`]: path and query parameters whose rejection (a malformed id, an
//! unknown query parameter) is an [`ApiError`] naming the parameter, instead of axum's
//! plain-text answer.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// Path parameters of type `T`; a malformed one is `400 invalid` naming it.
#[derive(Clone, Copy, Debug)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(reject(rejection)),
        }
    }
}

fn reject(rejection: PathRejection) -> ApiError {
    use axum::extract::path::ErrorKind;
    match rejection {
        PathRejection::FailedToDeserializePathParams(err) => {
            let message = err.body_text();
            match err.into_kind() {
                ErrorKind::ParseErrorAtKey { key, .. }
                | ErrorKind::DeserializeError { key, .. }
                | ErrorKind::InvalidUtf8InPathParam { key } => {
                    ApiError::invalid(key, format!("{message}: expected an id"))
                }
                _ => ApiError::invalid("path", message),
            }
        }
        other => ApiError::invalid("path", other.body_text()),
    }
}

/// Query parameters of type `T`; a malformed or unknown one is `400 invalid` naming it.
#[derive(Clone, Copy, Debug)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        // What axum's `Query` does, with the path to the bad value kept.
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Self)
            .map_err(|err| {
                ApiError::invalid(
                    super::json::field_of(&err),
                    format!("query string: {}", err.inner()),
                )
            })
    }
}

/// A `limit` query parameter: `default` when absent, refused (`400 invalid`, `field` =
/// `limit`) outside `1..=max`, the range the document gives it, so what the schema forbids is
/// never silently clamped.
pub fn limit(value: Option<u64>, default: u64, max: u64) -> Result<u64, ApiError> {
    match value {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::invalid(
            "limit",
            format!("limit must be between 1 and {max}, not {n}"),
        )),
    }
}
