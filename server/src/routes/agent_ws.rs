//! `GET /api/v1/agent/ws`: one agent's websocket. The upgrade needs the agent's bearer
//! credential (401 otherwise); then `hello` → `welcome` or `reject`, the desired state at
//! once and again on every change (pushed through the agent hub's per-target channel),
//! statuses, logs, metrics and heartbeats kept, and a silent agent timed out after three
//! heartbeat intervals. A frame that cannot be read gets an `error` reply and a log line
//! (the parse error only: frames may hold secrets); the connection stays up.

use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use service::Services;
use service::agent_hub::{AgentCommand, Registration};
use service::agent_session;
use types::DeploymentTargetId;
use types::protocol::{AgentMessage, HubMessage, negotiate};

use crate::state::AppState;

/// The hub's own version, sent in `welcome` and asked of agents on `update_agent`.
pub const HUB_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The upgrade: authenticates the credential first (before even looking at the upgrade
/// headers), so a deleted target's agent, or anyone without a credential, gets a 401.
#[utoipa::path(
    get,
    path = "/agent/ws",
    tag = "agent",
    operation_id = "agentWebsocket",
    summary = "The agent's websocket (upgrade with the agent's credential)",
    description = "JSON text frames tagged by `type`: the agent sends `hello`, the hub answers \
        `welcome` (or `reject`) and at once the target's `desired_state`, then again on every \
        change; the agent sends `status`, `logs`, `metrics` and `heartbeat` (answered with \
        `heartbeat_ack`); the hub may send `update_agent`. An agent silent for three heartbeat \
        intervals is closed. Deleting the target closes the socket (code 4001). The frames are \
        specified in the project's `docs/agent.md`.",
    responses(
        (status = 101, description = "Switched to the websocket protocol"),
        (status = 400, description = "Not a websocket upgrade request", content_type = "text/plain", body = String),
        (status = 401, description = "No, or an unknown or revoked, agent credential", body = super::api::error::ErrorBody),
    ),
    security(("agentCredential" = []))
)]
pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Some(credential) = super::api::bearer_secret(&headers) else {
        return super::api::ApiError::unauthenticated(
            "send the agent credential as a bearer token",
        )
        .into_response();
    };
    let target = match service::targets::authenticate_agent(&state.services, credential).await {
        Ok(Some((target, _))) => target,
        Ok(None) => {
            return super::api::ApiError::unauthenticated(
                "unknown or revoked agent credential: re-run the install command from the portal",
            )
            .into_response();
        }
        Err(err) => return super::api::ApiError::from(err).into_response(),
    };
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let heartbeat = state.agent.heartbeat_secs.max(1);
    let services = state.services.clone();
    // Agent frames are small (a heartbeat is under 100 bytes); tungstenite's default 128 KiB
    // read buffer per socket would cost 1.3 GiB at 10,000 agents. The buffer still grows for a
    // large frame (a log batch), and writes go out at once instead of through a 128 KiB buffer.
    let ws = ws
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES);
    ws.on_upgrade(move |socket| async move {
        let session = Session {
            services,
            target: target.id,
            heartbeat_secs: heartbeat,
            last_seen_written: None,
            unrecorded_version: None,
        };
        session.run(socket).await;
    })
}

/// The largest frame an agent may send: a log batch of 200 long lines fits many times over.
const MAX_FRAME_BYTES: usize = 8 * 1024 * 1024;

/// Frames up to this size (all but log batches) are parsed in place; larger ones on the
/// blocking pool, so a big frame never holds up the async workers. JSON nesting is bounded by
/// serde_json's own recursion limit, which fails fast.
const INLINE_FRAME_BYTES: usize = 64 * 1024;

/// An agent frame parsed; `None` if the parse could not run.
async fn parse_frame(
    text: axum::extract::ws::Utf8Bytes,
) -> Option<Result<AgentMessage, serde_json::Error>> {
    if text.len() <= INLINE_FRAME_BYTES {
        return Some(serde_json::from_str::<AgentMessage>(&text));
    }
    tokio::task::spawn_blocking(move || serde_json::from_str::<AgentMessage>(&text))
        .await
        .ok()
}

struct Session {
    services: Services,
    target: DeploymentTargetId,
    heartbeat_secs: u32,
    last_seen_written: Option<chrono::DateTime<Utc>>,
    /// The agent's version when writing it at connect failed; written with the next frame.
    unrecorded_version: Option<String>,
}

enum Flow {
    Continue,
    Stop,
}

