//! `GET /licenses/{id}/file`: a signed license file as a download, for a signed-in vendor
//! member or a member of the licensed customer (a plain link, so it works without JavaScript);
//! and `GET /license-key.pub`: the hub's public key that checks them, for anyone.

use app::session::{NoSession, Session};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::state::AppState;

/// The license file route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/licenses/{id}/file", get(download))
        .route("/license-key.pub", get(public_key))
}

/// The license-signing public key as base64 text, without a session or token: it is public,
/// and `consign-agent verify-license --hub-url` fetches it once and pins it.
async fn public_key(State(services): State<service::Services>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{}\n", services.signer.public_key().to_base64()),
    )
        .into_response()
}

async fn download(
    State(services): State<service::Services>,
    Path(id): Path<String>,
    session: Result<Session, NoSession>,
) -> Response {
    // A plain link: without a session, the browser goes to sign in.
    let session = match session {
        Ok(session) => session,
        Err(NoSession::Missing) => return Redirect::to("/").into_response(),
        Err(lookup) => return lookup.into_response(),
    };
    let (Some(actor), Ok(id)) = (session.actor(), id.parse::<types::LicenseId>()) else {
        return (StatusCode::NOT_FOUND, "License not found.").into_response();
    };
    match service::licenses::signed_file(&services, &services.signer, actor, id, chrono::Utc::now())
        .await
    {
        Ok(file) => {
            let disposition = format!("attachment; filename=\"license-{id}.json\"");
            let mut response = (StatusCode::OK, file.to_string()).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        // The portal's one mapping of service errors (which logs the hub's own failures).
        Err(err) => match app::error::AppError::from(err) {
            app::error::AppError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The hub could not make the license file; try again.",
            )
                .into_response(),
            refusal => (refusal.status(), refusal.to_string()).into_response(),
        },
    }
}
