//! The page frame of both portals: header with the portal's name, content card, footer.

use leptos::prelude::*;

/// Which portal a page belongs to; decides the frame's title and accent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Portal {
    /// The vendor portal, where a software vendor manages customers and releases.
    Vendor,
    /// The customer portal, white-labelled per vendor.
    Customer,
}

impl Portal {
    /// The path of the portal's entry page (where sign-in and sign-out lead).
    pub fn home(self) -> &'static str {
        match self {
            Portal::Vendor => "/",
            Portal::Customer => "/portal",
        }
    }

    /// The portal's title.
    pub fn title(self) -> &'static str {
        match self {
            Portal::Vendor => "Vendor portal",
            Portal::Customer => "Customer portal",
        }
    }
}

/// Wraps a page in the portal's frame. Its `data-hydrated` attribute turns `true` once the
/// browser has taken over the server-rendered page (tests and scripts wait for it).
#[component]
pub fn Frame(portal: Portal, children: Children) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, so this marks hydration, never server rendering.
    Effect::new(move |_| hydrated.set(true));
    view! {
        <div
            id="consign-root"
            class="min-h-screen flex flex-col"
            data-portal=move || match portal {
                Portal::Vendor => "vendor",
                Portal::Customer => "customer",
            }
            data-hydrated=move || hydrated.get().to_string()
        >
            <header class="accent-bar shadow-sm">
                <div class="mx-auto max-w-5xl px-6 py-4 flex items-center gap-3">
                    <img src="/logo.svg" alt="" class="h-8 w-8" />
                    <span class="text-lg font-semibold tracking-tight">"Consign"</span>
                    <span class="text-sm">{portal.title()}</span>
                </div>
            </header>
            <main class="flex-1 flex items-start justify-center px-6 py-16">{children()}</main>
            <footer class="py-6 text-center text-xs text-slate-500">
                "Consign — ship software into environments your customers control."
            </footer>
        </div>
    }
}
