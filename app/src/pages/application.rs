//! `/applications/:id`: an application's versions and channels, publishing a version, and
//! which versions the fleet runs (a chart).

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::catalog::{
    ApplicationDetail, ArchiveApplication, ArchiveVersion, PublishVersion, SetChannelMinimum,
    get_application,
};
use crate::components::form::{ActionError, BUTTON_SECONDARY, CARD, INPUT, SubmitButton};
use crate::components::registry::{RegistryNote, VersionImages};
use crate::components::shell::VendorShell;
use crate::components::stats::VersionSpread;

const TEXTAREA: &str = "rounded-md border border-slate-300 px-3 py-2 font-mono text-xs focus:border-slate-600 focus:outline-none";

/// The application page.
#[component]
pub fn ApplicationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let publish = ServerAction::<PublishVersion>::new();
    let archive = ServerAction::<ArchiveVersion>::new();
    let archive_app = ServerAction::<ArchiveApplication>::new();
    let minimum = ServerAction::<SetChannelMinimum>::new();
    let detail = Resource::new(
        move || {
            (
                id(),
                publish.version().get(),
                archive.version().get(),
                archive_app.version().get(),
                minimum.version().get(),
            )
        },
        |(id, ..)| get_application(id),
    );
    view! {
        <VendorShell title="Application">
            <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(detail) => view! {
                            <Detail detail publish archive archive_app minimum />
                        }.into_any(),
                        Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <VersionSpread application_id=Signal::derive(id) />
        </VendorShell>
    }
}

