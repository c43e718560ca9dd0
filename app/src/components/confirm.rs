//! A confirmation dialog for destructive actions, on the HTML popover API: the trigger button
//! opens it and Cancel or Escape closes it with no script at all, so it works before hydration
//! and without JavaScript; the browser moves focus into it and back.

use leptos::prelude::*;

/// Classes of a destructive button.
pub const BUTTON_DANGER: &str = "rounded-md bg-red-700 px-4 py-2 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-50";
/// Classes of a button that opens a destructive action's dialog.
pub const BUTTON_DANGER_OUTLINE: &str =
    "rounded-md border border-red-300 px-3 py-1 text-sm text-red-700 hover:bg-red-50";

/// A button that opens a dialog titled `title`, holding `children` (the explanation and the
/// form whose submit button confirms) and a Cancel button.
#[component]
pub fn ConfirmDialog(
    /// The dialog's element id, unique on the page.
    #[prop(into)]
    id: String,
    /// What the trigger button says.
    #[prop(into)]
    trigger: String,
    /// Classes of the trigger button.
    #[prop(optional, into)]
    trigger_class: Option<String>,
    /// The trigger's `data-open-dialog` value, for tests and scripts.
    #[prop(optional, into)]
    trigger_data: Option<&'static str>,
    /// The trigger's element id, if it needs one.
    #[prop(optional, into)]
    trigger_id: Option<String>,
    /// The dialog's heading, a question ("Delete target edge-1?").
    #[prop(into)]
    title: String,
    children: Children,
) -> impl IntoView {
    let title_id = format!("{id}-title");
    view! {
        <button type="button" popovertarget=id.clone() id=trigger_id
            class=trigger_class.unwrap_or_else(|| BUTTON_DANGER_OUTLINE.to_string())
            data-open-dialog=trigger_data.unwrap_or("true")>
            {trigger}
        </button>
        <div popover="auto" id=id.clone() role="dialog" aria-modal="true" aria-labelledby=title_id.clone()
            class="confirm-dialog w-[min(28rem,calc(100vw-2rem))] rounded-xl bg-white p-6 text-left shadow-xl ring-1 ring-slate-200">
            <h2 id=title_id.clone() class="text-lg font-semibold">{title}</h2>
            <div class="mt-2 flex flex-col gap-3 text-sm text-slate-700">{children()}</div>
            <div class="mt-4 flex justify-end">
                <button type="button" popovertarget=id.clone() popovertargetaction="hide"
                    class="rounded-md border border-slate-300 px-3 py-1 text-sm text-slate-700 hover:bg-slate-100">"Cancel"</button>
            </div>
        </div>
    }
}
