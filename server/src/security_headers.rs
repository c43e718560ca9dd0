//! The security headers every response carries: a Content-Security-Policy, `frame-ancestors`
//! and `X-Frame-Options` against framing, `nosniff`, a `Referrer-Policy`, and HSTS when the hub's
//! public URL is https.
//!
//! Portal pages get a policy with the per-request nonce Leptos puts on its inline scripts (the
//! hydration loader and the streamed resource data), set through the page's `ResponseOptions`
//! by [`page_policy`]; every other answer gets [`content_security_policy`] without one from
//! [`add`], which only fills in headers a handler did not set itself.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// What the middleware needs to know about the hub.
#[derive(Clone, Copy, Debug)]
pub struct SecurityHeaders {
    /// Whether the public URL is https: only then is `Strict-Transport-Security` sent (on plain
    /// http browsers ignore it, and a hub on a LAN address must stay reachable).
    pub https: bool,
}

/// The policy: scripts, styles, fonts and connections only from the hub itself, plus
/// `inline` (a `'nonce-…'` or `'sha256-…'` source) for the few inline scripts and styles;
/// images may also come from https (a vendor's home page may show pictures hosted elsewhere).
/// `'wasm-unsafe-eval'` lets the portal's WebAssembly compile; it allows no JavaScript `eval`.
/// Style attributes stay allowed: the portals colour their headers with the vendor's (checked
/// `#rrggbb`) colour, and an attribute cannot run script.
pub fn content_security_policy(inline: Option<&str>) -> String {
    let inline = inline
        .map(|source| format!(" {source}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'{inline} 'wasm-unsafe-eval'; \
         style-src 'self'{inline}; style-src-attr 'unsafe-inline'; img-src 'self' data: https:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Sets the page's policy with this request's nonce; call it in the Leptos context of a page
/// render (it does nothing where there is no nonce or no response to set, such as a static
/// file or a server function).
pub fn page_policy() {
    use leptos::prelude::use_context;
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = content_security_policy(Some(&format!("'nonce-{}'", &*nonce)));
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Adds the security headers that the response does not carry yet.
pub async fn add(
    State(settings): State<SecurityHeaders>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(value) = HeaderValue::from_str(&content_security_policy(None))
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // For browsers that predate `frame-ancestors`.
        (header::X_FRAME_OPTIONS, "DENY"),
        // Emailed links carry their token in the path; other sites never see it.
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if settings.https {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_no_inline_script_without_a_nonce() {
        let policy = content_security_policy(None);
        let script = policy
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src "))
            .unwrap_or_default();
        assert_eq!(script, "script-src 'self' 'wasm-unsafe-eval'");
        assert!(!policy.contains("'unsafe-eval'"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        let with_nonce = content_security_policy(Some("'nonce-abc'"));
        assert!(
            with_nonce.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'"),
            "{with_nonce}"
        );
    }
}
