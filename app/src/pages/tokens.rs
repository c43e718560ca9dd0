//! `/tokens`: the signed-in person's personal access tokens for the REST API — creating one
//! (its secret shown once), the list, and revoking.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::tokens::{CreateToken, RevokeToken, list_tokens, take_created_token};
use crate::components::confirm::{BUTTON_DANGER, ConfirmDialog};
use crate::components::form::{
    ActionError, BUTTON, CARD, FieldError, INPUT, LINK, SubmitButton, clear_on_success,
};
use crate::components::shell::VendorShell;
use crate::error::AppError;

/// The access tokens page.
#[component]
pub fn TokensPage() -> impl IntoView {
    // A token created without JavaScript comes back once, in a cookie this call clears. It is
    // created here, before anything renders, and blocking, so the response waits for it and
    // the cleared cookie still makes the headers.
    let flashed = Resource::new_blocking(|| (), |_| take_created_token());
    view! {
        <VendorShell title="Access tokens">
            <TokenManager flashed />
        </VendorShell>
    }
}

#[component]
fn TokenManager(flashed: Resource<Result<Option<String>, AppError>>) -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let form = NodeRef::new();
    clear_on_success(create, form);
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    // Created with JavaScript: the action's answer carries the secret.
    let fresh_secret = move || {
        create
            .value()
            .get()
            .and_then(Result::ok)
            .map(|created| view! { <NewSecret secret=created.secret /> })
    };
    // Created without JavaScript: the secret came back in the cookie. Read synchronously, not
    // awaited in a `Suspend`: the shell's <Suspense> still waits for it, and no extra chunk is
    // streamed out of order (a <template> only a script can show).
    let flashed_secret = move || {
        if create.value().with(Option::is_some) {
            return None;
        }
        flashed
            .get()
            .and_then(Result::ok)
            .flatten()
            .map(|secret| view! { <NewSecret secret /> })
    };
    let list = move || {
        Suspend::new(async move {
            match tokens.await {
                Ok(list) if list.is_empty() => view! {
                    <p class="text-slate-500" id="no-tokens">"No access tokens yet: create one above."</p>
                }
                .into_any(),
                Ok(list) => view! {
                    <table class="w-full text-left text-sm" id="tokens">
                        <thead class="text-slate-500">
                            <tr>
                                <th class="py-1">"Label"</th>
                                <th>"Created"</th>
                                <th>"Expires"</th>
                                <th>"Last used"</th>
                                <th></th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|t| {
                                let active = t.status == "active";
                                let status = t.status.clone();
                                let id = t.id.clone();
                                let label = t.label.clone();
                                view! {
                                    <tr class="border-t border-slate-100" data-token-id=t.id.clone() data-status=status>
                                        <td class="py-2 font-medium">{t.label}</td>
                                        <td class="text-slate-500">{t.created}</td>
                                        <td class="text-slate-500">{t.expires}</td>
                                        <td class="text-slate-500">{t.last_used}</td>
                                        <td class="py-2 text-right">
                                            {if active {
                                                view! {
                                                    <ConfirmDialog id=format!("revoke-token-{id}") trigger="Revoke"
                                                        title=format!("Revoke the token {}?", label)>
                                                        <p>"Scripts and tools using it are refused from now on. This cannot be undone."</p>
                                                        <ActionForm action=revoke>
                                                            <input type="hidden" name="id" value=id />
                                                            <button type="submit" class=BUTTON_DANGER data-confirm="revoke-token">"Revoke token"</button>
                                                        </ActionForm>
                                                    </ConfirmDialog>
                                                }
                                                .into_any()
                                            } else {
                                                view! {
                                                    <span class="rounded-md bg-slate-100 px-2 py-1 text-xs text-slate-600">{t.status}</span>
                                                }
                                                .into_any()
                                            }}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }
                .into_any(),
                Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
            }
        })
    };
    view! {
        <section class=CARD>
            <h2 class="text-lg font-semibold">"New access token"</h2>
            <p class="mt-1 text-sm text-slate-600">
                "A token lets scripts and CI call the REST API as you, in this organization, with your role. "
                "Send it as " <code class="font-mono text-xs">"Authorization: Bearer <token>"</code> "."
            </p>
            <p class="mt-1 text-sm text-slate-600">"The API reference: " <a href="/api/v1/docs" id="api-docs-link" rel="external" class=LINK>"/api/v1/docs"</a> " (OpenAPI document at " <code class="font-mono text-xs">"/api/v1/openapi.json"</code> ")."</p>
            <ActionForm action=create node_ref=form attr:class="mt-3 flex flex-wrap items-start gap-3" attr:id="create-token-form">
                <label class="flex flex-col gap-1 text-sm font-medium">
                    "Label"
                    <input type="text" name="label" id="token-label" required maxlength="100" placeholder="CI deploys" class=INPUT aria-describedby="token-label-error" />
                    <FieldError action=create field="label" id="token-label-error" />
                </label>
                <label class="flex flex-col gap-1 text-sm font-medium">
                    "Expires"
                    <select name="expires_in_days" id="token-expiry" class=INPUT>
                        <option value="7">"in 7 days"</option>
                        <option value="30" selected>"in 30 days"</option>
                        <option value="90">"in 90 days"</option>
                        <option value="365">"in 1 year"</option>
                        <option value="">"never"</option>
                    </select>
                </label>
                <SubmitButton action=create label="Create token" pending="Creating…" id="token-create" class=format!("mt-6 {BUTTON}") />
            </ActionForm>
            <ActionError action=create id="token-error" inline=&["label"] />
            {fresh_secret}
            {flashed_secret}
        </section>
        <section class=CARD>
            <h2 class="text-lg font-semibold">"Your tokens"</h2>
            <ActionError action=revoke id="revoke-token-error" />
            <div class="mt-3">
                <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>{list}</Transition>
            </div>
        </section>
    }
}

/// A new token's secret with a copy button; it is never shown again.
#[component]
fn NewSecret(secret: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = secret.clone();
    let copy = move |_| {
        let clipboard = window().navigator().clipboard();
        let _ = clipboard.write_text(&text);
        copied.set(true);
    };
    view! {
        <div id="new-token" class="mt-4 rounded-md bg-emerald-50 p-4 text-sm ring-1 ring-emerald-200">
            <p class="font-medium text-emerald-900">"Your new access token"</p>
            <div class="mt-2 flex gap-2">
                <input
                    id="token-secret"
                    readonly
                    value=secret
                    class="flex-1 rounded-md border border-emerald-300 bg-white px-2 py-1 font-mono text-xs"
                />
                <button type="button" id="copy-token" class="rounded-md border border-emerald-300 px-3 py-1 text-xs hover:bg-emerald-100" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
            <p class="mt-1 text-xs text-emerald-800">"Copy it now: it is shown only once"</p>
        </div>
    }
}
