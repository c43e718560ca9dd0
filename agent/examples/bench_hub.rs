//! A minimal stand-in for the hub's agent endpoint, for `cargo xtask bench`: it welcomes every
//! agent, pushes an empty desired state, answers heartbeats, and prints `connected` once per
//! agent so the benchmark knows when to start measuring. It stands in for the real hub so the
//! measurement holds the agent's own cost only, with no database or site behind it.
//!
//! Usage: `bench_hub 127.0.0.1:PORT`.

use std::io::Write;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use types::protocol::{AgentMessage, DesiredState, HubMessage, negotiate};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = TcpListener::bind(&addr).await?;
    eprintln!("bench_hub listening on {}", listener.local_addr()?);
    loop {
        let (tcp, _) = listener.accept().await?;
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                return;
            };
            while let Some(Ok(message)) = ws.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                let answers = match serde_json::from_str::<AgentMessage>(text.as_str()) {
                    Ok(AgentMessage::Hello {
                        protocol_version, ..
                    }) => {
                        // Not `println!`: stdout is the protocol with the benchmark, not a log.
                        let mut out = std::io::stdout();
                        let _ = writeln!(out, "connected");
                        let _ = out.flush();
                        vec![
                            negotiate(protocol_version, env!("CARGO_PKG_VERSION")),
                            HubMessage::DesiredState(DesiredState::default()),
                        ]
                    }
                    Ok(AgentMessage::Heartbeat { .. }) => vec![HubMessage::HeartbeatAck],
                    Ok(_) => vec![],
                    Err(e) => vec![HubMessage::Error {
                        message: e.to_string(),
                    }],
                };
                for answer in answers {
                    let Ok(json) = serde_json::to_string(&answer) else {
                        return;
                    };
                    if ws.send(Message::text(json)).await.is_err() {
                        return;
                    }
                }
            }
        });
    }
}
