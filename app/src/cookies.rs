//! Cookies, on the hub's HTTP side (the `service` crate knows no HTTP): reading one out of a
//! request's `Cookie` headers, and sending `Set-Cookie` from a server function. The `cookie`
//! crate parses and writes them. The session cookie is read in one place, [`session_cookie`],
//! which the session extractor ([`crate::session`]) calls for server functions and the hub's
//! own routes alike.

use cookie::Cookie;
use http::HeaderMap;
use http::header::{COOKIE, SET_COOKIE};

/// The session token from the request's `Cookie` headers, if the browser sent one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    find(headers, service::sessions::COOKIE_NAME)
}

/// The value of cookie `name` in the request's `Cookie` headers (there may be several), if
/// present and not empty. Pairs that do not parse are skipped, not fatal: another site's
/// cookie on the same host must not sign anyone out.
pub fn find(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name && !cookie.value().is_empty())
        .map(|cookie| cookie.value().to_string())
}

/// Adds `cookie` as a `Set-Cookie` header to the answer of the running server function (a
/// no-op outside one).
pub(crate) fn send(cookie: impl Into<Cookie<'static>>) {
    let cookie: Cookie<'static> = cookie.into();
    if let (Some(response), Ok(value)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie.to_string()),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(COOKIE, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn finds_a_cookie_among_several_headers_and_pairs() {
        let several = headers(&["theme=dark; consign_session=abc", "other=1"]);
        assert_eq!(session_cookie(&several).as_deref(), Some("abc"));
        assert_eq!(find(&several, "other").as_deref(), Some("1"));
        assert_eq!(find(&several, "missing"), None);
        assert_eq!(session_cookie(&headers(&["consign_session="])), None);
        assert_eq!(session_cookie(&headers(&["xconsign_session=abc"])), None);
        assert_eq!(session_cookie(&HeaderMap::new()), None);
    }

    #[test]
    fn a_malformed_pair_does_not_hide_the_session() {
        let mixed = headers(&["novalue; =x; consign_session=abc"]);
        assert_eq!(session_cookie(&mixed).as_deref(), Some("abc"));
    }
}
