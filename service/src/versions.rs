//! Versions of an application: immutable once published (only archiving changes them), each on
//! one release channel.

use crate::Services;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use types::{ApplicationId, ApplicationKind, ApplicationVersionId, ChannelName, VersionName};

use crate::auth::Actor;
use crate::catalog::{compose, images, templates};
use crate::entity::application_version as row;
use crate::licenses::{self, VersionFacts};
use crate::{Error, Result, applications, documents, repo};

/// What a version deploys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Package {
    /// A Docker Compose application.
    Compose {
        /// The compose file.
        compose_file: String,
        /// The env-file template that pre-fills the deployment form.
        env_template: Option<String>,
    },
    /// A Helm chart.
    Helm {
        /// `https://…` chart repository, or an `oci://…` chart reference.
        chart_url: String,
        /// The chart's name in a repository; `None` for `oci://`.
        chart_name: Option<String>,
        /// The chart version.
        chart_version: String,
        /// Base values.
        base_values: Option<String>,
        /// The values template that pre-fills the deployment form.
        values_template: Option<String>,
    },
}

impl Package {
    /// Which kind of application this package belongs to.
    pub fn kind(&self) -> ApplicationKind {
        match self {
            Package::Compose { .. } => ApplicationKind::Docker,
            Package::Helm { .. } => ApplicationKind::Kubernetes,
        }
    }
}

/// A version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// Its id.
    pub id: ApplicationVersionId,
    /// Its application.
    pub application_id: ApplicationId,
    /// Its name, unique within the application.
    pub name: String,
    /// The channel it was published to.
    pub channel: ChannelName,
    /// Publication order within the application (1 for the first).
    pub sequence: i64,
    /// The "open application" URL template.
    pub link_template: Option<String>,
    /// What it deploys.
    pub package: Package,
    /// When it was published.
    pub created_at: DateTime<Utc>,
    /// When the vendor archived it.
    pub archived_at: Option<DateTime<Utc>>,
}

impl Version {
    /// The facts the license rule needs.
    pub fn facts(&self) -> VersionFacts<'_> {
        VersionFacts {
            id: self.id,
            name: &self.name,
            channel: self.channel.as_str(),
            archived: self.archived_at.is_some(),
        }
    }
}

/// What a vendor fills in to publish a version.
#[derive(Clone, Debug)]
pub struct NewVersion {
    /// Its name.
    pub name: VersionName,
    /// Its channel (`stable` when the form leaves it empty).
    pub channel: ChannelName,
    /// The "open application" URL template.
    pub link_template: Option<String>,
    /// What it deploys; must match the application's kind.
    pub package: Package,
}

/// Publishes a version (vendor writers only), after checking its content: the compose file's
/// YAML and services, the templates, the chart reference. Nothing is stored when a check fails.
pub async fn create(
    services: &Services,
    actor: &Actor,
    application: ApplicationId,
    new: NewVersion,
    now: DateTime<Utc>,
) -> Result<Version> {
    actor.require_vendor_write("publish versions")?;
    let app = applications::find_own(&services.db, actor, application).await?;
    let kind: ApplicationKind = app.kind.parse().map_err(|_| Error::NotFound {
        what: "application",
    })?;
    if new.package.kind() != kind {
        return Err(Error::invalid(
            "type",
            format!(
                "this is a {} application: publish a {} version",
                kind.label(),
                kind.label()
            ),
        ));
    }
    // Parsing a compose file or values can take a while: not on the async workers.
    let package = new.package;
    let (package, images) = documents::parse_off_runtime(move || {
        let package = check_package(package)?;
        let images = match &package {
            Package::Compose { compose_file, .. } => images::from_compose(compose_file),
            Package::Helm { .. } => Vec::new(),
        };
        Ok((package, images))
    })
    .await?;
    let link_template = optional(new.link_template);
    if let Some(link) = &link_template {
        templates::validate_link_template(link)?;
    }
    // Reads the last sequence number, then writes the next one: two publishes at once would
    // otherwise both read it (and on SQLite the second could not write at all).
    let txn = crate::db::begin_writer(&services.db).await?;
    let sequence = repo::versions::next_sequence(&txn, app.id).await?;
    let mut model = row::Model {
        id: ApplicationVersionId::new().0,
        application_id: app.id,
        name: new.name.into(),
        channel: new.channel.to_string(),
        sequence,
        compose_file: None,
        env_template: None,
        link_template,
        chart_url: None,
        chart_name: None,
        chart_version: None,
        base_values: None,
        values_template: None,
        created_at: now,
        archived_at: None,
    };
    match package {
        Package::Compose {
            compose_file,
            env_template,
        } => {
            model.compose_file = Some(compose_file);
            model.env_template = env_template;
        }
        Package::Helm {
            chart_url,
            chart_name,
            chart_version,
            base_values,
            values_template,
        } => {
            model.chart_url = Some(chart_url);
            model.chart_name = chart_name;
            model.chart_version = Some(chart_version);
            model.base_values = base_values;
            model.values_template = values_template;
        }
    }
    let saved = repo::versions::insert(&txn, model).await?;
    crate::version_images::store(&txn, ApplicationVersionId(saved.id), images).await?;
    repo::channels::ensure(&txn, app.id, &saved.channel).await?;
    txn.commit().await?;
    saved.try_into()
}

