//! `/deployments/:id` and `/portal/deployments/:id`: one deployment, live — its state, version,
//! status history and logs, the "open application" link — with its actions: update to another
//! licensed version, force restart, undeploy (optionally deleting its data). Its target's CPU
//! and memory are charted under the overview, live.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use types::protocol::{DeploymentState, ShownState};

use crate::api::deployments::{
    DeploymentView, RestartDeployment, UndeployDeployment, UpdateDeployment, VersionOption,
    deployment_page, deployment_versions,
};
use crate::components::confirm::{BUTTON_DANGER, ConfirmDialog};
use crate::components::form::{ActionError, BUTTON, BUTTON_SECONDARY, CARD, INPUT, SubmitButton};
use crate::components::frame::Portal;
use crate::components::live::use_live_events;
use crate::components::shell::PortalShell;
use crate::components::state_badge::StateBadge;
use crate::components::stats::HostCharts;
use crate::pages::targets::portal_path;

/// The vendor portal's deployment page.
#[component]
pub fn VendorDeploymentPage() -> impl IntoView {
    view! { <DeploymentPageView portal=Portal::Vendor /> }
}

/// The customer portal's deployment page.
#[component]
pub fn CustomerDeploymentPage() -> impl IntoView {
    view! { <DeploymentPageView portal=Portal::Customer /> }
}

#[component]
fn DeploymentPageView(portal: Portal) -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let update = ServerAction::<UpdateDeployment>::new();
    let restart = ServerAction::<RestartDeployment>::new();
    let undeploy = ServerAction::<UndeployDeployment>::new();
    let live = use_live_events();
    let page = Resource::new(
        move || {
            (
                id(),
                live.get(),
                update.version().get(),
                restart.version().get(),
                undeploy.version().get(),
            )
        },
        |(id, ..)| deployment_page(id),
    );
    // The actions' choices change only with the deployment's version, not with every status.
    let versions = Resource::new(
        move || (id(), update.version().get(), undeploy.version().get()),
        |(id, ..)| deployment_versions(id),
    );

    view! {
        <PortalShell portal title="Deployment">
            <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(d) => view! { <Overview d portal /> }.into_any(),
                        Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <HostCharts deployment_id=Signal::derive(id) />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let c = versions.await.ok()?;
                    c.changeable.then(|| view! {
                        <Actions id=c.id current=c.current options=c.options update restart undeploy />
                    })
                })}
            </Suspense>
            <ActionError action=update id="update-error" />
            <ActionError action=restart id="restart-error" />
            <ActionError action=undeploy id="undeploy-error" />
        </PortalShell>
    }
}

