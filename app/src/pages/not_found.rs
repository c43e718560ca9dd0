//! The page for unknown paths.

use leptos::prelude::*;

/// Any path no route matches; sets status 404 on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <div class="min-h-screen flex items-center justify-center">
            <section class="rounded-xl bg-white p-8 shadow-md ring-1 ring-slate-200 text-center">
                <h1 class="text-2xl font-semibold">"Page not found"</h1>
                <p class="mt-2 text-slate-500">"This address does not exist on this hub."</p>
                <a href="/" class="mt-4 inline-block text-indigo-600 hover:underline">"Go to the sign-in page"</a>
            </section>
        </div>
    }
}
