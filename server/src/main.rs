//! `consign-server`: the hub binary.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use consign_server::{Settings, telemetry};

/// The Consign hub: vendor portal, customer portal, REST API and agent endpoint in one binary.
///
/// Settings come from defaults, then the optional TOML file, then the environment:
/// CONSIGN_LISTEN (127.0.0.1:8080), CONSIGN_DATA_DIR (./data), CONSIGN_DATABASE_URL or
/// DATABASE_URL (SQLite file under the data directory; postgres://… for PostgreSQL),
/// CONSIGN_SITE_ROOT (target/site), CONSIGN_PUBLIC_URL (the address in emailed links; defaults
/// to the listening address), CONSIGN_LOG (info), CONSIGN_LOG_FORMAT (text | json),
/// CONSIGN_ALLOW_SIGNUP (true), CONSIGN_INVITATION_TTL_HOURS (72), and for email
/// CONSIGN_SMTP_HOST, CONSIGN_SMTP_PORT, CONSIGN_SMTP_TLS (starttls | tls | none),
/// CONSIGN_SMTP_USERNAME, CONSIGN_SMTP_PASSWORD, CONSIGN_MAIL_FROM; for the OCI registry
/// CONSIGN_REGISTRY_DIR (<data dir>/registry), CONSIGN_REGISTRY_GC_MINUTES (60; 0 = off),
/// CONSIGN_REGISTRY_LISTEN (a second address serving only /v2/) and, to keep blobs in
/// S3-compatible storage, CONSIGN_REGISTRY_S3_BUCKET, CONSIGN_REGISTRY_S3_ENDPOINT,
/// CONSIGN_REGISTRY_S3_REGION (us-east-1), CONSIGN_REGISTRY_S3_ACCESS_KEY_ID,
/// CONSIGN_REGISTRY_S3_SECRET_ACCESS_KEY, CONSIGN_REGISTRY_S3_PATH_STYLE (true) and
/// CONSIGN_REGISTRY_S3_PREFIX.
#[derive(Debug, Parser)]
#[command(version, about, long_about)]
struct Cli {
    /// A TOML file with any of the settings (keys: listen, data_dir, database_url, site_root,
    /// public_url, log, log_format, allow_signup, invitation_ttl_hours, smtp_host, smtp_port,
    /// smtp_tls, smtp_username, smtp_password, mail_from, registry_dir, registry_gc_minutes,
    /// registry_listen, registry_s3_bucket, registry_s3_endpoint, registry_s3_region,
    /// registry_s3_access_key_id, registry_s3_secret_access_key, registry_s3_path_style,
    /// registry_s3_prefix).
    #[arg(long, env = "CONSIGN_CONFIG")]
    config: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load(cli.config.as_deref(), std::env::vars())?;
    telemetry::init(&settings.log, settings.log_format);
    let open_files = consign_server::raise_open_files_limit();
    tracing::debug!(?open_files, "open-files limit");
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "Consign hub starting: open http://{address}/");
    consign_server::run(settings, listener, shutdown_signal()).await?;
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested: finishing requests in flight");
}
