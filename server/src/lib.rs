//! The Consign hub: the composition root of one binary serving the vendor portal, the customer
//! portal, the REST API and (later) the agent endpoint and the OCI registry.
//!
//! It owns settings, telemetry, the axum router and start-up/shutdown. Request handlers stay
//! thin and call the `service` crate; nothing here holds business rules.
//! [`run`] is the whole server; tests call it with a listener on port 0.

// Rendering the portals (`app`) here computes the layout of deeply nested view types.
#![recursion_limit = "256"]

pub mod error;
pub mod jobs;
pub mod limits;
pub mod private_files;
pub mod routes;
pub mod security_headers;
pub mod settings;
pub mod site;
pub mod state;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

pub use error::StartError;
pub use limits::raise_open_files_limit;
pub use settings::Settings;
pub use state::AppState;

/// The license-signing key's file name under the data directory.
pub const LICENSE_KEY_FILE: &str = "license-signing.key";

/// The secrets key's file name under the data directory.
pub const SECRETS_KEY_FILE: &str = "secrets.key";

/// Opens the database (creating the data directory), applies every pending migration and
/// builds the service graph.
pub async fn prepare(settings: &Settings) -> Result<AppState, StartError> {
    // Everything the hub keeps is for its own user only: set and tightened at every start.
    private_files::private_dir(&settings.data_dir)?;
    let database_url = settings.database_url();
    private_files::prepare_sqlite(&database_url)?;
    let db = service::db::connect(&database_url)
        .await
        .map_err(StartError::Database)?;
    private_files::tighten_sqlite_url(&database_url)?;
    let parsed = service::db::migrate(&db)
        .await
        .map_err(StartError::Migrate)?;
    if parsed > 0 {
        tracing::info!(versions = parsed, "recorded the images of earlier versions");
    }
    let mailer: Option<std::sync::Arc<dyn service::mail::Mailer>> = match settings.mail()? {
        Some(mail) => Some(std::sync::Arc::new(
            service::mail::SmtpMailer::new(&mail).map_err(StartError::Mail)?,
        )),
        None => None,
    };
    let signer =
        service::licenses::LicenseSigner::load_or_create(&settings.data_dir.join(LICENSE_KEY_FILE))
            .map_err(StartError::Signer)?;
    let secrets_key =
        service::secrets::SecretKey::load_or_create(&settings.data_dir.join(SECRETS_KEY_FILE))
            .map_err(StartError::SecretsKey)?;
    private_files::tighten(&settings.data_dir.join(LICENSE_KEY_FILE))?;
    private_files::tighten(&settings.data_dir.join(SECRETS_KEY_FILE))?;
    let mut services = service::Services::new(db);
    services.signer = std::sync::Arc::new(signer);
    services.secure_cookies = settings.serves_https();
    services.config = service::services::HubConfig {
        allow_signup: settings.allow_signup,
        invitation_ttl: chrono::Duration::hours(i64::from(settings.invitation_ttl_hours)),
        public_url: settings.public_base_url(),
        own_hosts: settings.own_hosts(),
        dns_resolver: settings.dns_resolver,
        agent_binaries: routes::agent::agent_binary_candidates(settings.agent_binary.as_deref()),
        agent_dirs: routes::agent::agent_dirs(settings.agent_dir.as_deref()),
        upstream_private_networks: settings.registry_upstream_private,
    };
    services.mailer = mailer;
    services.secrets_key = std::sync::Arc::new(secrets_key);
    let registry_dir = settings.registry_dir();
    private_files::private_dir(&registry_dir)?;
    let registry = match settings.registry_s3()? {
        Some(s3) => service::registry::Registry::on_s3(&settings.registry_dir(), &s3),
        None => service::registry::Registry::on_filesystem(&settings.registry_dir()),
    }
    .map_err(StartError::Registry)?;
    // The layout of `Registry::on_filesystem`; what it created follows the umask.
    for inside in ["token.key", "uploads", "blobs", "blobs/sha256"] {
        private_files::tighten(&registry_dir.join(inside))?;
    }
    Ok(AppState {
        leptos_options: leptos_options(settings),
        services,
        registry: std::sync::Arc::new(registry),
        agent: routes::agent::AgentConfig {
            heartbeat_secs: settings.agent_heartbeat_secs,
            public_url: settings.public_base_url(),
        },
    })
}

