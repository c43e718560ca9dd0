//! [`ApiJson`]: a JSON request body whose every rejection is an [`ApiError`] that names the
//! field at fault, so a client learns what to fix from the response alone. Bodies are parsed
//! on the blocking pool, after a check of their nesting, so a large or deep body never holds
//! up the async workers.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;
use service::documents::{self, MAX_DEPTH};

use super::error::ApiError;

/// A JSON request body of type `T`. A malformed body is `400 invalid` with `field` set (the
/// unknown, missing or mistyped field; `body` when the document as a whole is wrong, or nests
/// deeper than [`MAX_DEPTH`] levels), a body that is not `application/json` is `415`, and one
/// over the size limit is `413`.
#[derive(Clone, Copy, Debug)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned + Send + 'static,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(unsupported_media_type());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::invalid("body", rejection.body_text())
            }
        })?;
        let parsed = tokio::task::spawn_blocking(move || {
            if let Some(line) = documents::json_depth(&bytes, MAX_DEPTH) {
                return Err(ApiError::invalid(
                    "body",
                    format!("the body nests deeper than {MAX_DEPTH} levels (at line {line})"),
                ));
            }
            axum::Json::<T>::from_bytes(&bytes).map_err(reject)
        })
        .await
        .map_err(|e| ApiError::invalid("body", format!("the body could not be read: {e}")))?;
        parsed.map(|axum::Json(value)| Self(value))
    }
}

/// Whether the request says its body is JSON: `application/json` or `application/*+json`.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn unsupported_media_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "send the body as JSON with `Content-Type: application/json`",
    )
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        "the body is larger than this hub accepts",
    )
}

/// What axum says it prefixes to a serde error; stripped so the message is about the field.
const DATA_PREFIX: &str = "Failed to deserialize the JSON body into the target type: ";
const SYNTAX_PREFIX: &str = "Failed to parse the request body as JSON: ";

fn reject(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => unsupported_media_type(),
        JsonRejection::JsonDataError(err) => {
            let text = err.body_text();
            let detail = text.strip_prefix(DATA_PREFIX).unwrap_or(&text);
            ApiError::invalid(field_of(detail), detail.to_string())
        }
        JsonRejection::JsonSyntaxError(err) => {
            let text = err.body_text();
            let detail = text.strip_prefix(SYNTAX_PREFIX).unwrap_or(&text);
            ApiError::invalid("body", format!("the body is not valid JSON: {detail}"))
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        other => ApiError::invalid("body", other.body_text()),
    }
}

/// The field a serde error is about. Errors read `unknown field \`x\`, expected …`,
/// `missing field \`x\` at line …`, or `<path>: invalid type: … at line …` where `<path>` is
/// where in the document the bad value sits (`name`, `versions[0].id`); an error about the
/// document as a whole has no path and is put on `body`.
pub fn field_of(detail: &str) -> String {
    // The path, if any: everything before the first ": " when it holds no space (serde's own
    // phrases, such as "invalid type", always do).
    let (path, rest) = match detail.split_once(": ") {
        Some((path, rest)) if !path.is_empty() && !path.contains(' ') => (Some(path), rest),
        _ => (None, detail),
    };
    for phrase in ["unknown field `", "missing field `"] {
        if let Some(start) = rest.find(phrase) {
            let name = &rest[start + phrase.len()..];
            if let Some(end) = name.find('`') {
                let name = &name[..end];
                // The path of an unknown field already ends with it; that of a missing field
                // is its parent's.
                return match path {
                    Some(path) if path == name || path.ends_with(&format!(".{name}")) => {
                        path.to_string()
                    }
                    Some(path) => format!("{path}.{name}"),
                    None => name.to_string(),
                };
            }
        }
    }
    path.unwrap_or("body").to_string()
}

