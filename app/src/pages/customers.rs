//! `/customers`: the vendor's customers, and creating one.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::customers::{CreateCustomer, list_customers};
use crate::components::form::{ActionError, BUTTON, CARD, INPUT};
use crate::components::shell::VendorShell;

/// The customers page.
#[component]
pub fn CustomersPage() -> impl IntoView {
    view! {
        <VendorShell title="Customers">
            <CustomerList />
        </VendorShell>
    }
}

#[component]
fn CustomerList() -> impl IntoView {
    let create = ServerAction::<CreateCustomer>::new();
    let customers = Resource::new(move || create.version().get(), |_| list_customers());
    view! {
        <section class=CARD>
            <ActionForm action=create attr:class="flex flex-wrap items-end gap-3" attr:id="create-customer-form">
                <label class="flex flex-col gap-1 text-sm font-medium">
                    "New customer"
                    <input type="text" name="name" id="customer-name" required placeholder="Globex Corporation" class=INPUT />
                </label>
                <button type="submit" id="create-customer" class=BUTTON>"Create customer"</button>
            </ActionForm>
            <ActionError action=create id="customer-error" />
        </section>
        <section class=CARD>
            <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match customers.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="text-slate-500">"No customers yet: create the first one above."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="divide-y divide-slate-100" id="customer-list">
                                {list.into_iter().map(|c| view! {
                                    <li class="flex items-center justify-between py-3">
                                        <a href=format!("/customers/{}", c.id) class="font-medium text-indigo-700 hover:underline">{c.name}</a>
                                        <span class="text-sm text-slate-500">{format!("since {}", c.created)}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
