//! Licenses (vendor portal) and the customer's catalogue (customer portal).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A license, as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The customer's name.
    pub customer: String,
    /// The application's name.
    pub application: String,
    /// "every version" or the granted version names.
    pub versions: String,
    /// The channels, comma-separated.
    pub channels: String,
    /// `until YYYY-MM-DD HH:MM UTC`, or `no expiry`.
    pub expiry: String,
    /// `active`, `expired` or `revoked`.
    pub standing: String,
    /// `key=value` pairs.
    pub entitlements: Vec<(String, String)>,
}

/// A choice in a `<select>`: id and label.
pub type Choice = (String, String);

/// An application's id and name with its versions (id and name), for naming what a license
/// grants.
#[cfg(feature = "ssr")]
type ApplicationVersions = (String, String, Vec<Choice>);

/// The vendor's licenses, with what the grant form offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicensesPage {
    /// The licenses.
    pub licenses: Vec<LicenseView>,
    /// The vendor's customers.
    pub customers: Vec<Choice>,
    /// The vendor's unarchived applications.
    pub applications: Vec<Choice>,
    /// The hub's license-signing public key (base64).
    pub public_key: String,
    /// Its fingerprint.
    pub key_id: String,
}

#[cfg(feature = "ssr")]
mod convert {
    use super::*;
    use service::licenses::{License, Standing};

    /// A license with its customer's and application's names looked up.
    pub(super) fn view(
        l: License,
        customers: &[Choice],
        applications: &[ApplicationVersions],
        now: chrono::DateTime<chrono::Utc>,
    ) -> LicenseView {
        let name_of = |list: &[Choice], id: String| {
            list.iter()
                .find(|(i, _)| *i == id)
                .map(|(_, n)| n.clone())
                .unwrap_or(id)
        };
        let app = applications
            .iter()
            .find(|(id, _, _)| *id == l.application_id.to_string());
        let versions = match (&l.versions, app) {
            (None, _) => "every version".to_string(),
            (Some(ids), Some((_, _, names))) => ids
                .iter()
                .map(|id| name_of(names, id.to_string()))
                .collect::<Vec<_>>()
                .join(", "),
            (Some(ids), None) => format!("{} version(s)", ids.len()),
        };
        LicenseView {
            id: l.id.to_string(),
            customer: name_of(customers, l.customer_organization_id.to_string()),
            application: app.map(|(_, n, _)| n.clone()).unwrap_or_default(),
            versions,
            channels: l
                .channels
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            expiry: match l.expires_at {
                Some(at) => format!("until {}", at.format("%Y-%m-%d %H:%M UTC")),
                None => "no expiry".into(),
            },
            standing: match l.standing(now) {
                Standing::Active => "active",
                Standing::Expired => "expired",
                Standing::Revoked => "revoked",
            }
            .into(),
            entitlements: l
                .entitlements
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            name: l.name,
        }
    }
}

/// The vendor's licenses and the choices of the grant form.
#[server(prefix = "/_fn", endpoint = "list_licenses")]
pub async fn list_licenses() -> Result<LicensesPage, AppError> {
    let (services, actor) = super::actor().await?;
    actor.require_vendor_read("see licenses")?;
    let now = chrono::Utc::now();
    let customers: Vec<Choice> = service::customers::list(&services, &actor)
        .await?
        .into_iter()
        .map(|c| (c.id.to_string(), c.name))
        .collect();
    let mut applications = Vec::new();
    for app in service::applications::list(&services, &actor, now).await? {
        let versions: Vec<(String, String)> = service::versions::list(&services, &actor, app.id)
            .await?
            .into_iter()
            .map(|v| (v.id.to_string(), v.name))
            .collect();
        applications.push((
            app.id.to_string(),
            app.name,
            versions,
            app.archived_at.is_some(),
        ));
    }
    let names: Vec<_> = applications
        .iter()
        .map(|(i, n, v, _)| (i.clone(), n.clone(), v.clone()))
        .collect();
    let licenses = service::licenses::list(&services, &actor)
        .await?
        .into_iter()
        .map(|l| convert::view(l, &customers, &names, now))
        .collect();
    let key = services.signer.public_key();
    Ok(LicensesPage {
        licenses,
        customers,
        applications: applications
            .into_iter()
            .filter(|(_, _, _, archived)| !archived)
            .map(|(i, n, _, _)| (i, n))
            .collect(),
        public_key: key.to_base64(),
        key_id: key.key_id(),
    })
}

