//! Applications, versions and release channels (vendor portal).

// A server function takes one argument per form field, so a version's form makes a long list.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// An application, as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `docker` or `kubernetes`.
    pub kind: String,
    /// `Docker Compose` or `Helm`.
    pub kind_label: String,
    /// When it was created (`YYYY-MM-DD`).
    pub created: String,
    /// Whether the vendor archived it.
    pub archived: bool,
}

/// A version, as shown on its application's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its channel.
    pub channel: String,
    /// When it was published (`YYYY-MM-DD HH:MM`).
    pub created: String,
    /// Whether the vendor archived it.
    pub archived: bool,
    /// What it deploys, in one line (image count or chart reference).
    pub summary: String,
    /// The compose file or the base values, for reading.
    pub content: String,
    /// The images the compose file references (vendor members only; empty otherwise).
    #[serde(default)]
    pub images: Vec<super::registry::ImageView>,
}

/// A release channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelView {
    /// Its name.
    pub name: String,
    /// The minimum version's id, or empty.
    pub minimum_id: String,
    /// The minimum version's name, or empty.
    pub minimum: String,
    /// The newest version's name, or empty.
    pub latest: String,
}

/// An application with its versions and channels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationDetail {
    /// The application.
    pub application: ApplicationView,
    /// Its versions, newest first.
    pub versions: Vec<VersionView>,
    /// Its channels.
    pub channels: Vec<ChannelView>,
    /// Where the vendor pushes images (vendor members only).
    pub registry: Option<super::registry::RegistryAddress>,
}

