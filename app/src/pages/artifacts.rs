//! `/artifacts`: the vendor's registry artifacts (tags, sizes, digests, download counts and
//! copyable pull commands) and its artifact licenses; and [`CustomerArtifacts`], the part of
//! the customer portal listing what the customer's licenses grant.

use leptos::form::ActionForm;
use leptos::prelude::*;

use types::list::ArtifactSort;

use crate::api::artifacts::{
    ArtifactView, CreateArtifactLicense, RevokeArtifactLicense, list_artifact_licenses,
    list_artifacts, page_artifacts,
};
use crate::api::customers::list_customers;
use crate::components::confirm::{BUTTON_DANGER, ConfirmDialog};
use crate::components::form::{ActionError, BUTTON_SECONDARY, CARD, INPUT, SubmitButton};
use crate::components::list::{EmptyList, Pager, SearchBox, SortLinks, use_list_query};
use crate::components::registry::RegistryCard;
use crate::components::shell::VendorShell;
use crate::components::upstreams::Upstreams;

/// The vendor's artifacts page.
#[component]
pub fn ArtifactsPage() -> impl IntoView {
    view! {
        <VendorShell title="Artifacts">
            <RegistryCard />
            <ArtifactList path="/artifacts" empty="Nothing pushed yet: log in with `docker login <hub> -u <you> -p <access token>` and push to <your-slug>/<name>." />
            <Licenses />
            <Upstreams />
        </VendorShell>
    }
}

/// The artifacts a signed-in customer is licensed for.
#[component]
pub fn CustomerArtifacts() -> impl IntoView {
    view! {
        <div class="flex w-full max-w-3xl flex-col gap-6" id="portal-artifacts">
            <ArtifactList path="/portal" empty="No artifacts are licensed to your organization yet." />
        </div>
    }
}

/// The columns the artifacts list sorts by.
const SORTS: &[(ArtifactSort, &str)] = &[
    (ArtifactSort::Name, "Name"),
    (ArtifactSort::Created, "First pushed"),
];

