//! The charts the pages place: [`HostCharts`] on the target and deployment pages and
//! [`VersionSpread`] on the application page, each with its own resource refetched live, and
//! [`DeploymentsOverTime`] for the vendor's overview, whose resource the overview makes.

use leptos::prelude::*;

#[cfg(doc)]
use crate::api::stats::deployments_over_time;
use crate::api::stats::{host_charts, version_spread};
use crate::components::chart::{Chart, ChartView};
use crate::components::form::CARD;
use crate::components::live::{use_live_events, use_metrics_events};
use crate::error::AppError;

/// What a chart's section shows while its resource fails: nothing for a target or application
/// that is gone (the page says so itself), the error otherwise.
fn failure(err: AppError) -> Option<AnyView> {
    (!matches!(err, AppError::NotFound { .. })).then(|| {
        view! { <p role="alert" class="mt-2 text-sm text-red-700">{err.to_string()}</p> }.into_any()
    })
}

/// CPU and memory of a target over the last hour, with the newest sample in words; redrawn
/// each time its agent reports a sample (every 30 seconds), without a reload. Place it in the
/// page's view itself, not in a closure or a `Suspend` (its resource must be made once).
#[component]
pub fn HostCharts(
    /// The target's id; or leave it out and name a deployment.
    #[prop(optional, into)]
    target_id: Signal<String>,
    /// A deployment, whose target's charts to show.
    #[prop(optional, into)]
    deployment_id: Signal<String>,
) -> impl IntoView {
    let live = use_live_events();
    // The target is known at once on its own page, and once the charts arrive on a
    // deployment's page.
    let followed = RwSignal::new(target_id.get_untracked().parse().ok());
    let metrics = use_metrics_events(followed.into());
    let charts = Resource::new(
        move || {
            (
                target_id.get(),
                deployment_id.get(),
                live.get(),
                metrics.get(),
            )
        },
        |(target, deployment, ..)| host_charts(target, deployment),
    );
    // Effects run only in the browser.
    Effect::new(move |_| {
        if let Some(Ok(host)) = charts.get()
            && let Ok(target) = host.target_id.parse()
            && followed.get_untracked() != Some(target)
        {
            followed.set(Some(target));
        }
    });
    view! {
        <section class=CARD id="host-charts" aria-labelledby="host-charts-title">
            <h2 class="text-lg font-semibold" id="host-charts-title">"Host CPU and memory"</h2>
            <Transition fallback=|| view! { <p class="mt-2 text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match charts.await {
                        Ok(host) => match (host.cpu, host.memory) {
                            (Some(cpu), Some(memory)) => view! {
                                <p class="mt-1 text-sm text-slate-600" id="host-summary">{host.summary}</p>
                                <div class="grid gap-4 lg:grid-cols-2">
                                    <Chart chart=cpu id="host-cpu-chart" />
                                    <Chart chart=memory id="host-memory-chart" />
                                </div>
                            }.into_any(),
                            _ => view! {
                                <p class="mt-2 text-sm text-slate-500" id="host-no-metrics">
                                    "No metrics yet: the agent reports every 30 seconds once it is connected."
                                </p>
                            }.into_any(),
                        },
                        Err(err) => failure(err).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// How many live deployments run each version of an application, across the fleet; follows
/// deployments as they change.
#[component]
pub fn VersionSpread(
    /// The application's id.
    #[prop(into)]
    application_id: Signal<String>,
) -> impl IntoView {
    let live = use_live_events();
    let spread = Resource::new(
        move || (application_id.get(), live.get()),
        |(id, _)| version_spread(id),
    );
    view! {
        <section class=CARD id="version-spread" aria-labelledby="version-spread-title">
            <h2 class="text-lg font-semibold" id="version-spread-title">"Versions running across the fleet"</h2>
            <Transition fallback=|| view! { <p class="mt-2 text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match spread.await {
                        Ok(spread) => match spread.chart {
                            Some(chart) => view! { <Chart chart id="version-spread-chart" /> }.into_any(),
                            None => view! {
                                <p class="mt-2 text-sm text-slate-500" id="version-spread-empty">
                                    "No live deployment runs this application yet."
                                </p>
                            }.into_any(),
                        },
                        Err(err) => failure(err).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Deployments created per day over the last 30 days, on every target of the vendor (vendor
/// members only), from `chart`: a resource of [`deployments_over_time`] that the page makes
/// (outside any `Suspense`, so it loads once) and refetches on live events.
#[component]
pub fn DeploymentsOverTime(chart: Resource<Result<ChartView, AppError>>) -> impl IntoView {
    view! {
        <section class=CARD id="deployments-over-time" aria-labelledby="deployments-over-time-title">
            <h2 class="text-lg font-semibold" id="deployments-over-time-title">"Deployments, last 30 days"</h2>
            <Transition fallback=|| view! { <p class="mt-2 text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match chart.await {
                        Ok(chart) => view! { <Chart chart id="deployments-over-time-chart" /> }.into_any(),
                        Err(err) => failure(err).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
