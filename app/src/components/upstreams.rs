//! The artifacts page's "Upstream repositories" section: artifacts that pull through from
//! another registry, a form to link one and a confirmed unlink.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::upstreams::{LinkUpstream, UnlinkUpstream, list_upstreams};
use crate::components::confirm::{BUTTON_DANGER, ConfirmDialog};
use crate::components::form::{
    ActionError, BUTTON, CARD, FieldError, INPUT, Saved, SubmitButton, clear_on_success,
};

/// The vendor's upstream repositories and the form that links one.
#[component]
pub fn Upstreams() -> impl IntoView {
    let link = ServerAction::<LinkUpstream>::new();
    let unlink = ServerAction::<UnlinkUpstream>::new();
    let form = NodeRef::new();
    clear_on_success(link, form);
    let upstreams = Resource::new(
        move || (link.version().get(), unlink.version().get()),
        |_| list_upstreams(),
    );
    let field = move |label: &'static str,
                      name: &'static str,
                      kind: &'static str,
                      hint: &'static str| {
        let error = format!("upstream-{name}-error");
        view! {
            <label class="flex flex-col gap-1 text-sm font-medium">{label}
                <input type=kind name=name id=format!("upstream-{name}") placeholder=hint class=INPUT
                    required=matches!(name, "artifact" | "url" | "repository")
                    autocomplete=if kind == "password" { "new-password" } else { "off" }
                    aria-describedby=error.clone() />
                <FieldError action=link field=name id=error />
            </label>
        }
    };
    view! {
        <section class=CARD id="upstreams">
            <h2 class="text-lg font-semibold">"Upstream repositories"</h2>
            <p class="mt-1 text-sm text-slate-600">
                "Images kept in another registry: link an artifact to the repository there, and customers and their agents pull it through this hub, with the same licenses and audit. The hub keeps what it fetched, so it still serves it when the upstream is down."
            </p>
            <ActionForm action=link node_ref=form attr:class="mt-3 grid gap-3 sm:grid-cols-2" attr:id="link-upstream-form">
                {field("Artifact", "artifact", "text", "web")}
                {field("Upstream registry", "url", "url", "https://registry.example.com")}
                {field("Repository there", "repository", "text", "acme/web")}
                {field("User name (optional)", "username", "text", "")}
                {field("Password or token (optional)", "password", "password", "")}
                <div class="flex items-end">
                    <SubmitButton action=link label="Link upstream" pending="Linking…" id="link-upstream" class=BUTTON />
                </div>
            </ActionForm>
            <ActionError action=link id="upstream-error" inline=&["artifact", "url", "repository", "username"] />
            <ActionError action=unlink id="unlink-upstream-error" />
            <Saved action=link message="Linked. Pull it from this hub as any other artifact; grant it to customers with an artifact license." id="upstream-linked" />
            <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match upstreams.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="mt-3 text-slate-500" id="no-upstreams">"No artifact pulls through from an upstream yet."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <table class="mt-3 w-full text-left text-sm" id="upstream-list">
                                <thead class="text-slate-500">
                                    <tr><th class="py-1">"Artifact"</th><th>"Pulls through from"</th><th>"Signs in as"</th><th></th></tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|u| {
                                        let artifact = u.artifact.clone();
                                        let key = u.artifact.clone();
                                        let dialog = format!("unlink-upstream-{}", artifact.replace('/', "-"));
                                        let title = format!("Unlink {artifact} from its upstream?");
                                        let signs_in = match (&u.username, u.has_password) {
                                            (Some(user), true) => format!("{user} (password kept)"),
                                            (Some(user), false) => user.clone(),
                                            (None, _) => "anonymous".to_string(),
                                        };
                                        view! {
                                            <tr class="border-t border-slate-100" data-upstream=key>
                                                <td class="py-2 font-mono">{u.artifact}</td>
                                                <td class="font-mono text-xs">{format!("{}/{}", u.url, u.repository)}</td>
                                                <td class="text-slate-600">{signs_in}</td>
                                                <td class="text-right">
                                                    <ConfirmDialog id=dialog trigger="Unlink" title=title>
                                                        <p>"Pulls are served from what the hub already fetched; anything else is no longer found. Link it again at any time."</p>
                                                        <ActionForm action=unlink>
                                                            <input type="hidden" name="artifact" value=artifact.clone() />
                                                            <button type="submit" class=BUTTON_DANGER data-confirm="unlink-upstream">"Unlink"</button>
                                                        </ActionForm>
                                                    </ConfirmDialog>
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