/// A page of the artifacts, searchable by name; `path` is the page it is on (its links keep
/// to it).
#[component]
fn ArtifactList(path: &'static str, empty: &'static str) -> AnyView {
    let query = use_list_query::<ArtifactSort>();
    let artifacts = Resource::new(move || query.get(), page_artifacts);
    view! {
        <section class=CARD>
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h2 class="text-lg font-semibold">"Registry artifacts"</h2>
                <SearchBox query path placeholder="Search by name" />
            </div>
            <SortLinks query path keys=SORTS />
            <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let q = query.get_untracked();
                    match artifacts.await {
                        Ok(list) if list.items.is_empty() => view! {
                            <EmptyList q=q.q.clone() noun="artifacts" path id="no-artifacts" nothing_yet=empty />
                        }.into_any(),
                        Ok(list) => {
                            let (total, shown) = (list.total, list.items.len());
                            view! {
                                <div class="mt-3 flex flex-col gap-6" id="artifact-list">
                                    {list.items.into_iter().map(|a| view! { <Artifact artifact=a /> }).collect_view()}
                                </div>
                                <Pager query=q total shown path />
                            }.into_any()
                        }
                        Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn Artifact(artifact: ArtifactView) -> impl IntoView {
    view! {
        <article class="border-t border-slate-100 pt-4" data-repository=artifact.repository.clone()>
            <div class="flex items-baseline justify-between">
                <h3 class="font-mono text-base font-semibold">{artifact.repository.clone()}</h3>
                <span class="text-sm text-slate-500">{format!("{} downloads", artifact.pulls)}</span>
            </div>
            <div class="mt-2 flex flex-col gap-1">
                {artifact.commands.into_iter().map(|c| view! { <Command text=c /> }).collect_view()}
            </div>
            <table class="mt-3 w-full text-left text-sm">
                <thead class="text-slate-500">
                    <tr><th class="py-1">"Tag"</th><th>"Size"</th><th>"Digest"</th><th>"Pushed"</th></tr>
                </thead>
                <tbody>
                    {artifact.tags.into_iter().map(|t| {
                        let tag = t.name.clone();
                        view! {
                        <tr class="border-t border-slate-100" data-tag=tag>
                            <td class="py-1 font-medium">{t.name}</td>
                            <td class="text-slate-600">{t.size}</td>
                            <td class="font-mono text-xs text-slate-500" title=t.digest.clone()>{t.digest.chars().take(19).collect::<String>()}"…"</td>
                            <td class="text-slate-500">{t.updated}</td>
                        </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </article>
    }
}

/// A command in a read-only field with a copy button.
#[component]
fn Command(text: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let value = text.clone();
    let copy = move |_| {
        let _ = window().navigator().clipboard().write_text(&value);
        copied.set(true);
    };
    view! {
        <div class="flex gap-2">
            <input readonly value=text aria-label="Command" class="flex-1 rounded-md border border-slate-200 bg-slate-50 px-2 py-1 font-mono text-xs" />
            <button type="button" class=BUTTON_SECONDARY on:click=copy>
                {move || if copied.get() { "Copied" } else { "Copy" }}
            </button>
        </div>
    }
}

#[component]
fn Licenses() -> impl IntoView {
    let create = ServerAction::<CreateArtifactLicense>::new();
    let revoke = ServerAction::<RevokeArtifactLicense>::new();
    let licenses = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_artifact_licenses(),
    );
    let choices = Resource::new(
        || (),
        |_| async { (list_customers().await, list_artifacts().await) },
    );
    view! {
        <section class=CARD>
            <h2 class="text-lg font-semibold">"Artifact licenses"</h2>
            <p class="mt-1 text-sm text-slate-600">
                "A license lets one customer pull an artifact: every version, or one tag, until an optional date."
            </p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let (customers, artifacts) = choices.await;
                    let customers = customers.unwrap_or_default();
                    let artifacts = artifacts.unwrap_or_default();
                    view! {
                        <ActionForm action=create attr:class="mt-3 flex flex-wrap items-end gap-3" attr:id="create-artifact-license-form">
                            <label class="flex flex-col gap-1 text-sm font-medium">"Name"
                                <input type="text" name="name" required maxlength="100" class=INPUT />
                            </label>
                            <label class="flex flex-col gap-1 text-sm font-medium">"Customer"
                                <select name="customer" class=INPUT>
                                    {customers.into_iter().map(|c| view! { <option value=c.id>{c.name}</option> }).collect_view()}
                                </select>
                            </label>
                            <label class="flex flex-col gap-1 text-sm font-medium">"Artifact"
                                <select name="artifact" class=INPUT>
                                    {artifacts.into_iter().map(|a| view! { <option value=a.id>{a.repository}</option> }).collect_view()}
                                </select>
                            </label>
                            <label class="flex flex-col gap-1 text-sm font-medium">"Tag (empty: all)"
                                <input type="text" name="tag" class=INPUT />
                            </label>
                            <label class="flex flex-col gap-1 text-sm font-medium">"Expires on"
                                <input type="date" name="expires_on" class=INPUT />
                            </label>
                            <SubmitButton action=create label="Grant" pending="Granting…" />
                        </ActionForm>
                    }
                })}
            </Suspense>
            <ActionError action=create id="artifact-license-error" />
            <ActionError action=revoke id="revoke-artifact-license-error" />
            <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match licenses.await {
                        Ok(list) if list.is_empty() => view! { <p class="mt-3 text-slate-500">"No artifact licenses yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="mt-3 w-full text-left text-sm" id="artifact-licenses">
                                <thead class="text-slate-500">
                                    <tr><th class="py-1">"Name"</th><th>"Grants"</th><th>"Expires"</th><th>"Status"</th><th></th></tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|l| {
                                        let active = l.status == "active";
                                        let id = l.id.clone();
                                        let key = l.name.clone();
                                        let key2 = l.name.clone();
                                        view! {
                                            <tr class="border-t border-slate-100" data-license=key>
                                                <td class="py-2 font-medium">{l.name}</td>
                                                <td class="font-mono text-xs">{l.grants.join(", ")}</td>
                                                <td class="text-slate-500">{l.expires}</td>
                                                <td class="text-slate-500">{l.status}</td>
                                                <td class="text-right">
                                                    {active.then(|| view! {
                                                        <ConfirmDialog id=format!("revoke-artifact-license-{id}") trigger="Revoke"
                                                            title=format!("Revoke the artifact license {key2}?")>
                                                            <p>"The customer and its agents can no longer pull what it granted. This cannot be undone."</p>
                                                            <ActionForm action=revoke>
                                                                <input type="hidden" name="id" value=id.clone() />
                                                                <button type="submit" class=BUTTON_DANGER data-confirm="revoke-artifact-license">"Revoke license"</button>
                                                            </ActionForm>
                                                        </ConfirmDialog>
                                                    })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
