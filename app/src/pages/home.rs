//! `/`: the vendor portal's entry — the sign-in form, or the signed-in overview.

use leptos::prelude::*;

use crate::api::auth::{SessionUser, SignIn, SignOut, current_user};
use crate::api::onboarding::sample_hint;
use crate::components::form::CARD;
use crate::components::frame::{Frame, Portal};
use crate::components::shell::VendorNav;
use crate::components::sign_in_form::SignInForm;

/// Shows the sign-in form to a visitor and the overview to a member.
#[component]
pub fn PortalHome() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    // Signing in or out changes who is signed in: refetch after either action.
    let user = Resource::new(
        move || (sign_in.version().get(), sign_out.version().get()),
        |_| current_user(),
    );
    view! {
        <Frame portal=Portal::Vendor>
            <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(user)) if user.is_vendor => view! { <Overview user sign_out /> }.into_any(),
                        Ok(Some(user)) => view! { <CustomerElsewhere user /> }.into_any(),
                        Ok(None) => view! {
                            <div class="flex w-full max-w-sm flex-col gap-4">
                                <SignInForm portal=Portal::Vendor sign_in />
                                <p class="text-center text-sm text-slate-500">
                                    "New to Consign? "
                                    <a href="/signup" id="signup-link" class="text-indigo-600 hover:underline">"Create a vendor account"</a>
                                </p>
                            </div>
                        }.into_any(),
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
fn Overview(user: SessionUser, sign_out: ServerAction<SignOut>) -> impl IntoView {
    let name = user.name.clone();
    let role = user.role.clone().unwrap_or_default().replace('_', " ");
    view! {
        <div class="w-full max-w-5xl">
            <VendorNav user sign_out />
            <section class=format!("{CARD} mt-6")>
                <h1 class="text-2xl font-semibold tracking-tight" id="welcome">{format!("Welcome, {name}")}</h1>
                <p class="mt-1 text-sm text-slate-500">{format!("You are {role} of this vendor organization.")}</p>
                <ul class="mt-4 list-disc pl-6 text-sm text-slate-700">
                    <li><a href="/customers" class="text-indigo-600 hover:underline">"Create customers and invite their users"</a></li>
                    <li><a href="/users" class="text-indigo-600 hover:underline">"Invite your colleagues"</a></li>
                    <li><a href="/branding" class="text-indigo-600 hover:underline">"Brand your customer portal"</a></li>
                </ul>
            </section>
            <SampleHint />
        </div>
    }
}

/// The empty state of an organization without applications: how to create the sample one.
#[component]
fn SampleHint() -> impl IntoView {
    let hint = Resource::new(|| (), |_| sample_hint());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                hint.await.ok().flatten().map(|hub| {
                    let command = format!("cargo xtask sample --hub {hub} --token <your token>");
                    view! {
                        <section class=format!("{CARD} mt-6") id="sample-hint">
                            <h2 class="text-lg font-semibold">"No applications yet: try the sample"</h2>
                            <p class="mt-1 text-sm text-slate-600">
                                "Create a personal access token on the "
                                <a href="/tokens" class="text-indigo-600 hover:underline">"Tokens"</a>
                                " page, then run this in the project's folder:"
                            </p>
                            <code class="mt-2 block overflow-x-auto whitespace-pre rounded bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100" id="sample-command">{command}</code>
                            <p class="mt-2 text-sm text-slate-600">
                                "It builds a small web server image with Docker, pushes it to this hub's registry, and creates the application \"Sample web app\" (version 1.0.0 with a healthcheck), the customer \"Sample customer\" and a license. Then create a deployment target for that customer on the "
                                <a href="/targets" class="text-indigo-600 hover:underline">"Targets"</a>
                                " page, run its install command, and deploy. Or "
                                <a href="/applications" class="text-indigo-600 hover:underline">"create your own application"</a>
                                "."
                            </p>
                        </section>
                    }
                })
            })}
        </Suspense>
    }
}

#[component]
fn CustomerElsewhere(user: SessionUser) -> impl IntoView {
    view! {
        <section class=format!("{CARD} max-w-md")>
            <h1 class="text-xl font-semibold" id="welcome">{format!("Welcome, {}", user.name)}</h1>
            <p class="mt-2 text-slate-700">
                "Your account belongs to a customer organization. "
                <a href="/portal" class="text-indigo-600 hover:underline">"Open your customer portal"</a>
            </p>
        </section>
    }
}
