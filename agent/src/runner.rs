//! `consign-agent run`: enrol if needed, then run the connection, the supervisor, the metrics
//! sampler and the updater side by side until the process is stopped.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use tokio::sync::{mpsc, watch};

use crate::backoff::Backoff;
use crate::connection::{self, Channels, ConnectionConfig, Reenrol};
use crate::credential::SharedCredential;
use crate::error::{Error, Result};
use crate::executor::{ComposeCli, ComposeExecutor, Executor, HubRegistry};
use crate::outbox::{DEFAULT_CAPACITY, Outbox};
use crate::settings::{Credential, Settings};
use crate::supervisor::{DEFAULT_POLL, StatusBoard, Supervisor};
use crate::updater::Updater;
use crate::{enrol, metrics, tls};

/// Runs the agent with the Docker Compose executor.
pub async fn run(settings: Settings) -> Result<()> {
    let tls = tls::client_config()?;
    std::fs::create_dir_all(&settings.state_dir).map_err(|source| Error::StateFile {
        path: settings.state_dir.clone(),
        source,
    })?;
    let cli = ComposeCli::detect().await?;
    tracing::info!(compose = ?cli, "docker compose found");
    let credential = SharedCredential::new(credential(&settings, Arc::clone(&tls)).await?);
    // The same shared credential, so a re-enrolment also changes the registry login.
    let executor = Arc::new(
        ComposeExecutor::new(cli, &settings.state_dir)
            .with_hub_registry(HubRegistry::for_hub(&settings.hub_url, credential.clone())),
    );
    run_with(settings, credential, tls, executor).await
}

/// Runs the agent with any executor and an already known credential. When the settings
/// resolved to an existing credential and also carry an enrolment secret, a refused
/// credential makes the agent enrol again (once).
pub async fn run_with<E: Executor>(
    settings: Settings,
    credential: SharedCredential,
    tls: Arc<rustls::ClientConfig>,
    executor: Arc<E>,
) -> Result<()> {
    let reenrol = match (&settings.credential, &settings.enrolment) {
        (Credential::Token(_), Some(enrolment)) => Some(Reenrol {
            hub_url: settings.hub_url.clone(),
            enrolment: enrolment.clone(),
            state_dir: settings.state_dir.clone(),
        }),
        // Just enrolled with that secret (spent), or nothing to enrol with.
        _ => None,
    };
    let outbox = Arc::new(Outbox::new(DEFAULT_CAPACITY));
    let board = Arc::new(StatusBoard::default());
    let (desired_tx, desired_rx) = watch::channel(None);
    let (update_tx, update_rx) = mpsc::channel(1);
    let supervisor = Supervisor::new(
        Arc::clone(&executor),
        Arc::clone(&outbox),
        Arc::clone(&board),
        DEFAULT_POLL,
    );
    tokio::spawn(supervisor.run(desired_rx));
    tokio::spawn(metrics::run(Arc::clone(&outbox), metrics::INTERVAL));
    let updater = Updater {
        hub_url: settings.hub_url.clone(),
        credential: credential.clone(),
        tls: Arc::clone(&tls),
        binary: std::env::current_exe().map_err(|source| Error::StateFile {
            path: "/proc/self/exe".into(),
            source,
        })?,
    };
    tokio::spawn(updater.run(update_rx, Arc::clone(&outbox)));
    let config = ConnectionConfig {
        ws_url: settings.websocket_url(),
        credential,
        heartbeat: settings.heartbeat_interval,
        backoff_cap: settings.backoff_cap,
        tls,
        capabilities: vec![executor.capability().to_string()],
        reenrol,
    };
    let channels = Channels {
        outbox,
        board,
        desired: desired_tx,
        updates: update_tx,
    };
    connection::run(config, channels).await;
    Ok(())
}

/// The credential to connect with: the configured or stored one, or a fresh one from
/// enrolment (retried with backoff while the hub is unreachable).
pub async fn credential(
    settings: &Settings,
    tls: Arc<rustls::ClientConfig>,
) -> Result<SecretString> {
    let (target_id, secret) = match &settings.credential {
        Credential::Token(token) => return Ok(token.clone()),
        Credential::Enrol { target_id, secret } => (*target_id, secret),
    };
    let mut backoff = Backoff::new(Duration::from_secs(1), settings.backoff_cap);
    loop {
        match enrol::enrol(
            &settings.hub_url,
            target_id,
            secret,
            &settings.state_dir,
            Arc::clone(&tls),
        )
        .await
        {
            Ok(credential) => {
                tracing::info!(target = %target_id, "enrolled; credential stored");
                return Ok(credential);
            }
            Err(e @ (Error::EnrolmentRefused { .. } | Error::StateFile { .. })) => return Err(e),
            Err(e) => {
                let delay = backoff.next_delay();
                tracing::warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "enrolment failed");
                tokio::time::sleep(delay).await;
            }
        }
    }
}
