//! `/branding`: the vendor edits the customer portal's look, with a live preview.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::branding::{BrandingView, SaveBranding, my_branding, preview_markdown};
use crate::components::form::{ActionError, CARD, INPUT, SubmitButton, textarea_text};
use crate::components::shell::VendorShell;

/// The branding page.
#[component]
pub fn BrandingPage() -> impl IntoView {
    view! {
        <VendorShell title="Branding">
            <BrandingLoader />
        </VendorShell>
    }
}

#[component]
fn BrandingLoader() -> impl IntoView {
    let branding = Resource::new(|| (), |_| my_branding());
    view! {
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match branding.await {
                    Ok(initial) => view! { <BrandingEditor initial /> }.into_any(),
                    Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BrandingEditor(initial: BrandingView) -> impl IntoView {
    let save = ServerAction::<SaveBranding>::new();
    let title = RwSignal::new(initial.title.clone());
    let color = RwSignal::new(initial.primary_color.clone());
    let markdown = RwSignal::new(initial.home_markdown.clone());
    let host = RwSignal::new(initial.custom_host.clone());
    let first_html = initial.home_html.clone();
    // The preview renders markdown on the server, exactly as the portal will; it runs in the
    // browser only (the server-rendered page shows the saved home page).
    // (An action, not a resource: a resource would hold the page's <Suspense> open.)
    let rendered = Action::new(|md: &String| preview_markdown(md.clone()));
    let query = use_query_map();
    let logo_message = move || {
        let q = query.read();
        if let Some(err) = q.get("logo_error") {
            Some(view! { <p id="logo-error" role="alert" class="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{err}</p> }.into_any())
        } else {
            q.get("logo").map(|_| {
                view! { <p id="logo-saved" class="text-sm text-emerald-700">"Logo saved."</p> }
                    .into_any()
            })
        }
    };
    let saved = move || {
        save.value().get().and_then(Result::ok).map(|_| view! { <p id="branding-saved" class="text-sm text-emerald-700">"Branding saved."</p> })
    };
    view! {
        <div class="grid gap-6 md:grid-cols-2">
            <section class=CARD>
                <ActionForm action=save attr:class="flex flex-col gap-4" attr:id="branding-form">
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "Portal title"
                        <input type="text" name="title" id="branding-title" required class=INPUT
                            prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                    </label>
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "Primary colour"
                        <div class="flex items-center gap-2">
                            <input type="color" id="branding-color-picker" class="h-10 w-14 rounded-md border border-slate-300"
                                prop:value=move || color.get() on:input=move |ev| color.set(event_target_value(&ev)) />
                            <input type="text" name="primary_color" id="branding-color" required class=INPUT
                                prop:value=move || color.get() on:input=move |ev| color.set(event_target_value(&ev)) />
                        </div>
                    </label>
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "Home page (Markdown)"
                        <textarea name="home_markdown" id="branding-markdown" rows="8" class=INPUT
                            prop:value=move || markdown.get() on:input=move |ev| {
                                let md = event_target_value(&ev);
                                rendered.dispatch(md.clone());
                                markdown.set(md);
                            }>
                            {textarea_text(initial.home_markdown.clone())}
                        </textarea>
                    </label>
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "Your own host name for the customer portal (optional)"
                        <input type="text" name="custom_host" id="branding-host" placeholder="portal.example.com" class=INPUT
                            prop:value=move || host.get() on:input=move |ev| host.set(event_target_value(&ev)) />
                    </label>
                    <ActionError action=save id="branding-error" />
                    {saved}
                    <SubmitButton action=save label="Save branding" pending="Saving…" id="branding-save" />
                </ActionForm>
                <form method="post" action="/branding/logo" enctype="multipart/form-data" class="mt-6 flex flex-col gap-2" id="logo-form">
                    <label class="text-sm font-medium" for="logo-file">"Logo (PNG, JPEG or WebP, at most 256 KB)"</label>
                    <input type="file" name="logo" id="logo-file" accept="image/png,image/jpeg,image/webp" required class="text-sm" />
                    <button type="submit" id="logo-upload" class="self-start rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100">"Upload logo"</button>
                    {logo_message}
                </form>
                <super::custom_host::CustomHostProof saved=save.version() />
            </section>
            <section class="rounded-xl bg-white shadow-md ring-1 ring-slate-200 overflow-hidden" id="branding-preview">
                // The same readable pair the portal will use (`types::accent`), as the colour changes.
                <div class="px-6 py-4 flex items-center gap-3" style=move || {
                    let accent = types::accent::Accent::of(&color.get(), "#0d9488");
                    format!("background-color: {}; color: {}", accent.background, accent.on_background)
                }>
                    {initial.logo_url.clone().map(|url| view! { <img src=url alt="" class="h-8 w-8 rounded-md bg-white object-contain" /> })}
                    <span class="text-lg font-semibold" id="preview-title">{move || title.get()}</span>
                </div>
                <div class="prose p-6 text-sm">
                    {move || {
                        let html = match rendered.value().get() {
                            Some(Ok(html)) => html,
                            // Only the server's sanitised markdown goes in as HTML; an error is text.
                            Some(Err(err)) => return view! { <div id="preview-home"><p>{err.to_string()}</p></div> }.into_any(),
                            None => first_html.clone(),
                        };
                        view! { <div id="preview-home" inner_html=html></div> }.into_any()
                    }}
                </div>
            </section>
        </div>
    }
}
