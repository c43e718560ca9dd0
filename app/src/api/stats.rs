//! The portals' charts: a target's CPU and memory over time, the versions an application runs
//! across the fleet, deployments per day. Each answers with charts the server drew (see
//! [`crate::components::chart`]), so the browser only shows them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::chart::ChartView;
use crate::error::AppError;

/// How many metrics samples the host charts show: an hour at the agent's 30-second pace.
pub const HOST_SAMPLES: u64 = 120;

/// A target's host charts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostChartsView {
    /// The target's id.
    pub target_id: String,
    /// CPU use over time; `None` before the first sample.
    pub cpu: Option<ChartView>,
    /// Memory used (and in total) over time; `None` before the first sample.
    pub memory: Option<ChartView>,
    /// The newest sample in words, such as "CPU now 12 %, memory 1.2 GiB of 4 GiB".
    pub summary: String,
}

/// How many live deployments run each version of an application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSpreadView {
    /// The chart; `None` when nothing runs the application.
    pub chart: Option<ChartView>,
}

#[cfg(feature = "ssr")]
mod convert {
    use chrono::{DateTime, Utc};
    use service::targets::MetricSample;

    use super::HostChartsView;
    use crate::components::chart::Colour;
    use crate::components::chart::draw::{self, Series, Unit, format_value};

    /// The charts of `samples` (newest first, as the service gives them).
    pub(super) fn host(target_id: String, samples: &[MetricSample]) -> HostChartsView {
        let Some(newest) = samples.first() else {
            return HostChartsView {
                target_id,
                cpu: None,
                memory: None,
                summary: String::new(),
            };
        };
        let oldest: DateTime<Utc> = samples.last().map_or(newest.at, |m| m.at);
        let cpu_now = format_value(Unit::Percent, newest.cpu_percent);
        let used_now = format_value(Unit::Bytes, newest.memory_used_bytes as f64);
        let total_now = format_value(Unit::Bytes, newest.memory_total_bytes as f64);
        let minutes = ((newest.at - oldest).num_seconds() + 59) / 60;
        let span = match (samples.len(), minutes) {
            (1, _) => "its first sample".to_string(),
            (_, ..=1) => "the last minute".to_string(),
            (_, minutes) => format!("the last {minutes} minutes"),
        };
        let peak = samples.iter().map(|m| m.cpu_percent).fold(0.0, f64::max);
        let average = samples.iter().map(|m| m.cpu_percent).sum::<f64>() / samples.len() as f64;
        let cores = match newest.cpu_cores {
            1 => "1 core".to_string(),
            n => format!("{n} cores"),
        };
        let cpu = draw::time_series(
            format!("CPU use over {span}, in percent of {cores}"),
            format!(
                "CPU now {cpu_now} of {cores}; average {}, peak {} over {span}.",
                format_value(Unit::Percent, average),
                format_value(Unit::Percent, peak),
            ),
            Unit::Percent,
            vec![Series {
                name: "CPU".into(),
                colour: Colour::Indigo,
                points: samples.iter().map(|m| (m.at, m.cpu_percent)).collect(),
            }],
        );
        let memory = draw::time_series(
            format!("Memory used and in total over {span}"),
            format!("Memory now {used_now} used of {total_now}."),
            Unit::Bytes,
            vec![
                Series {
                    name: "used".into(),
                    colour: Colour::Indigo,
                    points: samples
                        .iter()
                        .map(|m| (m.at, m.memory_used_bytes as f64))
                        .collect(),
                },
                Series {
                    name: "total".into(),
                    colour: Colour::Slate,
                    points: samples
                        .iter()
                        .map(|m| (m.at, m.memory_total_bytes as f64))
                        .collect(),
                },
            ],
        );
        HostChartsView {
            target_id,
            cpu: Some(cpu),
            memory: Some(memory),
            summary: format!(
                "CPU now {cpu_now}, memory {used_now} of {total_now} (sampled {} UTC).",
                newest.at.format("%Y-%m-%d %H:%M:%S")
            ),
        }
    }
}

/// The host charts of a target the caller may see (its newest [`HOST_SAMPLES`] samples): the
/// `target` named, or when that is empty the one `deployment` runs on.
#[server(prefix = "/_fn", endpoint = "host_charts")]
pub async fn host_charts(
    #[server(default)] target: String,
    #[server(default)] deployment: String,
) -> Result<HostChartsView, AppError> {
    let (services, actor) = super::actor().await?;
    let id = if target.trim().is_empty() {
        let deployment = super::parse_id(&deployment, "Deployment")?;
        service::deployments::get(&services, &actor, deployment)
            .await?
            .target_id
    } else {
        super::parse_id(&target, "Deployment target")?
    };
    let samples = service::targets::metrics(&services, &actor, id, HOST_SAMPLES).await?;
    Ok(convert::host(id.to_string(), &samples))
}

/// How many live deployments run each version of an application, across the vendor's fleet.
#[server(prefix = "/_fn", endpoint = "version_spread")]
pub async fn version_spread(application: String) -> Result<VersionSpreadView, AppError> {
    use crate::components::chart::draw;
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&application, "Application")?;
    let counts = service::stats::version_spread(&services, &actor, id).await?;
    if counts.is_empty() {
        return Ok(VersionSpreadView { chart: None });
    }
    let total: u64 = counts.iter().map(|c| c.deployments).sum();
    let words: Vec<String> = counts
        .iter()
        .map(|c| format!("{} on {}", c.deployments, c.version))
        .collect();
    let deployments = if total == 1 {
        "1 live deployment".to_string()
    } else {
        format!("{total} live deployments")
    };
    Ok(VersionSpreadView {
        chart: Some(draw::bars(
            "Live deployments per version, newest version first".into(),
            format!("{deployments}: {}.", words.join(", ")),
            counts
                .into_iter()
                .map(|c| (c.version, c.deployments))
                .collect(),
        )),
    })
}

/// Deployments created per day over the last 30 days, on every target of the vendor.
#[server(prefix = "/_fn", endpoint = "deployments_over_time")]
pub async fn deployments_over_time() -> Result<ChartView, AppError> {
    use crate::components::chart::draw;
    let (services, actor) = super::actor().await?;
    let days = service::stats::deployments_per_day(&services, &actor, chrono::Utc::now()).await?;
    let total: u64 = days.iter().map(|d| d.deployments).sum();
    let busiest = days.iter().max_by_key(|d| (d.deployments, d.day));
    let summary = match (total, busiest) {
        (0, _) | (_, None) => format!(
            "No deployments in the last {} days.",
            service::stats::DEPLOYMENT_DAYS
        ),
        (total, Some(busiest)) => format!(
            "{total} deployment{} in the last {} days; the busiest day was {} with {}.",
            if total == 1 { "" } else { "s" },
            service::stats::DEPLOYMENT_DAYS,
            busiest.day.format("%b %-d"),
            busiest.deployments
        ),
    };
    Ok(draw::per_day(
        format!(
            "Deployments created per day over the last {} days",
            service::stats::DEPLOYMENT_DAYS
        ),
        summary,
        days.into_iter().map(|d| (d.day, d.deployments)).collect(),
    ))
}
