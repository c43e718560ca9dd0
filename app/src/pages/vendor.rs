//! The vendor portal's entry page.

use leptos::prelude::*;

use super::home::PortalHome;

/// `/`: the vendor portal.
#[component]
pub fn VendorPortal() -> impl IntoView {
    view! { <PortalHome /> }
}
