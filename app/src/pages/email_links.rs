//! The pages behind emailed links, and the form that asks for a reset link.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::account::{ConfirmEmailLink, RequestPasswordReset, ResetPassword, link_branding};
use crate::api::branding::portal_branding;
use crate::components::form::{ActionError, CARD, INPUT, SubmitButton};
use crate::components::frame::{Frame, Portal};
use crate::components::shell::BrandedFrame;
use crate::error::AppError;

fn token() -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get("token").unwrap_or_default()
}

/// Shows an action's successful answer.
#[component]
fn Done<S>(action: ServerAction<S>, #[prop(into)] id: String) -> impl IntoView
where
    S: ServerFn<Output = String, Error = AppError> + Clone + Send + Sync + 'static,
{
    move || {
        action.value().get().and_then(Result::ok).map(|message| {
            view! { <p id=id.clone() class="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">{message}</p> }
        })
    }
}

/// The frame of a link's page: the vendor's branding when the link belongs to a customer
/// account, Consign's otherwise.
#[component]
fn LinkFrame(purpose: &'static str, children: ChildrenFn) -> impl IntoView {
    let token = token();
    let branding = Resource::new(token, move |token| link_branding(token, purpose.into()));
    view! {
        <Suspense fallback=|| ()>
            {
                let children = children.clone();
                Suspend::new(async move {
                    match branding.await.ok().flatten() {
                        Some(b) => view! {
                            <BrandedFrame branding=Some(b)>
                                <input type="hidden" form="reset-form" name="next" value="/portal" />
                                {children()}
                            </BrandedFrame>
                        }.into_any(),
                        None => view! { <Frame portal=Portal::Vendor>{children()}</Frame> }.into_any(),
                    }
                })
            }
        </Suspense>
    }
}

/// `/forgot`: asks for a password-reset link; `?portal=customer` (the customer portal's
/// sign-in links here) shows it in the portal's branding.
#[component]
pub fn ForgotPage() -> impl IntoView {
    let query = use_query_map();
    let customer = query.read_untracked().get("portal").as_deref() == Some("customer");
    let branding = Resource::new(
        || (),
        move |_| async move {
            if customer {
                portal_branding().await.ok().flatten()
            } else {
                None
            }
        },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match branding.await {
                    Some(b) => view! { <BrandedFrame branding=Some(b)><ForgotCard /></BrandedFrame> }.into_any(),
                    None if customer => view! { <BrandedFrame branding=None><ForgotCard /></BrandedFrame> }.into_any(),
                    None => view! { <Frame portal=Portal::Vendor><ForgotCard /></Frame> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ForgotCard() -> impl IntoView {
    let request = ServerAction::<RequestPasswordReset>::new();
    view! {
            <section class=format!("{CARD} max-w-sm")>
                <h1 class="text-2xl font-semibold tracking-tight">"Reset your password"</h1>
                <p class="mt-1 text-sm text-slate-500">"We email you a link that lets you choose a new one."</p>
                <ActionForm action=request attr:class="mt-6 flex flex-col gap-4" attr:id="forgot-form">
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "Email"
                        <input type="email" name="email" id="forgot-email" required autocomplete="username" class=INPUT />
                    </label>
                    <ActionError action=request id="forgot-error" />
                    <Done action=request id="forgot-sent" />
                    <SubmitButton action=request label="Send the link" pending="Sending…" id="forgot-submit" />
                </ActionForm>
            </section>

    }
}

/// `/reset/:token`: chooses a new password.
#[component]
pub fn ResetPage() -> impl IntoView {
    let reset = ServerAction::<ResetPassword>::new();
    // A signal, which is Copy: the page's content is rebuilt once the frame knows its branding.
    let token = Signal::derive(token());
    view! {
        <LinkFrame purpose="reset">
            <section class=format!("{CARD} max-w-sm")>
                <h1 class="text-2xl font-semibold tracking-tight">"Choose a new password"</h1>
                <ActionForm action=reset attr:class="mt-6 flex flex-col gap-4" attr:id="reset-form">
                    <input type="hidden" name="token" value=token />
                    <label class="flex flex-col gap-1 text-sm font-medium">
                        "New password (at least 10 characters)"
                        <input type="password" name="password" id="reset-password" required autocomplete="new-password" class=INPUT />
                    </label>
                    <ActionError action=reset id="reset-error" />
                    <SubmitButton action=reset label="Set password" pending="Saving…" id="reset-submit" />
                </ActionForm>
            </section>
        </LinkFrame>
    }
}

/// `/verify/:token`: confirms the account's address (a button, so link scanners that only
/// fetch pages cannot confirm on the person's behalf).
#[component]
pub fn VerifyPage() -> impl IntoView {
    view! { <ConfirmLink title="Confirm your email address" purpose="verify" /> }
}

/// `/change-email/:token`: moves the account to its new address.
#[component]
pub fn ChangeEmailPage() -> impl IntoView {
    view! { <ConfirmLink title="Confirm your new email address" purpose="change" /> }
}

#[component]
fn ConfirmLink(title: &'static str, purpose: &'static str) -> impl IntoView {
    let confirm = ServerAction::<ConfirmEmailLink>::new();
    let token = Signal::derive(token());
    view! {
        <LinkFrame purpose>
            <section class=format!("{CARD} max-w-sm")>
                <h1 class="text-2xl font-semibold tracking-tight">{title}</h1>
                <ActionForm action=confirm attr:class="mt-6 flex flex-col gap-4" attr:id="confirm-form">
                    <input type="hidden" name="purpose" value=purpose />
                    <input type="hidden" name="token" value=token />
                    <ActionError action=confirm id="confirm-error" />
                    <Done action=confirm id="confirm-done" />
                    <SubmitButton action=confirm label="Confirm" pending="Confirming…" id="confirm-submit" />
                </ActionForm>
            </section>
        </LinkFrame>
    }
}
