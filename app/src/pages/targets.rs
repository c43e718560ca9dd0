//! `/targets` (vendor portal) and `/portal/targets` (customer portal): deployment targets with
//! their agents' presence and deployments, live; create one (the install command is shown
//! once), rotate its secret, delete it, tell its agent to update itself.

use leptos::form::ActionForm;
use leptos::prelude::*;
use types::list::TargetSort;

use crate::api::targets::{
    CreateTarget, DeleteTarget, IssuedCommand, RotateTargetSecret, TargetRow, TargetsPage,
    UpdateTargetAgent, list_targets,
};
use crate::components::confirm::{BUTTON_DANGER, ConfirmDialog};
use crate::components::form::{
    ActionError, BUTTON, BUTTON_SECONDARY, CARD, FieldError, INPUT, SubmitButton, clear_on_success,
};
use crate::components::frame::Portal;
use crate::components::list::{EmptyList, Pager, SearchBox, SortLinks, use_list_query};
use crate::components::live::use_live_events;
use crate::components::shell::PortalShell;
use crate::components::state_badge::StateBadge;

/// A path in the portal's own tree: `/targets` or `/portal/targets`.
pub fn portal_path(portal: Portal, path: &str) -> String {
    match portal {
        Portal::Vendor => path.to_string(),
        Portal::Customer => format!("/portal{path}"),
    }
}

/// The columns the targets list sorts by.
const SORTS: &[(TargetSort, &str)] = &[
    (TargetSort::Name, "Name"),
    (TargetSort::Customer, "Customer"),
    (TargetSort::LastSeen, "Last seen"),
    (TargetSort::Created, "Created"),
];

/// The vendor portal's targets page.
#[component]
pub fn VendorTargetsPage() -> impl IntoView {
    view! { <TargetsPageView portal=Portal::Vendor /> }
}

/// The customer portal's targets page.
#[component]
pub fn CustomerTargetsPage() -> impl IntoView {
    view! { <TargetsPageView portal=Portal::Customer /> }
}