/// An optional whole number that may be written as JSON Schema's `integer` allows: `30`, but
/// also `30.0` or `3e1` (a number whose fraction is zero is an integer there, and clients
/// validating against the document may send one). A fraction or an out-of-range value is
/// refused as serde refuses it.
pub fn whole_number<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<u64>,
{
    use serde::de::{Deserialize, Error, Unexpected};
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let whole = match (number.as_u64(), number.as_f64()) {
        (Some(n), _) => Some(n),
        // Exact for every value up to 2^53, far beyond what any field here accepts.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        (None, Some(f)) if f.fract() == 0.0 && (0.0..9_007_199_254_740_992.0).contains(&f) => {
            Some(f as u64)
        }
        _ => None,
    };
    whole
        .and_then(|n| T::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| {
            D::Error::invalid_value(
                Unexpected::Other(&number.to_string()),
                &"a whole number in range",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_errors_name_the_field_at_fault() {
        assert_eq!(
            field_of("unknown field `nmae`, expected `name` at line 1 column 7"),
            "nmae"
        );
        assert_eq!(field_of("missing field `name` at line 1 column 2"), "name");
        assert_eq!(
            field_of("name: invalid type: integer `1`, expected a string at line 1 column 9"),
            "name"
        );
        assert_eq!(
            field_of("x: unknown field `x`, expected `name` at line 1 column 12"),
            "x"
        );
        assert_eq!(
            field_of("versions[0].x: unknown field `x`, expected `id` at line 1 column 20"),
            "versions[0].x"
        );
        assert_eq!(
            field_of("versions[0]: missing field `id` at line 1 column 20"),
            "versions[0].id"
        );
        assert_eq!(
            field_of("invalid type: sequence, expected struct Rename at line 1 column 1"),
            "body"
        );
    }

    #[test]
    fn whole_numbers_may_be_written_with_a_zero_fraction() {
        #[derive(Debug, serde::Deserialize)]
        struct Body {
            #[serde(default, deserialize_with = "whole_number")]
            days: Option<u32>,
        }
        let days = |json: &str| serde_json::from_str::<Body>(json).map(|b| b.days);
        assert_eq!(days(r#"{"days": 30}"#).unwrap(), Some(30));
        assert_eq!(days(r#"{"days": 30.0}"#).unwrap(), Some(30));
        assert_eq!(days(r#"{"days": 3e1}"#).unwrap(), Some(30));
        assert_eq!(days(r#"{"days": null}"#).unwrap(), None);
        assert_eq!(days("{}").unwrap(), None);
        for bad in [
            r#"{"days": 1.5}"#,
            r#"{"days": -1}"#,
            r#"{"days": 5e9}"#,
            r#"{"days": "1"}"#,
        ] {
            assert!(days(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn rejections_become_api_errors_with_the_right_status() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Body {
            name: String,
        }
        async fn extract(content_type: Option<&str>, body: &str) -> ApiError {
            let mut request = Request::builder().method("POST").uri("/");
            if let Some(ct) = content_type {
                request = request.header("content-type", ct);
            }
            let request = request
                .body(axum::body::Body::from(body.to_string()))
                .unwrap();
            ApiJson::<Body>::from_request(request, &())
                .await
                .unwrap_err()
        }
        let unknown = extract(Some("application/json"), r#"{"name":"a","x":1}"#).await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
        assert_eq!(unknown.field.as_deref(), Some("x"));
        let syntax = extract(Some("application/json"), "{").await;
        assert_eq!(
            (syntax.status, syntax.field.as_deref()),
            (StatusCode::BAD_REQUEST, Some("body"))
        );
        let media = extract(Some("text/plain"), r#"{"name":"a"}"#).await;
        assert_eq!(media.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let none = extract(None, r#"{"name":"a"}"#).await;
        assert_eq!(none.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let deep = extract(Some("application/json"), &"[".repeat(100)).await;
        assert_eq!(
            (deep.status, deep.field.as_deref()),
            (StatusCode::BAD_REQUEST, Some("body"))
        );
        assert!(
            deep.message.contains("deeper than 64 levels"),
            "{}",
            deep.message
        );
    }
}