/// The hub's whole HTTP surface on top of a prepared state.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let services = state.services.clone();
    let options = state.leptos_options.clone();
    let site_root = std::path::PathBuf::from(options.site_root.as_ref());
    Router::new()
        .merge(site::pkg_router(&site_root, &options.output_name))
        .merge(routes::health::router())
        .merge(routes::branding::router())
        .merge(routes::licenses::router())
        .merge(routes::api::router())
        .merge(routes::registry::router())
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(services.clone());
                security_headers::page_policy();
            },
            move || app::shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(security_headers::page_policy, app::shell))
        .layer(axum::middleware::from_fn(routes::csrf::same_origin_only))
        .layer(axum::middleware::from_fn_with_state(
            security_headers::SecurityHeaders {
                https: state.services.secure_cookies,
            },
            security_headers::add,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Prepares the hub (database, migrations) and serves it on `listener` until `shutdown`
/// completes, then finishes the requests in flight and returns.
pub async fn run(
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let mut settings = settings;
    settings.default_public_url(listener.local_addr().map_err(StartError::Serve)?);
    let state = prepare(&settings).await?;
    tracing::info!(data_dir = %settings.data_dir.display(), "hub prepared");
    let collector = jobs::spawn_registry_gc(&state, settings.registry_gc_minutes);
    // The registry may also answer on an address of its own (a registry host name behind a
    // proxy, say); it stops when the hub does.
    let (stopping, stopped) = tokio::sync::watch::channel(false);
    let own_registry = match settings.registry_listen {
        Some(address) => {
            let listener = TcpListener::bind(address)
                .await
                .map_err(StartError::Serve)?;
            let mut stopped = stopped.clone();
            let app = registry_router(state.clone());
            tracing::info!(%address, "registry listening on its own address");
            Some(tokio::spawn(async move {
                axum::serve(
                    listener,
                    app.into_make_service_with_connect_info::<SocketAddr>(),
                )
                .with_graceful_shutdown(async move {
                    let _ = stopped.changed().await;
                })
                .await
            }))
        }
        None => None,
    };
    let served = serve(state, listener, async move {
        shutdown.await;
        let _ = stopping.send(true);
    })
    .await;
    if let Some(c) = collector {
        c.abort();
    }
    if let Some(task) = own_registry {
        match task.await {
            Ok(result) => result.map_err(StartError::Serve)?,
            Err(e) => tracing::error!(error = %e, "the registry listener failed"),
        }
    }
    served
}

/// Only the registry (`/v2/`), for its own address.
pub fn registry_router(state: AppState) -> Router {
    routes::registry::router()
        .layer(axum::middleware::from_fn_with_state(
            security_headers::SecurityHeaders {
                https: state.services.secure_cookies,
            },
            security_headers::add,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves a prepared hub on `listener` until `shutdown` completes (graceful: requests in flight
/// finish first).
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let address = listener.local_addr().map_err(StartError::Serve)?;
    tracing::info!(%address, "hub listening");
    // Websockets outlive the HTTP server's graceful shutdown (they are upgraded away from it),
    // so agents are told to go when it starts.
    let agents = state.services.agents.clone();
    let shutdown = async move {
        shutdown.await;
        agents.disconnect_all();
    };
    // Without TCP_NODELAY a page whose last write is small waits for the client's delayed ACK
    // (40 ms on Linux) before that write leaves: measured as a 44 ms floor on small pages.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY not set on a connection");
        }
    });
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(StartError::Serve)?;
    tracing::info!("hub stopped");
    Ok(())
}

/// The bundle's (hashed) name as `output_name`, so the page links `/pkg/<name>.js`,
/// `/pkg/<name>_bg.wasm` and `/pkg/<name>.css` (see [`site`]).
fn leptos_options(settings: &Settings) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(site::bundle_name(&settings.site_root))
        .site_root(settings.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .build()
}