async fn send(socket: &mut WebSocket, message: &HubMessage) -> Result<(), axum::Error> {
    // Serialising the protocol's plain data cannot fail.
    let text = serde_json::to_string(message).unwrap_or_default();
    socket.send(Message::Text(text.into())).await
}

impl Session {
    fn silence_limit(&self) -> Duration {
        Duration::from_secs(u64::from(self.heartbeat_secs) * 3)
    }

    async fn run(mut self, mut socket: WebSocket) {
        let target = self.target;
        let Some(hello) = self.handshake(&mut socket).await else {
            return;
        };
        let mut registration = self.services.agents.register(target, Utc::now());
        if let Err(err) = self.on_connect(&mut socket, &hello).await {
            tracing::warn!(target.id = %target, error = %err, "agent connection failed at start");
            self.leave(&registration).await;
            return;
        }
        tracing::info!(target.id = %target, agent.version = %hello, "agent connected");
        // One deadline for the whole connection, moved only by what the agent sends. A timeout
        // created anew on each turn of the loop would restart with every push to the agent, so a
        // frozen agent that keeps being sent changes would never be found silent.
        let silence = tokio::time::sleep(self.silence_limit());
        tokio::pin!(silence);
        loop {
            let flow = tokio::select! {
                () = &mut silence => {
                    tracing::warn!(target.id = %target, "agent silent for three heartbeat intervals: closing");
                    Flow::Stop
                }
                received = socket.recv() => match received {
                    None | Some(Err(_)) => Flow::Stop,
                    Some(Ok(message)) => {
                        silence.as_mut().reset(tokio::time::Instant::now() + self.silence_limit());
                        self.on_message(&mut socket, message).await
                    }
                },
                command = registration.commands.recv() => match command {
                    Some(AgentCommand::DesiredStateChanged) => self.push_desired_state(&mut socket).await,
                    Some(AgentCommand::UpdateAgent) => {
                        let update = HubMessage::UpdateAgent {
                            version: HUB_VERSION.to_string(),
                            download_path: "/api/v1/agent/download/consign-agent".into(),
                            sha256: None,
                        };
                        if send(&mut socket, &update).await.is_ok() { Flow::Continue } else { Flow::Stop }
                    }
                    Some(AgentCommand::Disconnect) | None => {
                        let _ = socket
                            .send(Message::Close(Some(CloseFrame {
                                code: 4001,
                                reason: "target deleted, credential revoked or hub stopping".into(),
                            })))
                            .await;
                        Flow::Stop
                    }
                },
            };
            if matches!(flow, Flow::Stop) {
                break;
            }
        }
        self.leave(&registration).await;
        tracing::info!(target.id = %target, "agent disconnected");
    }

    /// Waits for `hello`; answers `welcome` (returning the agent's version) or `reject`.
    async fn handshake(&self, socket: &mut WebSocket) -> Option<String> {
        let first = tokio::time::timeout(self.silence_limit(), socket.recv()).await;
        let Ok(Some(Ok(Message::Text(text)))) = first else {
            return None;
        };
        match serde_json::from_str::<AgentMessage>(&text) {
            Ok(AgentMessage::Hello {
                protocol_version,
                agent_version,
                ..
            }) => match negotiate(protocol_version, HUB_VERSION) {
                HubMessage::Welcome {
                    protocol_version, ..
                } => {
                    let welcome = HubMessage::Welcome {
                        protocol_version,
                        hub_version: HUB_VERSION.to_string(),
                        heartbeat_interval_secs: Some(self.heartbeat_secs),
                    };
                    send(socket, &welcome).await.ok()?;
                    Some(agent_version.chars().take(64).collect())
                }
                reject => {
                    let _ = send(socket, &reject).await;
                    let _ = socket.send(Message::Close(None)).await;
                    None
                }
            },
            Ok(_) | Err(_) => {
                let _ = send(
                    socket,
                    &HubMessage::Error {
                        message: "the first frame must be hello".into(),
                    },
                )
                .await;
                let _ = socket.send(Message::Close(None)).await;
                None
            }
        }
    }

