//! `/fleet`: the vendor's fleet, live — a page of targets grouped by customer (online, offline,
//! stale), what each runs, and who is behind the newest version of its channel; the customers
//! without targets named above.

use leptos::prelude::*;

use types::list::FleetSort;

use crate::api::fleet::{FleetGroup, fleet_overview};
use crate::components::form::CARD;
use crate::components::list::{EmptyList, Pager, SearchBox, SortLinks, use_list_query};
use crate::components::live::use_live_events;
use crate::components::shell::VendorShell;
use crate::components::state_badge::StateBadge;

/// The columns the fleet sorts by.
const SORTS: &[(FleetSort, &str)] = &[
    (FleetSort::Customer, "Customer"),
    (FleetSort::Name, "Target"),
    (FleetSort::LastSeen, "Last seen"),
];

/// The fleet overview: a page of 50 targets, by customer by default (a customer with many
/// targets goes on over the next pages), searchable by target or customer name.
#[component]
pub fn FleetPage() -> impl IntoView {
    let live = use_live_events();
    let query = use_list_query::<FleetSort>();
    let fleet = Resource::new(
        move || (query.get(), live.get()),
        |(q, _)| fleet_overview(q),
    );
    view! {
        <VendorShell title="Fleet">
            <div class="flex flex-wrap items-center justify-between gap-3">
                <SearchBox query path="/fleet" placeholder="Search by target or customer" />
                <SortLinks query path="/fleet" keys=SORTS />
            </div>
            <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let q = query.get_untracked();
                    match fleet.await {
                        Ok(page) => {
                            let shown = page.groups.items.iter().map(|g| g.targets.len()).sum();
                            let total = page.groups.total;
                            let idle = page.without_targets;
                            view! {
                                {(!idle.is_empty() && q.q.is_empty()).then(|| view! {
                                    <p class="text-sm text-slate-600" id="fleet-without-targets">
                                        {format!("Customers without targets ({}): {}", idle.len(), idle.join(", "))}
                                    </p>
                                })}
                                {if page.groups.items.is_empty() {
                                    view! {
                                        <EmptyList q=q.q.clone() noun="targets" path="/fleet" id="fleet-empty"
                                            nothing_yet="No targets yet. Add one on the targets page, then run its install command on the host." />
                                    }.into_any()
                                } else {
                                    view! {
                                        <div class="flex flex-col gap-6" id="fleet">
                                            {page.groups.items.into_iter().map(|g| view! { <Group g /> }).collect_view()}
                                        </div>
                                        <Pager query=q total shown path="/fleet" />
                                    }.into_any()
                                }}
                            }.into_any()
                        }
                        Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </VendorShell>
    }
}

#[component]
fn Group(g: FleetGroup) -> impl IntoView {
    let offline = g.targets.iter().filter(|t| !t.online).count();
    let behind = g
        .targets
        .iter()
        .flat_map(|t| &t.deployments)
        .filter(|d| d.behind_latest)
        .count();
    view! {
        <section class=CARD data-customer=g.customer.clone()>
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h2 class="text-lg font-semibold">{g.customer.clone()}</h2>
                <p class="text-sm text-slate-500">
                    {format!("{} target(s) on this page · {} offline · {} deployment(s) behind latest", g.targets.len(), offline, behind)}
                </p>
            </div>
            {if g.targets.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-500">"No targets."</p> }.into_any()
            } else {
                view! {
                    <table class="mt-3 w-full text-left text-sm">
                        <thead class="text-slate-500">
                            <tr><th class="py-1">"Target"</th><th>"Agent"</th><th>"Application"</th><th>"State"</th></tr>
                        </thead>
                        <tbody class="divide-y divide-slate-100">
                            {g.targets.into_iter().map(|t| {
                                let presence = if t.online { "online" } else { "offline" };
                                let runs = if t.deployments.is_empty() {
                                    view! { <span class="text-slate-600">"nothing deployed"</span> }.into_any()
                                } else {
                                    t.deployments.into_iter().map(|d| view! {
                                        <div data-deployment=d.id.clone()>
                                            <a class="text-accent" href=format!("/deployments/{}", d.id)>{format!("{} {}", d.application, d.version)}</a>
                                            " "<StateBadge state=d.state.as_str() />
                                            {d.below_minimum.then(|| view! { <span class="ml-1 text-xs text-red-700">"below the required minimum"</span> })}
                                            {d.behind_latest.then(|| view! { <span class="ml-1 text-xs text-amber-800" data-behind-latest="true">"behind latest"</span> })}
                                        </div>
                                    }).collect_view().into_any()
                                };
                                view! {
                                    <tr data-target=t.name.clone()>
                                        <td class="py-2 align-top">
                                            <span class="font-medium">{t.name.clone()}</span>" "
                                            <StateBadge state=presence />
                                            {t.stale.then(|| view! { " "<StateBadge state="stale" /> })}
                                            <div class="text-xs text-slate-500">{format!("last seen {}", t.last_seen)}</div>
                                        </td>
                                        <td class="align-top text-xs">
                                            {if t.agent_version.is_empty() { "not enrolled".to_string() } else { t.agent_version.clone() }}
                                            {t.outdated.then(|| view! { <span class="ml-1 text-amber-800">"outdated"</span> })}
                                        </td>
                                        <td class="align-top" colspan="2">{runs}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
