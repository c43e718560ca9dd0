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
    /// The hub's address, for example https://hub.example.com.
    #[arg(long, env = "CONSIGN_HUB_URL")]
    hub_url: Option<String>,
    /// A file holding the agent's credential (instead of CONSIGN_AGENT_TOKEN).
    #[arg(long, env = "CONSIGN_AGENT_TOKEN_FILE")]
    token_file: Option<PathBuf>,
    /// Where the agent keeps its local state.
    #[arg(long, env = "CONSIGN_AGENT_STATE_DIR")]
    state_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Checks a signed license file offline; exits 0 if valid, 1 if invalid or tampered, 3 if
    /// authentic but expired.
    VerifyLicense {
        /// The hub's license-signing public key as the portal shows it (base64), or a file
        /// holding it.
        #[arg(long, env = "CONSIGN_LICENSE_PUBLIC_KEY")]
        public_key: String,
        /// The license file.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::VerifyLicense { public_key, file }) = cli.command {
        let verdict = consign_agent::license::verify(&public_key, &file, chrono::Utc::now());
        eprintln!("{}", verdict.report());
        return ExitCode::from(verdict.exit_code());
    }
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
