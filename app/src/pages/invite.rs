//! `/invite/:token`: the page an invitation link opens.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::invitations::{AcceptInvitation, preview_invitation};
use crate::components::form::{ActionError, CARD, INPUT, SubmitButton};
use crate::components::frame::{Frame, Portal};
use crate::components::shell::BrandedFrame;

/// The invitation page.
#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = Resource::new(token, preview_invitation);
    let accept = ServerAction::<AcceptInvitation>::new();
    view! {
        <Suspense fallback=|| view! { <p class="p-6 text-slate-600">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let preview = preview.await;
                let branding = preview.as_ref().ok().and_then(|p| p.branding.clone());
                let card = match preview {
                            Ok(p) => view! {
                                <h1 class="text-2xl font-semibold tracking-tight">"You are invited"</h1>
                                <p class="mt-1 text-sm text-slate-600" id="invited-to">
                                    {format!("Join {} as {} ({}).", p.invited_to, p.role.replace('_', " "), p.email)}
                                </p>
                                <ActionForm action=accept attr:class="mt-6 flex flex-col gap-4" attr:id="accept-form">
                                    <input type="hidden" name="token" value=token() />
                                    {if p.existing_account {
                                        view! {
                                            <input type="hidden" name="name" value="" />
                                            <p class="text-sm text-slate-600">"You already have an account: confirm with its password."</p>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <label class="flex flex-col gap-1 text-sm font-medium">
                                                "Your name"
                                                <input type="text" name="name" id="accept-name" required autocomplete="name" class=INPUT />
                                            </label>
                                        }.into_any()
                                    }}
                                    <label class="flex flex-col gap-1 text-sm font-medium">
                                        {if p.existing_account { "Password" } else { "Choose a password (at least 10 characters)" }}
                                        <input type="password" name="password" id="accept-password" required
                                            autocomplete=if p.existing_account { "current-password" } else { "new-password" } class=INPUT />
                                    </label>
                                    <ActionError action=accept id="accept-error" />
                                    <SubmitButton action=accept label="Accept invitation" pending="Accepting…" id="accept-submit" />
                                </ActionForm>
                            }.into_any(),
                            Err(err) => view! {
                                <h1 class="text-2xl font-semibold tracking-tight">"Invitation"</h1>
                                <p role="alert" id="invite-unusable" class="mt-2 text-red-700">{err.to_string()}</p>
                            }.into_any(),
                };
                let card = view! { <section class=format!("{CARD} max-w-md")>{card}</section> };
                match branding {
                    Some(branding) => view! { <BrandedFrame branding=Some(branding)>{card}</BrandedFrame> }.into_any(),
                    None => view! { <Frame portal=Portal::Vendor>{card}</Frame> }.into_any(),
                }
            })}
        </Suspense>
    }
}
