//! The browser bundle under `/pkg`: `cargo xtask build-site` writes it with content-hashed
//! names (`consign.<hash>.js`, `consign.<hash>_bg.wasm`, `consign.<hash>.css`), a brotli and
//! a gzip copy of each, and `<site root>/bundle.txt` naming it. The hub serves the copy the
//! browser's `Accept-Encoding` allows, and lets browsers and proxies keep hashed files for a
//! year (a new build has new names); anything else under `/pkg` is revalidated on every use.

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::services::ServeDir;

/// The file naming the current bundle, relative to the site root.
pub const BUNDLE_FILE: &str = "bundle.txt";

/// How long a hashed file may be kept: a year, never revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Files whose name can stay while their content changes: used only after revalidation.
const REVALIDATE: &str = "no-cache";

/// The bundle's name: the first line of `<site_root>/bundle.txt` (`consign.<hash>`), or the
/// unhashed [`app::OUTPUT_NAME`] for a site built without one (or not built at all, as in
/// tests that need no browser).
pub fn bundle_name(site_root: &Path) -> String {
    std::fs::read_to_string(site_root.join(BUNDLE_FILE))
        .ok()
        .and_then(|text| {
            let name = text.lines().next()?.trim().to_string();
            // Only a name of the form the build writes may reach the page's links.
            let hashed = name
                .strip_prefix(app::OUTPUT_NAME)
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|hash| {
                    !hash.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit())
                });
            hashed.then_some(name)
        })
        .unwrap_or_else(|| app::OUTPUT_NAME.to_string())
}

/// `/pkg/*` from `<site_root>/pkg`, precompressed variants first, with cache headers.
pub fn pkg_router<S: Clone + Send + Sync + 'static>(site_root: &Path, bundle: &str) -> Router<S> {
    let files = ServeDir::new(site_root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    // Only a hashed name is immutable; the unhashed fallback name is not.
    let hashed: Option<Arc<str>> = (bundle != app::OUTPUT_NAME).then(|| Arc::from(bundle));
    Router::new()
        .nest_service("/pkg", files)
        .layer(axum::middleware::from_fn_with_state(hashed, cache_headers))
}

/// Sets `Cache-Control` on successful answers (immutable for the current hashed bundle) and
/// `Vary: Accept-Encoding`, as the body depends on it.
async fn cache_headers(
    State(hashed): State<Option<Arc<str>>>,
    request: Request,
    next: Next,
) -> Response {
    let file = request
        .uri()
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let mut response = next.run(request).await;
    let status = response.status();
    if !(status.is_success() || status == axum::http::StatusCode::NOT_MODIFIED) {
        return response;
    }
    let immutable = hashed
        .as_deref()
        .is_some_and(|name| is_of_bundle(&file, name));
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable { IMMUTABLE } else { REVALIDATE }),
    );
    if !headers.contains_key(header::VARY) {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Whether `file` is one of the bundle `name`'s files: `<name>.js`, `<name>_bg.wasm`,
/// `<name>.css`.
fn is_of_bundle(file: &str, name: &str) -> bool {
    file.strip_prefix(name)
        .is_some_and(|rest| matches!(rest, ".js" | "_bg.wasm" | ".css"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_bundles_own_files_are_immutable() {
        let name = "consign.0123456789abcdef";
        assert!(is_of_bundle("consign.0123456789abcdef.js", name));
        assert!(is_of_bundle("consign.0123456789abcdef_bg.wasm", name));
        assert!(is_of_bundle("consign.0123456789abcdef.css", name));
        assert!(!is_of_bundle("consign.0123456789abcdef.js.map", name));
        assert!(!is_of_bundle("consign.js", name));
        assert!(!is_of_bundle("other.css", name));
    }

    #[test]
    fn the_bundle_name_comes_from_the_build_or_falls_back() {
        let site = tempfile::tempdir().unwrap();
        assert_eq!(bundle_name(site.path()), "consign");
        std::fs::write(site.path().join(BUNDLE_FILE), "consign.00ff00ff00ff00ff\n").unwrap();
        assert_eq!(bundle_name(site.path()), "consign.00ff00ff00ff00ff");
        std::fs::write(site.path().join(BUNDLE_FILE), "consign.x\"><script>\n").unwrap();
        assert_eq!(bundle_name(site.path()), "consign");
    }
}
