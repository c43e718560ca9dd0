//! `/tokens`: the signed-in person's personal access tokens.

use leptos::prelude::*;

use crate::components::shell::VendorShell;

/// The access tokens page.
#[component]
pub fn TokensPage() -> impl IntoView {
    view! { <VendorShell title="Access tokens">{|| ()}</VendorShell> }
}
