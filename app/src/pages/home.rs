//! A portal's entry page: the sign-in form, or who is signed in.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::auth::{SessionUser, SignIn, SignOut, current_user};
use crate::components::frame::{Frame, Portal};
use crate::components::sign_in_form::SignInForm;

/// Shows the sign-in form to a visitor and the signed-in home to a member.
#[component]
pub fn PortalHome(portal: Portal) -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    // Signing in or out changes who is signed in: refetch after either action.
    let user = Resource::new(
        move || (sign_in.version().get(), sign_out.version().get()),
        |_| current_user(),
    );
    view! {
        <Frame portal>
            <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(user)) => view! { <SignedIn portal user sign_out /> }.into_any(),
                        Ok(None) => view! { <SignInForm portal sign_in /> }.into_any(),
                        Err(err) => view! {
                            <p role="alert" class="text-red-700">{err.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </Frame>
    }
}

#[component]
fn SignedIn(portal: Portal, user: SessionUser, sign_out: ServerAction<SignOut>) -> impl IntoView {
    view! {
        <section class="w-full max-w-xl rounded-xl bg-white p-8 shadow-md ring-1 ring-slate-200">
            <h1 class="text-2xl font-semibold tracking-tight" id="welcome">
                {format!("Welcome, {}", user.name)}
            </h1>
            <p class="mt-1 text-sm text-slate-500">{format!("Signed in as {}", user.email)}</p>
            <ActionForm action=sign_out attr:class="mt-6">
                <input type="hidden" name="next" value=portal.home() />
                <button
                    type="submit"
                    id="sign-out"
                    class="rounded-md border border-slate-300 px-4 py-2 text-sm hover:bg-slate-100"
                >
                    "Sign out"
                </button>
            </ActionForm>
        </section>
    }
}
