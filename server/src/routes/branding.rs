//! Logo upload (a plain multipart form, so it works without JavaScript) and logo serving.

use app::session::{NoSession, Session};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::state::AppState;

/// The branding routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/branding/logo",
            // Room for the form's overhead; the service enforces the real limit on the image.
            post(upload).layer(DefaultBodyLimit::max(service::branding::MAX_LOGO_BYTES * 2)),
        )
        .route("/branding/{organization}/logo", get(logo))
}

fn back(error: Option<&str>) -> Response {
    match error {
        None => Redirect::to("/branding?logo=saved").into_response(),
        Some(message) => {
            let encoded: String =
                url::form_urlencoded::byte_serialize(message.as_bytes()).collect();
            Redirect::to(&format!("/branding?logo_error={encoded}")).into_response()
        }
    }
}

async fn upload(
    State(services): State<service::Services>,
    session: Result<Session, NoSession>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let session = match session {
        Ok(session) => session,
        Err(NoSession::Missing) => return Redirect::to("/").into_response(),
        Err(NoSession::Lookup(err)) => {
            tracing::error!(error = %err, "logo upload: session lookup failed");
            return back(Some("The hub could not check your session; try again."));
        }
    };
    let Some(actor) = session.actor() else {
        return back(Some("You are not a member of any organization."));
    };
    let bytes = match read_logo(multipart).await {
        Ok(bytes) => bytes,
        Err(message) => return back(Some(&message)),
    };
    match service::branding::set_logo(&services, actor, bytes.to_vec()).await {
        Ok(_) => back(None),
        // The portal's one mapping of service errors (which logs the hub's own failures).
        Err(err) => match app::error::AppError::from(err) {
            app::error::AppError::Internal => {
                back(Some("The hub could not store the logo; try again."))
            }
            refusal => back(Some(&refusal.to_string())),
        },
    }
}

async fn read_logo(
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Bytes, String> {
    let too_big = || {
        format!(
            "The logo is too large: it must be at most {} KB.",
            service::branding::MAX_LOGO_BYTES / 1024
        )
    };
    let mut multipart = multipart.map_err(|_| "Choose an image file to upload.".to_string())?;
    while let Some(field) = multipart.next_field().await.map_err(|_| too_big())? {
        if field.name() == Some("logo") {
            return field.bytes().await.map_err(|_| too_big());
        }
    }
    Err("Choose an image file to upload.".into())
}

async fn logo(
    State(services): State<service::Services>,
    Path(organization): Path<String>,
) -> Response {
    let Ok(organization) = organization.parse() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match service::branding::logo(&services, organization).await {
        Ok((bytes, content_type)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=300".to_string()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(service::Error::NotFound { .. }) => StatusCode::NOT_FOUND.into_response(),
        Err(err) => {
            tracing::error!(error = %err, "logo lookup failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
