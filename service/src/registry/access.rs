//! Who may pull from and push to which repository.
//!
//! A repository `<slug>/<artifact>` belongs to the vendor whose slug is `<slug>`. Its vendor's
//! members may pull it; those with write access may push and delete. The vendor's customers may
//! pull what their artifact licenses grant, and the images that the versions their application
//! licenses grant reference in this registry; so may the agents of their deployment targets
//! (an agent of a vendor-managed target pulls everything of its vendor). Everyone else gets the same answer whether the
//! repository exists or not (`NAME_UNKNOWN` for reads, `DENIED` for writes), so other tenants
//! cannot probe for names.

use crate::Services;
use std::collections::HashSet;

use chrono::Utc;
use sea_orm::ConnectionTrait;
use types::{CustomerOrganizationId, DeploymentTargetId, OrganizationId, UserId};

use super::Artifact;
use super::{RegistryCode, RepositoryName};
use crate::auth::Actor;
use crate::{Error, Result, artifact_licenses, repo, version_images};

/// Who is calling the registry. Every rule below matches on this enum, so a new kind of caller
/// is a compile error everywhere a decision is needed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryPrincipal {
    /// A person, by personal access token (directly or through a registry token).
    Person(Actor),
    /// A deployment agent, by its long-lived credential (directly or through a registry
    /// token). It pulls what its customer's artifact licenses grant (everything of its vendor
    /// for a vendor-managed target) and never pushes.
    Agent(AgentPrincipal),
}

/// The deployment target whose agent is calling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgentPrincipal {
    /// The target.
    pub target_id: DeploymentTargetId,
    /// Its vendor.
    pub organization_id: OrganizationId,
    /// The customer owning it; `None` for a vendor-managed target.
    pub customer_organization_id: Option<CustomerOrganizationId>,
}

impl RegistryPrincipal {
    /// The vendor organization the principal acts in.
    pub fn organization_id(&self) -> OrganizationId {
        match self {
            Self::Person(a) => a.organization_id,
            Self::Agent(a) => a.organization_id,
        }
    }

    /// The customer the principal acts for, if it is not the vendor itself.
    pub fn customer(&self) -> Option<CustomerOrganizationId> {
        match self {
            Self::Person(a) => a.customer_organization_id,
            Self::Agent(a) => a.customer_organization_id,
        }
    }

    /// The person behind it, if any.
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Self::Person(a) => Some(a.user_id),
            Self::Agent(_) => None,
        }
    }

    /// The deployment target behind it, if it is an agent.
    pub fn target_id(&self) -> Option<DeploymentTargetId> {
        match self {
            Self::Person(_) => None,
            Self::Agent(a) => Some(a.target_id),
        }
    }

    fn may_write(&self) -> bool {
        match self {
            Self::Person(a) => a.is_vendor() && a.role.can_write(),
            // An agent only ever pulls what it deploys.
            Self::Agent(_) => false,
        }
    }
}

/// What a pull may reach in one artifact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Every manifest and blob (the vendor, or a license for all versions).
    Everything,
    /// Only these tags and manifests, what they point at and what that references.
    Only(Granted),
}

/// The tags and manifest digests a limited grant names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Granted {
    /// Granted tags.
    pub tags: HashSet<String>,
    /// Granted manifests, by digest (`sha256:…`).
    pub digests: HashSet<String>,
}

impl Granted {
    /// Whether it names nothing.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.digests.is_empty()
    }
}

impl Grant {
    /// Whether the grant reaches tag `tag` (listing tags shows only those).
    pub fn reaches_tag(&self, tag: &str) -> bool {
        match self {
            Self::Everything => true,
            Self::Only(granted) => granted.tags.contains(tag),
        }
    }

    /// What either grant reaches.
    fn union(self, more: Granted) -> Self {
        match self {
            Self::Everything => Self::Everything,
            Self::Only(mut granted) => {
                granted.tags.extend(more.tags);
                granted.digests.extend(more.digests);
                Self::Only(granted)
            }
        }
    }
}

fn unknown(name: &RepositoryName) -> Error {
    Error::registry(
        RegistryCode::NameUnknown,
        format!("repository {name} is not known to this registry"),
    )
}

/// The vendor whose namespace `name` is in, when `principal` acts in it.
async fn own_namespace(
    db: &impl ConnectionTrait,
    principal: &RegistryPrincipal,
    name: &RepositoryName,
) -> Result<bool> {
    Ok(repo::organizations::find_by_slug(db, name.namespace())
        .await?
        .is_some_and(|org| org.id == principal.organization_id().0))
}

