//! The registry's artifacts and artifact licenses, for both portals: vendors see every artifact
//! and manage licenses; customers see only what their licenses grant.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One tag of an artifact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagView {
    /// The tag.
    pub name: String,
    /// The manifest digest.
    pub digest: String,
    /// Its size, for people (`12.3 MB`).
    pub size: String,
    /// When it was pushed (`YYYY-MM-DD HH:MM UTC`).
    pub updated: String,
}

/// An artifact with its tags and the commands that pull its newest tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactView {
    /// Its id.
    pub id: String,
    /// `<slug>/<name>`.
    pub repository: String,
    /// Its tags, newest first.
    pub tags: Vec<TagView>,
    /// How often its manifests were downloaded.
    pub pulls: u64,
    /// Copyable commands (`docker pull …`, `helm install …`, `oras pull …`).
    pub commands: Vec<String>,
}

/// An artifact license as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactLicenseView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The customer's id.
    pub customer_id: String,
    /// What it grants (`app (all versions)`, `app:1.0`).
    pub grants: Vec<String>,
    /// When it expires (`YYYY-MM-DD`), or `never`.
    pub expires: String,
    /// `active`, `expired` or `revoked`.
    pub status: String,
}

/// `12.3 MB`-style sizes.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The pull commands for `repository:tag` on the registry at `host`.
pub fn pull_commands(host: &str, repository: &str, tag: &str, helm: bool) -> Vec<String> {
    let chart = repository.rsplit('/').next().unwrap_or(repository);
    let mut commands = Vec::new();
    if helm {
        commands.push(format!(
            "helm install {chart} oci://{host}/{repository} --version {tag}"
        ));
    } else {
        commands.push(format!("docker pull {host}/{repository}:{tag}"));
    }
    commands.push(format!("oras pull {host}/{repository}:{tag}"));
    commands
}

/// The artifacts the signed-in person may see.
#[server(prefix = "/_fn", endpoint = "list_artifacts")]
pub async fn list_artifacts() -> Result<Vec<ArtifactView>, AppError> {
    let (services, actor) = super::actor().await?;
    let host = registry_host(&services).await;
    let list = service::registry::listing::artifacts(&services, &actor).await?;
    Ok(list.into_iter().map(|a| view_of(&host, a)).collect())
}

/// A page of the artifacts the signed-in person may see.
#[server(prefix = "/_fn", endpoint = "page_artifacts")]
pub async fn page_artifacts(
    query: types::list::ListQuery<types::list::ArtifactSort>,
) -> Result<types::list::Page<ArtifactView>, AppError> {
    let (services, actor) = super::actor().await?;
    let host = registry_host(&services).await;
    let page = service::registry::listing::page(&services, &actor, &query).await?;
    Ok(page.map(|a| view_of(&host, a)))
}

/// The registry's host, as pull commands name it.
#[cfg(feature = "ssr")]
async fn registry_host(services: &service::Services) -> String {
    let base = super::base_url(services).await;
    base.split_once("://")
        .map_or(base.as_str(), |(_, rest)| rest)
        .trim_end_matches('/')
        .to_string()
}

#[cfg(feature = "ssr")]
fn view_of(host: &str, a: service::registry::listing::ArtifactSummary) -> ArtifactView {
    let commands = a
        .tags
        .first()
        .map(|t| pull_commands(host, &a.repository, &t.name, a.is_helm_chart()))
        .unwrap_or_default();
    ArtifactView {
        id: a.id.to_string(),
        repository: a.repository,
        pulls: a.pulls,
        commands,
        tags: a
            .tags
            .into_iter()
            .map(|t| TagView {
                name: t.name,
                digest: t.digest,
                size: human_size(t.size),
                updated: t.updated_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            })
            .collect(),
    }
}

/// The artifact licenses the signed-in person may see.
#[server(prefix = "/_fn", endpoint = "list_artifact_licenses")]
pub async fn list_artifact_licenses() -> Result<Vec<ArtifactLicenseView>, AppError> {
    let (services, actor) = super::actor().await?;
    let now = chrono::Utc::now();
    let list = service::artifact_licenses::list(&services, &actor).await?;
    Ok(list
        .into_iter()
        .map(|l| ArtifactLicenseView {
            id: l.id.to_string(),
            status: if l.revoked {
                "revoked"
            } else if l.is_active_at(now) {
                "active"
            } else {
                "expired"
            }
            .into(),
            name: l.name,
            customer_id: l.customer_organization_id.to_string(),
            grants: l
                .items
                .into_iter()
                .map(|i| match i.tag {
                    Some(t) => format!("{}:{t}", i.artifact_name),
                    None => format!("{} (all versions)", i.artifact_name),
                })
                .collect(),
            expires: l
                .expires_at
                .map_or_else(|| "never".into(), |at| at.format("%Y-%m-%d").to_string()),
        })
        .collect())
}

/// Grants a customer one artifact (every version, or one tag), optionally until a date
/// (`YYYY-MM-DD`, end of that day UTC).
#[server(prefix = "/_fn", endpoint = "create_artifact_license")]
pub async fn create_artifact_license(
    name: String,
    customer: String,
    artifact: String,
    tag: String,
    expires_on: String,
) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let customer = super::parse_id(&customer, "Customer")?;
    let artifact = super::parse_id(&artifact, "Artifact")?;
    let tag = Some(tag.trim().to_string()).filter(|t| !t.is_empty());
    let expires_at = match expires_on.trim() {
        "" => None,
        day => Some(
            chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(23, 59, 59))
                .map(|d| d.and_utc())
                .ok_or_else(|| AppError::Invalid {
                    field: "expires_on".into(),
                    message: "Give the expiry as a date like 2027-12-31, or leave it empty.".into(),
                })?,
        ),
    };
    service::artifact_licenses::create(
        &services,
        &actor,
        service::artifact_licenses::NewArtifactLicense {
            name,
            customer,
            expires_at,
            items: vec![(artifact, tag)],
        },
    )
    .await?;
    Ok(())
}

/// Revokes an artifact license.
#[server(prefix = "/_fn", endpoint = "revoke_artifact_license")]
pub async fn revoke_artifact_license(id: String) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "Artifact license")?;
    Ok(service::artifact_licenses::revoke(&services, &actor, id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(1_500), "1.5 kB");
        assert_eq!(human_size(104_857_600), "104.9 MB");
    }

    #[test]
    fn charts_get_helm_install_and_images_docker_pull() {
        assert_eq!(
            pull_commands("hub:8080", "acme/charts/hello", "0.1.0", true)[0],
            "helm install hello oci://hub:8080/acme/charts/hello --version 0.1.0"
        );
        assert_eq!(
            pull_commands("hub:8080", "acme/app", "1.0", false),
            [
                "docker pull hub:8080/acme/app:1.0",
                "oras pull hub:8080/acme/app:1.0"
            ]
        );
    }
}
