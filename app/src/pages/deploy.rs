//! `/targets/:id` and `/portal/targets/:id`: deploy a licensed version to one target. Only what
//! the licenses allow can be chosen; the rest is listed with the reason. The host's CPU and
//! memory are charted above the form, live.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::deployments::{DeployChoices, DeployVersion, deploy_form};
use crate::components::form::{ActionError, BUTTON, CARD, INPUT, textarea_text};
use crate::components::frame::Portal;
use crate::components::live::use_live_events;
use crate::components::shell::PortalShell;
use crate::components::state_badge::StateBadge;
use crate::components::stats::HostCharts;
use crate::pages::targets::portal_path;

/// The vendor portal's deploy page.
#[component]
pub fn VendorDeployPage() -> impl IntoView {
    view! { <DeployPageView portal=Portal::Vendor /> }
}

/// The customer portal's deploy page.
#[component]
pub fn CustomerDeployPage() -> impl IntoView {
    view! { <DeployPageView portal=Portal::Customer /> }
}

#[component]
fn DeployPageView(portal: Portal) -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let deploy = ServerAction::<DeployVersion>::new();
    let live = use_live_events();
    // The form itself is fetched once (a live refetch would reset what the user typed); the
    // target's presence follows the events.
    let form = Resource::new(id, deploy_form);
    let presence = Resource::new(move || (id(), live.get()), |(id, _)| deploy_form(id));
    view! {
        <PortalShell portal title="Deploy">
            <section class=CARD>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        presence.await.ok().map(|f| view! {
                            <p class="text-sm text-slate-600" id="deploy-target">
                                {format!("Target {} ", f.target_name)}
                                <StateBadge state=if f.online { "online" } else { "offline" } />
                            </p>
                        })
                    })}
                </Transition>
                <a href=portal_path(portal, "/targets") class="text-sm text-accent">"Back to the targets"</a>
            </section>
            <HostCharts target_id=Signal::derive(id) />
            <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match form.await {
                        Ok(form) => view! { <Form form deploy /> }.into_any(),
                        Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </PortalShell>
    }
}

#[component]
fn Form(form: DeployChoices, deploy: ServerAction<DeployVersion>) -> impl IntoView {
    let allowed: Vec<_> = form
        .versions
        .iter()
        .filter(|v| v.denied.is_empty())
        .cloned()
        .collect();
    let denied: Vec<_> = form
        .versions
        .iter()
        .filter(|v| !v.denied.is_empty())
        .cloned()
        .collect();
    let first_template = allowed
        .first()
        .map(|v| v.env_template.clone())
        .unwrap_or_default();
    let env_ref = NodeRef::<leptos::html::Textarea>::new();
    let templates: Vec<(String, String)> = allowed
        .iter()
        .map(|v| (v.value.clone(), v.env_template.clone()))
        .collect();
    // Choosing another version pre-fills its env template (with JavaScript).
    let on_change = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        if let (Some(area), Some((_, template))) =
            (env_ref.get(), templates.iter().find(|(v, _)| *v == chosen))
        {
            area.set_value(template);
        }
    };
    let nothing = allowed.is_empty();
    view! {
        <section class=CARD>
            <h2 class="text-lg font-semibold">"Deploy a version"</h2>
            {nothing.then(|| view! {
                <p class="mt-2 text-sm text-amber-800" id="nothing-deployable">
                    "Nothing can be deployed to this target now: it needs a license for a Docker Compose application (see below why versions are refused)."
                </p>
            })}
            <ActionForm action=deploy attr:class="mt-4 flex flex-col gap-3" attr:id="deploy-form">
                <input type="hidden" name="target" value=form.target_id.clone() />
                <label class="flex flex-col gap-1 text-sm font-medium">
                    "Version"
                    <select name="version" id="deploy-version" class=INPUT on:change=on_change>
                        {allowed.into_iter().map(|v| {
                            let mut label = format!("{} {} ({})", v.application, v.name, v.channel);
                            if v.below_minimum { label.push_str(" — below the required minimum"); }
                            if v.behind_latest { label.push_str(" — behind latest"); }
                            view! { <option value=v.value.clone() data-version=v.name.clone()>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="flex flex-col gap-1 text-sm font-medium">
                    "Environment (KEY=VALUE per line)"
                    <textarea name="env" id="deploy-env" rows="6" node_ref=env_ref
                        class="rounded-md border border-slate-300 px-3 py-2 font-mono text-xs">{textarea_text(first_template)}</textarea>
                    <span class="text-xs font-normal text-slate-500">
                        "Pre-filled from the version's template. Reference a secret as "<code>"{{ secrets.NAME }}"</code>
                        " (its value is filled in on the host and never shown), another line as "<code>"{{ env.NAME }}"</code>"."
                    </span>
                </label>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="logs" id="deploy-logs" value="on" />
                    "Collect container logs (shown on the deployment's page)"
                </label>
                <label class="flex flex-col gap-1 text-sm font-medium">
                    "When a container is stopped or removed by hand"
                    <select name="drift" id="deploy-drift" class=INPUT>
                        <option value="repair" selected>"Bring it back (the agent repairs drift)"</option>
                        <option value="report">"Only report it"</option>
                    </select>
                </label>
                <p class="text-xs text-slate-500" id="deploy-help">
                    "Logs are collected only when this box is ticked. The deployment turns "<code>"healthy"</code>
                    " only when its compose file gives its services a "<code>"healthcheck:"</code>
                    "; without one it stays "<code>"running"</code>" once its containers are up."
                </p>
                <div><button type="submit" id="deploy" class=BUTTON disabled=nothing>"Deploy"</button></div>
            </ActionForm>
            <ActionError action=deploy id="deploy-error" />
            {(!denied.is_empty()).then(|| view! {
                <div class="mt-4" id="denied-versions">
                    <h3 class="text-sm font-semibold">"Not deployable now"</h3>
                    <ul class="mt-1 text-sm">
                        {denied.into_iter().map(|v| view! {
                            <li data-version=v.name.clone()>
                                {format!("{} {} ({}): ", v.application, v.name, v.channel)}
                                <span class="text-amber-800" data-reason="true">{v.denied.clone()}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
        </section>
    }
}
