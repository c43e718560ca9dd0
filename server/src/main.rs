//! `consign-server`: the hub binary.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use consign_server::{Settings, telemetry};

/// The Consign hub: vendor portal, customer portal, REST API, OCI registry and agent endpoint
/// in one binary.
///
/// Settings come from defaults, then the optional TOML file, then the environment (every
/// setting is listed below, as environment variable, TOML key and default).
#[derive(Debug, Parser)]
#[command(version, about, long_about, after_help = SETTINGS_HELP)]
struct Cli {
    /// A TOML file with any of the settings below (by their TOML keys).
    #[arg(long, env = "CONSIGN_CONFIG")]
    config: Option<PathBuf>,
}

/// Every setting, one per line: the environment variable, the TOML key, the default and what
/// it does. Kept verbatim (clap would re-wrap a doc comment); `server/tests/cli.rs` checks that
/// every setting of the README's table is here.
const SETTINGS_HELP: &str = "\
Settings (environment variable / TOML key (default): meaning):
  CONSIGN_LISTEN / listen (127.0.0.1:8080): address to listen on
  CONSIGN_DATA_DIR / data_dir (./data): SQLite file, registry blobs, license-signing and secrets keys
  CONSIGN_DATABASE_URL or DATABASE_URL / database_url (SQLite in the data dir): postgres://user:pass@host/db for PostgreSQL
  CONSIGN_SITE_ROOT / site_root (target/site): folder with pkg/ (CSS, wasm bundle)
  CONSIGN_PUBLIC_URL / public_url (the listening address): the address people and agents use; https:// makes cookies Secure
  CONSIGN_LOG / log (info): log filter (RUST_LOG syntax)
  CONSIGN_LOG_FORMAT / log_format (text): text or json
  CONSIGN_ALLOW_SIGNUP / allow_signup (true): whether new vendors may sign up (the first sign-up always may)
  CONSIGN_INVITATION_TTL_HOURS / invitation_ttl_hours (72): how long invitation links work
  CONSIGN_SMTP_HOST / smtp_host (none): mail server; unset means no mail (links are shown in the portal)
  CONSIGN_SMTP_PORT / smtp_port (587, 465 or 25 by TLS mode): the mail server's port
  CONSIGN_SMTP_TLS / smtp_tls (starttls): starttls, tls or none
  CONSIGN_SMTP_USERNAME / smtp_username (none): mail login, if the server wants one
  CONSIGN_SMTP_PASSWORD / smtp_password (none): mail password
  CONSIGN_MAIL_FROM / mail_from (required with a mail server): sender, e.g. Acme <noreply@acme.example>
  CONSIGN_REGISTRY_DIR / registry_dir (<data_dir>/registry): registry blobs (unless in S3), uploads, the token key
  CONSIGN_REGISTRY_S3_BUCKET / registry_s3_bucket (none): keep registry blobs in this S3-compatible bucket
  CONSIGN_REGISTRY_S3_ENDPOINT / registry_s3_endpoint (AWS): the storage's URL, e.g. http://minio:9000
  CONSIGN_REGISTRY_S3_REGION / registry_s3_region (us-east-1): the bucket's region
  CONSIGN_REGISTRY_S3_ACCESS_KEY_ID / registry_s3_access_key_id (the environment's): access key, with the secret
  CONSIGN_REGISTRY_S3_SECRET_ACCESS_KEY / registry_s3_secret_access_key (the environment's): secret key
  CONSIGN_REGISTRY_S3_PATH_STYLE / registry_s3_path_style (true): <endpoint>/<bucket>/<key> requests; false for virtual-hosted
  CONSIGN_REGISTRY_S3_PREFIX / registry_s3_prefix (none): a folder inside the bucket
  CONSIGN_REGISTRY_LISTEN / registry_listen (none): a second address serving only /v2/
  CONSIGN_REGISTRY_GC_MINUTES / registry_gc_minutes (60): minutes between registry garbage collections; 0 turns it off
  CONSIGN_AGENT_BINARY / agent_binary (consign-agent next to the hub): the agent binary the hub serves to install commands
  CONSIGN_AGENT_DIR / agent_dir (the hub's folder): folder with consign-agent-x86_64 and consign-agent-aarch64, served by the host's architecture
  CONSIGN_AGENT_HEARTBEAT_SECS / agent_heartbeat_secs (15): agent heartbeat interval; silent for three means offline
  CONSIGN_DNS_RESOLVER / dns_resolver (the system's, /etc/resolv.conf): DNS server (ip:port) asked for custom-host TXT records
An unknown CONSIGN_* variable or TOML key stops the hub with a message naming it.";

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
