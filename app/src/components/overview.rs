//! The overviews' building blocks: number tiles, what needs attention, deployments by state,
//! recent status changes and lists of deployments.

use leptos::prelude::*;
use types::protocol::ShownState;

use super::form::{CARD, LINK};
use super::state_badge::StateBadge;
use crate::api::overview::{
    AttentionLine, CustomerOverviewView, DeploymentLine, EventLine, VendorOverviewView,
};

/// A number with its label, linking to the list behind it.
#[component]
pub fn Tile(
    #[prop(into)] label: String,
    value: usize,
    #[prop(into)] href: String,
    #[prop(into)] id: String,
    /// A word under the number, e.g. "3 waiting to enrol".
    #[prop(optional, into)]
    note: String,
    /// Marks the tile as a warning when the number is not zero.
    #[prop(optional)]
    warn: bool,
) -> impl IntoView {
    let tone = if warn && value > 0 {
        "text-red-700"
    } else {
        "text-slate-900"
    };
    view! {
        <a href=href id=id class="block rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 hover:ring-slate-400">
            <span class="block text-sm text-slate-600">{label}</span>
            <span class=format!("mt-1 block text-3xl font-semibold tabular-nums {tone}") data-value=value>{value}</span>
            {(!note.is_empty()).then(|| view! { <span class="mt-1 block text-xs text-slate-600">{note}</span> })}
        </a>
    }
}

