//! `/deployments` (vendor portal) and `/portal/deployments` (customer portal): every deployment
//! with its target, customer, application, version and state, searchable, sortable and paged,
//! each linking to its own page.

use leptos::prelude::*;
use types::list::DeploymentSort;

use crate::api::deployment_list::{DeploymentListRow, list_deployments};
use crate::components::form::CARD;
use crate::components::frame::Portal;
use crate::components::list::{EmptyList, Pager, SearchBox, SortHeader, use_list_query};
use crate::components::live::use_live_events;
use crate::components::shell::PortalShell;
use crate::components::state_badge::StateBadge;
use crate::pages::targets::portal_path;

/// The vendor portal's deployments page.
#[component]
pub fn VendorDeploymentsPage() -> impl IntoView {
    view! { <DeploymentsPageView portal=Portal::Vendor /> }
}

/// The customer portal's deployments page.
#[component]
pub fn CustomerDeploymentsPage() -> impl IntoView {
    view! { <DeploymentsPageView portal=Portal::Customer /> }
}

#[component]
fn DeploymentsPageView(portal: Portal) -> impl IntoView {
    let live = use_live_events();
    let query = use_list_query::<DeploymentSort>();
    let page = Resource::new(
        move || (query.get(), live.get()),
        |(q, _)| list_deployments(q),
    );
    view! {
        <PortalShell portal title="Deployments">
            <section class=CARD>
                <div class="flex flex-wrap items-center justify-between gap-3">
                    <h2 class="text-lg font-semibold">"Deployments"</h2>
                    <SearchBox query path=portal_path(portal, "/deployments") placeholder="Search by target, customer or application" />
                </div>
                <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                    {move || {
                        let path = portal_path(portal, "/deployments");
                        Suspend::new(async move {
                            let q = query.get_untracked();
                            match page.await {
                                Ok(p) if p.items.is_empty() => view! {
                                    <EmptyList q=q.q.clone() noun="deployments" path id="no-deployments"
                                        nothing_yet=nothing_yet(portal) />
                                }.into_any(),
                                Ok(p) => {
                                    let (total, shown) = (p.total, p.items.len());
                                    let h = path.clone();
                                    view! {
                                        <table class="mt-3 w-full text-left text-sm" id="deployment-list">
                                            <thead class="text-slate-500">
                                                <tr>
                                                    <SortHeader query path=h.clone() key=DeploymentSort::Target label="Target" />
                                                    {(portal == Portal::Vendor).then(|| view! {
                                                        <SortHeader query path=h.clone() key=DeploymentSort::Customer label="Customer" />
                                                    })}
                                                    <SortHeader query path=h.clone() key=DeploymentSort::Application label="Application" />
                                                    <th scope="col" class="py-2 pr-3 font-medium">"Version"</th>
                                                    <th scope="col" class="py-2 pr-3 font-medium">"State"</th>
                                                    <SortHeader query path=h key=DeploymentSort::Updated label="Updated" />
                                                </tr>
                                            </thead>
                                            <tbody class="divide-y divide-slate-100">
                                                {p.items.into_iter().map(|d| view! { <Row d portal /> }).collect_view()}
                                            </tbody>
                                        </table>
                                        <Pager query=q total shown path />
                                    }.into_any()
                                }
                                Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                            }
                        })
                    }}
                </Transition>
            </section>
        </PortalShell>
    }
}

fn nothing_yet(portal: Portal) -> &'static str {
    match portal {
        Portal::Vendor => {
            "No deployments yet. Open a target on the targets page and deploy an application to it."
        }
        Portal::Customer => {
            "No deployments yet. Open one of your targets and deploy an application from your catalogue."
        }
    }
}

#[component]
fn Row(d: DeploymentListRow, portal: Portal) -> impl IntoView {
    view! {
        <tr data-deployment=d.id.clone() data-target=d.target.clone()>
            <td class="py-2 pr-3">
                <a class="font-medium text-accent" href=portal_path(portal, &format!("/deployments/{}", d.id))>{d.target.clone()}</a>
            </td>
            {(portal == Portal::Vendor).then(|| view! { <td class="py-2 pr-3">{d.customer.clone()}</td> })}
            <td class="py-2 pr-3" data-application="true">{d.application.clone()}</td>
            <td class="py-2 pr-3">
                {d.version.clone()}
                {d.below_minimum.then(|| view! { <span class="ml-1 text-xs text-red-700">"below the required minimum"</span> })}
                {d.behind_latest.then(|| view! { <span class="ml-1 text-xs text-amber-800">"behind latest"</span> })}
            </td>
            <td class="py-2 pr-3"><StateBadge state=d.state.as_str() /></td>
            <td class="py-2 text-xs text-slate-500">{d.updated.clone()}</td>
        </tr>
    }
}
