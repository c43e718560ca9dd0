//! The images a compose version references: stored when the version is published, shown on the
//! vendor's version page with whether the hub's registry holds them, and asked by the registry,
//! which lets a customer pull an image of the hub that a version its application license grants
//! references (the same rule as the catalogue: [`licenses::decide`]).

use crate::Services;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use types::{ApplicationId, ApplicationVersionId, CustomerOrganizationId, OrganizationId};
use uuid::Uuid;

use crate::auth::Actor;
use crate::catalog::images::{self, ImageLocation, ImageRef};
use crate::entity::version_image as row;
use crate::registry::access::Granted;
use crate::{Error, Result, documents, licenses, repo, versions};

/// The registry host people and agents use for the hub: its public URL's host and port
/// (`hub.example.com`, `127.0.0.1:8080`), lower-case; `None` without a usable public URL.
pub fn registry_host(public_url: &str) -> Option<String> {
    let rest = public_url
        .strip_prefix("https://")
        .or_else(|| public_url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or_default();
    (!authority.is_empty()).then(|| authority.to_ascii_lowercase())
}

/// Stores the images of a just-published version.
pub(crate) async fn store(
    db: &impl ConnectionTrait,
    version: ApplicationVersionId,
    found: Vec<ImageRef>,
) -> Result<()> {
    let rows = found
        .into_iter()
        .enumerate()
        .map(|(position, image)| {
            let location = image.location;
            row::Model {
                id: Uuid::new_v4(),
                version_id: version.0,
                position: i32::try_from(position).unwrap_or(i32::MAX),
                reference: image.reference,
                registry: location.as_ref().map(|l| l.registry.clone()),
                repository: location.as_ref().map(|l| l.repository.clone()),
                tag: location.as_ref().and_then(|l| l.tag.clone()),
                digest: location.and_then(|l| l.digest),
            }
        })
        .collect();
    repo::version_images::insert_all(db, rows).await
}

/// Parses and stores the images of compose versions published before images were stored;
/// returns how many versions it parsed. Run once at start (by [`crate::db::migrate`]); a second
/// run finds nothing to do.
pub(crate) async fn backfill_in(db: &impl ConnectionTrait) -> Result<usize> {
    let pending = repo::version_images::versions_without_images(db).await?;
    let mut done = 0;
    for version in pending {
        let Some(compose) = version.compose_file else {
            continue;
        };
        let found =
            documents::parse_off_runtime(move || Ok(images::from_compose(&compose))).await?;
        store(db, ApplicationVersionId(version.id), found).await?;
        done += 1;
    }
    Ok(done)
}

/// Where one image of a version comes from, as the vendor's version page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageSource {
    /// In the vendor's namespace of the hub's registry.
    Hub {
        /// `<vendor-slug>/<repo>`.
        repository: String,
        /// `<tag>` or `<digest>`, what the compose file names.
        reference: String,
        /// Whether the registry holds it now.
        present: bool,
    },
    /// On the hub's registry, but in another namespace than the vendor's own: the vendor cannot
    /// push there and customers cannot pull it.
    OtherNamespace {
        /// The namespace written.
        namespace: String,
    },
    /// On another registry; the agent pulls it from there.
    Elsewhere {
        /// Its registry host.
        registry: String,
    },
    /// Not a plain reference (a compose variable): known only when deployed.
    Unresolved,
}

/// One image of a version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionImage {
    /// The reference as written in the compose file.
    pub reference: String,
    /// Where it comes from.
    pub source: ImageSource,
}

/// The vendor's namespace in the hub's registry: its organization's slug (vendor members only).
pub async fn namespace(services: &Services, actor: &Actor) -> Result<String> {
    actor.require_vendor_read("see the registry namespace")?;
    Ok(
        repo::organizations::find_by_id(&services.db, actor.organization_id.0)
            .await?
            .ok_or(Error::NotFound {
                what: "organization",
            })?
            .slug,
    )
}

/// The images of every version of an application, each with where it comes from (vendor
/// members only). `registry_host` is the hub's ([`registry_host`]).
pub async fn of_application(
    services: &Services,
    actor: &Actor,
    application: ApplicationId,
    registry_host: &str,
) -> Result<HashMap<ApplicationVersionId, Vec<VersionImage>>> {
    let slug = namespace(services, actor).await?;
    let ids: Vec<Uuid> = versions::list(services, actor, application)
        .await?
        .into_iter()
        .map(|v| v.id.0)
        .collect();
    let mut out: HashMap<ApplicationVersionId, Vec<VersionImage>> = HashMap::new();
    for image in repo::version_images::for_versions(&services.db, &ids).await? {
        let source = match location(&image) {
            None => ImageSource::Unresolved,
            Some(l) if !l.is_on(registry_host) => ImageSource::Elsewhere {
                registry: l.registry,
            },
            Some(l) => match l.repository.split_once('/') {
                Some((namespace, artifact)) if namespace == slug => {
                    let present =
                        holds(&services.db, actor.organization_id.0, artifact, &l).await?;
                    ImageSource::Hub {
                        reference: l.digest.clone().or(l.tag.clone()).unwrap_or_default(),
                        repository: l.repository,
                        present,
                    }
                }
                other => ImageSource::OtherNamespace {
                    namespace: other.map_or(l.repository.clone(), |(n, _)| n.to_string()),
                },
            },
        };
        out.entry(ApplicationVersionId(image.version_id))
            .or_default()
            .push(VersionImage {
                reference: image.reference,
                source,
            });
    }
    Ok(out)
}

