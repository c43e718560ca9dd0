//! Licenses (vendor portal) and the customer's catalogue (customer portal).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A license, as listed: typed, with the names it is shown with; the page formats it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseView {
    /// Its id.
    pub id: types::LicenseId,
    /// Its name.
    pub name: String,
    /// The customer's name (empty in the customer's own catalogue).
    pub customer: String,
    /// The application's name.
    pub application: String,
    /// The granted versions' names; `None` for every version.
    pub versions: Option<Vec<String>>,
    /// The channels the customer follows.
    pub channels: Vec<types::ChannelName>,
    /// When it ends; `None` for never.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Where it stands now.
    pub standing: types::LicenseStanding,
    /// `key=value` pairs.
    pub entitlements: Vec<(String, String)>,
}

/// A choice in a `<select>`: id and label.
pub type Choice = (String, String);

/// The vendor's licenses, with what the grant form offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicensesPage {
    /// A page of the licenses.
    pub licenses: types::list::Page<LicenseView>,
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
impl LicenseView {
    /// The view of `l` at `now`, with the names the service looked up.
    fn new(
        l: service::licenses::License,
        customer: String,
        application: String,
        versions: Option<Vec<String>>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        Self {
            id: l.id,
            customer,
            application,
            versions,
            standing: l.standing(now),
            channels: l.channels,
            expires_at: l.expires_at,
            entitlements: l
                .entitlements
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            name: l.name,
        }
    }
}

/// A page of the vendor's licenses and the choices of the grant form.
#[server(prefix = "/_fn", endpoint = "list_licenses")]
pub async fn list_licenses(
    query: types::list::ListQuery<types::list::LicenseSort>,
) -> Result<LicensesPage, AppError> {
    let (services, actor) = super::actor().await?;
    let now = chrono::Utc::now();
    let overview = service::licenses::overview(&services, &actor, &query, now).await?;
    let key = services.signer.public_key();
    Ok(LicensesPage {
        licenses: overview
            .licenses
            .map(|s| LicenseView::new(s.license, s.customer, s.application, s.version_names, now)),
        customers: overview
            .customers
            .into_iter()
            .map(|c| (c.id.to_string(), c.name))
            .collect(),
        applications: overview
            .applications
            .into_iter()
            .map(|a| (a.id.to_string(), a.name))
            .collect(),
        public_key: key.to_base64(),
        key_id: key.key_id(),
    })
}

/// Grants a license. `versions` is empty for every version, or version names separated by
/// commas; `channels` is channel names separated by commas (empty: `stable`); `expires` is
/// empty or a date (the license works through that day, UTC); `entitlements` holds
/// `key=value` lines. This only decodes the form's text: the service checks every value, as
/// it does for the REST API's JSON.
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
    let channels = match comma_list(&channels) {
        names if names.is_empty() => vec![types::ChannelName::stable()],
        names => service::licenses::channels(names)?,
    };
    let versions = match comma_list(&versions) {
        names if names.is_empty() => None,
        names => {
            Some(service::licenses::version_ids(&services, &actor, application, &names).await?)
        }
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
            expires_at: last_day(&expires)?,
            entitlements: service::licenses::entitlements(key_value_lines(&entitlements)?)?,
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

/// The non-empty, trimmed items of a comma-separated field.
#[cfg(feature = "ssr")]
fn comma_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The end of the last day a date field names (the license works through that day, UTC);
/// `None` for an empty field.
#[cfg(feature = "ssr")]
fn last_day(text: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
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
    Ok(day
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc()))
}

/// The `key=value` lines of a text field, trimmed, blank lines skipped.
#[cfg(feature = "ssr")]
fn key_value_lines(text: &str) -> Result<std::collections::BTreeMap<String, String>, AppError> {
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
        map.insert(key.trim().to_string(), value.trim().to_string());
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
        .map(|e| CatalogEntryView {
            application: e.application.name.clone(),
            kind_label: e.application.kind.label().into(),
            blocked: e.blocked.unwrap_or_default(),
            licenses: e
                .licenses
                .into_iter()
                .map(|l| {
                    let versions = l.versions.as_ref().map(|ids| {
                        e.versions
                            .iter()
                            .filter(|o| ids.contains(&o.version.id))
                            .map(|o| o.version.name.clone())
                            .collect()
                    });
                    LicenseView::new(l, String::new(), e.application.name.clone(), versions, now)
                })
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
        })
        .collect();
    Ok(CatalogPage {
        entries,
        public_key: services.signer.public_key().to_base64(),
    })
}
