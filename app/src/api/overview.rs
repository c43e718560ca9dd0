//! The portals' overviews: the vendor's "is everything fine?" and a customer's own deployments,
//! targets and updates.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use types::protocol::ShownState;

use crate::error::AppError;

/// Targets by condition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetCounts {
    /// An agent is connected now.
    pub online: usize,
    /// Enrolled, no agent connected now.
    pub offline: usize,
    /// The install command was never run.
    pub waiting: usize,
}

/// A deployment as an overview lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentLine {
    /// Its page.
    pub href: String,
    /// The application's name.
    pub application: String,
    /// The target's name.
    pub target: String,
    /// The customer's name, when a vendor reads it.
    pub customer: Option<String>,
    /// The version deployed.
    pub version: String,
    /// The newer version available on its channel.
    pub latest: Option<String>,
    /// Its state.
    pub state: ShownState,
}

/// Something to look at, with where to look.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttentionLine {
    /// `error`, `stale`, `minimum` or `license`: picks the badge.
    pub kind: String,
    /// What is wrong, in a sentence.
    pub text: String,
    /// The page that shows it.
    pub href: String,
}

/// A status change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventLine {
    /// `YYYY-MM-DD HH:MM:SS UTC`.
    pub at: String,
    /// The deployment's page.
    pub href: String,
    /// "application on target".
    pub subject: String,
    /// The state reached.
    pub state: ShownState,
    /// The agent's message.
    pub message: String,
}

/// A license ending soon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseLine {
    /// The license's name.
    pub name: String,
    /// The customer's name.
    pub customer: String,
    /// `YYYY-MM-DD`.
    pub expires: String,
}

/// The vendor's overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorOverviewView {
    /// How many customers.
    pub customers: usize,
    /// Targets by condition.
    pub targets: TargetCounts,
    /// Live deployments by state (word, count), trouble first.
    pub by_state: Vec<(ShownState, usize)>,
    /// The first few live deployments with a newer version on their channel.
    pub behind: Vec<DeploymentLine>,
    /// How many there are in all.
    pub behind_total: usize,
    /// Licenses ending within 30 days.
    pub expiring: Vec<LicenseLine>,
    /// The newest status changes.
    pub recent: Vec<EventLine>,
    /// The first few things that need attention, most urgent first.
    pub attention: Vec<AttentionLine>,
    /// How many there are in all.
    pub attention_total: usize,
}

/// A customer's overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerOverviewView {
    /// Its targets by condition.
    pub targets: TargetCounts,
    /// Its live deployments.
    pub deployments: Vec<DeploymentLine>,
    /// The newest status changes.
    pub recent: Vec<EventLine>,
}

impl CustomerOverviewView {
    /// The deployments with an update available.
    pub fn updates(&self) -> Vec<DeploymentLine> {
        self.deployments
            .iter()
            .filter(|d| d.latest.is_some())
            .cloned()
            .collect()
    }
}

#[cfg(feature = "ssr")]
mod convert {
    use super::*;
    use service::overview as o;

    pub(super) fn counts(c: &o::TargetCounts) -> TargetCounts {
        TargetCounts {
            online: c.online,
            offline: c.offline,
            waiting: c.waiting,
        }
    }

    pub(super) fn deployment(d: &o::DeploymentBrief, prefix: &str) -> DeploymentLine {
        DeploymentLine {
            href: format!("{prefix}/deployments/{}", d.id),
            application: d.application.clone(),
            target: d.target.clone(),
            customer: d.customer.clone(),
            version: d.version.clone(),
            latest: d.latest.clone(),
            state: d.state,
        }
    }

    pub(super) fn event(e: &o::Event, prefix: &str) -> EventLine {
        EventLine {
            at: super::super::targets::convert::time(e.at),
            href: format!("{prefix}/deployments/{}", e.deployment_id),
            subject: e.subject.clone(),
            state: ShownState::Reported(e.state),
            message: e.message.clone(),
        }
    }

    pub(super) fn attention(a: &o::Attention) -> AttentionLine {
        let line = |kind: &str, text: String, href: String| AttentionLine {
            kind: kind.into(),
            text,
            href,
        };
        match a {
            o::Attention::Failing(d) => line(
                "error",
                format!(
                    "{} on {} reports an error: {}",
                    d.application, d.target, d.message
                ),
                format!("/deployments/{}", d.id),
            ),
            o::Attention::BelowMinimum(d) => line(
                "minimum",
                format!(
                    "{} on {} runs {}, below its channel's required minimum",
                    d.application, d.target, d.version
                ),
                format!("/deployments/{}", d.id),
            ),
            o::Attention::Stale {
                id,
                name,
                last_seen,
            } => line(
                "stale",
                match last_seen {
                    Some(at) => format!(
                        "Target {name} has not been heard from since {}",
                        super::super::targets::convert::time(*at)
                    ),
                    None => format!("Target {name} never enrolled: run its install command"),
                },
                format!("/targets/{id}"),
            ),
            o::Attention::Expiring(l) => line(
                "license",
                format!(
                    "License {} of {} ends on {}",
                    l.name,
                    l.customer,
                    l.expires_at.format("%Y-%m-%d")
                ),
                "/licenses".into(),
            ),
        }
    }
}

/// The vendor's overview (vendor members).
#[server(prefix = "/_fn", endpoint = "vendor_overview")]
pub async fn vendor_overview() -> Result<VendorOverviewView, AppError> {
    let (services, actor) = super::actor().await?;
    let o = service::overview::vendor(&services, &actor, chrono::Utc::now()).await?;
    Ok(VendorOverviewView {
        customers: o.customers,
        targets: convert::counts(&o.targets),
        by_state: o.by_state.clone(),
        behind_total: o.behind_total,
        attention_total: o.attention_total,
        behind: o
            .behind
            .iter()
            .map(|d| convert::deployment(d, ""))
            .collect(),
        expiring: o
            .expiring
            .iter()
            .map(|l| LicenseLine {
                name: l.name.clone(),
                customer: l.customer.clone(),
                expires: l.expires_at.format("%Y-%m-%d").to_string(),
            })
            .collect(),
        recent: o.recent.iter().map(|e| convert::event(e, "")).collect(),
        attention: o.attention.iter().map(convert::attention).collect(),
    })
}

/// The signed-in customer member's overview.
#[server(prefix = "/_fn", endpoint = "customer_overview")]
pub async fn customer_overview() -> Result<CustomerOverviewView, AppError> {
    let (services, actor) = super::actor().await?;
    let o = service::overview::customer(&services, &actor).await?;
    Ok(CustomerOverviewView {
        targets: convert::counts(&o.targets),
        deployments: o
            .deployments
            .iter()
            .map(|d| convert::deployment(d, "/portal"))
            .collect(),
        recent: o
            .recent
            .iter()
            .map(|e| convert::event(e, "/portal"))
            .collect(),
    })
}