fn location(image: &row::Model) -> Option<ImageLocation> {
    Some(ImageLocation {
        registry: image.registry.clone()?,
        repository: image.repository.clone()?,
        tag: image.tag.clone(),
        digest: image.digest.clone(),
    })
}

/// Whether the vendor's artifact holds the tag (or the digest) the image names.
async fn holds(
    db: &impl ConnectionTrait,
    organization: Uuid,
    artifact: &str,
    image: &ImageLocation,
) -> Result<bool> {
    let Some(found) = repo::registry::find_artifact(db, organization, artifact).await? else {
        return Ok(false);
    };
    Ok(match (&image.digest, &image.tag) {
        (Some(d), _) => repo::registry::find_manifest(db, found.id, d)
            .await?
            .is_some(),
        (None, Some(t)) => repo::registry::find_tag(db, found.id, t).await?.is_some(),
        (None, None) => false,
    })
}

/// What `customer`'s application licenses let it pull from the hub's repository `repository`
/// (`<vendor-slug>/<repo>`) at `now`: the tags and digests that the versions they grant
/// reference on one of `registry_hosts`. Empty when none.
pub async fn licensed_refs(
    services: &Services,
    organization: OrganizationId,
    customer: CustomerOrganizationId,
    registry_hosts: &[String],
    repository: &str,
    now: DateTime<Utc>,
) -> Result<Granted> {
    let naming = repo::version_images::naming(&services.db, registry_hosts, repository).await?;
    let mut granted = Granted::default();
    if naming.is_empty() {
        return Ok(granted);
    }
    let held = licenses::of_customer(&services.db, organization, customer).await?;
    let deployable = deployable_versions(&services.db, organization, &held, &naming, now).await?;
    for image in naming {
        if !deployable.contains(&image.version_id) {
            continue;
        }
        if let Some(t) = image.tag {
            granted.tags.insert(t);
        }
        if let Some(d) = image.digest {
            granted.digests.insert(d);
        }
    }
    Ok(granted)
}

/// The repositories under `<slug>/` that `customer`'s application licenses let it pull from.
pub async fn licensed_repositories(
    services: &Services,
    organization: OrganizationId,
    slug: &str,
    customer: CustomerOrganizationId,
    registry_hosts: &[String],
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let under =
        repo::version_images::under(&services.db, registry_hosts, &format!("{slug}/")).await?;
    if under.is_empty() {
        return Ok(Vec::new());
    }
    let held = licenses::of_customer(&services.db, organization, customer).await?;
    let deployable = deployable_versions(&services.db, organization, &held, &under, now).await?;
    let mut names: Vec<String> = under
        .into_iter()
        .filter(|i| deployable.contains(&i.version_id))
        .filter_map(|i| i.repository)
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// The versions among `images`' that one of `held` lets the customer deploy now.
async fn deployable_versions(
    db: &impl ConnectionTrait,
    organization: OrganizationId,
    held: &[licenses::License],
    images: &[row::Model],
    now: DateTime<Utc>,
) -> Result<std::collections::HashSet<Uuid>> {
    let mut out = std::collections::HashSet::new();
    if held.is_empty() {
        return Ok(out);
    }
    let mut apps: HashMap<Uuid, Option<bool>> = HashMap::new();
    let mut ids: Vec<Uuid> = images.iter().map(|i| i.version_id).collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        let Some(found) = repo::versions::find_by_id(db, id).await? else {
            continue;
        };
        // Another vendor's version naming the same host and path grants nothing here.
        let app_archived = match apps.get(&found.application_id) {
            Some(known) => *known,
            None => {
                let app = repo::applications::find(db, organization.0, found.application_id)
                    .await?
                    .map(|a| a.archived_at.is_some());
                apps.insert(found.application_id, app);
                app
            }
        };
        let Some(app_archived) = app_archived else {
            continue;
        };
        let version: versions::Version = found.try_into()?;
        let own: Vec<licenses::License> = held
            .iter()
            .filter(|l| l.application_id == version.application_id)
            .cloned()
            .collect();
        let mut facts = version.facts();
        facts.archived |= app_archived;
        if licenses::decide(&own, &facts, now).is_ok() {
            out.insert(version.id.0);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::registry_host;

    #[test]
    fn the_registry_host_is_the_public_urls_authority() {
        assert_eq!(
            registry_host("http://127.0.0.1:8080").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            registry_host("https://Hub.Example.com/base/").as_deref(),
            Some("hub.example.com")
        );
        assert_eq!(registry_host("ftp://x"), None);
        assert_eq!(registry_host("http://"), None);
    }
}
