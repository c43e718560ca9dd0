//! `consign-agent`: the agent binary.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use consign_agent::settings::{Inputs, Settings};

/// The Consign agent: connects this host to a Consign hub and deploys what the hub asks for.
///
/// The portal's install command for a deployment target sets everything needed.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    flags: Flags,
}

/// The agent's settings; each flag also reads an environment variable.
#[derive(Debug, clap::Args)]
struct Flags {
    /// The hub's address, for example https://hub.example.com.
    #[arg(long, env = "CONSIGN_HUB_URL", global = true)]
    hub_url: Option<String>,
    /// A file holding the agent's credential (instead of CONSIGN_AGENT_TOKEN).
    #[arg(long, env = "CONSIGN_AGENT_TOKEN_FILE", global = true)]
    token_file: Option<PathBuf>,
    /// Where the agent keeps its local state.
    #[arg(long, env = "CONSIGN_AGENT_STATE_DIR", global = true)]
    state_dir: Option<PathBuf>,
    /// The deployment target this agent enrols for (with CONSIGN_ENROLMENT_SECRET).
    #[arg(long, env = "CONSIGN_TARGET_ID", global = true)]
    target_id: Option<String>,
    /// A file holding the one-time enrolment secret (instead of CONSIGN_ENROLMENT_SECRET).
    #[arg(long, env = "CONSIGN_ENROLMENT_SECRET_FILE", global = true)]
    enrolment_secret_file: Option<PathBuf>,
    /// Seconds between heartbeats (default 15); the hub's Welcome may override it.
    #[arg(long, env = "CONSIGN_HEARTBEAT_SECS", global = true)]
    heartbeat_secs: Option<u64>,
    /// The longest wait between reconnection attempts, in seconds (default 30).
    #[arg(long, env = "CONSIGN_BACKOFF_CAP_SECS", global = true)]
    backoff_cap_secs: Option<u64>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Checks a signed license file; exits 0 if valid, 1 if invalid or tampered, 3 if
    /// authentic but expired.
    ///
    /// The hub's public key comes from --public-key, else from `<file>.pub` beside the file,
    /// else from the hub named by --hub-url (fetched once, then pinned to `<file>.pub`, so later
    /// checks are offline).
    VerifyLicense {
        /// The hub's license-signing public key as the portal shows it (base64), or a file
        /// holding it.
        #[arg(long, env = "CONSIGN_LICENSE_PUBLIC_KEY")]
        public_key: Option<String>,
        /// The license file.
        file: PathBuf,
    },
    /// Connect to the hub and deploy what it asks for (the default).
    Run,
    /// Validate the settings, print the hub endpoint, and exit.
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let check_only = match cli.command.unwrap_or(Command::Run) {
        Command::VerifyLicense { public_key, file } => {
            let (verdict, pinned) = consign_agent::license::verify_pinning(
                public_key.as_deref(),
                cli.flags.hub_url.as_deref(),
                &file,
                chrono::Utc::now(),
            );
            if let Some(pinned) = pinned {
                eprintln!(
                    "pinned the hub's public key to {}; later checks of this file use it offline",
                    pinned.display()
                );
            }
            eprintln!("{}", verdict.report());
            return ExitCode::from(verdict.exit_code());
        }
        Command::Check => true,
        Command::Run => false,
    };
    let inputs = Inputs {
        hub_url: cli.flags.hub_url,
        // Secrets come from the environment or a file only: a command line shows in `ps`.
        token: std::env::var("CONSIGN_AGENT_TOKEN").ok(),
        token_file: cli.flags.token_file,
        state_dir: cli.flags.state_dir,
        target_id: cli.flags.target_id,
        enrolment_secret: std::env::var("CONSIGN_ENROLMENT_SECRET").ok(),
        enrolment_secret_file: cli.flags.enrolment_secret_file,
        heartbeat_secs: cli.flags.heartbeat_secs,
        backoff_cap_secs: cli.flags.backoff_cap_secs,
    };
    let settings = match Settings::from_inputs(inputs) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("consign-agent: {err}");
            return ExitCode::from(2);
        }
    };
    if check_only {
        eprintln!(
            "consign-agent {}: settings valid; hub endpoint {} (protocol {}).",
            env!("CARGO_PKG_VERSION"),
            settings.websocket_url(),
            types::protocol::PROTOCOL_VERSION
        );
        ExitCode::SUCCESS
    } else {
        run(settings)
    }
}

fn run(settings: Settings) -> ExitCode {
    init_logging();
    // One thread is plenty for a websocket and a few child processes, and keeps idle memory
    // small.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("consign-agent: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        tokio::select! {
            outcome = consign_agent::runner::run(settings) => outcome,
            () = stop_requested() => {
                // Deployed applications keep running: they belong to Docker, not to the agent.
                tracing::info!("stopping; the deployed applications keep running");
                Ok(())
            }
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "the agent stopped");
            eprintln!("consign-agent: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGTERM (`docker stop`, systemd) or SIGINT (Ctrl-C).
async fn stop_requested() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Logs to stderr, filtered by `CONSIGN_LOG` (default `info`). Trace events of the HTTP and
/// websocket libraries are always dropped: tungstenite traces the whole upgrade request, bearer
/// credential included, and no log line may carry a secret.
fn init_logging() {
    use tracing_subscriber::filter::{EnvFilter, FilterExt, filter_fn};
    use tracing_subscriber::prelude::*;
    let wanted = EnvFilter::try_from_env("CONSIGN_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let no_wire_dumps = filter_fn(|meta| {
        *meta.level() != tracing::Level::TRACE
            || ![
                "tungstenite",
                "tokio_tungstenite",
                "hyper",
                "reqwest",
                "rustls",
            ]
            .iter()
            .any(|noisy| meta.target().starts_with(noisy))
    });
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(wanted.and(no_wire_dumps)),
        )
        .init();
}
