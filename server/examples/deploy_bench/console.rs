//! `console`: how fast the vendor console's pages are with a big fleet. Seeds one vendor with
//! customers, applications, versions, licenses, targets and deployments (each with a status)
//! through the service, the way the product makes them, straight into the hub's SQLite before
//! it starts; then signs in and times full responses (until the last byte) of the overview,
//! the fleet, the targets and the deployments pages.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use service::deployments::NewDeployment;
use service::licenses::NewLicense;
use service::versions::{NewVersion, Package};
use types::protocol::{DeploymentState, StatusReport};
use types::{
    ApplicationId, ApplicationKind, ApplicationName, ApplicationVersionId, ChannelName,
    DeploymentTargetId, OrganizationName, VersionName,
};

use super::{Hub, percentile, prepare};

/// What the console benchmark seeds and measures.
#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// Targets in all (a tenth vendor-managed, the rest spread over the customers).
    #[arg(long, default_value_t = 500)]
    pub targets: usize,
    /// Deployments in all, spread evenly over the targets.
    #[arg(long, default_value_t = 5000)]
    pub deployments: usize,
    /// Customers.
    #[arg(long, default_value_t = 10)]
    pub customers: usize,
    /// Applications (each with six versions on `stable`).
    #[arg(long, default_value_t = 5)]
    pub applications: usize,
    /// Timed requests per page (after three untimed ones).
    #[arg(long, default_value_t = 50)]
    pub requests: usize,
}

const COMPOSE: &str = "services:\n  web:\n    image: registry.example.com/shop:1\n";
const VERSIONS: usize = 6;
const PAGES: &[&str] = &["/", "/fleet", "/targets", "/deployments"];
/// The server functions behind the overview, timed alone (a page waits for all of them).
const FUNCTIONS: &[&str] = &[
    "vendor_overview",
    "deployments_over_time",
    "sample_hint",
    "current_user",
];