/// The versions of an application the actor may see, newest first: every version for vendor
/// members; for a customer member, the versions one of their licenses grants (whatever its
/// standing: the portal says which are blocked and why).
pub async fn list(
    services: &Services,
    actor: &Actor,
    application: ApplicationId,
) -> Result<Vec<Version>> {
    let app = applications::get(services, actor, application).await?;
    let all: Vec<Version> = repo::versions::list(&services.db, app.id.0)
        .await?
        .into_iter()
        .map(Version::try_from)
        .collect::<Result<_>>()?;
    let Some(customer) = actor.customer_organization_id else {
        return Ok(all);
    };
    let held = licenses::for_customer_application(services, actor, customer, app.id).await?;
    Ok(all
        .into_iter()
        .filter(|v| {
            held.iter().any(|l| {
                l.versions.as_ref().is_none_or(|ids| ids.contains(&v.id))
                    && l.channels.contains(&v.channel)
            })
        })
        .collect())
}

/// One version the actor may see.
pub async fn get(
    services: &Services,
    actor: &Actor,
    application: ApplicationId,
    id: ApplicationVersionId,
) -> Result<Version> {
    let _db = &services.db;
    list(services, actor, application)
        .await?
        .into_iter()
        .find(|v| v.id == id)
        .ok_or(Error::NotFound { what: "version" })
}

/// Archives (or restores) a version (vendor writers only): it leaves catalogues and takes no new
/// deployments; installations running it keep running.
pub async fn set_archived(
    services: &Services,
    actor: &Actor,
    application: ApplicationId,
    id: ApplicationVersionId,
    archived: bool,
    now: DateTime<Utc>,
) -> Result<Version> {
    actor.require_vendor_write("archive versions")?;
    let app = applications::find_own(&services.db, actor, application).await?;
    let found = repo::versions::find(&services.db, app.id, id.0)
        .await?
        .ok_or(Error::NotFound { what: "version" })?;
    let at = match (archived, found.archived_at) {
        (true, Some(already)) => Some(already),
        (true, None) => Some(now),
        (false, _) => None,
    };
    repo::versions::set_archived(&services.db, found, at)
        .await?
        .try_into()
}

/// Whether the actor's customer may deploy `id` now: the granting license, or
/// [`Error::NotLicensed`] saying why not (expired, revoked, version or channel not granted,
/// withdrawn). Vendor members are not customers and get [`Error::Forbidden`].
pub async fn check_deployable(
    services: &Services,
    actor: &Actor,
    application: ApplicationId,
    id: ApplicationVersionId,
    now: DateTime<Utc>,
) -> Result<licenses::License> {
    check_deployable_in(&services.db, actor, application, id, now).await
}