#[component]
fn Overview(d: DeploymentView, portal: Portal) -> impl IntoView {
    view! {
        <section class=CARD id="deployment" data-state=d.state.as_str()>
            <div class="flex flex-wrap items-center justify-between gap-2">
                <h2 class="text-xl font-semibold">
                    <span id="deployment-application">{d.application.clone()}</span>" "
                    <span id="deployment-version">{d.version.clone()}</span>
                    <span class="ml-3 align-middle"><StateBadge state=d.state.as_str() id="deployment-state" /></span>
                </h2>
                {d.link.clone().map(|link| view! {
                    <a href=link rel="external noopener" target="_blank" id="open-application" class=BUTTON>"Open application"</a>
                })}
            </div>
            <p class="mt-1 text-sm text-slate-600" id="deployment-message">{d.message.clone()}</p>
            <dl class="mt-4 grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-4">
                <dt class="text-slate-500">"Target"</dt>
                <dd>
                    <a href=portal_path(portal, "/targets") class="text-accent">{d.target_name.clone()}</a>" "
                    <span id="target-presence"><StateBadge state=if d.target_online { "online" } else { "offline" } /></span>
                </dd>
                <dt class="text-slate-500">"Channel"</dt>
                <dd>{d.channel.clone()}</dd>
                <dt class="text-slate-500">"Revision"</dt>
                <dd class="font-mono" id="deployment-revision">{format!("{} (restart {})", d.revision, d.restart_generation)}</dd>
                <dt class="text-slate-500">"Project on the host"</dt>
                <dd class="font-mono" id="deployment-project">{d.project.clone()}</dd>
            </dl>
            {d.below_minimum.then(|| view! {
                <p class="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-below-minimum="true">
                    "This version is below the required minimum of its channel: update it."
                </p>
            })}
            {d.latest.clone().map(|latest| view! {
                <p class="mt-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800" data-behind-latest="true">
                    {format!("Behind latest: {latest} is available on this channel.")}
                </p>
            })}
            {(d.state == ShownState::Reported(DeploymentState::Running)).then(|| view! {
                <p class="mt-3 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700" id="no-healthcheck">
                    "Its containers are up, but none of its services has a "<code>"healthcheck:"</code>
                    " in the compose file, so it shows "<code>"running"</code>", never "<code>"healthy"</code>
                    ". Publish a version whose compose file defines one to see the application's health here."
                </p>
            })}
            {(!d.logs_enabled && !d.undeployed).then(|| view! {
                <p class="mt-3 text-sm text-slate-500" id="logs-off">
                    "Container logs are not collected for this deployment: tick \"Collect container logs\" when deploying (or set "<code>"logsEnabled"</code>" through the REST API)."
                </p>
            })}
            {(!d.undeployed).then(|| view! {
                <p class="mt-3 text-sm text-slate-500" id="drift-policy">
                    {if d.repair_drift {
                        "A container stopped or removed by hand is brought back by the agent (drift repair); each repair shows in the history."
                    } else {
                        "A container stopped or removed by hand is only reported: use Force restart to bring it back."
                    }}
                </p>
            })}
            {d.undeployed.then(|| view! {
                <p class="mt-3 text-sm text-slate-600" id="undeployed">"Undeployed: its containers are gone from the host."</p>
            })}
        </section>
        <section class=CARD>
            <h2 class="text-lg font-semibold">"Status history"</h2>
            {if d.history.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-500">"Nothing reported yet: the agent reports as soon as it starts the deployment."</p> }.into_any()
            } else {
                view! {
                    <ol class="mt-2 divide-y divide-slate-100 text-sm" id="status-history">
                        {d.history.into_iter().map(|s| { let state = s.state.as_str(); view! {
                            <li class="flex flex-wrap items-center gap-2 py-1" data-state=state>
                                <span class="w-48 font-mono text-xs text-slate-500">{s.at}</span>
                                <StateBadge state=state />
                                <span class="font-mono text-xs text-slate-600">{s.revision}</span>
                                <span class="text-slate-600">{s.message}</span>
                                {s.repeated.map(|r| view! {
                                    <span class="text-xs text-slate-500" data-role="repeats">{r}</span>
                                })}
                            </li>
                        }}).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
        {d.logs_enabled.then(|| view! {
            <section class=CARD>
                <h2 class="text-lg font-semibold">"Logs"</h2>
                <pre class="mt-2 max-h-96 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100" id="deployment-logs">
                    {d.logs.join("\n")}
                </pre>
            </section>
        })}
    }
}

#[component]
fn Actions(
    id: String,
    current: String,
    options: Vec<VersionOption>,
    update: ServerAction<UpdateDeployment>,
    restart: ServerAction<RestartDeployment>,
    undeploy: ServerAction<UndeployDeployment>,
) -> impl IntoView {
    let choices: Vec<_> = options
        .iter()
        .filter(|v| v.denied.is_empty() && v.name != current)
        .cloned()
        .collect();
    let denied: Vec<_> = options
        .into_iter()
        .filter(|v| !v.denied.is_empty())
        .collect();
    let (a, b, c) = (id.clone(), id.clone(), id);
    view! {
        <section class=CARD id="deployment-actions">
            <h2 class="text-lg font-semibold">"Change it"</h2>
            <div class="mt-3 flex flex-col gap-4">
                <details>
                    <summary class="cursor-pointer text-sm font-medium" id="update-open">"Update to another version…"</summary>
                    {if choices.is_empty() {
                        view! { <p class="mt-2 text-sm text-slate-500">"No other version can be deployed now."</p> }.into_any()
                    } else {
                        view! {
                            <ActionForm action=update attr:class="mt-2 flex flex-wrap items-end gap-2">
                                <input type="hidden" name="id" value=a />
                                <select name="version" id="update-version" class=INPUT>
                                    {choices.into_iter().map(|v| {
                                        let mut label = format!("{} ({})", v.name, v.channel);
                                        if v.below_minimum { label.push_str(" — below the required minimum"); }
                                        if v.behind_latest { label.push_str(" — behind latest"); }
                                        view! { <option value=v.value.clone() data-version=v.name.clone()>{label}</option> }
                                    }).collect_view()}
                                </select>
                                <SubmitButton action=update label="Confirm update" pending="Updating…" id="update" />
                            </ActionForm>
                        }.into_any()
                    }}
                    {(!denied.is_empty()).then(|| view! {
                        <ul class="mt-2 text-xs text-amber-800">
                            {denied.into_iter().map(|v| view! { <li>{format!("{}: {}", v.name, v.denied)}</li> }).collect_view()}
                        </ul>
                    })}
                </details>
                <div class="flex flex-wrap gap-3">
                    // Built again after each run of its action, which closes the dialog.
                    {move || {
                        restart.version().get();
                        let id = b.clone();
                        view! {
                            <ConfirmDialog id="restart-dialog" trigger="Force restart…" trigger_id="restart-open"
                                trigger_class=BUTTON_SECONDARY title="Force a restart?">
                                <p>"Every container of this deployment is recreated; the application is briefly unavailable."</p>
                                <ActionForm action=restart>
                                    <input type="hidden" name="id" value=id />
                                    <SubmitButton action=restart label="Restart now" pending="Restarting…" id="restart" />
                                </ActionForm>
                            </ConfirmDialog>
                        }
                    }}
                    {move || {
                        undeploy.version().get();
                        let id = c.clone();
                        view! {
                            <ConfirmDialog id="undeploy-dialog" trigger="Undeploy…" trigger_id="undeploy-open"
                                title="Undeploy this application?">
                                <ActionForm action=undeploy attr:class="flex flex-col gap-3">
                                    <input type="hidden" name="id" value=id />
                                    <p>"The containers are stopped and removed from the host. Its volumes stay unless you tick the box."</p>
                                    <label class="flex items-center gap-2">
                                        <input type="checkbox" name="delete_data" id="undeploy-delete-data" value="on" />
                                        "Also delete its data (volumes)"
                                    </label>
                                    <div><button type="submit" id="undeploy" class=BUTTON_DANGER>"Undeploy"</button></div>
                                </ActionForm>
                            </ConfirmDialog>
                        }
                    }}
                </div>
            </div>
        </section>
    }
}
