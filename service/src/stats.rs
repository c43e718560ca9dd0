//! Figures for the vendor's charts: which versions of an application the fleet runs, and how
//! many deployments were made each day. Vendor members only; each answer costs a fixed number of
//! queries, whatever the fleet's size.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use types::{ApplicationId, ApplicationVersionId};

use crate::auth::Actor;
use crate::{Error, Result, Services, repo};

/// How many live deployments run one version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionCount {
    /// The version.
    pub version_id: ApplicationVersionId,
    /// Its name.
    pub version: String,
    /// Deployments not undeployed whose current revision runs it.
    pub deployments: u64,
}

/// How many live deployments of `application` run each of its versions across the fleet (every
/// customer's targets and the vendor's own), newest version first; versions nobody runs are left
/// out. Vendor members only; two queries.
pub async fn version_spread(
    s: &Services,
    actor: &Actor,
    application: ApplicationId,
) -> Result<Vec<VersionCount>> {
    actor.require_vendor_read("see where versions run")?;
    repo::applications::find(&s.db, actor.organization_id.0, application.0)
        .await?
        .ok_or(Error::NotFound {
            what: "application",
        })?;
    Ok(repo::stats::live_versions(&s.db, application.0)
        .await?
        .into_iter()
        .map(|(id, version, n)| VersionCount {
            version_id: id.into(),
            version,
            deployments: u64::try_from(n).unwrap_or(0),
        })
        .collect())
}

/// How many days [`deployments_per_day`] covers, today included.
pub const DEPLOYMENT_DAYS: u64 = 30;

/// Deployments created on one day (UTC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayCount {
    /// The day, in UTC.
    pub day: NaiveDate,
    /// Deployments created that day on any of the vendor's targets (undeployed ones included).
    pub deployments: u64,
}

/// Deployments created per day over the last [`DEPLOYMENT_DAYS`] days (UTC, today included),
/// oldest first, days without any included; on every target of the vendor. Vendor members only;
/// one query.
pub async fn deployments_per_day(
    s: &Services,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<DayCount>> {
    actor.require_vendor_read("see deployment figures")?;
    let today = now.date_naive();
    let first = today - Days::new(DEPLOYMENT_DAYS - 1);
    let since = first.and_time(chrono::NaiveTime::MIN).and_utc();
    let mut days: BTreeMap<NaiveDate, u64> = first
        .iter_days()
        .take_while(|d| *d <= today)
        .map(|d| (d, 0))
        .collect();
    for (day, n) in
        repo::stats::deployments_per_day_since(&s.db, actor.organization_id.0, since).await?
    {
        // A deployment created "after now" (a clock stepped back) counts on no day shown.
        if let Ok(day) = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
            && let Some(count) = days.get_mut(&day)
        {
            *count += u64::try_from(n).unwrap_or(0);
        }
    }
    Ok(days
        .into_iter()
        .map(|(day, deployments)| DayCount { day, deployments })
        .collect())
}
