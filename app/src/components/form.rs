//! Small form pieces with consistent styling.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::error::AppError;

/// Classes of a text input.
pub const INPUT: &str = "rounded-md border border-slate-300 px-3 py-2 font-normal focus:border-indigo-500 focus:outline-none";
/// Classes of a primary button.
pub const BUTTON: &str = "rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50";
/// Classes of a secondary button.
pub const BUTTON_SECONDARY: &str =
    "rounded-md border border-slate-300 px-3 py-1 text-sm text-slate-700 hover:bg-slate-100";
/// Classes of a card.
pub const CARD: &str = "w-full rounded-xl bg-white p-6 shadow-md ring-1 ring-slate-200";

/// The initial content of a `<textarea>`. Leptos escapes the text of every element but this one
/// (the browser reads a textarea's content as raw text up to the first `</textarea`), so on the
/// server it is escaped here; in the browser it becomes a DOM text node and stays as it is.
pub fn textarea_text(text: String) -> String {
    #[cfg(feature = "ssr")]
    let text = service::html::escape(&text).into_owned();
    text
}

/// Shows the error of an action's last result, if it failed; `id` lets tests find it.
#[component]
pub fn ActionError<S>(action: ServerAction<S>, #[prop(into)] id: String) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action.value().get().and_then(Result::err).map(|err| {
            view! {
                <p id=id.clone() role="alert" class="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
                    {err.to_string()}
                </p>
            }
        })
    }
}

/// A `<select>` of the three roles.
#[component]
pub fn RoleSelect(
    #[prop(into)] selected: String,
    #[prop(optional, into)] id: String,
) -> impl IntoView {
    let option = move |value: &'static str, label: &'static str| {
        view! { <option value=value selected=selected == value>{label}</option> }
    };
    view! {
        <select name="role" id=id class="rounded-md border border-slate-300 px-2 py-1 text-sm">
            {option("admin", "Admin")}
            {option("read_write", "Read & write")}
            {option("read_only", "Read only")}
        </select>
    }
}
