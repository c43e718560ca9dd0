//! The frame of every signed-in page: a sidebar grouped by task with the organization switcher
//! and the user menu, breadcrumbs on detail pages, the page's title and its content. On narrow
//! screens the sidebar folds behind a Menu button (a checkbox and CSS, so it works before and
//! without hydration).

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::{Link, Title};
use leptos_router::hooks::use_location;

use super::frame::{Frame, Portal};
use super::live::follow_session;
use super::nav::{self, NavSection};
use super::switcher::OrganizationSwitcher;
use crate::api::auth::{SessionUser, SignOut, SwitchOrganization, current_user};
use crate::api::branding::{BrandingView, portal_branding};
use crate::components::form::LINK;

/// Renders `children` for a signed-in vendor member, and a way forward for anyone else.
#[component]
pub fn VendorShell(#[prop(into)] title: String, children: ChildrenFn) -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    follow_session(move || matches!(user.get(), Some(Ok(Some(_)))));
    view! {
        <Suspense fallback=|| view! { <p class="p-6 text-slate-600">"Loading…"</p> }>
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
                            <Layout portal=Portal::Vendor user branding=None title>{children()}</Layout>
                        }
                        .into_any(),
                        other => view! {
                            <Frame portal=Portal::Vendor>
                                <Elsewhere portal=Portal::Vendor user=other />
                            </Frame>
                        }
                        .into_any(),
                    }
                })
            }
        </Suspense>
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

/// Renders `children` for a signed-in customer member, in the vendor's branding.
#[component]
pub fn CustomerShell(#[prop(into)] title: String, children: ChildrenFn) -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    let branding = Resource::new(|| (), |_| portal_branding());
    follow_session(move || matches!(user.get(), Some(Ok(Some(_)))));
    view! {
        <Suspense fallback=|| view! { <p class="p-6 text-slate-600">"Loading…"</p> }>
            {
                // One Suspend, not a closure returning one: see `VendorShell`.
                let title = title.clone();
                let children = children.clone();
                Suspend::new(async move {
                    let branding = branding.await.ok().flatten();
                    match user.await {
                        Ok(Some(user)) if !user.is_vendor => view! {
                            <Layout portal=Portal::Customer user branding title>{children()}</Layout>
                        }
                        .into_any(),
                        other => view! {
                            <BrandedFrame branding>
                                <Elsewhere portal=Portal::Customer user=other />
                            </BrandedFrame>
                        }
                        .into_any(),
                    }
                })
            }
        </Suspense>
    }
}

/// What a page says to someone it is not for: sign in, or go to the other portal.
#[component]
fn Elsewhere(
    portal: Portal,
    user: Result<Option<SessionUser>, crate::error::AppError>,
) -> impl IntoView {
    let (other, other_home) = match portal {
        Portal::Vendor => ("customer portal", "/portal"),
        Portal::Customer => ("vendor portal", "/"),
    };
    match user {
        Ok(Some(_)) => view! {
            <p class="text-slate-700">
                {format!("This page belongs to the {}. ", portal.title().to_lowercase())}
                <a href=other_home class=LINK>{format!("Go to your {other}")}</a>
            </p>
        }
        .into_any(),
        Ok(None) => view! {
            <p class="text-slate-700">
                "Please "
                <a href=portal.home() class=LINK>"sign in"</a>
                " to continue."
            </p>
        }
        .into_any(),
        Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
    }
}

/// A signed-out page of the customer portal (sign-in, password reset, invitation, errors) in
/// the vendor's branding: header with logo and title, accent colours, footer.
#[component]
pub fn BrandedFrame(branding: Option<BrandingView>, children: Children) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, so this marks hydration, never server rendering.
    Effect::new(move |_| hydrated.set(true));
    let style = branding.as_ref().map(|b| b.accent_css.clone());
    let icon = branding.as_ref().and_then(|b| b.logo_url.clone());
    view! {
        {icon.map(|href| view! { <Link rel="icon" href=href /> })}
        <div id="consign-root" class="min-h-screen flex flex-col" data-portal="customer" style=style
            data-hydrated=move || hydrated.get().to_string()>
            <BrandedHeader branding />
            <main class="flex-1 flex flex-col items-center gap-6 px-4 py-12 sm:px-6">{children()}</main>
            <footer class="py-6 text-center text-xs text-slate-600">"Powered by Consign"</footer>
        </div>
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
        <header class="accent-bar shadow-sm" id="portal-header" data-color=color>
            <div class="mx-auto max-w-5xl px-6 py-4 flex items-center gap-3">
                <img src=logo alt="" id="portal-logo" class="h-8 w-8 rounded-md object-contain" />
                <span class="text-lg font-semibold tracking-tight" id="portal-title">{title}</span>
                <span class="text-sm">"Customer portal"</span>
            </div>
        </header>
    }
}

