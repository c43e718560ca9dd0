//! `/licenses`: the vendor's licenses, granting and revoking them, and the hub's public key.

use leptos::form::ActionForm;
use leptos::prelude::*;

use types::LicenseStanding;
use types::list::LicenseSort;

use crate::api::licenses::{GrantLicense, LicenseView, LicensesPage, RevokeLicense, list_licenses};
use crate::components::confirm::{BUTTON_DANGER, ConfirmDialog};
use crate::components::form::{
    ActionError, BUTTON, BUTTON_SECONDARY, CARD, FieldError, INPUT, Saved, SubmitButton,
    clear_on_success,
};
use crate::components::list::{EmptyList, ListQuery, Pager, SearchBox, SortLinks, use_list_query};
use crate::components::shell::VendorShell;

/// The columns the licenses list sorts by.
const SORTS: &[(LicenseSort, &str)] = &[
    (LicenseSort::Created, "Granted"),
    (LicenseSort::Name, "Name"),
    (LicenseSort::Customer, "Customer"),
    (LicenseSort::Application, "Application"),
    (LicenseSort::Expires, "Expiry"),
];

/// The licenses page.
#[component]
pub fn LicensesPageView() -> impl IntoView {
    let grant = ServerAction::<GrantLicense>::new();
    let revoke = ServerAction::<RevokeLicense>::new();
    let query = use_list_query::<LicenseSort>();
    let page = Resource::new(
        move || (query.get(), grant.version().get(), revoke.version().get()),
        |(q, ..)| list_licenses(q),
    );
    view! {
        <VendorShell title="Licenses">
            <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! { <Licenses page query grant revoke /> }.into_any(),
                        Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </VendorShell>
    }
}