/// The artifact to push into (created on first push). Only the namespace's vendor members
/// with write access may push.
pub async fn for_push(
    services: &Services,
    principal: &RegistryPrincipal,
    name: &RepositoryName,
) -> Result<Artifact> {
    if !principal.may_write() || !own_namespace(&services.db, principal, name).await? {
        return Err(Error::registry(
            RegistryCode::Denied,
            format!(
                "you may not push to {name}: pushing takes a vendor member with write access, in the organization whose slug is {:?}",
                name.namespace()
            ),
        ));
    }
    repo::registry::find_or_create_artifact(
        &services.db,
        principal.organization_id().0,
        name.artifact(),
    )
    .await
    .map(Artifact::from)
}

/// The existing artifact to delete from (same rule as pushing).
pub async fn for_delete(
    services: &Services,
    principal: &RegistryPrincipal,
    name: &RepositoryName,
) -> Result<Artifact> {
    if !principal.may_write() || !own_namespace(&services.db, principal, name).await? {
        return Err(Error::registry(
            RegistryCode::Denied,
            format!("you may not delete from {name}"),
        ));
    }
    repo::registry::find_artifact(&services.db, principal.organization_id().0, name.artifact())
        .await?
        .map(Artifact::from)
        .ok_or_else(|| unknown(name))
}

/// The artifact to pull from, and what the principal may reach in it. A customer (or its agent)
/// reaches what its artifact licenses grant, and also the tags and digests that the versions
/// its application licenses grant reference on one of `registry_hosts` (the hub's own
/// addresses, see [`crate::version_images::registry_host`]).
pub async fn for_pull(
    services: &Services,
    principal: &RegistryPrincipal,
    name: &RepositoryName,
    registry_hosts: &[String],
) -> Result<(Artifact, Grant)> {
    if !own_namespace(&services.db, principal, name).await? {
        return Err(unknown(name));
    }
    let artifact =
        repo::registry::find_artifact(&services.db, principal.organization_id().0, name.artifact())
            .await?
            .map(Artifact::from)
            .ok_or_else(|| unknown(name))?;
    let Some(customer) = principal.customer() else {
        return Ok((artifact, Grant::Everything));
    };
    let by_artifact = artifact_licenses::grant(services, customer, &artifact, name).await;
    if let Ok(Grant::Everything) = by_artifact {
        return Ok((artifact, Grant::Everything));
    }
    let by_application = version_images::licensed_refs(
        services,
        principal.organization_id(),
        customer,
        registry_hosts,
        &name.to_string(),
        Utc::now(),
    )
    .await?;
    let grant = match by_artifact {
        Ok(grant) => grant.union(by_application),
        // No artifact license: the application licenses alone, or the artifact license's
        // answer (unknown, or expired naming when) when they grant nothing either.
        Err(Error::Registry { .. }) if !by_application.is_empty() => Grant::Only(by_application),
        Err(e) => return Err(e),
    };
    Ok((artifact, grant))
}

/// [`for_pull`] for listing referrers: a vendor member's own repository that nothing was
/// pushed to yet is `None`, to be answered with an empty index (the spec forbids a 404 there:
/// clients read it as "this registry has no referrers API"). Anyone else gets `for_pull`'s
/// answer, so customers still learn nothing of repositories they may not read.
pub async fn for_referrers(
    services: &Services,
    principal: &RegistryPrincipal,
    name: &RepositoryName,
    registry_hosts: &[String],
) -> Result<Option<(Artifact, Grant)>> {
    match for_pull(services, principal, name, registry_hosts).await {
        Err(Error::Registry {
            code: RegistryCode::NameUnknown,
            ..
        }) if principal.customer().is_none()
            && own_namespace(&services.db, principal, name).await? =>
        {
            Ok(None)
        }
        other => other.map(Some),
    }
}

/// The repositories `principal` may pull from, as full names, in lexical order: only those
/// holding a manifest (a push that never committed one leaves no repository behind).
pub async fn visible_repositories(
    services: &Services,
    principal: &RegistryPrincipal,
    registry_hosts: &[String],
) -> Result<Vec<String>> {
    let Some(org) =
        repo::organizations::find_by_id(&services.db, principal.organization_id().0).await?
    else {
        return Ok(Vec::new());
    };
    let artifacts = repo::registry::list_committed_artifacts(&services.db, org.id).await?;
    let (licensed, by_application) = match principal.customer() {
        None => (None, Vec::new()),
        Some(customer) => (
            Some(artifact_licenses::licensed_artifacts(services, customer).await?),
            version_images::licensed_repositories(
                services,
                principal.organization_id(),
                &org.slug,
                customer,
                registry_hosts,
                Utc::now(),
            )
            .await?,
        ),
    };
    let mut names: Vec<String> = artifacts
        .into_iter()
        .map(|a| (format!("{}/{}", org.slug, a.name), a.id))
        .filter(|(name, id)| {
            licensed
                .as_ref()
                .is_none_or(|ids| ids.contains(id) || by_application.contains(name))
        })
        .map(|(name, _)| name)
        .collect();
    names.sort();
    Ok(names)
}