/// The signed-in frame of both portals.
#[component]
pub fn Layout(
    portal: Portal,
    user: SessionUser,
    branding: Option<BrandingView>,
    #[prop(into)] title: String,
    /// A page that shows different content after signing out passes its own action so it
    /// can react.
    #[prop(optional)]
    sign_out: Option<ServerAction<SignOut>>,
    children: Children,
) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, so this marks hydration, never server rendering.
    Effect::new(move |_| hydrated.set(true));
    // The request's path on the server, the router's in the browser: the same on both, so the
    // active item is marked in the server-rendered page already.
    let path = use_location().pathname.get_untracked();
    let parent = nav::parent(portal, &path);
    let style = branding.as_ref().map(|b| b.accent_css.clone());
    let (brand_name, logo) = match (portal, &branding) {
        (Portal::Customer, Some(b)) => (
            b.title.clone(),
            b.logo_url.clone().unwrap_or_else(|| "/logo.svg".into()),
        ),
        (Portal::Customer, None) => ("Customer portal".into(), "/logo.svg".into()),
        (Portal::Vendor, _) => ("Consign".into(), "/logo.svg".into()),
    };
    let crumb_title = title.clone();
    let color = branding
        .as_ref()
        .map(|b| b.primary_color.clone())
        .unwrap_or_default();
    let icon = match portal {
        Portal::Customer => branding.as_ref().and_then(|b| b.logo_url.clone()),
        Portal::Vendor => None,
    };
    view! {
        <Title text=format!("{title} · {brand_name}") />
        {icon.map(|href| view! { <Link rel="icon" href=href /> })}
        <div id="consign-root" class="min-h-screen lg:flex" style=style
            data-portal=match portal { Portal::Vendor => "vendor", Portal::Customer => "customer" }
            data-hydrated=move || hydrated.get().to_string()>
            <a href="#main" class="skip-link">"Skip to content"</a>
            <input type="checkbox" id="nav-toggle" class="nav-toggle" aria-label="Show the menu" />
            <div class="accent-bar flex h-14 items-center justify-between px-4 lg:hidden">
                <a href=portal.home() class="flex items-center gap-2 font-semibold">
                    <img src=logo.clone() alt="" class="h-7 w-7 rounded object-contain" />
                    <span>{brand_name.clone()}</span>
                </a>
                <label for="nav-toggle" class="nav-toggle-button rounded-md px-3 py-1 text-sm font-medium">"Menu"</label>
            </div>
            <Sidebar portal user logo=logo.clone() brand_name=brand_name.clone() color=color path=path.clone() sign_out=sign_out.unwrap_or_default() />
            <div class="min-w-0 flex-1">
                <main id="main" class="mx-auto w-full max-w-6xl px-4 py-6 sm:px-6 lg:px-10 lg:py-8">
                    {parent.map(|(label, href)| view! {
                        <nav aria-label="Breadcrumb" class="mb-2 text-sm text-slate-600" id="breadcrumbs">
                            <ol class="flex items-center gap-2">
                                <li><a href=portal.home() class="hover:underline">"Overview"</a></li>
                                <li aria-hidden="true">"/"</li>
                                <li><a href=href class="hover:underline">{label}</a></li>
                                <li aria-hidden="true">"/"</li>
                                <li aria-current="page" class="truncate text-slate-900">{crumb_title}</li>
                            </ol>
                        </nav>
                    }.into_any())}
                    <h1 class="text-2xl font-semibold tracking-tight" id="page-title">{title}</h1>
                    <div class="mt-5 flex flex-col gap-6">{children()}</div>
                </main>
                <footer class="px-4 py-6 text-center text-xs text-slate-600 lg:px-10">
                    {match portal {
                        Portal::Vendor => "Consign — ship software into environments your customers control.",
                        Portal::Customer => "Powered by Consign",
                    }}
                </footer>
            </div>
        </div>
    }
    .into_any()
}