#[cfg(feature = "ssr")]
impl From<service::applications::Application> for ApplicationView {
    fn from(a: service::applications::Application) -> Self {
        Self {
            id: a.id.to_string(),
            name: a.name,
            kind: a.kind.as_str().into(),
            kind_label: a.kind.label().into(),
            created: a.created_at.format("%Y-%m-%d").to_string(),
            archived: a.archived_at.is_some(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<service::versions::Version> for VersionView {
    fn from(v: service::versions::Version) -> Self {
        use service::versions::Package;
        let (summary, content) = match v.package {
            Package::Compose { compose_file, .. } => {
                let services = compose_file.matches("image:").count();
                (format!("Compose file, {services} image(s)"), compose_file)
            }
            Package::Helm {
                chart_url,
                chart_name,
                chart_version,
                base_values,
                ..
            } => (
                match chart_name {
                    Some(name) => format!("Chart {name} {chart_version} from {chart_url}"),
                    None => format!("Chart {chart_url} {chart_version}"),
                },
                base_values.unwrap_or_default(),
            ),
        };
        Self {
            id: v.id.to_string(),
            name: v.name,
            channel: v.channel.to_string(),
            created: v.created_at.format("%Y-%m-%d %H:%M").to_string(),
            archived: v.archived_at.is_some(),
            summary,
            content,
            images: Vec::new(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<service::channels::Channel> for ChannelView {
    fn from(c: service::channels::Channel) -> Self {
        Self {
            name: c.name.to_string(),
            minimum_id: c
                .minimum
                .as_ref()
                .map(|m| m.id.to_string())
                .unwrap_or_default(),
            minimum: c.minimum.map(|m| m.name).unwrap_or_default(),
            latest: c.latest.map(|m| m.name).unwrap_or_default(),
        }
    }
}

/// The applications the signed-in person may see.
#[server(prefix = "/_fn", endpoint = "list_applications")]
pub async fn list_applications() -> Result<Vec<ApplicationView>, AppError> {
    let (services, actor) = super::actor().await?;
    let list = service::applications::list(&services, &actor, chrono::Utc::now()).await?;
    Ok(list.into_iter().map(Into::into).collect())
}

/// Creates an application.
#[server(prefix = "/_fn", endpoint = "create_application")]
pub async fn create_application(name: String, kind: String) -> Result<ApplicationView, AppError> {
    let (services, actor) = super::actor().await?;
    let name = types::ApplicationName::parse(name).map_err(service::Error::Invalid)?;
    let kind: types::ApplicationKind = kind.parse().map_err(service::Error::Invalid)?;
    let app =
        service::applications::create(&services, &actor, name, kind, chrono::Utc::now()).await?;
    leptos_axum::redirect(&format!("/applications/{}", app.id));
    Ok(app.into())
}

/// An application with its versions and channels.
#[server(prefix = "/_fn", endpoint = "get_application")]
pub async fn get_application(id: String) -> Result<ApplicationDetail, AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "Application")?;
    let application = service::applications::get(&services, &actor, id).await?;
    let versions = service::versions::list(&services, &actor, id).await?;
    let channels = service::channels::list(&services, &actor, id).await?;
    let mut views: Vec<VersionView> = versions.iter().cloned().map(Into::into).collect();
    let registry = if actor.is_vendor() {
        let host = super::registry::registry_host(&services);
        let mut images =
            service::version_images::of_application(&services, &actor, id, &host).await?;
        for (view, version) in views.iter_mut().zip(&versions) {
            view.images = images
                .remove(&version.id)
                .unwrap_or_default()
                .into_iter()
                .map(|i| super::registry::image_view(&host, i))
                .collect();
        }
        Some(super::registry::RegistryAddress {
            namespace: service::version_images::namespace(&services, &actor).await?,
            host,
        })
    } else {
        None
    };
    Ok(ApplicationDetail {
        application: application.into(),
        versions: views,
        channels: channels.into_iter().map(Into::into).collect(),
        registry,
    })
}

/// Publishes a version. The form sends the fields of its application's kind only.
#[server(prefix = "/_fn", endpoint = "publish_version")]
pub async fn publish_version(
    application: String,
    name: String,
    channel: String,
    #[server(default)] link_template: String,
    #[server(default)] compose_file: String,
    #[server(default)] env_template: String,
    #[server(default)] chart_url: String,
    #[server(default)] chart_name: String,
    #[server(default)] chart_version: String,
    #[server(default)] base_values: String,
    #[server(default)] values_template: String,
) -> Result<VersionView, AppError> {
    use service::versions::{NewVersion, Package};
    let (services, actor) = super::actor().await?;
    let app_id = super::parse_id(&application, "Application")?;
    let app = service::applications::get(&services, &actor, app_id).await?;
    let channel = if channel.trim().is_empty() {
        types::ChannelName::stable()
    } else {
        types::ChannelName::parse(channel).map_err(service::Error::Invalid)?
    };
    let some = |s: String| (!s.trim().is_empty()).then_some(s);
    let package = match app.kind {
        types::ApplicationKind::Docker => Package::Compose {
            compose_file,
            env_template: some(env_template),
        },
        types::ApplicationKind::Kubernetes => Package::Helm {
            chart_url,
            chart_name: some(chart_name),
            chart_version,
            base_values: some(base_values),
            values_template: some(values_template),
        },
    };
    let version = service::versions::create(
        &services,
        &actor,
        app_id,
        NewVersion {
            name: types::VersionName::parse(name).map_err(service::Error::Invalid)?,
            channel,
            link_template: some(link_template),
            package,
        },
        chrono::Utc::now(),
    )
    .await?;
    Ok(version.into())
}

/// Archives or restores a version.
#[server(prefix = "/_fn", endpoint = "archive_version")]
pub async fn archive_version(
    application: String,
    version: String,
    archived: bool,
) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let app = super::parse_id(&application, "Application")?;
    let version = super::parse_id(&version, "Version")?;
    service::versions::set_archived(
        &services,
        &actor,
        app,
        version,
        archived,
        chrono::Utc::now(),
    )
    .await?;
    Ok(())
}

/// Archives or restores an application.
#[server(prefix = "/_fn", endpoint = "archive_application")]
pub async fn archive_application(application: String, archived: bool) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let app = super::parse_id(&application, "Application")?;
    service::applications::set_archived(&services, &actor, app, archived, chrono::Utc::now())
        .await?;
    Ok(())
}

/// Sets (or clears, with an empty `version`) a channel's minimum version.
#[server(prefix = "/_fn", endpoint = "set_channel_minimum")]
pub async fn set_channel_minimum(
    application: String,
    channel: String,
    version: String,
) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let app = super::parse_id(&application, "Application")?;
    let channel = types::ChannelName::parse(channel).map_err(service::Error::Invalid)?;
    let minimum = if version.trim().is_empty() {
        None
    } else {
        Some(super::parse_id(&version, "Version")?)
    };
    service::channels::set_minimum(&services, &actor, app, &channel, minimum).await?;
    Ok(())
}
