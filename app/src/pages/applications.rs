//! `/applications`: the vendor's applications, and creating one.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::catalog::{CreateApplication, list_applications};
use crate::components::form::{
    ActionError, BUTTON, CARD, FieldError, INPUT, Saved, SubmitButton, clear_on_success,
};
use crate::components::shell::VendorShell;

/// The applications page.
#[component]
pub fn ApplicationsPage() -> impl IntoView {
    let create = ServerAction::<CreateApplication>::new();
    let form = NodeRef::new();
    clear_on_success(create, form);
    let apps = Resource::new(move || create.version().get(), |_| list_applications());
    view! {
        <VendorShell title="Applications">
            <section class=CARD>
                <ActionForm action=create node_ref=form attr:class="flex flex-wrap items-start gap-3" attr:id="create-application-form">
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "New application"
                        <input type="text" name="name" id="application-name" required placeholder="Shop" class=INPUT
                            aria-describedby="application-name-error" />
                        <FieldError action=create field="name" id="application-name-error" />
                    </label>
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "Packaged as"
                        <select name="kind" id="application-kind" class=INPUT>
                            <option value="docker" selected>"Docker Compose"</option>
                            <option value="kubernetes">"Helm chart"</option>
                        </select>
                    </label>
                    <SubmitButton action=create label="Create application" pending="Creating…" id="create-application" class=format!("mt-6 {BUTTON}") />
                </ActionForm>
                <ActionError action=create id="application-error" inline=&["name"] />
                <Saved action=create message="Application created. Open it below to publish its first version." id="application-created" />
            </section>
            <section class=CARD>
                <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match apps.await {
                            Ok(list) if list.is_empty() => view! {
                                <p class="text-slate-500">"No applications yet: create the first one above, then publish a version."</p>
                            }.into_any(),
                            Ok(list) => view! {
                                <ul class="divide-y divide-slate-100" id="application-list">
                                    {list.into_iter().map(|a| view! {
                                        <li class="flex items-center justify-between py-3">
                                            <a href=format!("/applications/{}", a.id) class="font-medium text-accent">{a.name}</a>
                                            <span class="text-sm text-slate-500">
                                                {a.kind_label}
                                                {a.archived.then_some(" · archived")}
                                            </span>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </VendorShell>
    }
}
