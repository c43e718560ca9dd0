//! Small form pieces with consistent styling.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::error::AppError;

/// Classes of a text input.
pub const INPUT: &str = "rounded-md border border-slate-400 px-3 py-2 font-normal focus:border-slate-600 focus:outline-none";
/// Classes of a primary button, in the portal's accent colour (the vendor's, in the customer
/// portal; see `style/main.css` and `types::accent`).
pub const BUTTON: &str = "btn-accent rounded-md px-4 py-2 text-sm font-medium disabled:opacity-50";
/// Classes of a link in running text, in the portal's accent colour.
pub const LINK: &str = "text-accent hover:underline";
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

/// Shows the error of an action's last result, if it failed; `id` lets tests find it. Errors
/// about a field listed in `inline` are left to that field's [`FieldError`].
#[component]
pub fn ActionError<S>(
    action: ServerAction<S>,
    #[prop(into)] id: String,
    #[prop(optional)] inline: &'static [&'static str],
) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .filter(|err| err.field().is_none_or(|f| !inline.contains(&f)))
            .map(|err| {
            view! {
                <p id=id.clone() role="alert" class="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
                    {err.to_string()}
                </p>
            }
        })
    }
}

/// The error of an action's last result when it is about `field`, shown under that field; give
/// the field `aria-describedby` = `id` so screen readers read it with the field.
#[component]
pub fn FieldError<S>(
    action: ServerAction<S>,
    field: &'static str,
    #[prop(into)] id: String,
) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    view! {
        <span id=id role="alert" class="text-xs font-normal text-red-700">
            {move || {
                action
                    .value()
                    .get()
                    .and_then(Result::err)
                    .filter(|err| err.field() == Some(field))
                    .map(|err| err.to_string())
            }}
        </span>
    }
}

/// A form's submit button that says it is working and cannot be pressed twice while its action
/// runs.
#[component]
pub fn SubmitButton<S>(
    action: ServerAction<S>,
    /// What it says.
    label: &'static str,
    /// What it says while the action runs ("Creating…").
    pending: &'static str,
    #[prop(optional, into)] id: Option<String>,
    #[prop(optional, into)] class: Option<String>,
) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let busy = move || action.pending().get();
    view! {
        <button type="submit" id=id class=class.unwrap_or_else(|| BUTTON.to_string())
            disabled=busy aria-busy=move || busy().to_string()>
            {move || if busy() { pending } else { label }}
        </button>
    }
}

/// A confirmation after an action succeeded (`role="status"`, read out by screen readers).
#[component]
pub fn Saved<S>(
    action: ServerAction<S>,
    /// What happened ("Customer created.").
    #[prop(into)]
    message: String,
    #[prop(into)] id: String,
) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action.value().get().and_then(Result::ok).map(|_| {
            view! {
                <p id=id.clone() role="status" class="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
                    {message.clone()}
                </p>
            }
        })
    }
}

/// Empties the form behind `form` each time `action` succeeds, so the next entry starts blank
/// (without JavaScript the page reloads after a post, which empties it anyway).
pub fn clear_on_success<S>(action: ServerAction<S>, form: NodeRef<leptos::html::Form>)
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    // Effects run only in the browser.
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_)))
            && let Some(form) = form.get_untracked()
        {
            form.reset();
        }
    });
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
        <select name="role" id=id aria-label="Role" class="rounded-md border border-slate-400 px-2 py-1 text-sm">
            {option("admin", "Admin")}
            {option("read_write", "Read & write")}
            {option("read_only", "Read only")}
        </select>
    }
}
