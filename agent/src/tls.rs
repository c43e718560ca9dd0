//! The TLS client configuration shared by the websocket and the HTTP client: rustls with the
//! ring provider and the Mozilla root certificates (no system OpenSSL needed on the host).

use std::sync::Arc;

use rustls::ClientConfig;

/// A client configuration trusting the webpki (Mozilla) roots.
pub fn client_config() -> Result<Arc<ClientConfig>, rustls::Error> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
