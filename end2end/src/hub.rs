//! A hub for one test: its own data directory, SQLite file and port.

use std::net::SocketAddr;
use std::path::PathBuf;

use server::{AppState, Settings};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running hub; stopped (gracefully) on [`TestHub::stop`] or when dropped.
#[derive(Debug)]
pub struct TestHub {
    /// Where it listens.
    pub address: SocketAddr,
    /// Its services (to seed data the way the hub itself would).
    pub services: service::Services,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), server::StartError>>>,
    _data: tempfile::TempDir,
}

impl TestHub {
    /// Starts a hub on a fresh SQLite database with the site from `CONSIGN_SITE_ROOT`.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Like [`TestHub::start`], after `adjust` has changed the settings (mail server, sign-up…).
    pub async fn start_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let mut settings = Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data.path().to_path_buf(),
            site_root: site_root(),
            ..Settings::default()
        };
        adjust(&mut settings);
        let state: AppState = server::prepare(&settings).await.expect("prepare hub");
        let services = state.services.clone();
        let listener = tokio::net::TcpListener::bind(settings.listen)
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(state, listener, async move {
            let _ = stopped.await;
        }));
        Self {
            address,
            services,
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

/// The built site: `CONSIGN_SITE_ROOT`, checked to hold the wasm bundle.
pub fn site_root() -> PathBuf {
    let root = std::env::var("CONSIGN_SITE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
                .join("site")
        });
    let wasm = root.join("pkg").join("consign_bg.wasm");
    assert!(
        wasm.is_file(),
        "{} is missing: build the site with `cargo xtask build-site` (or run `cargo xtask test`)",
        wasm.display()
    );
    root
}