#[component]
fn TargetsPageView(portal: Portal) -> impl IntoView {
    let create = ServerAction::<CreateTarget>::new();
    let rotate = ServerAction::<RotateTargetSecret>::new();
    let delete = ServerAction::<DeleteTarget>::new();
    let update_agent = ServerAction::<UpdateTargetAgent>::new();
    let live = use_live_events();
    let query = use_list_query::<TargetSort>();
    let page = Resource::new(
        move || {
            (
                query.get(),
                live.get(),
                create.version().get(),
                rotate.version().get(),
                delete.version().get(),
            )
        },
        |(q, ..)| list_targets(q),
    );
    view! {
        <PortalShell portal title="Deployment targets">
            <section class=CARD>
                <h2 class="text-lg font-semibold">"Add a target"</h2>
                <p class="mt-1 text-sm text-slate-500">
                    "A target is one host with Docker. Creating it gives a one-line install command; run it on the host and the agent connects to this hub."
                </p>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        page.await.ok().map(|p| view! { <CreateForm page=p create /> })
                    })}
                </Transition>
                <ActionError action=create id="target-error" inline=&["name"] />
                <Issued action=create />
            </section>
            <Issued action=rotate />
            <ActionError action=rotate id="rotate-error" />
            <ActionError action=delete id="delete-error" />
            <ActionError action=update_agent id="update-agent-error" />
            {move || update_agent.value().get().and_then(Result::ok).map(|_| view! {
                <p id="update-agent-sent" class="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
                    "The agent was told to update itself; it reconnects with the new version in a moment."
                </p>
            })}
            <section class=CARD>
                <div class="flex flex-wrap items-center justify-between gap-3">
                    <h2 class="text-lg font-semibold">"Targets"</h2>
                    <SearchBox query path=portal_path(portal, "/targets") placeholder="Search by target or customer" />
                </div>
                <SortLinks query path=portal_path(portal, "/targets") keys=SORTS />
                <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                    {move || {
                        let path = portal_path(portal, "/targets");
                        Suspend::new(async move {
                            let q = query.get_untracked();
                            match page.await {
                                Ok(p) if p.targets.items.is_empty() => view! {
                                    <EmptyList q=q.q.clone() noun="targets" path id="no-targets"
                                        nothing_yet="No targets yet. Add one above, then run its install command on the host." />
                                }.into_any(),
                                Ok(p) => {
                                    let (total, shown) = (p.targets.total, p.targets.items.len());
                                    view! {
                                        <ul class="mt-2 divide-y divide-slate-100" id="target-list">
                                            {p.targets.items.into_iter().map(|t| view! {
                                                <TargetItem target=t portal can_write=p.can_write rotate delete update_agent />
                                            }).collect_view()}
                                        </ul>
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

#[component]
fn CreateForm(page: TargetsPage, create: ServerAction<CreateTarget>) -> impl IntoView {
    let is_vendor = page.is_vendor;
    let form = NodeRef::new();
    clear_on_success(create, form);
    view! {
        <ActionForm action=create node_ref=form attr:class="mt-4 flex flex-wrap items-start gap-3" attr:id="create-target-form">
            <label class="flex flex-col gap-1 text-sm font-medium">
                "Name"
                <input type="text" name="name" id="target-name" required placeholder="edge-berlin-1" class=INPUT
                    aria-describedby="target-name-error" />
                <FieldError action=create field="name" id="target-name-error" />
            </label>
            {is_vendor.then(|| view! {
                <label class="flex flex-col gap-1 text-sm font-medium">
                    "Customer"
                    <select name="customer" id="target-customer" class=INPUT>
                        {page.customers.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                        <option value="">"None (vendor-managed)"</option>
                    </select>
                </label>
            })}
            {if page.can_write {
                view! { <SubmitButton action=create label="Create target" pending="Creating…" id="create-target" class=format!("mt-6 {BUTTON}") /> }.into_any()
            } else {
                view! { <button type="submit" id="create-target" class=format!("mt-6 {BUTTON}") disabled=true>"Create target"</button> }.into_any()
            }}
        </ActionForm>
    }
}

/// The install command of the action's last success, with a copy button; shown once.
#[component]
fn Issued<S>(action: ServerAction<S>) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Output = IssuedCommand, Error = crate::error::AppError>
        + Clone
        + Send
        + Sync
        + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::ok)
            .map(|issued| view! { <InstallCommand issued /> })
    }
}

#[component]
fn InstallCommand(issued: IssuedCommand) -> impl IntoView {
    let copied = RwSignal::new(false);
    let command = issued.command.clone();
    let copy = move |_| {
        let _ = window().navigator().clipboard().write_text(&command);
        copied.set(true);
    };
    view! {
        <div id="install-command-box" class="mt-4 rounded-md bg-emerald-50 p-4 text-sm ring-1 ring-emerald-200"
            data-target-id=issued.target_id.clone()>
            <p class="font-medium text-emerald-900">{format!("Install command for {}", issued.name)}</p>
            <p class="mt-1 text-emerald-800">"Run it on the host (Linux with docker and curl). The secret in it works once and is shown only now."</p>
            <div class="mt-2 flex gap-2">
                <input id="install-command" readonly value=issued.command.clone()
                    class="flex-1 rounded-md border border-emerald-300 bg-white px-2 py-1 font-mono text-xs" />
                <button type="button" id="copy-install-command" class="rounded-md border border-emerald-300 px-3 py-1 text-xs hover:bg-emerald-100" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
        </div>
    }
}

#[component]
fn TargetItem(
    target: TargetRow,
    portal: Portal,
    can_write: bool,
    rotate: ServerAction<RotateTargetSecret>,
    delete: ServerAction<DeleteTarget>,
    update_agent: ServerAction<UpdateTargetAgent>,
) -> impl IntoView {
    let id = target.id.clone();
    let presence = if target.online { "online" } else { "offline" };
    let deploy = portal_path(portal, &format!("/targets/{}", target.id));
    view! {
        <li class="py-4" data-target=target.name.clone() data-target-id=target.id.clone()>
            <div class="flex flex-wrap items-center justify-between gap-2">
                <div>
                    <span class="font-medium">{target.name.clone()}</span>
                    <span class="ml-2"><StateBadge state=presence /></span>
                    {target.stale.then(|| view! { <span class="ml-2" data-stale="true"><StateBadge state="stale" /></span> })}
                    {target.outdated.then(|| view! {
                        <span class="ml-2 rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-800" data-outdated="true">"agent outdated"</span>
                    })}
                    <p class="text-sm text-slate-500">
                        {format!(
                            "{} · last seen {} · agent {}",
                            target.customer,
                            target.last_seen,
                            if target.agent_version.is_empty() { "not enrolled yet".to_string() } else { target.agent_version.clone() },
                        )}
                    </p>
                </div>
                <div class="flex flex-wrap items-center gap-2">
                    <a href=deploy class=BUTTON_SECONDARY data-deploy-link="true">"Deploy…"</a>
                    {can_write.then(|| {
                        let (a, b, c) = (id.clone(), id.clone(), id.clone());
                        let name = target.name.clone();
                        view! {
                            <ActionForm action=update_agent>
                                <input type="hidden" name="id" value=a />
                                <button type="submit" class=BUTTON_SECONDARY data-update-agent="true" disabled=!target.online>"Update agent"</button>
                            </ActionForm>
                            <ActionForm action=rotate>
                                <input type="hidden" name="id" value=b />
                                <button type="submit" class=BUTTON_SECONDARY data-rotate="true">"New install command"</button>
                            </ActionForm>
                            <ConfirmDialog id=format!("delete-target-{c}") trigger="Delete…" trigger_data="delete"
                                title=format!("Delete the target {name}?")>
                                <p>"Its agent is cut off at once; running applications keep running on the host until you remove them there. This cannot be undone."</p>
                                <ActionForm action=delete>
                                    <input type="hidden" name="id" value=c.clone() />
                                    <button type="submit" class=BUTTON_DANGER data-confirm-delete="true">"Delete target"</button>
                                </ActionForm>
                            </ConfirmDialog>
                        }
                    })}
                </div>
            </div>
            {(!target.deployments.is_empty()).then(|| view! {
                <ul class="mt-2 ml-4 flex flex-col gap-1 text-sm">
                    {target.deployments.into_iter().map(|d| view! {
                        <li data-deployment=d.id.clone()>
                            <a class="text-accent" href=portal_path(portal, &format!("/deployments/{}", d.id))>
                                {format!("{} {}", d.application, d.version)}
                            </a>
                            <span class="ml-2"><StateBadge state=d.state.as_str() /></span>
                            {d.below_minimum.then(|| view! { <span class="ml-2 text-xs text-red-700">"below the required minimum"</span> })}
                            {d.behind_latest.then(|| view! { <span class="ml-2 text-xs text-amber-800">"behind latest"</span> })}
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </li>
    }
}
