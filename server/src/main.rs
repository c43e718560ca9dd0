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
#[command(version, about, long_about, after_help = consign_server::settings::help())]
struct Cli {
    /// A TOML file with any of the settings below (by their TOML keys).
    #[arg(long, env = "CONSIGN_CONFIG")]
    config: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load(cli.config.as_deref(), std::env::vars())?;
    telemetry::init(&settings.log, settings.log_format);
    // An agent installed on the same host, or a test shell, shares the prefix: say so and go on.
    for variable in consign_server::settings::unknown_variables(std::env::vars()) {
        tracing::warn!(
            %variable,
            "ignored: none of the hub's settings (an agent's, a test's or a misspelt variable; \
             see consign-server --help)"
        );
    }
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
