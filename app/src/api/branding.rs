//! The vendor's branding of the customer portal.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Branding, as the portals use it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandingView {
    /// The vendor's id.
    pub organization_id: String,
    /// The customer portal's title.
    pub title: String,
    /// `#rrggbb`.
    pub primary_color: String,
    /// The home page as markdown (for the editor).
    pub home_markdown: String,
    /// The home page rendered to safe HTML.
    pub home_html: String,
    /// The logo's URL, if one was uploaded.
    pub logo_url: Option<String>,
    /// The vendor's own host name for the customer portal.
    pub custom_host: String,
}

#[cfg(feature = "ssr")]
impl From<service::branding::Branding> for BrandingView {
    fn from(b: service::branding::Branding) -> Self {
        let version = b.updated_at.map(|t| t.timestamp()).unwrap_or_default();
        Self {
            organization_id: b.organization_id.to_string(),
            logo_url: b
                .has_logo
                .then(|| format!("/branding/{}/logo?v={version}", b.organization_id)),
            home_html: service::branding::render_markdown(&b.home_markdown),
            title: b.title,
            primary_color: b.primary_color,
            home_markdown: b.home_markdown,
            custom_host: b.custom_host.unwrap_or_default(),
        }
    }
}

/// The signed-in vendor's branding (for the editor).
#[server(prefix = "/_fn", endpoint = "my_branding")]
pub async fn my_branding() -> Result<BrandingView, AppError> {
    let (services, actor) = super::actor().await?;
    actor.require_vendor_read("see the branding")?;
    Ok(service::branding::get(&services.db, actor.organization_id)
        .await?
        .into())
}

/// Saves the branding.
#[server(prefix = "/_fn", endpoint = "save_branding")]
pub async fn save_branding(
    title: String,
    primary_color: String,
    home_markdown: String,
    custom_host: String,
) -> Result<BrandingView, AppError> {
    let (services, actor) = super::actor().await?;
    let input = service::branding::BrandingInput {
        title,
        primary_color,
        home_markdown,
        custom_host,
    };
    Ok(service::branding::update(&services.db, &actor, input)
        .await?
        .into())
}

/// Renders markdown exactly as the customer portal will (for the live preview).
#[server(prefix = "/_fn", endpoint = "preview_markdown")]
pub async fn preview_markdown(markdown: String) -> Result<String, AppError> {
    let (_, actor) = super::actor().await?;
    actor.require_vendor_read("preview the branding")?;
    Ok(service::branding::render_markdown(&markdown))
}

/// The branding the customer portal shows for this request: the vendor whose host name the
/// request came in on, else the signed-in customer's vendor, else the hub's only vendor.
#[server(prefix = "/_fn", endpoint = "portal_branding")]
pub async fn portal_branding() -> Result<Option<BrandingView>, AppError> {
    let services = super::services()?;
    let host = leptos_axum::extract::<http::HeaderMap>()
        .await
        .ok()
        .and_then(|h| h.get(http::header::HOST)?.to_str().ok().map(String::from))
        .unwrap_or_default();
    let mut vendor = service::branding::vendor_for_host(&services.db, &host).await?;
    if vendor.is_none()
        && let Ok(info) = super::session(&services).await
    {
        vendor = info.actor.map(|a| a.organization_id);
    }
    if vendor.is_none() {
        vendor = service::organizations::only_one(&services.db).await?;
    }
    match vendor {
        Some(v) => Ok(Some(service::branding::get(&services.db, v).await?.into())),
        None => Ok(None),
    }
}