    async fn on_connect(&mut self, socket: &mut WebSocket, version: &str) -> Result<(), String> {
        let now = Utc::now();
        // A busy database must not cost a welcomed agent its connection: whether it is online
        // lives in memory (`AgentHub`), and the write is tried again with its next frame. In a
        // reconnect storm of 10,000 agents on SQLite, failing here dropped a few hundred
        // sessions right after their welcome.
        match service::targets::record_seen(&self.services, self.target, Some(version), now).await {
            Ok(()) => self.last_seen_written = Some(now),
            Err(err) => {
                tracing::warn!(target.id = %self.target, error = %err, "cannot record that an agent connected; trying again with its next frame");
                self.unrecorded_version = Some(version.to_string());
            }
        }
        if let Err(err) =
            service::targets::publish_presence(&self.services, self.target, true).await
        {
            tracing::warn!(target.id = %self.target, error = %err, "cannot publish that an agent connected");
        }
        match self.push_desired_state(socket).await {
            Flow::Continue => Ok(()),
            Flow::Stop => Err("cannot send the desired state".into()),
        }
    }

    async fn leave(&self, registration: &Registration) {
        if self.services.agents.unregister(registration)
            && let Err(err) =
                service::targets::publish_presence(&self.services, self.target, false).await
        {
            tracing::warn!(target.id = %self.target, error = %err, "cannot publish that an agent left");
        }
    }

    async fn push_desired_state(&self, socket: &mut WebSocket) -> Flow {
        match agent_session::desired_state(&self.services, self.target).await {
            Ok(state) => {
                if send(socket, &HubMessage::DesiredState(state)).await.is_ok() {
                    Flow::Continue
                } else {
                    Flow::Stop
                }
            }
            Err(service::Error::NotFound { .. }) => Flow::Stop,
            Err(err) => {
                tracing::error!(target.id = %self.target, error = %err, "cannot build the desired state");
                Flow::Continue
            }
        }
    }

    async fn on_message(&mut self, socket: &mut WebSocket, message: Message) -> Flow {
        let now = Utc::now();
        self.services.agents.seen(self.target, now);
        // After a failed write at connect `last_seen_written` is still unset, so this is due.
        if agent_session::due_for_last_seen(self.last_seen_written, now) {
            let version = self.unrecorded_version.as_deref();
            match service::targets::record_seen(&self.services, self.target, version, now).await {
                Ok(()) => self.unrecorded_version = None,
                Err(err) => {
                    tracing::warn!(target.id = %self.target, error = %err, "cannot record last seen");
                }
            }
            self.last_seen_written = Some(now);
        }
        let text = match message {
            Message::Text(text) => text,
            Message::Close(_) => return Flow::Stop,
            Message::Ping(_) | Message::Pong(_) => return Flow::Continue,
            Message::Binary(_) => {
                return self
                    .reply_error(socket, "binary frames are not part of the protocol".into())
                    .await;
            }
        };
        let Some(parsed) = parse_frame(text).await else {
            return Flow::Stop;
        };
        let frame = match parsed {
            Ok(frame) => frame,
            Err(err) => {
                // The parse error, never the frame: it may hold secrets.
                tracing::warn!(target.id = %self.target, error.kind = ?err.classify(), line = err.line(), column = err.column(), "unreadable agent frame");
                return self
                    .reply_error(socket, format!("cannot read the frame: {err}"))
                    .await;
            }
        };
        let outcome = match frame {
            AgentMessage::Heartbeat { .. } => {
                return if send(socket, &HubMessage::HeartbeatAck).await.is_ok() {
                    Flow::Continue
                } else {
                    Flow::Stop
                };
            }
            AgentMessage::Hello { .. } => {
                return self
                    .reply_error(
                        socket,
                        "hello was already received on this connection".into(),
                    )
                    .await;
            }
            AgentMessage::Status(report) => {
                agent_session::record_status(&self.services, self.target, report).await
            }
            AgentMessage::Logs(batch) => {
                agent_session::record_logs(&self.services, self.target, batch).await
            }
            AgentMessage::Metrics(metrics) => {
                agent_session::record_metrics(&self.services, self.target, metrics).await
            }
            AgentMessage::Error {
                message,
                in_reply_to,
            } => {
                tracing::warn!(target.id = %self.target, in_reply_to = ?in_reply_to, message = %message, "the agent reported an error");
                Ok(())
            }
        };
        match outcome {
            Ok(()) => Flow::Continue,
            Err(service::Error::NotFound { what }) => {
                self.reply_error(socket, format!("{what} not found on this target"))
                    .await
            }
            Err(err) => {
                tracing::error!(target.id = %self.target, error = %err, "cannot keep an agent report");
                self.reply_error(socket, "the hub could not keep this report".into())
                    .await
            }
        }
    }

    async fn reply_error(&self, socket: &mut WebSocket, message: String) -> Flow {
        if send(socket, &HubMessage::Error { message }).await.is_ok() {
            Flow::Continue
        } else {
            Flow::Stop
        }
    }
}
