//! Release channels: each version is published to one channel (`stable`, `beta`…); licenses
//! name the channels a customer follows; a channel may set a minimum version, below which an
//! installation is flagged as needing an update.

use crate::Services;
use types::{ApplicationId, ApplicationVersionId, ChannelName};

use crate::auth::Actor;
use crate::versions::{self, Version};
use crate::{Error, Result, applications, repo};

/// A channel of an application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channel {
    /// Its name.
    pub name: ChannelName,
    /// The minimum version, if the vendor set one.
    pub minimum: Option<VersionRef>,
    /// The newest unarchived version on the channel.
    pub latest: Option<VersionRef>,
}

/// A short reference to a version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionRef {
    /// Its id.
    pub id: ApplicationVersionId,
    /// Its name.
    pub name: String,
    /// Its publication order.
    pub sequence: i64,
}

impl From<&Version> for VersionRef {
    fn from(v: &Version) -> Self {
        Self {
            id: v.id,
            name: v.name.clone(),
            sequence: v.sequence,
        }
    }
}

impl Channel {
    /// Whether an installation of `version` (on this channel) is older than the minimum.
    pub fn requires_update(&self, version: &Version) -> bool {
        self.minimum
            .as_ref()
            .is_some_and(|min| version.sequence < min.sequence)
    }
}

/// The channels of an application the actor may see, with what the actor may see of their
/// versions.
pub async fn list(
    services: &Services,
    actor: &Actor,
    application: ApplicationId,
) -> Result<Vec<Channel>> {
    let visible = versions::list(services, actor, application).await?;
    let all = versions_by_id(services, actor, application).await?;
    let rows = repo::channels::list_for(&services.db, &[application.0]).await?;
    rows.into_iter()
        .map(|row| {
            let name = ChannelName::parse(row.name).map_err(|_| {
                Error::Database(sea_orm::DbErr::Custom("invalid channel name stored".into()))
            })?;
            let minimum = row
                .minimum_version_id
                .and_then(|id| all.iter().find(|v| v.id.0 == id))
                .map(VersionRef::from);
            let latest = visible
                .iter()
                .filter(|v| v.channel == name && v.archived_at.is_none())
                .max_by_key(|v| v.sequence)
                .map(VersionRef::from);
            Ok(Channel {
                name,
                minimum,
                latest,
            })
        })
        .collect()
}

/// Sets (or clears, with `None`) a channel's minimum version (vendor writers only). The version
/// must be one of the application's, on that channel.
pub async fn set_minimum(
    services: &Services,
    actor: &Actor,
    application: ApplicationId,
    channel: &ChannelName,
    minimum: Option<ApplicationVersionId>,
) -> Result<Channel> {
    actor.require_vendor_write("set minimum versions")?;
    let app = applications::find_own(&services.db, actor, application).await?;
    let row = repo::channels::find(&services.db, app.id, channel.as_str())
        .await?
        .ok_or(Error::NotFound { what: "channel" })?;
    if let Some(id) = minimum {
        let version = repo::versions::find(&services.db, app.id, id.0)
            .await?
            .ok_or_else(|| {
                Error::invalid("minimumVersionId", "no such version of this application")
            })?;
        if version.channel != channel.as_str() {
            return Err(Error::invalid(
                "minimumVersionId",
                format!(
                    "version {} is on the {} channel, not {channel}",
                    version.name, version.channel
                ),
            ));
        }
    }
    repo::channels::set_minimum(&services.db, row, minimum.map(|m| m.0)).await?;
    list(services, actor, application)
        .await?
        .into_iter()
        .find(|c| &c.name == channel)
        .ok_or(Error::NotFound { what: "channel" })
}

/// Every version of the application, archived ones included, for resolving minimums (a
/// customer's minimum may point at a version outside their license).
async fn versions_by_id(
    services: &Services,
    actor: &Actor,
    application: ApplicationId,
) -> Result<Vec<Version>> {
    let app = applications::get(services, actor, application).await?;
    repo::versions::list(&services.db, app.id.0)
        .await?
        .into_iter()
        .map(Version::try_from)
        .collect()
}