/// Seeds the fleet, starts the hub, signs in, and prints per page p50, p99 and HTML size.
pub async fn run(hub_bin: &Path, work: &Path, o: &Options) -> Result<()> {
    let data = work.join("hub");
    std::fs::create_dir_all(&data)?;
    let started = Instant::now();
    let session = seed(&data, o).await?;
    println!(
        "bench: console: seeded {} customers, {} applications × {VERSIONS} versions, {} targets, {} deployments in {:.1?}",
        o.customers,
        o.applications,
        o.targets,
        o.deployments,
        started.elapsed()
    );
    let hub = Hub::start(hub_bin, &data, 30, None).await?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let cookie = format!("{}={session}", service::sessions::COOKIE_NAME);
    println!(
        "bench: console: {} timed requests per page, one at a time, full body read",
        o.requests
    );
    for page in PAGES {
        let mut ms = Vec::with_capacity(o.requests);
        let mut size = 0;
        for i in 0..o.requests + 3 {
            let t = Instant::now();
            let response = http
                .get(hub.url(page))
                .header(reqwest::header::COOKIE, &cookie)
                .send()
                .await?;
            let status = response.status();
            let body = response.bytes().await?;
            let took = t.elapsed();
            if status != 200 {
                bail!("{page} answered {status}");
            }
            if i >= 3 {
                ms.push(took.as_secs_f64() * 1000.0);
            }
            size = body.len();
            if i == 0 && page == &"/targets" && !String::from_utf8_lossy(&body).contains("1–50 of")
            {
                bail!("/targets shows no pager: the seeded fleet is missing");
            }
        }
        ms.sort_by(f64::total_cmp);
        println!(
            "bench: console: {page:<13} p50 {:>6.1} ms  p99 {:>6.1} ms  max {:>6.1} ms  HTML {:>7.1} KiB",
            percentile(&ms, 0.5),
            percentile(&ms, 0.99),
            ms.last().copied().unwrap_or(f64::NAN),
            size as f64 / 1024.0
        );
    }
    for function in FUNCTIONS {
        let mut ms = Vec::with_capacity(o.requests);
        for i in 0..o.requests + 3 {
            let t = Instant::now();
            let response = http
                .post(hub.url(&format!("/_fn/{function}")))
                .header(reqwest::header::COOKIE, &cookie)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .send()
                .await?;
            let status = response.status();
            response.bytes().await?;
            if status != 200 {
                bail!("{function} answered {status}");
            }
            if i >= 3 {
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        ms.sort_by(f64::total_cmp);
        println!(
            "bench: console: {function:<22} p50 {:>6.1} ms  p99 {:>6.1} ms",
            percentile(&ms, 0.5),
            percentile(&ms, 0.99),
        );
    }
    drop(hub);
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(())
}

/// Seeds the vendor's catalogue and fleet; returns a session token of its admin.
async fn seed(data: &Path, o: &Options) -> Result<String> {
    let s = prepare(data).await?;
    let now = Utc::now();
    let vendor = service::testing::world::vendor(&s, "Acme", "admin@acme.test").await;
    let mut apps: Vec<(ApplicationId, Vec<ApplicationVersionId>)> = Vec::new();
    for a in 0..o.applications {
        let app = service::applications::create(
            &s,
            &vendor,
            ApplicationName::parse(format!("App {a}")).context("application name")?,
            ApplicationKind::Docker,
            now,
        )
        .await?
        .id;
        let mut versions = Vec::new();
        for v in 0..VERSIONS {
            let version = service::versions::create(
                &s,
                &vendor,
                app,
                NewVersion {
                    name: VersionName::parse(format!("1.{v}.0")).context("version name")?,
                    channel: ChannelName::stable(),
                    link_template: None,
                    package: Package::Compose {
                        compose_file: COMPOSE.into(),
                        env_template: None,
                    },
                },
                now,
            )
            .await?;
            versions.push(version.id);
        }
        apps.push((app, versions));
    }
    let mut customers = Vec::new();
    for c in 0..o.customers {
        let name = OrganizationName::parse(format!("Customer {c:02}")).context("customer name")?;
        let customer = service::customers::create(&s, &vendor, name).await?.id;
        for (app, _) in &apps {
            service::licenses::create(
                &s,
                &vendor,
                NewLicense {
                    name: None,
                    customer_organization_id: customer,
                    application_id: *app,
                    versions: None,
                    channels: vec![ChannelName::stable()],
                    expires_at: None,
                    entitlements: Default::default(),
                },
                now,
            )
            .await?;
        }
        customers.push(customer);
    }
    let mut targets: Vec<DeploymentTargetId> = Vec::with_capacity(o.targets);
    for t in 0..o.targets {
        // Every tenth target vendor-managed, the others round the customers.
        let owner = (t % 10 != 0 && !customers.is_empty()).then(|| customers[t % customers.len()]);
        let issued =
            service::targets::create(&s, &vendor, &format!("edge-{t:04}"), owner, now).await?;
        targets.push(issued.target.id);
    }
    for d in 0..o.deployments {
        let target = targets[d % targets.len()];
        let (app, versions) = &apps[(d / targets.len()) % apps.len()];
        let version = versions[(d * 7) % versions.len()];
        let created = service::deployments::create(
            &s,
            &vendor,
            NewDeployment {
                target_id: target,
                application_id: *app,
                version_id: version,
                env: None,
                logs_enabled: false,
                repair_drift: true,
            },
            now,
        )
        .await?;
        let state = match d % 10 {
            0 => DeploymentState::Error,
            1 | 2 => DeploymentState::Running,
            _ => DeploymentState::Healthy,
        };
        service::agent_session::record_status(
            &s,
            target,
            StatusReport {
                deployment_id: created.id,
                revision_id: Some(created.revision_id),
                state,
                message: String::new(),
                observed_at: Utc::now(),
            },
        )
        .await?;
    }
    let session = service::testing::world::session(&s, &vendor).await;
    s.close().await?;
    Ok(session)
}
