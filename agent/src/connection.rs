//! The websocket connection to the hub: `Hello` → `Welcome`/`Reject`, then desired states in,
//! heartbeats and queued reports out; every receive has a timeout, and a lost connection is
//! retried with capped exponential backoff and full jitter (see [`crate::backoff`]).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures_util::{SinkExt, StreamExt};
use secrecy::ExposeSecret;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};
use types::protocol::{AgentMessage, DesiredState, HubMessage, PROTOCOL_VERSION, RejectReason};
use url::Url;

use crate::backoff::Backoff;
use crate::credential::SharedCredential;
use crate::enrol;
use crate::outbox::Outbox;
use crate::settings::Enrolment;
use crate::supervisor::StatusBoard;

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// The first delay of the backoff.
pub const BACKOFF_BASE: Duration = Duration::from_millis(500);

/// What the connection needs to reach the hub.
#[derive(Clone)]
pub struct ConnectionConfig {
    /// `ws(s)://…/api/v1/agent/ws`.
    pub ws_url: Url,
    /// The bearer credential (replaced if the agent enrols again).
    pub credential: SharedCredential,
    /// The heartbeat interval (the hub's `Welcome` may override it).
    pub heartbeat: Duration,
    /// The longest wait between attempts.
    pub backoff_cap: Duration,
    /// TLS for `wss://`.
    pub tls: Arc<rustls::ClientConfig>,
    /// Announced in `Hello`.
    pub capabilities: Vec<String>,
    /// What to enrol with if the hub refuses the credential (at most once per process).
    pub reenrol: Option<Reenrol>,
}

/// Enrolling again when the hub refuses a stored credential: the target's secret was rotated
/// and the new install command run on a host that still holds the old credential.
#[derive(Debug, Clone)]
pub struct Reenrol {
    /// The hub.
    pub hub_url: Url,
    /// The secret and target from the install command.
    pub enrolment: Enrolment,
    /// Where the new credential is stored.
    pub state_dir: std::path::PathBuf,
}

impl std::fmt::Debug for ConnectionConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionConfig")
            .field("ws_url", &self.ws_url.as_str())
            .field("heartbeat", &self.heartbeat)
            .field("backoff_cap", &self.backoff_cap)
            .finish_non_exhaustive()
    }
}

/// A hub's request to update the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateRequest {
    /// The release to install.
    pub version: String,
    /// The download path on the hub.
    pub download_path: String,
    /// The expected SHA-256, if the hub sent one.
    pub sha256: Option<String>,
}

/// Where the connection delivers what the hub sends, and where it takes what to send.
#[derive(Debug, Clone)]
pub struct Channels {
    /// Frames waiting for the hub.
    pub outbox: Arc<Outbox>,
    /// Latest statuses, re-sent after each `Welcome`.
    pub board: Arc<StatusBoard>,
    /// The latest desired state, for the supervisor.
    pub desired: watch::Sender<Option<DesiredState>>,
    /// Update requests, for the updater.
    pub updates: mpsc::Sender<UpdateRequest>,
}

/// How a session ended.
#[derive(Debug)]
pub enum SessionEnd {
    /// The hub refused the agent's protocol version; retry slowly.
    Rejected(String),
    /// The hub refused the credential (401 or `reject` with `invalid_credential`).
    CredentialRefused(String),
    /// The connection failed or dropped; retry with backoff.
    Lost(String),
}

/// Connects, and reconnects, forever.
pub async fn run(mut config: ConnectionConfig, channels: Channels) {
    let mut backoff = Backoff::new(BACKOFF_BASE, config.backoff_cap);
    loop {
        let end = session(&config, &channels, &mut backoff).await;
        let delay = match &end {
            SessionEnd::CredentialRefused(reason) => match config.reenrol.take() {
                Some(reenrol) => {
                    tracing::warn!(reason = %reason, "the hub refused the stored credential; enrolling again with the install command's secret");
                    match enrol::enrol(
                        &reenrol.hub_url,
                        reenrol.enrolment.target_id,
                        &reenrol.enrolment.secret,
                        &reenrol.state_dir,
                        Arc::clone(&config.tls),
                    )
                    .await
                    {
                        Ok(credential) => {
                            tracing::info!("enrolled again; credential stored");
                            config.credential.set(credential);
                            Duration::ZERO
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "enrolling again failed");
                            config.backoff_cap
                        }
                    }
                }
                None => {
                    tracing::error!(reason = %reason, "the hub refused this agent's credential");
                    config.backoff_cap
                }
            },
            SessionEnd::Rejected(reason) => {
                tracing::error!(reason = %reason, "the hub refused this agent");
                // Nothing changes by retrying fast; the cap still brings it back once the
                // operator fixes the cause (for example updates the agent).
                config.backoff_cap
            }
            SessionEnd::Lost(reason) => {
                let delay = backoff.next_delay();
                tracing::warn!(reason = %reason, retry_in_ms = delay.as_millis() as u64, "disconnected from the hub");
                delay
            }
        };
        tokio::time::sleep(delay).await;
    }
}