/// The sidebar: the portal's name, the organization, the navigation and the user menu. Its own
/// component (type-erased) keeps the page's view type shallow enough for the compiler.
#[component]
fn Sidebar(
    portal: Portal,
    user: SessionUser,
    logo: String,
    brand_name: String,
    /// The vendor's colour as chosen (`data-color`, for tests and scripts); empty in the vendor
    /// portal.
    color: String,
    path: String,
    sign_out: ServerAction<SignOut>,
) -> impl IntoView {
    let portal_name = match portal {
        Portal::Vendor => "Vendor portal",
        Portal::Customer => "Customer portal",
    };
    view! {
            <aside class="sidebar flex-col border-r border-slate-200 bg-white" aria-label="Sidebar">
                <a href=portal.home() class="accent-bar sidebar-brand h-16 items-center gap-3 px-5" id="portal-header" data-color=color>
                    <img src=logo alt="" id="portal-logo" class="h-8 w-8 rounded-md object-contain" />
                    <span class="flex flex-col leading-tight">
                        <span class="font-semibold tracking-tight" id="portal-title">{brand_name}</span>
                        <span class="text-xs">{portal_name}</span>
                    </span>
                </a>
                <div class="border-b border-slate-200 px-4 py-3">
                    <Organization user=user.clone() />
                </div>
                <nav aria-label="Main" class="flex-1 overflow-y-auto px-3 py-3">
                    {nav::sections(portal).iter().map(|s| view! { <Section section=*s path=path.clone() /> }).collect_view()}
                </nav>
                <div class="border-t border-slate-200 px-3 py-3">
                    <UserMenu portal user sign_out />
                </div>
            </aside>
    }
    .into_any()
}

/// One group of the sidebar.
#[component]
fn Section(section: NavSection, path: String) -> impl IntoView {
    view! {
        <div class="mb-4">
            {section.heading.map(|h| view! {
                <p class="px-3 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-600">{h}</p>
            })}
            <ul class="flex flex-col gap-1">
                {section.items.iter().map(|item| {
                    let active = nav::is_active(item, &path);
                    view! {
                        <li>
                            <a href=item.href id=item.id class="nav-link"
                                aria-current=active.then_some("page")>{item.label}</a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}

/// The organization the person acts for, with a switcher when they belong to several.
#[component]
fn Organization(user: SessionUser) -> impl IntoView {
    let switch = ServerAction::<SwitchOrganization>::new();
    let current = user.organization_id.clone().unwrap_or_default();
    let label = user
        .organizations
        .iter()
        .find(|o| o.id == current)
        .map(|o| o.label.clone())
        .unwrap_or_default();
    if user.organizations.len() > 1 {
        view! { <OrganizationSwitcher user switch /> }.into_any()
    } else {
        view! {
            <p class="text-xs text-slate-600">"Organization"</p>
            <p class="truncate text-sm font-medium" id="organization-name">{label}</p>
        }
        .into_any()
    }
}

/// Who is signed in, with their account page and sign-out, folded into a menu.
#[component]
fn UserMenu(portal: Portal, user: SessionUser, sign_out: ServerAction<SignOut>) -> impl IntoView {
    let initials: String = user
        .name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase();
    let role = user.role.clone().unwrap_or_default().replace('_', " ");
    view! {
        <details class="user-menu" id="user-menu">
            <summary class="flex cursor-pointer items-center gap-3 rounded-md px-2 py-2 hover:bg-slate-100">
                <span class="accent-dot flex h-8 w-8 shrink-0 items-center justify-center rounded-full text-xs font-semibold" aria-hidden="true">{initials}</span>
                <span class="flex min-w-0 flex-col text-left leading-tight">
                    <span class="truncate text-sm font-medium">{user.name.clone()}</span>
                    <span class="truncate text-xs text-slate-600">{role}</span>
                </span>
            </summary>
            <div class="mt-2 flex flex-col gap-1 rounded-md border border-slate-200 bg-white p-2 text-sm shadow-sm">
                {match portal {
                    Portal::Vendor => view! {
                        <a href="/account" class="truncate rounded px-2 py-1 hover:bg-slate-100" id="signed-in-as">{user.email.clone()}</a>
                        <a href="/account" class="rounded px-2 py-1 hover:bg-slate-100">"Account settings"</a>
                    }.into_any(),
                    Portal::Customer => view! {
                        <span class="truncate px-2 py-1 text-slate-600" id="signed-in-as">{user.email.clone()}</span>
                    }.into_any(),
                }}
                <ActionForm action=sign_out>
                    <input type="hidden" name="next" value=portal.home() />
                    <button type="submit" id="sign-out" class="w-full rounded px-2 py-1 text-left hover:bg-slate-100">"Sign out"</button>
                </ActionForm>
            </div>
        </details>
    }
}
