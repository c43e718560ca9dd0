//! `/users`: the vendor's own users and invitations.

use leptos::prelude::*;

use crate::components::people::People;
use crate::components::shell::VendorShell;

/// The vendor users page.
#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <VendorShell title="Users">
            <People customer="" />
        </VendorShell>
    }
}
