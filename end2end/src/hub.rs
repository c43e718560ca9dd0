//! A hub for one browser test: the server's test hub, serving the real site bundle.

use std::path::PathBuf;

pub use server::testing::TestHub;

/// A hub serving the real site bundle from [`site_root`].
pub async fn start() -> TestHub {
    TestHub::start(None, Some(site_root())).await
}

/// Like [`start`], after `adjust` has changed the settings.
pub async fn start_with(adjust: impl FnOnce(&mut server::Settings)) -> TestHub {
    let root = site_root();
    TestHub::start_with(move |s| {
        s.site_root = root;
        adjust(s);
    })
    .await
}

/// The built site: `CONSIGN_SITE_ROOT`, checked to hold the wasm bundle its `bundle.txt` names.
pub fn site_root() -> PathBuf {
    let root = std::env::var("CONSIGN_SITE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
                .join("site")
        });
    let name = server::site::bundle_name(&root);
    let wasm = root.join("pkg").join(format!("{name}_bg.wasm"));
    assert!(
        wasm.is_file(),
        "{} is missing: build the site with `cargo xtask build-site` (or run `cargo xtask test`)",
        wasm.display()
    );
    root
}

/// A hub (serving the real site) that sends its mail, unencrypted, to the SMTP server on
/// 127.0.0.1:`smtp_port` — in tests, an [`crate::smtp::SmtpSink`].
pub async fn start_with_mail(smtp_port: u16) -> TestHub {
    start_with(|s| {
        s.smtp_host = Some("127.0.0.1".into());
        s.smtp_port = Some(smtp_port);
        s.smtp_tls = service::mail::TlsMode::None;
        s.mail_from = Some("Consign <noreply@consign.test>".into());
    })
    .await
}
