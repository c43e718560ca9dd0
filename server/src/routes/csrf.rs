//! Cross-site request protection for state-changing requests from browsers.
//!
//! Session cookies are `SameSite=Lax`, so other sites' forms do not carry them; as a second
//! line, a POST whose `Origin` (or, without it, `Referer`) names another host is refused.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Refuses cross-origin POST, PUT, PATCH and DELETE requests.
pub async fn same_origin_only(request: Request, next: Next) -> Response {
    let changes_state = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if changes_state && is_cross_site(request.headers()) {
        tracing::warn!(path = %request.uri().path(), "cross-site request refused");
        return (
            StatusCode::FORBIDDEN,
            "This request came from another site and was refused. Open the hub's own page and try again.",
        )
            .into_response();
    }
    next.run(request).await
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    match source {
        // Non-browser clients (agents, API tokens, curl) send neither; they carry no cookie
        // that a forged request could ride on.
        None | Some("null") if headers.get(header::COOKIE).is_none() => false,
        None => false,
        Some(source) => url::Url::parse(source)
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                })
            })
            .is_none_or(|origin_host| !origin_host.eq_ignore_ascii_case(host)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn same_host_passes_and_another_host_is_refused() {
        assert!(!is_cross_site(&headers(&[
            ("host", "hub.test:8080"),
            ("origin", "http://hub.test:8080")
        ])));
        assert!(is_cross_site(&headers(&[
            ("host", "hub.test:8080"),
            ("origin", "https://evil.test")
        ])));
        assert!(is_cross_site(&headers(&[
            ("host", "hub.test"),
            ("referer", "https://evil.test/form")
        ])));
        assert!(!is_cross_site(&headers(&[("host", "hub.test")])));
        assert!(is_cross_site(&headers(&[
            ("host", "hub.test"),
            ("origin", "null"),
            ("cookie", "a=b")
        ])));
    }
}
