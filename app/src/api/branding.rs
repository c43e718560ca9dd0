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
    /// The accent colours derived from `primary_color`, as CSS custom properties for a
    /// `style` attribute (see `types::accent`).
    pub accent_css: String,
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
            accent_css: types::accent::Accent::of(
                &b.primary_color,
                service::branding::DEFAULT_COLOR,
            )
            .css_variables(),
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
    Ok(service::branding::get(&services, actor.organization_id)
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
    Ok(
        service::branding::update(&services, &services.config, &actor, input)
            .await?
            .into(),
    )
}

/// The custom host's DNS proof, as the branding page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostChallengeView {
    /// The custom host name.
    pub host: String,
    /// The TXT record's name (`_consign-challenge.<host>`).
    pub record_name: String,
    /// The TXT record's value (`consign-verification=<token>`).
    pub record_value: String,
    /// Whether the record was found: only then does the host serve the portal.
    pub verified: bool,
}

#[cfg(feature = "ssr")]
impl From<service::custom_host::HostChallenge> for HostChallengeView {
    fn from(c: service::custom_host::HostChallenge) -> Self {
        Self {
            verified: c.verified_at.is_some(),
            host: c.host,
            record_name: c.record_name,
            record_value: c.record_value,
        }
    }
}

/// The signed-in vendor's custom host and the TXT record that proves it is theirs.
#[server(prefix = "/_fn", endpoint = "custom_host_status")]
pub async fn custom_host_status() -> Result<Option<HostChallengeView>, AppError> {
    let (services, actor) = super::actor().await?;
    Ok(service::custom_host::challenge(&services, &actor)
        .await?
        .map(Into::into))
}

/// Looks the custom host's TXT record up and, when it is there, starts serving the portal on
/// the host (vendor admins).
#[server(prefix = "/_fn", endpoint = "verify_custom_host")]
pub async fn verify_custom_host() -> Result<HostChallengeView, AppError> {
    let (services, actor) = super::actor().await?;
    Ok(
        service::custom_host::verify(&services, &actor, chrono::Utc::now())
            .await?
            .into(),
    )
}

/// Renders markdown exactly as the customer portal will (for the live preview).
#[server(prefix = "/_fn", endpoint = "preview_markdown")]
pub async fn preview_markdown(markdown: String) -> Result<String, AppError> {
    let (_, actor) = super::actor().await?;
    actor.require_vendor_read("preview the branding")?;
    Ok(service::branding::render_markdown(&markdown))
}

/// The branding the customer portal shows for this request: the signed-in person's own
/// vendor whatever the host, else the vendor that verified the request's host as its own,
/// else the hub's only vendor (`service::branding::portal_vendor`).
#[server(prefix = "/_fn", endpoint = "portal_branding")]
pub async fn portal_branding() -> Result<Option<BrandingView>, AppError> {
    let services = super::services()?;
    let host = leptos_axum::extract::<http::HeaderMap>()
        .await
        .ok()
        .and_then(|h| h.get(http::header::HOST)?.to_str().ok().map(String::from))
        .unwrap_or_default();
    let signed_in = super::session(&services)
        .await
        .ok()
        .and_then(|info| info.actor);
    let vendor = service::branding::portal_vendor(&services, &host, signed_in.as_ref()).await?;
    match vendor {
        Some(v) => Ok(Some(service::branding::get(&services, v).await?.into())),
        None => Ok(None),
    }
}
