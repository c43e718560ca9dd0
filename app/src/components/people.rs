//! The people of the vendor or of one customer: members with their roles, the invite form and
//! the invitations sent.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::confirm::{BUTTON_DANGER, ConfirmDialog};
use super::copy_link::IssuedLink;
use super::form::{
    ActionError, BUTTON, BUTTON_SECONDARY, CARD, FieldError, INPUT, RoleSelect, SubmitButton,
    clear_on_success,
};
use super::list::{EmptyList, Pager, SearchBox, SortHeader, use_list_query};
use crate::api::invitations::{Invite, ResendInvitation, RevokeInvitation, list_invitations};
use crate::api::members::{ChangeRole, RemoveMember, list_members};
use types::list::UserSort;

/// Members and invitations of the vendor (`customer` empty) or of one customer (which may
/// change while the component lives, as a route parameter does).
#[component]
pub fn People(#[prop(into)] customer: Signal<String>) -> impl IntoView {
    let invite = ServerAction::<Invite>::new();
    let resend = ServerAction::<ResendInvitation>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let change_role = ServerAction::<ChangeRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    // The members list's search, sort and page live in the URL of the page showing it.
    let query = use_list_query::<UserSort>();
    let path = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    let members = Resource::new(
        move || {
            (
                customer.get(),
                query.get(),
                change_role.version().get(),
                remove.version().get(),
                invite.version().get(),
            )
        },
        move |(scope, query, ..)| list_members(scope, query),
    );
    let invitations = Resource::new(
        move || {
            (
                customer.get(),
                invite.version().get(),
                resend.version().get(),
                revoke.version().get(),
            )
        },
        move |(scope, ..)| list_invitations(scope),
    );
    // The newest link, whether from inviting or resending: one at a time, so there is no doubt
    // which one to copy.
    let issued = RwSignal::new(None);
    let invite_form = NodeRef::new();
    clear_on_success(invite, invite_form);
    Effect::new(move |_| {
        if let Some(Ok(new)) = invite.value().get() {
            issued.set(Some(new));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(new)) = resend.value().get() {
            issued.set(Some(new));
        }
    });

    let invitations_view = move || {
        Suspend::new(async move {
            invitations.await.map(|list| {
                if list.is_empty() {
                    return view! { <p class="text-sm text-slate-500">"No invitations yet."</p> }.into_any();
                }
                view! {
                    <table class="w-full text-left text-sm" id="invitations">
                        <thead class="text-slate-500">
                            <tr><th class="py-1">"Email"</th><th>"Role"</th><th>"Status"</th><th>"Expires"</th><th></th></tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|i| {
                                let pending = i.status == "pending";
                                let status = i.status.clone();
                                let id = i.id.clone();
                                let id2 = i.id.clone();
                                let email = i.email.clone();
                                view! {
                                    <tr class="border-t border-slate-100" data-status=status>
                                        <td class="py-2">{i.email}</td>
                                        <td>{i.role}</td>
                                        <td>{i.status}</td>
                                        <td class="text-slate-500">{i.expires}</td>
                                        <td class="flex gap-2 py-2">
                                            {pending.then(|| view! {
                                                <ActionForm action=resend>
                                                    <input type="hidden" name="id" value=id.clone() />
                                                    <button type="submit" class=BUTTON_SECONDARY data-action="resend">"Resend"</button>
                                                </ActionForm>
                                                <ConfirmDialog id=format!("revoke-invitation-{id2}") trigger="Revoke" trigger_data="revoke"
                                                    title=format!("Revoke the invitation of {email}?")>
                                                    <p>"Its link stops working. You can invite the address again later."</p>
                                                    <ActionForm action=revoke>
                                                        <input type="hidden" name="id" value=id2.clone() />
                                                        <button type="submit" class=BUTTON_DANGER data-action="revoke">"Revoke invitation"</button>
                                                    </ActionForm>
                                                </ConfirmDialog>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }
                .into_any()
            })
        })
    };
    let members_view = {
        let path = path.clone();
        move || {
            let customer = customer.get_untracked();
            let q = query.get_untracked();
            let path = path.clone();
            Suspend::new(async move {
                members.await.map(|page| {
                    if page.items.is_empty() {
                        return view! {
                            <EmptyList q=q.q.clone() noun="users" path=path.clone() id="no-members"
                                nothing_yet="No users yet: invite someone below." />
                        }
                        .into_any();
                    }
                    let total = page.total;
                    let shown = page.items.len();
                    let list = page.items;
                    view! {
                    <table class="w-full text-left text-sm" id="members">
                        <thead class="text-slate-500">
                            <tr>
                                <SortHeader query path=path.clone() key=UserSort::Name label="Name" />
                                <SortHeader query path=path.clone() key=UserSort::Email label="Email" />
                                <SortHeader query path=path.clone() key=UserSort::Role label="Role" />
                                <th><span class="sr-only">"Actions"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|m| {
                                let customer = customer.clone();
                                let customer2 = customer.clone();
                                let user = m.user_id.clone();
                                let user2 = m.user_id.clone();
                                let who = m.name.clone();
                                view! {
                                    <tr class="border-t border-slate-100">
                                        <td class="py-2">{m.name}</td>
                                        <td>{m.email}</td>
                                        <td>
                                            <ActionForm action=change_role attr:class="flex gap-1">
                                                <input type="hidden" name="user" value=user />
                                                <input type="hidden" name="customer" value=customer />
                                                <RoleSelect selected=m.role.clone() />
                                                <button type="submit" class=BUTTON_SECONDARY>"Save"</button>
                                            </ActionForm>
                                        </td>
                                        <td>
                                            <ConfirmDialog id=format!("remove-member-{user2}") trigger="Remove"
                                                title=format!("Remove {who} from this organization?")>
                                                <p>"They can no longer sign in to it. Their account stays, and they can be invited again."</p>
                                                <ActionForm action=remove>
                                                    <input type="hidden" name="user" value=user2.clone() />
                                                    <input type="hidden" name="customer" value=customer2 />
                                                    <button type="submit" class=BUTTON_DANGER data-action="remove">"Remove member"</button>
                                                </ActionForm>
                                            </ConfirmDialog>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <Pager query=q total shown path=path.clone() />
                    }
                    .into_any()
                })
            })
        }
    };
    view! {
        <section class=CARD>
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h2 class="text-lg font-semibold">"Users"</h2>
                <SearchBox query path=path.clone() placeholder="Search by name or email" />
            </div>
            <ActionError action=change_role id="member-error" />
            <ActionError action=remove id="remove-error" />
            <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <p role="alert" class="text-red-700">{move || errors.get().into_iter().next().map(|(_, e)| e.to_string())}</p> }>
                    {members_view}
                </ErrorBoundary>
            </Suspense>
        </section>
        <section class=CARD>
            <h2 class="text-lg font-semibold">"Invite someone"</h2>
            <ActionForm action=invite node_ref=invite_form attr:class="mt-3 flex flex-wrap items-start gap-3" attr:id="invite-form">
                <input type="hidden" name="customer" value=move || customer.get() />
                <label class="flex flex-col gap-1 text-sm font-medium">
                    "Email"
                    <input type="email" name="email" id="invite-email" required class=INPUT aria-describedby="invite-email-error" />
                    <FieldError action=invite field="email" id="invite-email-error" />
                </label>
                <label class="flex flex-col gap-1 text-sm font-medium">
                    "Role"
                    <RoleSelect selected="read_only" id="invite-role" />
                </label>
                <SubmitButton action=invite label="Send invitation" pending="Inviting…" id="invite-submit" class=format!("mt-6 {BUTTON}") />
            </ActionForm>
            <ActionError action=invite id="invite-error" inline=&["email"] />
            {move || issued.get().map(|issued| view! { <IssuedLink issued /> })}
            <ActionError action=resend id="resend-error" />
            <ActionError action=revoke id="revoke-error" />
            <h3 class="mt-6 text-sm font-semibold text-slate-700">"Invitations"</h3>
            <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <p role="alert" class="text-red-700">{move || errors.get().into_iter().next().map(|(_, e)| e.to_string())}</p> }>
                    {invitations_view}
                </ErrorBoundary>
            </Suspense>
        </section>
    }
}
