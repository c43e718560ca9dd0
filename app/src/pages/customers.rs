//! `/customers`: the vendor's customers, and creating one.

use leptos::form::ActionForm;
use leptos::prelude::*;

use types::list::CustomerSort;

use crate::api::customers::{CreateCustomer, page_customers};
use crate::components::form::{
    ActionError, CARD, FieldError, INPUT, Saved, SubmitButton, clear_on_success,
};
use crate::components::list::{EmptyList, Pager, SearchBox, SortLinks, use_list_query};
use crate::components::shell::VendorShell;

/// The columns the customers list sorts by.
const SORTS: &[(CustomerSort, &str)] = &[
    (CustomerSort::Name, "Name"),
    (CustomerSort::Created, "Created"),
];

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
    let form = NodeRef::new();
    clear_on_success(create, form);
    let query = use_list_query::<CustomerSort>();
    let customers = Resource::new(
        move || (query.get(), create.version().get()),
        |(q, _)| page_customers(q),
    );
    view! {
        <section class=CARD>
            <ActionForm action=create node_ref=form attr:class="flex flex-wrap items-start gap-3" attr:id="create-customer-form">
                <label class="flex flex-col gap-1 text-sm font-medium">
                    "New customer"
                    <input type="text" name="name" id="customer-name" required placeholder="Globex Corporation" class=INPUT
                        aria-describedby="customer-name-error" />
                    <FieldError action=create field="name" id="customer-name-error" />
                </label>
                <SubmitButton action=create label="Create customer" pending="Creating…" id="create-customer" class=format!("mt-6 {}", crate::components::form::BUTTON) />
            </ActionForm>
            <ActionError action=create id="customer-error" inline=&["name"] />
            <Saved action=create message="Customer created. Open it below to invite its people and grant licenses." id="customer-created" />
        </section>
        <section class=CARD>
            <div class="flex flex-wrap items-center justify-between gap-3">
                <SearchBox query path="/customers" placeholder="Search by name" />
                <SortLinks query path="/customers" keys=SORTS />
            </div>
            <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let q = query.get_untracked();
                    match customers.await {
                        Ok(list) if list.items.is_empty() => view! {
                            <EmptyList q=q.q.clone() noun="customers" path="/customers" id="no-customers"
                                nothing_yet="No customers yet: create the first one above." />
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="mt-2 divide-y divide-slate-100" id="customer-list">
                                {list.items.iter().cloned().map(|c| view! {
                                    <li class="flex items-center justify-between py-3">
                                        <a href=format!("/customers/{}", c.id) class="font-medium text-accent">{c.name}</a>
                                        <span class="text-sm text-slate-500">{format!("since {}", c.created)}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                            <Pager query=q total=list.total shown=list.items.len() path="/customers" />
                        }.into_any(),
                        Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