#[component]
fn Detail(
    detail: ApplicationDetail,
    publish: ServerAction<PublishVersion>,
    archive: ServerAction<ArchiveVersion>,
    archive_app: ServerAction<ArchiveApplication>,
    minimum: ServerAction<SetChannelMinimum>,
) -> impl IntoView {
    let app = detail.application.clone();
    let app_id = app.id.clone();
    let publish_app_id = app.id.clone();
    let archive_app_id = app.id.clone();
    let is_docker = app.kind == "docker";
    let versions = detail.versions.clone();
    let registry = detail.registry.clone();
    let note = registry.clone();
    view! {
        <section class=CARD>
            <div class="flex flex-wrap items-center justify-between gap-3">
                <div>
                    <h2 class="text-xl font-semibold" id="application-title">{app.name.clone()}</h2>
                    <p class="text-sm text-slate-500">{format!("{} · created {}", app.kind_label, app.created)}</p>
                </div>
                <ActionForm action=archive_app>
                    <input type="hidden" name="application" value=archive_app_id />
                    <input type="hidden" name="archived" value=(!app.archived).to_string() />
                    <SubmitButton action=archive_app
                        label=if app.archived { "Restore application" } else { "Archive application" }
                        pending=if app.archived { "Restoring…" } else { "Archiving…" }
                        id="archive-application" class=BUTTON_SECONDARY />
                </ActionForm>
            </div>
            {app.archived.then(|| view! {
                <p class="mt-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
                    "Archived: customers no longer see it and cannot deploy it; running installations keep running."
                </p>
            })}
        </section>
        <section class=CARD>
            <h2 class="text-lg font-semibold">"Publish a version"</h2>
            <p class="mt-1 text-sm text-slate-500">"Versions are immutable once published; archive one to withdraw it."</p>
            <ActionForm action=publish attr:class="mt-4 flex flex-col gap-3" attr:id="publish-version-form">
                <input type="hidden" name="application" value=publish_app_id />
                <div class="flex flex-wrap gap-3">
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "Version"
                        <input type="text" name="name" id="version-name" required placeholder="1.0.0" class=INPUT />
                    </label>
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "Channel"
                        <input type="text" name="channel" id="version-channel" value="stable" class=INPUT />
                    </label>
                    <label class="flex flex-1 flex-col gap-1 text-sm font-medium">
                        "Open-application link (optional)"
                        <input type="text" name="link_template" id="version-link" placeholder="https://{{ env.HOSTNAME }}/" class=INPUT />
                    </label>
                </div>
                {if is_docker {
                    view! {
                        <label class="flex flex-col gap-1 text-sm font-medium">
                            "Compose file"
                            <textarea name="compose_file" id="version-compose" rows="10" required class=TEXTAREA
                                placeholder="services:\n  web:\n    image: registry.example.com/shop:1.0.0"></textarea>
                        </label>
                        <label class="flex flex-col gap-1 text-sm font-medium">
                            "Env file template (optional; pre-fills the deployment form)"
                            <textarea name="env_template" id="version-env" rows="4" class=TEXTAREA
                                placeholder="HOSTNAME=shop.example.com\nDB_PASSWORD={{ secrets.DB_PASSWORD }}"></textarea>
                        </label>
                    }.into_any()
                } else {
                    view! {
                        <div class="flex flex-wrap gap-3">
                            <label class="flex flex-1 flex-col gap-1 text-sm font-medium">
                                "Chart repository or OCI reference"
                                <input type="text" name="chart_url" id="version-chart-url" required placeholder="oci://registry.example.com/charts/shop" class=INPUT />
                            </label>
                            <label class="flex flex-col gap-1 text-sm font-medium">
                                "Chart name (repositories only)"
                                <input type="text" name="chart_name" id="version-chart-name" class=INPUT />
                            </label>
                            <label class="flex flex-col gap-1 text-sm font-medium">
                                "Chart version"
                                <input type="text" name="chart_version" id="version-chart-version" required placeholder="1.0.0" class=INPUT />
                            </label>
                        </div>
                        <label class="flex flex-col gap-1 text-sm font-medium">
                            "Base values (optional)"
                            <textarea name="base_values" id="version-values" rows="6" class=TEXTAREA></textarea>
                        </label>
                        <label class="flex flex-col gap-1 text-sm font-medium">
                            "Values template (optional; pre-fills the deployment form)"
                            <textarea name="values_template" id="version-values-template" rows="4" class=TEXTAREA></textarea>
                        </label>
                    }.into_any()
                }}
                <div><SubmitButton action=publish label="Publish version" pending="Publishing…" id="publish-version" /></div>
            </ActionForm>
            <ActionError action=publish id="version-error" />
        </section>
        <section class=CARD>
            <h2 class="text-lg font-semibold">"Versions"</h2>
            {note.map(|registry| view! { <div class="mt-2"><RegistryNote registry /></div> })}
            {if versions.is_empty() {
                view! { <p class="mt-2 text-slate-500" id="no-versions">"No versions yet: publish the first one above."</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-2 divide-y divide-slate-100" id="version-list">
                        {versions.into_iter().map(|v| {
                            let app_id = app_id.clone();
                            let images = registry.clone().map(|registry| view! {
                                <VersionImages images=v.images.clone() registry />
                            });
                            view! {
                                <li class="py-3" data-version=v.name.clone()>
                                    <div class="flex flex-wrap items-center justify-between gap-2">
                                        <div>
                                            <span class="font-medium">{v.name.clone()}</span>
                                            <span class="ml-2 rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-600">{v.channel.clone()}</span>
                                            {v.archived.then(|| view! { <span class="ml-2 text-xs text-amber-700">"archived"</span> })}
                                            <p class="text-sm text-slate-500">{format!("{} · published {}", v.summary, v.created)}</p>
                                        </div>
                                        <ActionForm action=archive>
                                            <input type="hidden" name="application" value=app_id />
                                            <input type="hidden" name="version" value=v.id.clone() />
                                            <input type="hidden" name="archived" value=(!v.archived).to_string() />
                                            <SubmitButton action=archive
                                                label=if v.archived { "Restore" } else { "Archive" }
                                                pending=if v.archived { "Restoring…" } else { "Archiving…" }
                                                class=BUTTON_SECONDARY />
                                        </ActionForm>
                                    </div>
                                    {images}
                                    <details class="mt-2">
                                        <summary class="cursor-pointer text-sm text-accent">"Show content"</summary>
                                        <pre class="mt-2 overflow-x-auto rounded bg-slate-50 p-3 text-xs">{v.content.clone()}</pre>
                                    </details>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <ActionError action=archive id="archive-error" />
        </section>
        <Channels detail minimum />
    }
}

#[component]
fn Channels(detail: ApplicationDetail, minimum: ServerAction<SetChannelMinimum>) -> impl IntoView {
    let app_id = detail.application.id.clone();
    let versions = detail.versions.clone();
    view! {
        <section class=CARD>
            <h2 class="text-lg font-semibold">"Release channels"</h2>
            <p class="mt-1 text-sm text-slate-500">
                "Licenses name the channels a customer follows. A minimum version flags older installations as needing an update."
            </p>
            <ul class="mt-2 divide-y divide-slate-100" id="channel-list">
                {detail.channels.into_iter().map(|c| {
                    let on_channel: Vec<_> = versions.iter().filter(|v| v.channel == c.name).cloned().collect();
                    let current = c.minimum_id.clone();
                    let app_id = app_id.clone();
                    let (name, label, field) = (c.name.clone(), c.name.clone(), c.name.clone());
                    let select_label = format!("Minimum version of {}", c.name);
                    view! {
                        <li class="flex flex-wrap items-center justify-between gap-3 py-3" data-channel=name>
                            <div>
                                <span class="font-medium">{label}</span>
                                <p class="text-sm text-slate-500">
                                    {format!("latest {}", if c.latest.is_empty() { "—".to_string() } else { c.latest.clone() })}
                                    {(!c.minimum.is_empty()).then(|| format!(" · minimum {}", c.minimum))}
                                </p>
                            </div>
                            <ActionForm action=minimum attr:class="flex items-center gap-2">
                                <input type="hidden" name="application" value=app_id />
                                <input type="hidden" name="channel" value=field />
                                <select name="version" aria-label=select_label class="rounded-md border border-slate-400 px-2 py-1 text-sm">
                                    <option value="" selected=current.is_empty()>"No minimum"</option>
                                    {on_channel.into_iter().map(|v| {
                                        let selected = v.id == current;
                                        view! { <option value=v.id.clone() selected=selected>{v.name.clone()}</option> }
                                    }).collect_view()}
                                </select>
                                <SubmitButton action=minimum label="Set minimum" pending="Saving…" class=BUTTON_SECONDARY />
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <ActionError action=minimum id="minimum-error" />
        </section>
    }
}
