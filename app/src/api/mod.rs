//! Server functions: the portals' calls into the hub. Each one is thin.

pub mod auth;

/// The service graph the server put into the request's context.
#[cfg(feature = "ssr")]
pub(crate) fn services() -> Result<service::Services, crate::error::AppError> {
    leptos::prelude::use_context::<service::Services>().ok_or_else(|| {
        tracing::error!("service::Services missing from the request context");
        crate::error::AppError::Internal
    })
}