/// One connection, from the handshake until it ends.
pub async fn session(
    config: &ConnectionConfig,
    channels: &Channels,
    backoff: &mut Backoff,
) -> SessionEnd {
    let mut socket = match connect(config).await {
        Ok(socket) => socket,
        Err(end) => return end,
    };
    let hello = AgentMessage::Hello {
        protocol_version: PROTOCOL_VERSION,
        agent_version: env!("CARGO_PKG_VERSION").to_string(),
        capabilities: config.capabilities.clone(),
    };
    if let Err(e) = send(&mut socket, &hello).await {
        return SessionEnd::Lost(format!("cannot send Hello: {e}"));
    }
    let receive_timeout = config.heartbeat * 3;
    let heartbeat = match receive(&mut socket, receive_timeout).await {
        Ok(Some(HubMessage::Welcome {
            hub_version,
            heartbeat_interval_secs,
            ..
        })) => {
            tracing::info!(hub_version = %hub_version, "connected to the hub");
            heartbeat_interval_secs
                .filter(|s| *s > 0)
                .map_or(config.heartbeat, |s| Duration::from_secs(u64::from(s)))
        }
        Ok(Some(HubMessage::Reject { reason, message })) => {
            let _ = socket.close(None).await;
            return match reason {
                RejectReason::InvalidCredential => SessionEnd::CredentialRefused(message),
                RejectReason::UnsupportedProtocolVersion => SessionEnd::Rejected(message),
            };
        }
        Ok(Some(other)) => {
            return SessionEnd::Lost(format!(
                "the hub answered Hello with {} instead of Welcome",
                frame_type(&other)
            ));
        }
        Ok(None) => return SessionEnd::Lost("the hub closed the connection after Hello".into()),
        Err(e) => return SessionEnd::Lost(e),
    };
    backoff.reset();
    for status in channels.board.snapshot() {
        channels.outbox.push(AgentMessage::Status(status));
    }
    let receive_timeout = heartbeat * 3;
    let (mut sink, mut stream) = socket.split();
    let mut ticker = tokio::time::interval(heartbeat);
    ticker.tick().await;
    // A deadline, not a timeout per wait: the loop also wakes up to send, and that must not
    // restart the clock of a silent hub.
    let mut deadline = tokio::time::Instant::now() + receive_timeout;
    loop {
        // Send everything queued (statuses buffered while offline come first).
        while let Some(frame) = channels.outbox.pop() {
            if let Err(e) = sink.send(encode(&frame)).await {
                channels.outbox.requeue(frame);
                return SessionEnd::Lost(format!("send failed: {e}"));
            }
        }
        tokio::select! {
            next = tokio::time::timeout_at(deadline, stream.next()) => {
                deadline = tokio::time::Instant::now() + receive_timeout;
                let message = match next {
                    Err(_) => return SessionEnd::Lost(format!(
                        "the hub was silent for {} s", receive_timeout.as_secs()
                    )),
                    Ok(None) => return SessionEnd::Lost("the hub closed the connection".into()),
                    Ok(Some(Err(e))) => return SessionEnd::Lost(e.to_string()),
                    Ok(Some(Ok(message))) => message,
                };
                let reply = match message {
                    Message::Text(text) => handle_text(text.as_str(), channels),
                    Message::Binary(_) => Some(AgentMessage::Error {
                        message: "binary frames are not part of the protocol; send JSON text".into(),
                        in_reply_to: None,
                    }),
                    Message::Close(_) => return SessionEnd::Lost("the hub closed the connection".into()),
                    // Pongs are queued by tungstenite and go out with the next send or flush.
                    Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {
                        if let Err(e) = sink.flush().await {
                            return SessionEnd::Lost(e.to_string());
                        }
                        None
                    }
                };
                if let Some(reply) = reply
                    && let Err(e) = sink.send(encode(&reply)).await
                {
                    return SessionEnd::Lost(format!("send failed: {e}"));
                }
            }
            _ = ticker.tick() => {
                if let Err(e) = sink.send(encode(&AgentMessage::Heartbeat { at: Utc::now() })).await {
                    return SessionEnd::Lost(format!("heartbeat failed: {e}"));
                }
            }
            () = channels.outbox.notified() => {}
        }
    }
}

