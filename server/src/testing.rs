//! Test support: a real hub on 127.0.0.1:0 with its own data directory, for this crate's tests
//! and the end-to-end tests.

use std::net::SocketAddr;
use std::path::PathBuf;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::{Settings, StartError};

/// A running hub; [`TestHub::stop`] shuts it down gracefully and checks it stopped cleanly.
#[derive(Debug)]
pub struct TestHub {
    /// Where it listens.
    pub address: SocketAddr,
    /// Its services (to seed data the way the hub itself would).
    pub services: service::Services,
    /// Its registry (to run the garbage collector in tests).
    pub registry: std::sync::Arc<service::registry::Registry>,
    /// Its data directory.
    pub data_dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), StartError>>>,
    _data: tempfile::TempDir,
}

impl TestHub {
    /// Starts a hub on a fresh SQLite file (or `database_url`), serving the site under
    /// `site_root` (any folder when the test needs no wasm bundle).
    pub async fn start(database_url: Option<String>, site_root: Option<PathBuf>) -> Self {
        Self::start_with(|s| {
            s.database_url = database_url.map(Into::into);
            if let Some(root) = site_root {
                s.site_root = root;
            }
        })
        .await
    }

    /// Starts a hub after `adjust` has changed its settings (mail server, sign-up…).
    pub async fn start_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let mut settings = Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data.path().join("data"),
            site_root: data.path().join("site"),
            ..Settings::default()
        };
        adjust(&mut settings);
        let listener = tokio::net::TcpListener::bind(settings.listen)
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        settings.default_public_url(address);
        let state = crate::prepare(&settings).await.expect("prepare hub");
        let services = state.services.clone();
        let registry = state.registry.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(crate::serve(state, listener, async move {
            let _ = stopped.await;
        }));
        Self {
            address,
            services,
            registry,
            data_dir: settings.data_dir.clone(),
            stop: Some(stop),
            task: Some(task),
            _data: data,
        }
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Stops the hub and waits until it has finished.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("hub task").expect("hub stopped cleanly");
        }
    }
}

/// The paths of the portals' pages as the hub routes them (`/customers/{id}`…), read from the
/// app's `<Routes>`: a test that visits every page compares its list with this one, so a new
/// page cannot be left out unnoticed.
pub fn page_paths() -> Vec<String> {
    leptos_axum::generate_route_list(app::App)
        .into_iter()
        .map(|route| route.path().to_string())
        .collect()
}
