//! The page for unknown paths: in the vendor's branding under `/portal`, Consign's elsewhere.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::api::branding::portal_branding;
use crate::components::form::{CARD, LINK};
use crate::components::frame::{Frame, Portal};
use crate::components::shell::BrandedFrame;

/// Any path no route matches; sets status 404 on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let path = use_location().pathname.get_untracked();
    if path == "/portal" || path.starts_with("/portal/") {
        let branding = Resource::new(|| (), |_| portal_branding());
        view! {
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let branding = branding.await.ok().flatten();
                    view! { <BrandedFrame branding><Missing portal=Portal::Customer /></BrandedFrame> }
                })}
            </Suspense>
        }
        .into_any()
    } else {
        view! { <Frame portal=Portal::Vendor><Missing portal=Portal::Vendor /></Frame> }.into_any()
    }
}

#[component]
fn Missing(portal: Portal) -> impl IntoView {
    view! {
        <section class=format!("{CARD} max-w-md text-center") id="not-found">
            <h1 class="text-2xl font-semibold">"Page not found"</h1>
            <p class="mt-2 text-slate-600">"This address does not exist. Check the link, or start again from the portal's home."</p>
            <a href=portal.home() class=format!("mt-4 inline-block {LINK}")>"Go to the portal's home"</a>
        </section>
    }
}
