//! `/portal`: the customer portal, in the vendor's branding.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::auth::{SignIn, SignOut, SwitchOrganization, current_user};
use crate::api::branding::{BrandingView, portal_branding};
use crate::components::catalogue::Catalogue;
use crate::components::form::CARD;
use crate::components::frame::Portal;
use crate::components::people::People;
use crate::components::sign_in_form::SignInForm;
use crate::components::switcher::OrganizationSwitcher;
use crate::pages::artifacts::CustomerArtifacts;

/// The customer portal: branded by the request's host, the signed-in customer's vendor, or the
/// hub's only vendor.
#[component]
pub fn CustomerPortal() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let switch = ServerAction::<SwitchOrganization>::new();
    let session = move || {
        (
            sign_in.version().get(),
            sign_out.version().get(),
            switch.version().get(),
        )
    };
    let user = Resource::new(session, |_| current_user());
    let branding = Resource::new(session, |_| portal_branding());
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <Suspense fallback=|| view! { <p class="p-6 text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let branding = branding.await.ok().flatten();
                let user = user.await;
                view! {
                    <div id="consign-root" class="min-h-screen flex flex-col" data-portal="customer"
                        data-hydrated=move || hydrated.get().to_string()>
                        <BrandedHeader branding=branding.clone() />
                        <main class="flex-1 flex flex-col items-center gap-6 px-6 py-16">
                            {match user {
                                Ok(Some(user)) => {
                                    let home = branding.as_ref().map(|b| b.home_html.clone()).unwrap_or_default();
                                    // A customer's admins manage their own organization's users here.
                                    let is_customer = user.customer_id.is_some();
                                    let people = match (&user.customer_id, user.role.as_deref()) {
                                        (Some(customer), Some("admin")) => Some(customer.clone()),
                                        _ => None,
                                    };
                                    view! {
                                        <section class=format!("{CARD} max-w-3xl")>
                                            <h1 class="text-2xl font-semibold tracking-tight" id="welcome">{format!("Welcome, {}", user.name)}</h1>
                                            <p class="mt-1 text-sm text-slate-500">{format!("Signed in as {}", user.email)}</p>
                                            <div class="prose mt-6" id="portal-home" inner_html=home></div>
                                            {is_customer.then(|| view! {
                                                <p class="mt-4"><a href="/portal/targets" id="portal-targets-link" class="text-sm font-medium text-indigo-600 hover:underline">"Deployment targets and deployments"</a></p>
                                            })}
                                            <div class="mt-6">
                                                <OrganizationSwitcher user=user.clone() switch />
                                            </div>
                                            <ActionForm action=sign_out attr:class="mt-6">
                                                <input type="hidden" name="next" value="/portal" />
                                                <button type="submit" id="sign-out" class="rounded-md border border-slate-300 px-4 py-2 text-sm hover:bg-slate-100">"Sign out"</button>
                                            </ActionForm>
                                        </section>
                                        {is_customer.then(|| view! { <Catalogue /> })}
                                        <CustomerArtifacts />
                                        {people.map(|customer| view! {
                                            <div class="mt-6 flex w-full max-w-3xl flex-col gap-6" id="portal-people">
                                                <People customer />
                                            </div>
                                        }.into_any())}
                                    }.into_any()
                                }
                                Ok(None) => view! { <SignInForm portal=Portal::Customer sign_in /> }.into_any(),
                                Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                            }}
                        </main>
                        <footer class="py-6 text-center text-xs text-slate-500">"Powered by Consign"</footer>
                    </div>
                }
            })}
        </Suspense>
    }
}

/// The customer portal's header in the vendor's branding.
#[component]
pub fn BrandedHeader(branding: Option<BrandingView>) -> impl IntoView {
    let color = branding
        .as_ref()
        .map(|b| b.primary_color.clone())
        .unwrap_or_else(|| "#0d9488".into());
    let title = branding
        .as_ref()
        .map(|b| b.title.clone())
        .unwrap_or_else(|| "Customer portal".into());
    let logo = branding
        .and_then(|b| b.logo_url)
        .unwrap_or_else(|| "/logo.svg".into());
    view! {
        <header class="text-white shadow-sm" id="portal-header" style=format!("background-color: {color}") data-color=color.clone()>
            <div class="mx-auto max-w-5xl px-6 py-4 flex items-center gap-3">
                <img src=logo alt="" id="portal-logo" class="h-8 w-8 rounded-md object-contain" />
                <span class="text-lg font-semibold tracking-tight" id="portal-title">{title}</span>
                <span class="text-sm opacity-80">"Customer portal"</span>
            </div>
        </header>
    }
}
