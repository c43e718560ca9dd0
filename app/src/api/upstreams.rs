//! Upstream repositories for the vendor portal: the artifacts that pull through from another
//! registry, linking and unlinking them. The password goes in and never comes back.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// An artifact's upstream as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamView {
    /// The artifact's name under the vendor's namespace.
    pub artifact: String,
    /// The upstream registry's address.
    pub url: String,
    /// The repository there.
    pub repository: String,
    /// The user name the hub signs in with, if any.
    pub username: Option<String>,
    /// Whether a password is kept.
    pub has_password: bool,
}

/// The vendor's artifacts that pull through from an upstream (vendor members).
#[server(prefix = "/_fn", endpoint = "list_upstreams")]
pub async fn list_upstreams() -> Result<Vec<UpstreamView>, AppError> {
    let (services, actor) = super::actor().await?;
    let all = service::registry::upstream::list(&services, &actor).await?;
    Ok(all
        .into_iter()
        .map(|(artifact, u)| UpstreamView {
            artifact,
            url: u.url,
            repository: u.repository,
            username: u.username,
            has_password: u.has_password,
        })
        .collect())
}

/// Links an artifact (made if nothing was pushed to it yet) to an upstream repository
/// (vendor writers). An empty password keeps the stored one while the user name stays.
#[server(prefix = "/_fn", endpoint = "link_upstream")]
pub async fn link_upstream(
    artifact: String,
    url: String,
    repository: String,
    #[server(default)] username: String,
    #[server(default)] password: String,
) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    service::registry::upstream::link(
        &services,
        &actor,
        &artifact,
        service::registry::upstream::NewUpstream {
            url,
            repository,
            username: Some(username),
            password: Some(password),
        },
        chrono::Utc::now(),
    )
    .await?;
    Ok(())
}

/// Unlinks an artifact from its upstream (vendor writers); what the hub fetched stays.
#[server(prefix = "/_fn", endpoint = "unlink_upstream")]
pub async fn unlink_upstream(artifact: String) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    service::registry::upstream::unlink(&services, &actor, &artifact).await?;
    Ok(())
}
