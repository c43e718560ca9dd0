//! The vendor portal's entry page.

use leptos::prelude::*;

use super::home::PortalHome;
use crate::components::frame::Portal;

/// `/`: the vendor portal.
#[component]
pub fn VendorPortal() -> impl IntoView {
    view! { <PortalHome portal=Portal::Vendor /> }
}