pub(crate) async fn check_deployable_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    application: ApplicationId,
    id: ApplicationVersionId,
    now: DateTime<Utc>,
) -> Result<licenses::License> {
    let customer = actor.customer_organization_id.ok_or(Error::Forbidden {
        action: "deploy as a customer",
    })?;
    let app = applications::get_in(db, actor, application).await?;
    let version: Version = repo::versions::find(db, app.id.0, id.0)
        .await?
        .ok_or(Error::NotFound { what: "version" })?
        .try_into()?;
    let held = licenses::for_customer_application_in(db, actor, customer, app.id).await?;
    let mut facts = version.facts();
    facts.archived |= app.archived_at.is_some();
    Ok(licenses::decide(&held, &facts, now)?.clone())
}

/// `text` if it is at most [`compose::MAX_VALUES_BYTES`] long.
fn bounded(field: &'static str, what: &str, text: String) -> Result<String> {
    if text.len() > compose::MAX_VALUES_BYTES {
        return Err(Error::invalid(
            field,
            format!(
                "the {what} is larger than {} KiB",
                compose::MAX_VALUES_BYTES / 1024
            ),
        ));
    }
    Ok(text)
}

fn optional(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

fn check_package(package: Package) -> Result<Package> {
    match package {
        Package::Compose {
            compose_file,
            env_template,
        } => {
            compose::validate(&compose_file)?;
            let env_template = optional(env_template);
            if let Some(env) = &env_template {
                templates::validate_env_template(env)?;
            }
            Ok(Package::Compose {
                compose_file,
                env_template,
            })
        }
        Package::Helm {
            chart_url,
            chart_name,
            chart_version,
            base_values,
            values_template,
        } => {
            let chart_url = chart_url.trim().to_string();
            let chart_name = optional(chart_name).map(|n| n.trim().to_string());
            if let Some(reference) = chart_url.strip_prefix("oci://") {
                if reference.is_empty() || reference.contains(char::is_whitespace) {
                    return Err(Error::invalid(
                        "chartUrl",
                        "an oci:// reference needs a registry and a path, such as oci://registry.example.com/charts/shop",
                    ));
                }
                if chart_name.is_some() {
                    return Err(Error::invalid(
                        "chartName",
                        "an oci:// reference already names its chart: leave the chart name empty",
                    ));
                }
            } else if chart_url.starts_with("https://") || chart_url.starts_with("http://") {
                if chart_name.is_none() {
                    return Err(Error::invalid(
                        "chartName",
                        "a chart repository needs the chart's name",
                    ));
                }
            } else {
                return Err(Error::invalid(
                    "chartUrl",
                    "must be a chart repository (https://…) or an OCI reference (oci://…)",
                ));
            }
            let chart_version = chart_version.trim().to_string();
            if chart_version.is_empty()
                || chart_version.len() > 64
                || chart_version.contains(char::is_whitespace)
            {
                return Err(Error::invalid(
                    "chartVersion",
                    "give the chart version, such as 1.4.2",
                ));
            }
            let base_values = optional(base_values);
            if let Some(values) = &base_values {
                compose::validate_values("baseValues", values)?;
            }
            Ok(Package::Helm {
                chart_url,
                chart_name,
                chart_version,
                base_values,
                values_template: optional(values_template)
                    .map(|t| bounded("valuesTemplate", "values template", t))
                    .transpose()?,
            })
        }
    }
}

impl TryFrom<row::Model> for Version {
    type Error = Error;

    fn try_from(r: row::Model) -> Result<Self> {
        let corrupt = |what: &str| {
            Error::Database(sea_orm::DbErr::Custom(format!(
                "version {} has {what}",
                r.id
            )))
        };
        let package = match (r.compose_file, r.chart_url, r.chart_version) {
            (Some(compose_file), None, None) => Package::Compose {
                compose_file,
                env_template: r.env_template,
            },
            (None, Some(chart_url), Some(chart_version)) => Package::Helm {
                chart_url,
                chart_name: r.chart_name,
                chart_version,
                base_values: r.base_values,
                values_template: r.values_template,
            },
            _ => return Err(corrupt("neither a compose file nor a chart")),
        };
        Ok(Self {
            id: ApplicationVersionId(r.id),
            application_id: ApplicationId(r.application_id),
            channel: ChannelName::parse(r.channel).map_err(|_| corrupt("an invalid channel"))?,
            name: r.name,
            sequence: r.sequence,
            link_template: r.link_template,
            package,
            created_at: r.created_at,
            archived_at: r.archived_at,
        })
    }
}
