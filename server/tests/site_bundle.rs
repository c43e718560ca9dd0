//! The browser bundle as the hub serves it: the page links the hashed names of
//! `<site root>/bundle.txt`; `/pkg` answers with the brotli or gzip copy the request's
//! `Accept-Encoding` allows (the plain file otherwise), `Vary: Accept-Encoding`, a year of
//! immutable caching for the hashed bundle and revalidation for anything else, and the security
//! headers like every other answer.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_server::testing::TestHub;

const NAME: &str = "consign.0123456789abcdef";

/// A site root as `cargo xtask build-site` lays it out; each compressed copy holds a marker
/// rather than real compressed bytes, so the test sees which file was served.
fn site() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let pkg = root.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(root.path().join("bundle.txt"), format!("{NAME}\n")).unwrap();
    for file in [
        format!("{NAME}.js"),
        format!("{NAME}_bg.wasm"),
        format!("{NAME}.css"),
    ] {
        std::fs::write(pkg.join(&file), format!("plain {file}")).unwrap();
        std::fs::write(pkg.join(format!("{file}.br")), format!("brotli {file}")).unwrap();
        std::fs::write(pkg.join(format!("{file}.gz")), format!("gzip {file}")).unwrap();
    }
    std::fs::write(pkg.join("notes.txt"), "unhashed").unwrap();
    root
}

async fn get(hub: &TestHub, path: &str, accept_encoding: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(hub.url(path));
    if let Some(encoding) = accept_encoding {
        request = request.header("accept-encoding", encoding);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn the_page_links_the_hashed_bundle_served_precompressed_and_immutable() {
    let site = site();
    let hub = TestHub::start(None, Some(site.path().to_path_buf())).await;

    let page = get(&hub, "/", None).await.text().await.unwrap();
    for link in [
        format!("href=\"/pkg/{NAME}.css\""),
        format!("/pkg/{NAME}.js"),
        format!("/pkg/{NAME}_bg.wasm"),
    ] {
        assert!(
            page.contains(&link),
            "{link} missing from the page:\n{page}"
        );
    }
    assert!(!page.contains("/pkg/consign.css"), "{page}");

    for (file, content_type) in [
        (format!("{NAME}_bg.wasm"), "application/wasm"),
        (format!("{NAME}.js"), "text/javascript"),
        (format!("{NAME}.css"), "text/css"),
    ] {
        let path = format!("/pkg/{file}");
        for (accept, encoding, body) in [
            (
                Some("gzip, deflate, br"),
                Some("br"),
                format!("brotli {file}"),
            ),
            (Some("gzip"), Some("gzip"), format!("gzip {file}")),
            (None, None, format!("plain {file}")),
            (Some("identity"), None, format!("plain {file}")),
        ] {
            let r = get(&hub, &path, accept).await;
            assert_eq!(r.status(), 200, "{path} {accept:?}");
            assert_eq!(
                header(&r, "content-encoding").as_deref(),
                encoding,
                "{path} {accept:?}"
            );
            assert!(
                header(&r, "content-type")
                    .unwrap()
                    .starts_with(content_type),
                "{path}: {:?}",
                header(&r, "content-type")
            );
            assert_eq!(
                header(&r, "cache-control").as_deref(),
                Some("public, max-age=31536000, immutable"),
                "{path}"
            );
            assert!(
                header(&r, "vary")
                    .unwrap_or_default()
                    .to_ascii_lowercase()
                    .contains("accept-encoding"),
                "{path}"
            );
            assert_eq!(
                header(&r, "x-content-type-options").as_deref(),
                Some("nosniff")
            );
            assert_eq!(r.text().await.unwrap(), body, "{path} {accept:?}");
        }
    }

    // Anything without the bundle's hash is revalidated; a missing file is a 404.
    let notes = get(&hub, "/pkg/notes.txt", None).await;
    assert_eq!(notes.status(), 200);
    assert_eq!(header(&notes, "cache-control").as_deref(), Some("no-cache"));
    let missing = get(&hub, "/pkg/consign.ffffffffffffffff.js", Some("br")).await;
    assert_eq!(missing.status(), 404);
    assert_eq!(header(&missing, "cache-control"), None);
    hub.stop().await;
}

#[tokio::test]
async fn a_site_without_a_bundle_name_links_the_unhashed_files_and_never_calls_them_immutable() {
    let site = site();
    std::fs::remove_file(site.path().join("bundle.txt")).unwrap();
    std::fs::write(site.path().join("pkg").join("consign.css"), "body {}").unwrap();
    let hub = TestHub::start(None, Some(site.path().to_path_buf())).await;
    let page = get(&hub, "/", None).await.text().await.unwrap();
    assert!(page.contains("href=\"/pkg/consign.css\""), "{page}");
    assert!(page.contains("/pkg/consign_bg.wasm"), "{page}");
    let css = get(&hub, "/pkg/consign.css", Some("br")).await;
    assert_eq!(css.status(), 200);
    assert_eq!(header(&css, "cache-control").as_deref(), Some("no-cache"));
    hub.stop().await;
}
