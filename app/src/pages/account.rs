//! `/account`: the signed-in person's password and email address.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::account::{
    ChangePassword, LinkSent, RequestEmailChange, RequestVerification, my_account,
};
use crate::components::form::{ActionError, BUTTON_SECONDARY, CARD, INPUT, SubmitButton};
use crate::components::frame::{Frame, Portal};

/// The account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    let change_password = ServerAction::<ChangePassword>::new();
    let verification = ServerAction::<RequestVerification>::new();
    let email_change = ServerAction::<RequestEmailChange>::new();
    let account = Resource::new(|| (), |_| my_account());
    let sent = move |value: Option<Result<LinkSent, crate::error::AppError>>| {
        value.and_then(Result::ok).map(|s| view! {
            <div class="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800" id="link-sent">
                <p>{s.message}</p>
                {s.link.map(|l| {
                    let href = l.clone();
                    view! { <a href=href class="break-all text-accent" id="link-sent-url">{l}</a> }
                })}
            </div>
        })
    };
    view! {
        <Frame portal=Portal::Vendor>
            <div class="flex w-full max-w-xl flex-col gap-6">
                <p><a href="/" class="text-sm text-accent">"← Back"</a></p>
                <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match account.await {
                            Ok(a) => view! {
                                <section class=CARD>
                                    <h1 class="text-2xl font-semibold tracking-tight">{a.name.clone()}</h1>
                                    <p class="mt-1 text-sm text-slate-600" id="account-email">
                                        {a.email.clone()}
                                        {if a.email_verified { " · confirmed" } else { " · not confirmed yet" }}
                                    </p>
                                    {(!a.email_verified).then(|| view! {
                                        <ActionForm action=verification attr:class="mt-3">
                                            <SubmitButton action=verification label="Send a confirmation link" pending="Sending…" id="send-verification" class=BUTTON_SECONDARY />
                                        </ActionForm>
                                    })}
                                    <ActionError action=verification id="verification-error" />
                                    {move || sent(verification.value().get())}
                                </section>
                            }.into_any(),
                            Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
                <section class=CARD>
                    <h2 class="text-lg font-semibold">"Change password"</h2>
                    <ActionForm action=change_password attr:class="mt-3 flex flex-col gap-3" attr:id="password-form">
                        <input type="password" name="current" id="current-password" placeholder="Current password" required autocomplete="current-password" class=INPUT />
                        <input type="password" name="password" id="new-password" placeholder="New password (at least 10 characters)" required autocomplete="new-password" class=INPUT />
                        <ActionError action=change_password id="password-error" />
                        {move || change_password.value().get().and_then(Result::ok).map(|m| view! { <p id="password-changed" class="text-sm text-emerald-700">{m}</p> })}
                        <SubmitButton action=change_password label="Change password" pending="Changing…" id="change-password" />
                    </ActionForm>
                </section>
                <section class=CARD>
                    <h2 class="text-lg font-semibold">"Change email address"</h2>
                    <ActionForm action=email_change attr:class="mt-3 flex flex-col gap-3" attr:id="email-form">
                        <input type="email" name="email" id="new-email" placeholder="New address" required class=INPUT />
                        <input type="password" name="password" id="email-password" placeholder="Your password" required autocomplete="current-password" class=INPUT />
                        <ActionError action=email_change id="email-error" />
                        {move || sent(email_change.value().get())}
                        <SubmitButton action=email_change label="Send confirmation to the new address" pending="Sending…" id="change-email" />
                    </ActionForm>
                </section>
            </div>
        </Frame>
    }
}
