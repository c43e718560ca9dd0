//! A freshly issued link with a copy button (the link is shown once).

use leptos::prelude::*;

use crate::api::invitations::IssuedView;

/// Shows where an invitation went and its link, copyable.
#[component]
pub fn IssuedLink(issued: IssuedView) -> impl IntoView {
    let copied = RwSignal::new(false);
    let link = issued.link.clone();
    let copy = move |_| {
        let clipboard = window().navigator().clipboard();
        let _ = clipboard.write_text(&link);
        copied.set(true);
    };
    view! {
        <div id="issued-invitation" class="mt-4 rounded-md bg-emerald-50 p-4 text-sm ring-1 ring-emerald-200">
            <p class="font-medium text-emerald-900">
                {if issued.emailed {
                    format!("Invitation emailed to {}.", issued.email)
                } else {
                    format!("Invitation created for {}.", issued.email)
                }}
            </p>
            {issued.mail_problem.map(|p| view! { <p class="mt-1 text-emerald-800">{p}</p> })}
            <div class="mt-2 flex gap-2">
                <input
                    id="invitation-link"
                    readonly
                    value=issued.link.clone()
                    class="flex-1 rounded-md border border-emerald-300 bg-white px-2 py-1 font-mono text-xs"
                />
                <button type="button" id="copy-link" class="rounded-md border border-emerald-300 px-3 py-1 text-xs hover:bg-emerald-100" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy link" }}
                </button>
            </div>
            <p class="mt-1 text-xs text-emerald-800">"The link works once. It is shown only now."</p>
        </div>
    }
}
