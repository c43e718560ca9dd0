//! What may be deployed to one target: for a customer's target, the customer's catalogue
//! (what its licenses allow, and why the rest is refused), also when a vendor member asks on the
//! customer's behalf; for a vendor-managed target, every unarchived Docker Compose version of
//! the vendor. Only Docker Compose applications deploy to agents.

use crate::Services;
use chrono::{DateTime, Utc};
use types::{ApplicationKind, DeploymentTargetId};

use crate::auth::Actor;
use crate::customer_catalog::{self, Entry, Offer};
use crate::{Result, applications, channels, targets, versions};

/// The applications and versions the actor may pick for `target`, by application name; each
/// version says whether it may be deployed now and, if not, why.
pub async fn for_target(
    services: &Services,
    actor: &Actor,
    target: DeploymentTargetId,
    now: DateTime<Utc>,
) -> Result<Vec<Entry>> {
    let _db = &services.db;
    let target = targets::get(services, actor, target).await?;
    let mut entries = match target.customer_organization_id {
        Some(customer) => {
            // A vendor acting for the customer is held to the customer's licenses.
            let as_customer = Actor {
                customer_organization_id: Some(customer),
                ..actor.clone()
            };
            customer_catalog::for_customer(services, &as_customer, now).await?
        }
        None => vendor_entries(services, actor, now).await?,
    };
    entries.retain(|e| e.application.kind == ApplicationKind::Docker);
    Ok(entries)
}

async fn vendor_entries(
    services: &Services,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<Entry>> {
    let _db = &services.db;
    let mut entries = Vec::new();
    for application in applications::list(services, actor, now).await? {
        if application.archived_at.is_some() {
            continue;
        }
        let channels = channels::list(services, actor, application.id).await?;
        let versions = versions::list(services, actor, application.id)
            .await?
            .into_iter()
            .filter(|v| v.archived_at.is_none())
            .map(|version| Offer {
                requires_update: channels
                    .iter()
                    .find(|c| c.name == version.channel)
                    .is_some_and(|c| c.requires_update(&version)),
                version,
                deployable: Ok(()),
            })
            .collect();
        entries.push(Entry {
            application,
            licenses: Vec::new(),
            blocked: None,
            versions,
            channels,
        });
    }
    entries.sort_by(|a, b| a.application.name.cmp(&b.application.name));
    Ok(entries)
}
