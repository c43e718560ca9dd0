//! `/customers/:id`: one customer's users and invitations.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::customers::{DeleteCustomer, get_customer};
use crate::components::confirm::{BUTTON_DANGER, ConfirmDialog};
use crate::components::form::{ActionError, CARD};
use crate::components::people::People;
use crate::components::shell::VendorShell;

/// The customer page.
#[component]
pub fn CustomerDetailPage() -> impl IntoView {
    view! {
        <VendorShell title="Customer">
            <CustomerDetail />
        </VendorShell>
    }
}

#[component]
fn CustomerDetail() -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || params.read().get("id").unwrap_or_default());
    let customer = Resource::new(move || id.get(), get_customer);
    let delete = ServerAction::<DeleteCustomer>::new();
    view! {
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match customer.await {
                    Ok(c) => {
                        let id = c.id.clone();
                        view! {
                        <section class=CARD>
                            <div class="flex items-center justify-between">
                                <h2 class="text-xl font-semibold" id="customer-title">{c.name.clone()}</h2>
                                <ConfirmDialog id="delete-customer" trigger="Delete customer"
                                    title=format!("Delete {}?", c.name)>
                                    <p>"Its users lose access to the portal, and its licenses and targets are deleted with it. This cannot be undone."</p>
                                    <ActionForm action=delete>
                                        <input type="hidden" name="id" value=id />
                                        <button type="submit" class=BUTTON_DANGER data-confirm="delete-customer">"Delete customer"</button>
                                    </ActionForm>
                                </ConfirmDialog>
                            </div>
                            <p class="text-sm text-slate-500">{format!("Customer since {}", c.created)}</p>
                            <ActionError action=delete id="delete-error" />
                        </section>
                    }.into_any()
                    }
                    Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        // Outside the Suspend above: a component made inside it would be made again each time
        // the server re-runs that closure while waiting, and its resources would no longer line
        // up with the browser's (see `VendorShell`).
        <People customer=id />
    }
}
