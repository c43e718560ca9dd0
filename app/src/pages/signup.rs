//! `/signup`: a software vendor creates its organization and first admin.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::auth::SignUp;
use crate::components::form::{ActionError, BUTTON, CARD, INPUT};
use crate::components::frame::{Frame, Portal};

/// The sign-up page.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let sign_up = ServerAction::<SignUp>::new();
    let field = |label: &'static str,
                 name: &'static str,
                 kind: &'static str,
                 autocomplete: &'static str| {
        view! {
            <label class="flex flex-col gap-1 text-sm font-medium">
                {label}
                <input type=kind name=name id=format!("signup-{name}") required autocomplete=autocomplete class=INPUT />
            </label>
        }
    };
    view! {
        <Frame portal=Portal::Vendor>
            <section class=format!("{CARD} max-w-md")>
                <h1 class="text-2xl font-semibold tracking-tight">"Create your vendor account"</h1>
                <p class="mt-1 text-sm text-slate-500">"Your organization is where your applications, customers and licenses live."</p>
                <ActionForm action=sign_up attr:class="mt-6 flex flex-col gap-4" attr:id="signup-form">
                    {field("Organization name", "organization", "text", "organization")}
                    {field("Your name", "name", "text", "name")}
                    {field("Email", "email", "email", "username")}
                    {field("Password (at least 10 characters)", "password", "password", "new-password")}
                    <ActionError action=sign_up id="signup-error" />
                    <button type="submit" id="signup-submit" class=BUTTON disabled=move || sign_up.pending().get()>
                        {move || if sign_up.pending().get() { "Creating…" } else { "Create account" }}
                    </button>
                </ActionForm>
                <p class="mt-4 text-sm text-slate-500">
                    "Already have an account? " <a href="/" class="text-accent">"Sign in"</a>
                </p>
            </section>
        </Frame>
    }
}
