//! The client's address, made available to the service layer for per-address limits.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// Records the client's address in the request (for per-address attempt limits).
pub async fn client_address(mut request: Request, next: Next) -> Response {
    let address = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(ip) = address {
        request
            .extensions_mut()
            .insert(service::rate_limit::ClientAddress(ip));
    }
    next.run(request).await
}
