//! The customer portal's entry page (branding per vendor arrives with the identity work).

use leptos::prelude::*;

use super::home::PortalHome;
use crate::components::frame::Portal;

/// `/portal`: the customer portal.
#[component]
pub fn CustomerPortal() -> impl IntoView {
    view! { <PortalHome portal=Portal::Customer /> }
}
