//! `/portal`: the customer portal, in the vendor's branding.

use leptos::prelude::*;

use crate::api::auth::{SignIn, SignOut, current_user};
use crate::api::branding::portal_branding;
use crate::api::overview::customer_overview;
use crate::components::catalogue::Catalogue;
use crate::components::form::{CARD, LINK};
use crate::components::frame::Portal;
use crate::components::live::{follow_session, use_live_events};
use crate::components::overview::CustomerSummary;
use crate::components::people::People;
use crate::components::shell::{BrandedFrame, Layout};
use crate::components::sign_in_form::SignInForm;
use crate::pages::artifacts::CustomerArtifacts;

/// The customer portal: branded by the request's host, the signed-in customer's vendor, or the
/// hub's only vendor.
#[component]
pub fn CustomerPortal() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let session = move || (sign_in.version().get(), sign_out.version().get());
    let user = Resource::new(session, |_| current_user());
    let branding = Resource::new(session, |_| portal_branding());
    follow_session(move || matches!(user.get(), Some(Ok(Some(_)))));
    view! {
        <Suspense fallback=|| view! { <p class="p-6 text-slate-600">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let branding = branding.await.ok().flatten();
                match user.await {
                    Ok(Some(user)) if !user.is_vendor => {
                        let home = branding.as_ref().map(|b| b.home_html.clone()).unwrap_or_default();
                        // A customer's admins manage their own organization's users here.
                        let is_customer = user.customer_id.is_some();
                        let people = match (&user.customer_id, user.role.as_deref()) {
                            (Some(customer), Some("admin")) => Some(customer.clone()),
                            _ => None,
                        };
                        let name = user.name.clone();
                        view! {
                            <Layout portal=Portal::Customer user branding title="Overview" sign_out>
                                <p class="-mt-3 text-sm text-slate-600" id="welcome">{format!("Welcome, {name}")}</p>
                                {is_customer.then(|| view! { <CustomerOverview /> })}
                                {(!home.is_empty()).then(|| view! {
                                    <section class=CARD>
                                        <div class="prose" id="portal-home" inner_html=home></div>
                                    </section>
                                })}
                                {is_customer.then(|| view! { <Catalogue /> })}
                                <CustomerArtifacts />
                                {people.map(|customer| view! {
                                    <div class="flex w-full flex-col gap-6" id="portal-people">
                                        <People customer />
                                    </div>
                                })}
                            </Layout>
                        }.into_any()
                    }
                    Ok(Some(_)) => view! {
                        <BrandedFrame branding>
                            <p class="text-slate-700">
                                "You are signed in to the vendor portal. "
                                <a href="/" class=LINK>"Go to the vendor portal"</a>
                            </p>
                        </BrandedFrame>
                    }.into_any(),
                    Ok(None) => view! {
                        <BrandedFrame branding>
                            <SignInForm portal=Portal::Customer sign_in />
                        </BrandedFrame>
                    }.into_any(),
                    Err(err) => view! {
                        <BrandedFrame branding>
                            <p role="alert" class="text-red-700">{err.to_string()}</p>
                        </BrandedFrame>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The signed-in customer's deployments, targets and updates, live.
#[component]
fn CustomerOverview() -> impl IntoView {
    let live = use_live_events();
    let overview = Resource::new(move || live.get(), |_| customer_overview());
    view! {
        <Transition fallback=|| view! { <p class="text-slate-600">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <CustomerSummary o /> }.into_any(),
                    Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
