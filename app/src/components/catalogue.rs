//! The customer portal's catalogue: licensed applications, their versions, and why any of them
//! cannot be deployed.

use leptos::prelude::*;

use crate::api::licenses::customer_catalog;
use crate::components::form::CARD;
use crate::pages::licenses::LicenseRow;

/// The signed-in customer's catalogue.
#[component]
pub fn Catalogue() -> impl IntoView {
    let page = Resource::new(|| (), |_| customer_catalog());
    view! {
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) if page.entries.is_empty() => view! {
                        <section class=format!("{CARD} max-w-3xl") id="catalogue">
                            <h2 class="text-lg font-semibold">"Your applications"</h2>
                            <p class="mt-2 text-slate-500">"No licenses yet: your vendor grants them."</p>
                        </section>
                    }.into_any(),
                    Ok(page) => view! {
                        <section class=format!("{CARD} max-w-3xl") id="catalogue">
                            <h2 class="text-lg font-semibold">"Your applications"</h2>
                            {page.entries.into_iter().map(|e| view! {
                                <article class="mt-4 rounded-lg border border-slate-200 p-4" data-application=e.application.clone()>
                                    <h3 class="font-semibold">{e.application.clone()}<span class="ml-2 text-sm font-normal text-slate-500">{e.kind_label.clone()}</span></h3>
                                    {(!e.blocked.is_empty()).then(|| view! {
                                        <p role="alert" class="mt-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800" data-blocked="true">
                                            {format!("New deployments and updates are blocked: {}. Running installations keep running; ask your vendor to renew the license.", e.blocked)}
                                        </p>
                                    })}
                                    <ul class="mt-2 divide-y divide-slate-100">
                                        {e.versions.into_iter().map(|v| view! {
                                            <li class="flex flex-wrap items-center justify-between gap-2 py-2" data-version=v.name.clone()>
                                                <span>
                                                    <span class="font-medium">{v.name.clone()}</span>
                                                    <span class="ml-2 rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-600">{v.channel.clone()}</span>
                                                    {v.requires_update.then(|| view! { <span class="ml-2 rounded bg-red-50 px-2 py-0.5 text-xs text-red-700" data-requires-update="true">"below the required minimum: update"</span> })}
                                                </span>
                                                {if v.blocked.is_empty() {
                                                    view! { <span class="text-xs text-emerald-700">"deployable"</span> }.into_any()
                                                } else {
                                                    view! { <span class="text-xs text-amber-800" data-reason="true">{v.blocked.clone()}</span> }.into_any()
                                                }}
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                    <ul class="mt-2">
                                        {e.licenses.into_iter().map(|l| view! { <LicenseRow license=l /> }).collect_view()}
                                    </ul>
                                </article>
                            }).collect_view()}
                            <p class="mt-4 text-xs text-slate-500">"License files are signed by the hub; its public key: "<code id="portal-public-key">{page.public_key}</code></p>
                        </section>
                    }.into_any(),
                    Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
