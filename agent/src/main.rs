//! `consign-agent`: the agent binary.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use consign_agent::settings::{Inputs, Settings};

/// The Consign agent: connects this host to a Consign hub and deploys what the hub asks for.
///
/// The portal's install command for a deployment target sets everything needed.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// The hub's address, for example https://hub.example.com.
    #[arg(long, env = "CONSIGN_HUB_URL")]
    hub_url: Option<String>,
    /// A file holding the agent's credential (instead of CONSIGN_AGENT_TOKEN).
    #[arg(long, env = "CONSIGN_AGENT_TOKEN_FILE")]
    token_file: Option<PathBuf>,
    /// Where the agent keeps its local state.
    #[arg(long, env = "CONSIGN_AGENT_STATE_DIR")]
    state_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let inputs = Inputs {
        hub_url: cli.hub_url,
        // Read from the environment only: a credential on the command line shows in `ps`.
        token: std::env::var("CONSIGN_AGENT_TOKEN").ok(),
        token_file: cli.token_file,
        state_dir: cli.state_dir,
    };
    match Settings::from_inputs(inputs) {
        Ok(settings) => {
            eprintln!(
                "consign-agent {}: settings valid; hub endpoint {} (protocol {}).\n\
                 This build validates its settings only: the connection to the hub ships with \
                 deployment targets.",
                env!("CARGO_PKG_VERSION"),
                settings.websocket_url(),
                types::protocol::PROTOCOL_VERSION
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("consign-agent: {err}");
            ExitCode::from(2)
        }
    }
}
