//! Switching between the organizations a person belongs to (shown only when there are several).

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::auth::{SessionUser, SwitchOrganization};

/// A select of the person's organizations with a Switch button; nothing for a single one.
#[component]
pub fn OrganizationSwitcher(
    user: SessionUser,
    switch: ServerAction<SwitchOrganization>,
) -> impl IntoView {
    let current = user.organization_id.clone().unwrap_or_default();
    (user.organizations.len() > 1).then(|| {
        view! {
            <ActionForm action=switch attr:class="flex items-center gap-2">
                <label class="text-sm text-slate-600" for="switch-organization">"Organization"</label>
                <select name="organization" id="switch-organization" class="rounded-md border border-slate-300 px-2 py-1 text-sm">
                    {user.organizations.iter().map(|o| view! {
                        <option value=o.id.clone() selected=o.id == current>{o.label.clone()}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="rounded-md border border-slate-300 px-2 py-1 text-xs">"Switch"</button>
            </ActionForm>
        }
    })
}
