//! [`ApiJson`]: a JSON request body whose every rejection is an [`ApiError`] that names the
//! field at fault, so a client learns what to fix from the response alone. Bodies are parsed
//! on the blocking pool, after a check of their nesting, so a large or deep body never holds
//! up the async workers.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use serde_path_to_error::Segment;
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
            parse(&bytes)
        })
        .await
        .map_err(|e| ApiError::invalid("body", format!("the body could not be read: {e}")))?;
        parsed.map(Self)
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

/// Parses a whole JSON document as a `T`, keeping the path to the value it failed on.
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(reject)?;
    // Anything after the document (`{} {}`) is a syntax error too.
    deserializer.end().map_err(|err| not_json(&err))?;
    Ok(value)
}

fn reject(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    match err.inner().classify() {
        // The message starts with the path (`versions[0].id: invalid type: …`), as it did
        // when axum wrote it.
        Category::Data => ApiError::invalid(field_of(&err), err.to_string()),
        Category::Syntax | Category::Eof | Category::Io => not_json(&err),
    }
}

fn not_json(err: &dyn std::fmt::Display) -> ApiError {
    ApiError::invalid("body", format!("the body is not valid JSON: {err}"))
}

/// The field a body's (or query string's) value failed on, as the client spelled it (`name`,
/// `versions[0].id`): the path to the bad value, which for an unknown field ends with that
/// field. A missing field is not in the path, which ends at the object that lacks it; serde
/// names it only in its message (`missing field \`id\``). An error about the document as a
/// whole is put on `body`.
pub fn field_of<E: std::fmt::Display>(err: &serde_path_to_error::Error<E>) -> String {
    let path = err.path();
    let parent = path
        .iter()
        .any(|segment| !matches!(segment, Segment::Unknown))
        .then(|| path.to_string());
    let message = err.inner().to_string();
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    match (parent, missing) {
        (Some(parent), Some(name)) => format!("{parent}.{name}"),
        (Some(path), None) => path,
        (None, Some(name)) => name.to_string(),
        (None, None) => "body".to_string(),
    }
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
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Version {
            id: u32,
        }
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        #[allow(dead_code)]
        struct Body {
            name: String,
            #[serde(default)]
            versions: Vec<Version>,
            #[serde(default)]
            expires_in_days: Option<u32>,
        }
        let field = |json: &str| {
            let err = parse::<Body>(json.as_bytes()).unwrap_err();
            assert_eq!(err.status, StatusCode::BAD_REQUEST, "{json}");
            err.field.unwrap().into_owned()
        };
        assert_eq!(field(r#"{"nmae": "a"}"#), "nmae");
        assert_eq!(field("{}"), "name");
        assert_eq!(field(r#"{"name": 1}"#), "name");
        assert_eq!(
            field(r#"{"name": "a", "expiresInDays": "x"}"#),
            "expiresInDays"
        );
        assert_eq!(
            field(r#"{"name": "a", "versions": [{"x": 1}]}"#),
            "versions[0].x"
        );
        assert_eq!(
            field(r#"{"name": "a", "versions": [{}]}"#),
            "versions[0].id"
        );
        assert_eq!(
            field(r#"{"name": "a", "versions": [{"id": 1}, {"id": "2"}]}"#),
            "versions[1].id"
        );
        assert_eq!(field("[]"), "body");
        assert_eq!(field("{"), "body");
        assert_eq!(field(r#"{"name": "a"} {}"#), "body");
    }

    #[test]
    fn messages_say_where_the_value_is_and_what_is_wrong() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Body {
            name: String,
        }
        let message = |json: &str| parse::<Body>(json.as_bytes()).unwrap_err().message;
        assert_eq!(
            message(r#"{"name": 1}"#),
            "name: invalid type: integer `1`, expected a string at line 1 column 10"
        );
        assert_eq!(message("{}"), "missing field `name` at line 1 column 2");
        assert_eq!(
            message(r#"{"name": "a"} x"#),
            "the body is not valid JSON: trailing characters at line 1 column 15"
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