/// The vendor's overview body.
#[component]
pub fn VendorSummary(o: VendorOverviewView) -> impl IntoView {
    let live: usize = o.by_state.iter().map(|(_, n)| n).sum();
    let waiting_note = waiting_note(o.targets.waiting);
    view! {
        <div class="grid grid-cols-2 gap-4 md:grid-cols-3 xl:grid-cols-6" id="overview-tiles">
            <Tile label="Customers" value=o.customers href="/customers" id="tile-customers" />
            <Tile label="Targets online" value=o.targets.online href="/targets" id="tile-online" />
            <Tile label="Targets offline" value=o.targets.offline href="/targets" id="tile-offline" warn=true
                note=waiting_note.clone() />
            <Tile label="Deployments" value=live href="/deployments" id="tile-deployments" />
            <Tile label="Behind latest" value=o.behind_total href="/fleet" id="tile-behind" warn=true />
            <Tile label="Licenses ending" value=o.expiring.len() href="/licenses" id="tile-expiring" warn=true note="within 30 days" />
        </div>
        <Attention lines=o.attention total=o.attention_total />
        <div class="grid gap-6 lg:grid-cols-2">
            <ByState states=o.by_state total=live href="/deployments" />
            <Recent events=o.recent />
        </div>
        <div class="grid gap-6 lg:grid-cols-2">
            <section class=CARD id="behind">
                <h2 class="text-lg font-semibold">"Behind the latest version"</h2>
                {if o.behind.is_empty() {
                    view! { <p class="mt-2 text-sm text-slate-600">"Every installation runs the newest version of its channel."</p> }.into_any()
                } else {
                    view! { <Deployments lines=o.behind limit=8 total=o.behind_total more_href="/fleet" /> }.into_any()
                }}
            </section>
            <section class=CARD id="expiring">
                <h2 class="text-lg font-semibold">"Licenses ending soon"</h2>
                {if o.expiring.is_empty() {
                    view! { <p class="mt-2 text-sm text-slate-600">"No license ends in the next 30 days."</p> }.into_any()
                } else {
                    view! {
                        <ul class="mt-2 divide-y divide-slate-100 text-sm">
                            {o.expiring.into_iter().map(|l| view! {
                                <li class="flex items-center justify-between gap-3 py-2">
                                    <span><span class="font-medium">{l.name}</span>" · "{l.customer}</span>
                                    <span class="text-slate-600">{format!("ends {}", l.expires)}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                        <a href="/licenses" class=format!("mt-2 inline-block text-sm {LINK}")>"All licenses"</a>
                    }.into_any()
                }}
            </section>
        </div>
    }
}

/// A customer's overview body.
#[component]
pub fn CustomerSummary(o: CustomerOverviewView) -> impl IntoView {
    let updates = o.updates();
    let waiting_note = waiting_note(o.targets.waiting);
    view! {
        <div class="grid grid-cols-2 gap-4 md:grid-cols-4" id="overview-tiles">
            <Tile label="Deployments" value=o.deployments.len() href="/portal/deployments" id="tile-deployments" />
            <Tile label="Updates available" value=updates.len() href="/portal/deployments" id="tile-updates" />
            <Tile label="Targets online" value=o.targets.online href="/portal/targets" id="tile-online" />
            <Tile label="Targets offline" value=o.targets.offline href="/portal/targets" id="tile-offline" warn=true
                note=waiting_note.clone() />
        </div>
        {(!updates.is_empty()).then(|| view! {
            <section class=CARD id="updates">
                <h2 class="text-lg font-semibold">"Updates available"</h2>
                <Deployments lines=updates limit=8 more_href="/portal/deployments" />
            </section>
        })}
        <div class="grid gap-6 lg:grid-cols-2">
            <section class=CARD id="my-deployments">
                <h2 class="text-lg font-semibold">"Your deployments"</h2>
                {if o.deployments.is_empty() {
                    view! {
                        <p class="mt-2 text-sm text-slate-600">
                            "Nothing is deployed yet. Add a target on the "
                            <a href="/portal/targets" class=LINK>"Targets"</a>
                            " page, run its install command on your host, then deploy an application to it."
                        </p>
                    }.into_any()
                } else {
                    view! { <Deployments lines=o.deployments limit=8 more_href="/portal/deployments" /> }.into_any()
                }}
            </section>
            <Recent events=o.recent />
        </div>
    }
}

/// "3 waiting to enrol", or nothing.
fn waiting_note(waiting: usize) -> String {
    if waiting > 0 {
        format!("{waiting} waiting to enrol")
    } else {
        String::new()
    }
}

#[component]
fn Attention(lines: Vec<AttentionLine>, total: usize) -> impl IntoView {
    let more = total.saturating_sub(lines.len());
    view! {
        <section class=CARD id="attention">
            <h2 class="text-lg font-semibold">"Needs attention"</h2>
            {if lines.is_empty() {
                view! {
                    <p class="mt-2 flex items-center gap-2 text-sm text-emerald-800" id="all-fine">
                        <span aria-hidden="true">"✓"</span>
                        "Everything is fine: no failing deployment, silent target or license about to end."
                    </p>
                }.into_any()
            } else {
                view! {
                    <ul class="mt-2 divide-y divide-slate-100 text-sm" id="attention-list">
                        {lines.into_iter().map(|a| {
                            let badge = match a.kind.as_str() {
                                "error" => "error",
                                "stale" => "stale",
                                "minimum" => "outdated",
                                _ => "license",
                            };
                            view! {
                                <li class="flex items-center gap-3 py-2" data-kind=a.kind.clone()>
                                    <StateBadge state=badge />
                                    <a href=a.href class="min-w-0 flex-1 truncate hover:underline">{a.text}</a>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {(more > 0).then(|| view! {
                        <p class="mt-2 text-sm text-slate-600">
                            {format!("and {more} more: see ")}
                            <a href="/deployments" class=LINK>"deployments"</a>" and "<a href="/fleet" class=LINK>"the fleet"</a>
                        </p>
                    })}
                }.into_any()
            }}
        </section>
    }
}

/// Live deployments by state, as a proportional bar and a legend.
#[component]
fn ByState(
    states: Vec<(ShownState, usize)>,
    total: usize,
    #[prop(into)] href: String,
) -> impl IntoView {
    view! {
        <section class=CARD id="by-state">
            <h2 class="text-lg font-semibold">"Deployments by state"</h2>
            {if total == 0 {
                view! { <p class="mt-2 text-sm text-slate-600">"No deployments yet."</p> }.into_any()
            } else {
                view! {
                    <div class="mt-3 flex h-3 w-full overflow-hidden rounded-full bg-slate-100" aria-hidden="true">
                        {states.iter().map(|(state, n)| view! {
                            <span class=format!("state-fill-{}", state.as_str()) style=format!("width: {:.2}%", *n as f64 * 100.0 / total as f64)></span>
                        }).collect_view()}
                    </div>
                    <ul class="mt-3 flex flex-wrap gap-3 text-sm">
                        {states.into_iter().map(|(state, n)| view! {
                            <li class="flex items-center gap-2" data-state=state.as_str()>
                                <StateBadge state=state.as_str() />
                                <span class="tabular-nums">{n}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                    <a href=href class=format!("mt-3 inline-block text-sm {LINK}")>"All deployments"</a>
                }.into_any()
            }}
        </section>
    }
}

/// The newest status changes.
#[component]
fn Recent(events: Vec<EventLine>) -> impl IntoView {
    view! {
        <section class=CARD id="recent">
            <h2 class="text-lg font-semibold">"Recent events"</h2>
            {if events.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600">"Agents report status changes here once something is deployed."</p> }.into_any()
            } else {
                view! {
                    <ol class="mt-2 divide-y divide-slate-100 text-sm">
                        {events.into_iter().map(|e| view! {
                            <li class="flex items-start gap-3 py-2">
                                <StateBadge state=e.state.as_str() />
                                <span class="min-w-0 flex-1">
                                    <a href=e.href class="font-medium hover:underline">{e.subject}</a>
                                    <span class="block truncate text-xs text-slate-600">{e.message}</span>
                                </span>
                                <time class="shrink-0 text-xs text-slate-600">{e.at}</time>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

/// A short list of deployments, with a link to all when there are more.
#[component]
fn Deployments(
    lines: Vec<DeploymentLine>,
    limit: usize,
    /// How many there are in all, when `lines` holds only the first ones.
    #[prop(optional)]
    total: Option<usize>,
    #[prop(into)] more_href: String,
) -> impl IntoView {
    let more = total
        .unwrap_or(lines.len())
        .saturating_sub(limit.min(lines.len()));
    view! {
        <ul class="mt-2 divide-y divide-slate-100 text-sm">
            {lines.into_iter().take(limit).map(|d| {
                let owner = d.customer.clone().map(|c| format!(" · {c}")).unwrap_or_default();
                view! {
                    <li class="flex items-center gap-3 py-2">
                        <StateBadge state=d.state.as_str() />
                        <a href=d.href class="min-w-0 flex-1 truncate hover:underline">
                            <span class="font-medium">{d.application}</span>
                            {format!(" {} on {}{owner}", d.version, d.target)}
                        </a>
                        {d.latest.map(|l| view! { <span class="shrink-0 text-xs text-slate-600">{format!("{l} available")}</span> })}
                    </li>
                }
            }).collect_view()}
        </ul>
        {(more > 0).then(|| view! { <a href=more_href class=format!("mt-2 inline-block text-sm {LINK}")>{format!("{more} more")}</a> })}
    }
}
