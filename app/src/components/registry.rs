//! The hub's registry as a vendor sees it: its address and the vendor's namespace
//! ([`RegistryNote`]), and a version's images with whether the hub holds each one and the
//! commands that put a missing one there ([`VersionImages`]).

use leptos::prelude::*;

use crate::api::registry::{ImageSourceView, ImageView, RegistryAddress};
use crate::components::form::CARD;

const CODE: &str = "block overflow-x-auto whitespace-pre rounded bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100";

/// Where the vendor's images go, and how to log in there.
#[component]
pub fn RegistryNote(registry: RegistryAddress) -> impl IntoView {
    let login = registry.login();
    view! {
        <div class="rounded-md bg-slate-50 px-3 py-2 text-sm ring-1 ring-slate-200" id="registry-address">
            <p>
                "This hub's registry: "
                <code class="font-mono" id="registry-host">{registry.host.clone()}</code>
                " · your namespace: "
                <code class="font-mono" id="registry-namespace">{registry.namespace.clone()}</code>
            </p>
            <p class="mt-1 text-slate-600">
                "Push images as "
                <code class="font-mono">{format!("{}/{}/<name>:<tag>", registry.host, registry.namespace)}</code>
                ". Log in with "
                <code class="font-mono">{login}</code>
                ": any user name, and a personal access token from the "
                <a href="/tokens" class="text-accent">"Tokens"</a>
                " page as the password. Customers pull the images of the versions their licenses grant."
            </p>
        </div>
    }
}

/// The images of one version.
#[component]
pub fn VersionImages(images: Vec<ImageView>, registry: RegistryAddress) -> impl IntoView {
    if images.is_empty() {
        return ().into_any();
    }
    view! {
        <ul class="mt-2 flex flex-col gap-2 text-sm" data-images="">
            {images.into_iter().map(|image| view! { <Image image registry=registry.clone() /> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn Image(image: ImageView, registry: RegistryAddress) -> impl IntoView {
    let reference = image.reference.clone();
    let (state, detail) = match image.source {
        ImageSourceView::Hub {
            repository,
            present: true,
            ..
        } => (
            "present",
            view! {
                <span class="rounded bg-emerald-50 px-2 py-0.5 text-xs text-emerald-800">
                    {format!("in this hub's registry ({repository})")}
                </span>
            }
            .into_any(),
        ),
        ImageSourceView::Hub {
            repository,
            reference: tag_or_digest,
            present: false,
        } => ("missing", missing(&registry, &repository, &tag_or_digest)),
        ImageSourceView::OtherNamespace { namespace } => (
            "other-namespace",
            view! {
                <span class="rounded bg-amber-50 px-2 py-0.5 text-xs text-amber-800">
                    {format!(
                        "names the namespace {namespace} on this hub, which is not yours ({}): push it under {}/{}/ instead",
                        registry.namespace, registry.host, registry.namespace
                    )}
                </span>
            }
            .into_any(),
        ),
        ImageSourceView::Elsewhere { registry: other } => (
            "elsewhere",
            view! {
                <span class="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">
                    {format!("pulled from {other}, not from this hub")}
                </span>
            }
            .into_any(),
        ),
        ImageSourceView::Unresolved => (
            "unresolved",
            view! {
                <span class="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">
                    "uses a variable: known only when deployed"
                </span>
            }
            .into_any(),
        ),
    };
    let shown = reference.clone();
    view! {
        <li data-image=reference data-state=state>
            <code class="font-mono text-xs">{shown}</code>
            " "
            {detail}
        </li>
    }
}

/// The missing state: what to run to put the image on the hub.
fn missing(registry: &RegistryAddress, repository: &str, reference: &str) -> AnyView {
    let digest = reference.contains(':');
    let target = if digest {
        format!("{repository}:<tag>")
    } else {
        format!("{repository}:{reference}")
    };
    let commands = format!(
        "{}\ndocker tag <your local image> {target}\ndocker push {target}",
        registry.login()
    );
    view! {
        <span class="rounded bg-red-50 px-2 py-0.5 text-xs text-red-800">"missing from this hub's registry"</span>
        <div class="mt-1 text-xs text-slate-600">
            <p>
                "Put it there (user name: anything; password: a personal access token from the "
                <a href="/tokens" class="text-accent">"Tokens"</a>
                " page):"
            </p>
            <code class=CODE>{commands}</code>
            {digest.then(|| view! {
                <p class="mt-1">{format!("The compose file pins digest {reference}: the pushed image must have exactly that digest.")}</p>
            })}
        </div>
    }
    .into_any()
}

/// [`RegistryNote`] for the signed-in vendor, fetched on its own (the Artifacts page's header).
#[component]
pub fn RegistryCard() -> impl IntoView {
    let address = Resource::new(|| (), |_| crate::api::registry::get_registry_address());
    view! {
        <section class=CARD>
            <h2 class="text-lg font-semibold">"Registry"</h2>
            <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match address.await {
                        Ok(registry) => view! { <div class="mt-2"><RegistryNote registry /></div> }.into_any(),
                        Err(err) => view! { <p role="alert" class="text-red-700">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
