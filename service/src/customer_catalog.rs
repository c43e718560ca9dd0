//! The customer portal's catalogue: per licensed application, the versions a license grants,
//! which of them may be deployed now and, if not, why; plus the channels' required updates.

use crate::Services;
use chrono::{DateTime, Utc};

use crate::applications::{self, Application};
use crate::auth::Actor;
use crate::channels::{self, Channel};
use crate::licenses::{self, License};
use crate::versions::{self, Version};
use crate::{Error, Result};

/// One application in a customer's catalogue.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The application.
    pub application: Application,
    /// The customer's licenses for it, whatever their standing.
    pub licenses: Vec<License>,
    /// When no license is valid: why (expired, revoked), for the portal to say.
    pub blocked: Option<String>,
    /// The granted versions, newest first.
    pub versions: Vec<Offer>,
    /// The application's channels.
    pub channels: Vec<Channel>,
}

/// A version as offered to the customer.
#[derive(Clone, Debug)]
pub struct Offer {
    /// The version.
    pub version: Version,
    /// `Ok` when it may be deployed now; otherwise why not.
    pub deployable: std::result::Result<(), String>,
    /// Whether it is older than its channel's minimum version.
    pub requires_update: bool,
}

/// The catalogue of the actor's customer organization (customer members only): every
/// application they hold a license for. Applications whose licenses all ended stay listed with
/// the reason, so the customer knows why deployments stopped.
pub async fn for_customer(
    services: &Services,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<Entry>> {
    let _db = &services.db;
    actor.customer_organization_id.ok_or(Error::Forbidden {
        action: "see a customer's catalogue",
    })?;
    let held = licenses::list(services, actor).await?;
    let mut application_ids: Vec<_> = held.iter().map(|l| l.application_id).collect();
    application_ids.sort();
    application_ids.dedup();
    let mut entries = Vec::new();
    for id in application_ids {
        let application = applications::get(services, actor, id).await?;
        let own: Vec<License> = held
            .iter()
            .filter(|l| l.application_id == id)
            .cloned()
            .collect();
        let blocked = licenses::why_none_in_force(&own, now).map(|d| d.to_string());
        let channels = channels::list(services, actor, id).await?;
        let versions = versions::list(services, actor, id)
            .await?
            .into_iter()
            .filter(|v| v.archived_at.is_none())
            .map(|version| {
                let mut facts = version.facts();
                facts.archived |= application.archived_at.is_some();
                let deployable = licenses::decide(&own, &facts, now)
                    .map(|_| ())
                    .map_err(|d| d.to_string());
                let requires_update = channels
                    .iter()
                    .find(|c| c.name == version.channel)
                    .is_some_and(|c| c.requires_update(&version));
                Offer {
                    version,
                    deployable,
                    requires_update,
                }
            })
            .collect();
        entries.push(Entry {
            application,
            licenses: own,
            blocked,
            versions,
            channels,
        });
    }
    entries.sort_by(|a, b| a.application.name.cmp(&b.application.name));
    Ok(entries)
}
