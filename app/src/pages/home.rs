//! `/`: the vendor portal's entry — the sign-in form, or the signed-in overview.

use leptos::prelude::*;

use crate::api::auth::{SessionUser, SignIn, SignOut, current_user};
use crate::api::onboarding::sample_hint;
use crate::api::overview::{VendorOverviewView, vendor_overview};
use crate::api::stats::deployments_over_time;
use crate::components::chart::ChartView;
use crate::components::form::{CARD, LINK};
use crate::components::frame::{Frame, Portal};
use crate::components::live::{follow_session, use_live_events};
use crate::components::overview::VendorSummary;
use crate::components::shell::Layout;
use crate::components::sign_in_form::SignInForm;
use crate::components::stats::DeploymentsOverTime;
use crate::error::AppError;

/// Shows the sign-in form to a visitor and the overview to a member.
#[component]
pub fn PortalHome() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    // Signing in or out changes who is signed in: refetch after either action.
    let session = move || (sign_in.version().get(), sign_out.version().get());
    let user = Resource::new(session, |_| current_user());
    follow_session(move || matches!(user.get(), Some(Ok(Some(_)))));
    // The overview's own resources are made here, not in the signed-in branch below: on the
    // server, Suspense renders its children once to find what they read and again to send
    // them, and resources made in there would load twice. For a visitor they answer "sign in"
    // at the cost of no query, and are never shown.
    let live = use_live_events();
    let home = HomeData {
        overview: Resource::new(move || (session(), live.get()), |_| vendor_overview()),
        chart: Resource::new(move || (session(), live.get()), |_| deployments_over_time()),
        hint: Resource::new(session, |_| sample_hint()),
    };
    view! {
            <Suspense fallback=|| view! { <p class="text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(user)) if user.is_vendor => view! { <Overview user sign_out home /> }.into_any(),
                        Ok(Some(user)) => view! { <Frame portal=Portal::Vendor><CustomerElsewhere user /></Frame> }.into_any(),
                        Ok(None) => view! { <Frame portal=Portal::Vendor>
                            <div class="flex w-full max-w-sm flex-col gap-4">
                                <SignInForm portal=Portal::Vendor sign_in />
                                <p class="text-center text-sm text-slate-500">
                                    "New to Consign? "
                                    <a href="/signup" id="signup-link" class=LINK>"Create a vendor account"</a>
                                </p>
                            </div>
                        </Frame> }.into_any(),
                        Err(err) => view! { <Frame portal=Portal::Vendor>
                            <p role="alert" class="text-red-700">{err.to_string()}</p>
                        </Frame> }.into_any(),
                    }
                })}
            </Suspense>
    }
}

/// What the signed-in overview shows, loaded by [`PortalHome`].
#[derive(Clone, Copy)]
struct HomeData {
    overview: Resource<Result<VendorOverviewView, AppError>>,
    chart: Resource<Result<ChartView, AppError>>,
    hint: Resource<Result<Option<String>, AppError>>,
}

#[component]
fn Overview(user: SessionUser, sign_out: ServerAction<SignOut>, home: HomeData) -> impl IntoView {
    let HomeData {
        overview,
        chart,
        hint,
    } = home;
    let name = user.name.clone();
    view! {
        <Layout portal=Portal::Vendor user branding=None title="Overview" sign_out>
            <p class="-mt-3 text-sm text-slate-600" id="welcome">{format!("Welcome, {name}")}</p>
            <Transition fallback=|| view! { <p class="text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => view! { <VendorSummary o /> }.into_any(),
                        Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <DeploymentsOverTime chart />
            <SampleHint hint />
        </Layout>
    }
}

/// The empty state of an organization without applications: how to create the sample one.
#[component]
fn SampleHint(hint: Resource<Result<Option<String>, AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                hint.await.ok().flatten().map(|hub| {
                    let command = format!("cargo xtask sample --hub {hub} --token <your token>");
                    view! {
                        <section class=CARD id="sample-hint">
                            <h2 class="text-lg font-semibold">"No applications yet: try the sample"</h2>
                            <p class="mt-1 text-sm text-slate-600">
                                "Create a personal access token on the "
                                <a href="/tokens" class=LINK>"Tokens"</a>
                                " page, then run this in the project's folder:"
                            </p>
                            <code class="mt-2 block overflow-x-auto whitespace-pre rounded bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100" id="sample-command">{command}</code>
                            <p class="mt-2 text-sm text-slate-600">
                                "It builds a small web server image with Docker, pushes it to this hub's registry, and creates the application \"Sample web app\" (version 1.0.0 with a healthcheck), the customer \"Sample customer\" and a license. Then create a deployment target for that customer on the "
                                <a href="/targets" class=LINK>"Targets"</a>
                                " page, run its install command, and deploy. Or "
                                <a href="/applications" class=LINK>"create your own application"</a>
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
                <a href="/portal" class=LINK>"Open your customer portal"</a>
            </p>
        </section>
    }
}
