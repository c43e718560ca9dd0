//! The frame of every signed-in vendor page: navigation, organization switcher, sign-out.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::frame::{Frame, Portal};
use super::live::follow_session;
use super::switcher::OrganizationSwitcher;
use crate::api::auth::{SessionUser, SignOut, SwitchOrganization, current_user};
use crate::api::branding::portal_branding;
use crate::pages::customer::BrandedHeader;

/// Renders `children` for a signed-in vendor member, and a way forward for anyone else.
#[component]
pub fn VendorShell(#[prop(into)] title: String, children: ChildrenFn) -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    follow_session(move || matches!(user.get(), Some(Ok(Some(_)))));
    view! {
        <Frame portal=Portal::Vendor>
            <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {
                    // One Suspend, not a closure returning one: the Suspense re-runs child
                    // closures on the server while it waits (`dry_resolve`), and every re-run
                    // would create the page's resources again under new ids, which the browser,
                    // creating them once, would then hydrate against the wrong data. `user`
                    // never refetches, so nothing is lost by not re-running.
                    let title = title.clone();
                    let children = children.clone();
                    Suspend::new(async move {
                        match user.await {
                            Ok(Some(user)) if user.is_vendor => view! {
                                <div class="w-full max-w-5xl">
                                    <VendorNav user />
                                    <h1 class="mt-6 text-2xl font-semibold tracking-tight">{title}</h1>
                                    <div class="mt-4 flex flex-col gap-6">{children()}</div>
                                </div>
                            }
                            .into_any(),
                            Ok(Some(_)) => view! {
                                <p class="text-slate-700">
                                    "This page belongs to the vendor portal. "
                                    <a href="/portal" class="text-indigo-600 hover:underline">"Go to your customer portal"</a>
                                </p>
                            }
                            .into_any(),
                            Ok(None) => view! {
                                <p class="text-slate-700">
                                    "Please "
                                    <a href="/" class="text-indigo-600 hover:underline">"sign in"</a>
                                    " to continue."
                                </p>
                            }
                            .into_any(),
                            Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                        }
                    })
                }
            </Suspense>
        </Frame>
    }
}

/// The vendor portal's navigation bar. A page that shows different content after signing out
/// passes its own `sign_out` action so it can react.
#[component]
pub fn VendorNav(
    user: SessionUser,
    #[prop(optional)] sign_out: Option<ServerAction<SignOut>>,
) -> impl IntoView {
    let sign_out = sign_out.unwrap_or_default();
    let switch = ServerAction::<SwitchOrganization>::new();
    let link = "rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100";
    view! {
        <nav class="flex flex-wrap items-center gap-2 rounded-xl bg-white px-4 py-2 shadow-sm ring-1 ring-slate-200">
            <a href="/" class=link>"Overview"</a>
            <a href="/applications" class=link id="nav-applications">"Applications"</a>
            <a href="/customers" class=link id="nav-customers">"Customers"</a>
            <a href="/licenses" class=link id="nav-licenses">"Licenses"</a>
            <a href="/targets" class=link id="nav-targets">"Targets"</a>
            <a href="/fleet" class=link id="nav-fleet">"Fleet"</a>
            <a href="/artifacts" class=link id="nav-artifacts">"Artifacts"</a>
            <a href="/users" class=link id="nav-users">"Users"</a>
            <a href="/branding" class=link id="nav-branding">"Branding"</a>
            <a href="/tokens" class=link id="nav-tokens">"Access tokens"</a>
            <span class="flex-1"></span>
            <OrganizationSwitcher user=user.clone() switch />
            <a href="/account" class="text-sm text-slate-500 hover:underline" id="signed-in-as">{user.email.clone()}</a>
            <ActionForm action=sign_out>
                <input type="hidden" name="next" value="/" />
                <button type="submit" id="sign-out" class="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100">
                    "Sign out"
                </button>
            </ActionForm>
        </nav>
    }
}

/// Renders `children` in the given portal's shell: [`VendorShell`] or [`CustomerShell`].
#[component]
pub fn PortalShell(
    portal: Portal,
    #[prop(into)] title: String,
    children: ChildrenFn,
) -> impl IntoView {
    match portal {
        Portal::Vendor => view! { <VendorShell title>{children()}</VendorShell> }.into_any(),
        Portal::Customer => view! { <CustomerShell title>{children()}</CustomerShell> }.into_any(),
    }
}

/// Renders `children` for a signed-in customer member, in the vendor's branding, with the
/// customer portal's navigation.
#[component]
pub fn CustomerShell(#[prop(into)] title: String, children: ChildrenFn) -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    let branding = Resource::new(|| (), |_| portal_branding());
    follow_session(move || matches!(user.get(), Some(Ok(Some(_)))));
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let sign_out = ServerAction::<SignOut>::new();
    let link = "rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100";
    view! {
        <Suspense fallback=|| view! { <p class="p-6 text-slate-500">"Loading…"</p> }>
            {
                // One Suspend, not a closure returning one: see `VendorShell`.
                let title = title.clone();
                let children = children.clone();
                Suspend::new(async move {
                    let branding = branding.await.ok().flatten();
                    let body = match user.await {
                        Ok(Some(user)) if !user.is_vendor => view! {
                            <div class="w-full max-w-5xl">
                                <nav class="flex flex-wrap items-center gap-2 rounded-xl bg-white px-4 py-2 shadow-sm ring-1 ring-slate-200">
                                    <a href="/portal" class=link>"Home"</a>
                                    <a href="/portal/targets" class=link id="nav-targets">"Deployment targets"</a>
                                    <span class="flex-1"></span>
                                    <span class="text-sm text-slate-500" id="signed-in-as">{user.email.clone()}</span>
                                    <ActionForm action=sign_out>
                                        <input type="hidden" name="next" value="/portal" />
                                        <button type="submit" id="sign-out" class="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100">"Sign out"</button>
                                    </ActionForm>
                                </nav>
                                <h1 class="mt-6 text-2xl font-semibold tracking-tight">{title}</h1>
                                <div class="mt-4 flex flex-col gap-6">{children()}</div>
                            </div>
                        }
                        .into_any(),
                        Ok(Some(_)) => view! {
                            <p class="text-slate-700">
                                "This page belongs to the customer portal. "
                                <a href="/" class="text-indigo-600 hover:underline">"Go to the vendor portal"</a>
                            </p>
                        }
                        .into_any(),
                        Ok(None) => view! {
                            <p class="text-slate-700">
                                "Please "
                                <a href="/portal" class="text-indigo-600 hover:underline">"sign in"</a>
                                " to continue."
                            </p>
                        }
                        .into_any(),
                        Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                    };
                    view! {
                        <div id="consign-root" class="min-h-screen flex flex-col" data-portal="customer"
                            data-hydrated=move || hydrated.get().to_string()>
                            <BrandedHeader branding />
                            <main class="flex-1 flex items-start justify-center px-6 py-16">{body}</main>
                            <footer class="py-6 text-center text-xs text-slate-500">"Powered by Consign"</footer>
                        </div>
                    }
                })
            }
        </Suspense>
    }
}
