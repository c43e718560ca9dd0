//! The branding page's custom-host proof: the TXT record the vendor publishes, and the button
//! that checks it. Until it is verified, the host serves no portal.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::branding::{HostChallengeView, VerifyCustomHost, custom_host_status};
use crate::components::form::{ActionError, BUTTON_SECONDARY, SubmitButton};

/// The custom host's state; refetched whenever `saved` (the branding form's submissions)
/// changes.
#[component]
pub fn CustomHostProof(#[prop(into)] saved: Signal<usize>) -> impl IntoView {
    let verify = ServerAction::<VerifyCustomHost>::new();
    let status = Resource::new(
        move || (saved.get(), verify.version().get()),
        |_| custom_host_status(),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(Some(challenge)) => view! { <Challenge challenge verify /> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(err) => view! { <p role="alert" class="text-sm text-red-700">{err.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Challenge(
    challenge: HostChallengeView,
    verify: ServerAction<VerifyCustomHost>,
) -> impl IntoView {
    if challenge.verified {
        return view! {
            <p id="host-verified" class="mt-6 text-sm text-emerald-700">
                <span class="font-mono">{challenge.host}</span>
                " is verified: your customers reach your portal there."
            </p>
        }
        .into_any();
    }
    view! {
        <section id="host-proof" class="mt-6 flex flex-col gap-2 rounded-md bg-amber-50 p-4 text-sm">
            <p>
                "Prove that "<span class="font-mono">{challenge.host.clone()}</span>
                " is yours: add this TXT record at your DNS provider, then verify. Until then the \
                 host shows no portal."
            </p>
            <dl class="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
                <dt class="font-medium">"Name"</dt>
                <dd id="host-record-name" class="font-mono break-all">{challenge.record_name}</dd>
                <dt class="font-medium">"Type"</dt>
                <dd class="font-mono">"TXT"</dd>
                <dt class="font-medium">"Value"</dt>
                <dd id="host-record-value" class="font-mono break-all">{challenge.record_value}</dd>
            </dl>
            <ActionForm action=verify attr:id="host-verify-form">
                <SubmitButton action=verify label="Verify" pending="Checking…" id="host-verify" class=BUTTON_SECONDARY />
            </ActionForm>
            <ActionError action=verify id="host-error" />
        </section>
    }
    .into_any()
}