#[component]
fn Licenses(
    page: LicensesPage,
    query: Memo<ListQuery<LicenseSort>>,
    grant: ServerAction<GrantLicense>,
    revoke: ServerAction<RevokeLicense>,
) -> impl IntoView {
    let ready = !page.customers.is_empty() && !page.applications.is_empty();
    let form = NodeRef::new();
    clear_on_success(grant, form);
    view! {
        <section class=CARD>
            <h2 class="text-lg font-semibold">"Grant a license"</h2>
            {(!ready).then(|| view! {
                <p class="mt-2 text-sm text-slate-500">"Create a customer and an application first."</p>
            })}
            <ActionForm action=grant node_ref=form attr:class="mt-4 flex flex-col gap-3" attr:id="grant-license-form">
                <div class="flex flex-wrap gap-3">
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "Customer"
                        <select name="customer" id="license-customer" required class=INPUT>
                            {page.customers.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "Application"
                        <select name="application" id="license-application" required class=INPUT>
                            {page.applications.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "Name (optional)"
                        <input type="text" name="name" id="license-name" placeholder="Globex – Shop" class=INPUT />
                    </label>
                </div>
                <div class="flex flex-wrap gap-3">
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "Channels"
                        <input type="text" name="channels" id="license-channels" value="stable" class=INPUT />
                    </label>
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "Versions (empty: every version)"
                        <input type="text" name="versions" id="license-versions" placeholder="1.0.0, 1.1.0" class=INPUT />
                    </label>
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "Last day (optional)"
                        <input type="date" name="expires" id="license-expires" class=INPUT aria-describedby="license-expires-error" />
                        <FieldError action=grant field="expiresAt" id="license-expires-error" />
                    </label>
                </div>
                <label class="flex flex-col gap-1 text-sm font-medium">
                    "Entitlements (key=value per line)"
                    <textarea name="entitlements" id="license-entitlements" rows="3" placeholder="seats=25\nfeature.sso=true"
                        class="rounded-md border border-slate-300 px-3 py-2 font-mono text-xs" aria-describedby="license-entitlements-error"></textarea>
                    <FieldError action=grant field="entitlements" id="license-entitlements-error" />
                </label>
                <div>
                    {if ready {
                        view! { <SubmitButton action=grant label="Grant license" pending="Granting…" id="grant-license" /> }.into_any()
                    } else {
                        view! { <button type="submit" id="grant-license" class=BUTTON disabled=true>"Grant license"</button> }.into_any()
                    }}
                </div>
            </ActionForm>
            <ActionError action=grant id="license-error" inline=&["expiresAt", "entitlements"] />
            <Saved action=grant message="License granted. The customer can now deploy what it allows." id="license-granted" />
        </section>
        <section class=CARD>
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h2 class="text-lg font-semibold">"Licenses"</h2>
                <SearchBox query path="/licenses" placeholder="Search by license, customer or application" />
            </div>
            <SortLinks query path="/licenses" keys=SORTS />
            {if page.licenses.items.is_empty() {
                view! {
                    <EmptyList q=query.get_untracked().q noun="licenses" path="/licenses" id="no-licenses"
                        nothing_yet="No licenses yet. Grant one above: it lets a customer deploy an application." />
                }.into_any()
            } else {
                let (total, shown) = (page.licenses.total, page.licenses.items.len());
                view! {
                    <ul class="mt-2 divide-y divide-slate-100" id="license-list">
                        {page.licenses.items.into_iter().map(|l| view! { <LicenseRow license=l revoke /> }).collect_view()}
                    </ul>
                    <Pager query=query.get_untracked() total shown path="/licenses" />
                }.into_any()
            }}
            <ActionError action=revoke id="revoke-error" />
        </section>
        <section class=CARD>
            <h2 class="text-lg font-semibold">"License signing key"</h2>
            <p class="mt-1 text-sm text-slate-500">
                "Every license file is signed with this hub's ed25519 key. Give the public key to your application, or check a file offline with "
                <code>"consign-agent verify-license --public-key <key> license.json"</code>"."
            </p>
            <pre class="mt-3 overflow-x-auto rounded bg-slate-50 p-3 text-xs" id="license-public-key">{page.public_key}</pre>
            <p class="mt-1 text-xs text-slate-500">{format!("Key id {}", page.key_id)}</p>
        </section>
    }
}

/// One license, with its download link and revoke button.
#[component]
pub fn LicenseRow(
    license: LicenseView,
    #[prop(optional)] revoke: Option<ServerAction<RevokeLicense>>,
) -> impl IntoView {
    let badge = match license.standing {
        LicenseStanding::Active => "bg-emerald-50 text-emerald-700",
        LicenseStanding::Expired => "bg-amber-50 text-amber-800",
        LicenseStanding::Revoked => "bg-red-50 text-red-700",
    };
    let entitlements = license
        .entitlements
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let active = license.standing != LicenseStanding::Revoked;
    let summary = summary(&license);
    view! {
        <li class="py-3" data-license=license.name.clone()>
            <div class="flex flex-wrap items-center justify-between gap-2">
                <div>
                    <span class="font-medium">{license.name.clone()}</span>
                    <span class=format!("ml-2 rounded px-2 py-0.5 text-xs {badge}") data-standing=license.standing.as_str()>{license.standing.as_str()}</span>
                    <p class="text-sm text-slate-500">
                        {summary}
                    </p>
                    {(!entitlements.is_empty()).then(|| view! { <p class="text-xs text-slate-500">{format!("Entitlements: {entitlements}")}</p> })}
                </div>
                <div class="flex items-center gap-2">
                    {active.then(|| view! {
                        <a href=format!("/licenses/{}/file", license.id) rel="external" download="license.json" class=BUTTON_SECONDARY>"Download license file"</a>
                    })}
                    {match (revoke, active) {
                        (Some(revoke), true) => Some(view! {
                            <ConfirmDialog id=format!("revoke-license-{}", license.id) trigger="Revoke"
                                title=format!("Revoke the license {}?", license.name)>
                                <p>"The customer's deployments of it can no longer be updated or restarted, and its agents can no longer pull its images. This cannot be undone; grant a new license instead."</p>
                                <ActionForm action=revoke>
                                    <input type="hidden" name="id" value=license.id.to_string() />
                                    <button type="submit" class=BUTTON_DANGER data-confirm="revoke-license">"Revoke license"</button>
                                </ActionForm>
                            </ConfirmDialog>
                        }),
                        _ => None,
                    }}
                </div>
            </div>
        </li>
    }
}

/// One line on a license: whose, what, which versions and channels, until when.
fn summary(license: &LicenseView) -> String {
    let versions = match &license.versions {
        None => "every version".to_string(),
        Some(names) => names.join(", "),
    };
    let channels = license
        .channels
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let expiry = match license.expires_at {
        Some(at) => format!("until {}", at.format("%Y-%m-%d %H:%M UTC")),
        None => "no expiry".into(),
    };
    [
        license.customer.clone(),
        license.application.clone(),
        versions,
        format!("channels {channels}"),
        expiry,
    ]
    .into_iter()
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(" · ")
}