/// Opens the websocket with the bearer credential in a header (never in the URL).
async fn connect(config: &ConnectionConfig) -> Result<Socket, SessionEnd> {
    let mut request = config
        .ws_url
        .as_str()
        .into_client_request()
        .map_err(|e| SessionEnd::Lost(format!("bad hub URL: {e}")))?;
    let credential = config.credential.get();
    let bearer =
        HeaderValue::from_str(&format!("Bearer {}", credential.expose_secret())).map_err(|_| {
            SessionEnd::Rejected("the credential contains characters a header cannot carry".into())
        })?;
    request.headers_mut().insert("authorization", bearer);
    let connector = Connector::Rustls(Arc::clone(&config.tls));
    let connecting =
        tokio_tungstenite::connect_async_tls_with_config(request, None, true, Some(connector));
    match tokio::time::timeout(Duration::from_secs(30), connecting).await {
        Err(_) => Err(SessionEnd::Lost("connecting timed out after 30 s".into())),
        Ok(Ok((socket, _))) => Ok(socket),
        Ok(Err(tungstenite::Error::Http(response)))
            if matches!(response.status().as_u16(), 401 | 403) =>
        {
            Err(SessionEnd::CredentialRefused(format!(
                "HTTP {}: the credential is unknown or revoked, or the target was deleted",
                response.status()
            )))
        }
        Ok(Err(e)) => Err(SessionEnd::Lost(format!(
            "cannot connect to {}: {e}",
            config.ws_url
        ))),
    }
}

/// Reads one frame during the handshake.
async fn receive(socket: &mut Socket, timeout: Duration) -> Result<Option<HubMessage>, String> {
    loop {
        let next = tokio::time::timeout(timeout, socket.next())
            .await
            .map_err(|_| format!("no answer to Hello within {} s", timeout.as_secs()))?;
        match next {
            None | Some(Ok(Message::Close(_))) => return Ok(None),
            Some(Err(e)) => return Err(e.to_string()),
            Some(Ok(Message::Text(text))) => {
                return serde_json::from_str(text.as_str())
                    .map(Some)
                    .map_err(|e| format!("unreadable answer to Hello: {e}"));
            }
            Some(Ok(_)) => {}
        }
    }
}

/// Handles one text frame; returns the reply to send, if any.
fn handle_text(text: &str, channels: &Channels) -> Option<AgentMessage> {
    match serde_json::from_str::<HubMessage>(text) {
        Ok(HubMessage::DesiredState(state)) => {
            tracing::info!(
                deployments = state.deployments.len(),
                undeploy = state.undeploy.len(),
                "desired state received"
            );
            channels.desired.send_replace(Some(state));
            None
        }
        Ok(HubMessage::UpdateAgent {
            version,
            download_path,
            sha256,
        }) => {
            let request = UpdateRequest {
                version,
                download_path,
                sha256,
            };
            if channels.updates.try_send(request).is_err() {
                return Some(AgentMessage::Error {
                    message: "an update is already in progress".into(),
                    in_reply_to: Some("update_agent".into()),
                });
            }
            None
        }
        Ok(HubMessage::HeartbeatAck) => None,
        Ok(HubMessage::Error { message }) => {
            tracing::warn!(message = %message, "the hub reported an error");
            None
        }
        Ok(other @ (HubMessage::Welcome { .. } | HubMessage::Reject { .. })) => {
            Some(AgentMessage::Error {
                message: format!(
                    "{} is only valid as the answer to Hello",
                    frame_type(&other)
                ),
                in_reply_to: Some(frame_type(&other).into()),
            })
        }
        Err(e) => {
            let in_reply_to = serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| v.get("type")?.as_str().map(String::from));
            // Log the parse error, not the frame: it may carry secrets.
            tracing::warn!(error = %e, frame_type = ?in_reply_to, "malformed or unknown frame from the hub");
            Some(AgentMessage::Error {
                message: format!("cannot read the frame: {e}"),
                in_reply_to,
            })
        }
    }
}

fn frame_type(message: &HubMessage) -> &'static str {
    match message {
        HubMessage::Welcome { .. } => "welcome",
        HubMessage::Reject { .. } => "reject",
        HubMessage::DesiredState(_) => "desired_state",
        HubMessage::UpdateAgent { .. } => "update_agent",
        HubMessage::HeartbeatAck => "heartbeat_ack",
        HubMessage::Error { .. } => "error",
    }
}

fn encode(frame: &AgentMessage) -> Message {
    // Serializing these plain structs cannot fail; an empty object is a safe fallback.
    Message::text(serde_json::to_string(frame).unwrap_or_else(|_| "{}".into()))
}

async fn send(socket: &mut Socket, frame: &AgentMessage) -> Result<(), tungstenite::Error> {
    socket.send(encode(frame)).await
}