/// Grants a license. `versions` is empty for every version, or version names separated by
/// commas; `expires` is empty or a date (the license works through that day, UTC);
/// `entitlements` holds `key=value` lines.
#[server(prefix = "/_fn", endpoint = "grant_license")]
pub async fn grant_license(
    customer: String,
    application: String,
    #[server(default)] name: String,
    #[server(default)] channels: String,
    #[server(default)] versions: String,
    #[server(default)] expires: String,
    #[server(default)] entitlements: String,
) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let customer = super::parse_id(&customer, "Customer")?;
    let application: types::ApplicationId = super::parse_id(&application, "Application")?;
    let channels = parse_channels(&channels)?;
    let versions =
        if versions.trim().is_empty() {
            None
        } else {
            let known = service::versions::list(&services, &actor, application).await?;
            let mut ids = Vec::new();
            for wanted in versions.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let found = known.iter().find(|v| v.name == wanted).ok_or_else(|| {
                    AppError::Invalid {
                        field: "versions".into(),
                        message: format!(
                            "This application has no version {wanted}. Check the names on its page."
                        ),
                    }
                })?;
                ids.push(found.id);
            }
            Some(ids)
        };
    service::licenses::create(
        &services,
        &actor,
        service::licenses::NewLicense {
            name: (!name.trim().is_empty()).then_some(name),
            customer_organization_id: customer,
            application_id: application,
            versions,
            channels,
            expires_at: parse_expiry(&expires)?,
            entitlements: parse_entitlements(&entitlements)?,
        },
        chrono::Utc::now(),
    )
    .await?;
    Ok(())
}

/// Revokes a license.
#[server(prefix = "/_fn", endpoint = "revoke_license")]
pub async fn revoke_license(id: String) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "License")?;
    service::licenses::revoke(&services, &actor, id, chrono::Utc::now()).await?;
    Ok(())
}

#[cfg(feature = "ssr")]
fn parse_channels(text: &str) -> Result<Vec<types::ChannelName>, AppError> {
    let names: Vec<_> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if names.is_empty() {
        return Ok(vec![types::ChannelName::stable()]);
    }
    names
        .into_iter()
        .map(|n| types::ChannelName::parse(n).map_err(|e| service::Error::Invalid(e).into()))
        .collect()
}

#[cfg(feature = "ssr")]
fn parse_expiry(text: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let day =
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| AppError::Invalid {
            field: "expiresAt".into(),
            message:
                "Give the last day of the license as YYYY-MM-DD, or leave it empty for no expiry."
                    .into(),
        })?;
    // The license works through the whole of its last day (UTC).
    Ok(day
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc()))
}

#[cfg(feature = "ssr")]
fn parse_entitlements(
    text: &str,
) -> Result<std::collections::BTreeMap<types::EntitlementKey, String>, AppError> {
    let mut map = std::collections::BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (key, value) = line.split_once('=').ok_or_else(|| AppError::Invalid {
            field: "entitlements".into(),
            message: format!(
                "Line {}: write each entitlement as key=value (for example seats=25).",
                index + 1
            ),
        })?;
        let key = types::EntitlementKey::parse(key).map_err(service::Error::Invalid)?;
        map.insert(key, value.trim().to_string());
    }
    Ok(map)
}

/// A version in the customer's catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferView {
    /// Its name.
    pub name: String,
    /// Its channel.
    pub channel: String,
    /// When it was published.
    pub created: String,
    /// Why it cannot be deployed now; empty when it can.
    pub blocked: String,
    /// Whether it is older than its channel's minimum version.
    pub requires_update: bool,
}

/// An application in the customer's catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntryView {
    /// The application's name.
    pub application: String,
    /// `Docker Compose` or `Helm`.
    pub kind_label: String,
    /// Why nothing can be deployed (every license ended); empty otherwise.
    pub blocked: String,
    /// The customer's licenses for it.
    pub licenses: Vec<LicenseView>,
    /// The granted versions.
    pub versions: Vec<OfferView>,
}

/// The signed-in customer's catalogue and the hub's public key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogPage {
    /// One entry per licensed application.
    pub entries: Vec<CatalogEntryView>,
    /// The hub's license-signing public key (base64).
    pub public_key: String,
}

/// The customer's catalogue.
#[server(prefix = "/_fn", endpoint = "customer_catalog")]
pub async fn customer_catalog() -> Result<CatalogPage, AppError> {
    let (services, actor) = super::actor().await?;
    let now = chrono::Utc::now();
    let entries = service::customer_catalog::for_customer(&services, &actor, now).await?;
    let entries = entries
        .into_iter()
        .map(|e| {
            let names = vec![(
                e.application.id.to_string(),
                e.application.name.clone(),
                e.versions
                    .iter()
                    .map(|o| (o.version.id.to_string(), o.version.name.clone()))
                    .collect(),
            )];
            CatalogEntryView {
                application: e.application.name.clone(),
                kind_label: e.application.kind.label().into(),
                blocked: e.blocked.unwrap_or_default(),
                licenses: e
                    .licenses
                    .into_iter()
                    .map(|l| convert::view(l, &[], &names, now))
                    .collect(),
                versions: e
                    .versions
                    .into_iter()
                    .map(|o| OfferView {
                        name: o.version.name,
                        channel: o.version.channel.to_string(),
                        created: o.version.created_at.format("%Y-%m-%d").to_string(),
                        blocked: o
                            .deployable
                            .err()
                            .map(|m| service::error::sentence_case(&m))
                            .unwrap_or_default(),
                        requires_update: o.requires_update,
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(CatalogPage {
        entries,
        public_key: services.signer.public_key().to_base64(),
    })
}
