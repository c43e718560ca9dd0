//! The sign-in card. A plain HTML form that works without JavaScript; once hydrated it submits
//! in place and gains a show-password toggle.

use leptos::form::ActionForm;
use leptos::prelude::*;

use leptos_router::hooks::use_query_map;

use super::form::{INPUT, LINK};
use super::frame::Portal;
use crate::api::auth::SignIn;

/// The sign-in form of a portal; `sign_in` is owned by the page so it can react to success.
#[component]
pub fn SignInForm(portal: Portal, sign_in: ServerAction<SignIn>) -> impl IntoView {
    let show_password = RwSignal::new(false);
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let error = move || {
        sign_in.value().get().and_then(Result::err).map(|err| {
            view! {
                <p id="sign-in-error" role="alert" class="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
                    {err.to_string()}
                </p>
            }
        })
    };
    // After a password reset the link's page sends the person here with `?reset=done`.
    let query = use_query_map();
    let reset_done = query.read_untracked().get("reset").as_deref() == Some("done");
    view! {
        <section class="w-full max-w-sm rounded-xl bg-white p-8 shadow-md ring-1 ring-slate-200">
            {reset_done.then(|| view! {
                <p id="reset-done" role="status" class="mb-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
                    "Your password was changed. Sign in with the new one."
                </p>
            })}
            <h1 class="text-2xl font-semibold tracking-tight">"Sign in"</h1>
            <p class="mt-1 text-sm text-slate-500">{match portal {
                // The customer portal is the vendor's: it never says Consign.
                Portal::Vendor => "to the Consign vendor portal",
                Portal::Customer => "to your customer portal",
            }}</p>
            <ActionForm action=sign_in attr:class="mt-6 flex flex-col gap-4" attr:id="sign-in-form">
                <input type="hidden" name="next" value=portal.home() />
                <label class="flex flex-col gap-1 text-sm font-medium">
                    "Email"
                    <input
                        type="email"
                        name="email"
                        id="email"
                        required
                        autocomplete="username"
                        class=INPUT
                    />
                </label>
                <label class="flex flex-col gap-1 text-sm font-medium">
                    "Password"
                    <div class="flex gap-2">
                        <input
                            type=move || if show_password.get() { "text" } else { "password" }
                            name="password"
                            id="password"
                            required
                            autocomplete="current-password"
                            class=format!("flex-1 {INPUT}")
                        />
                        // Only useful with JavaScript, so hidden until hydrated.
                        <button
                            type="button"
                            id="toggle-password"
                            class="rounded-md border border-slate-300 px-3 text-xs text-slate-600 hover:bg-slate-100"
                            class:hidden=move || !hydrated.get()
                            on:click=move |_| show_password.update(|s| *s = !*s)
                        >
                            {move || if show_password.get() { "Hide" } else { "Show" }}
                        </button>
                    </div>
                </label>
                {error}
                <button
                    type="submit"
                    id="sign-in"
                    class="btn-accent rounded-md px-4 py-2 font-medium disabled:opacity-50"
                    disabled=move || sign_in.pending().get()
                >
                    {move || if sign_in.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="mt-4 text-center text-sm">
                <a href=match portal { Portal::Vendor => "/forgot", Portal::Customer => "/forgot?portal=customer" }
                    id="forgot-link" class=LINK>"Forgot your password?"</a>
            </p>
        </section>
    }
}
