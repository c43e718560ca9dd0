//! Simulated agents for the soak and the reconnect storm: the real protocol over a real
//! websocket, and the real agent's reconnection policy (`consign_agent::backoff` with the
//! agent's base delay and default cap), so a restarted hub sees the same retry spread as it
//! would from a fleet of real agents.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Result;
use chrono::Utc;
use consign_agent::backoff::Backoff;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use types::protocol::{
    AgentMessage, DeploymentState, HostMetrics, HubMessage, LogBatch, LogLine, LogStream,
    PROTOCOL_VERSION, StatusReport,
};
use types::{DeploymentId, RevisionId};

/// A simulated agent's websocket.
pub type Ws = WebSocketStream<tokio::net::TcpStream>;

/// The source address of the `i`-th agent: 127.0.0.2 … 127.0.0.201, so one port of one hub
/// can take far more connections than one source address has ephemeral ports (about 28,000).
pub fn local_addr(i: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + (i % 200) as u8))
}

/// Opens the agent websocket from `local` with `credential`.
pub async fn connect(port: u16, local: IpAddr, credential: &str) -> Result<Ws> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(local, 0))?;
    let stream = socket
        .connect(SocketAddr::from(([127, 0, 0, 1], port)))
        .await?;
    let mut request = format!("ws://127.0.0.1:{port}/api/v1/agent/ws").into_client_request()?;
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {credential}").parse()?);
    // Small buffers: the defaults (128 KiB each way) would make this process, not the hub,
    // the memory hog.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0)
        .max_write_buffer_size(1024 * 1024);
    let (ws, _) =
        tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await?;
    Ok(ws)
}

/// What an agent sends besides heartbeats, in turn, one kind per period: a status of every
/// deployment it runs (alternating `running` and `healthy`, so each is a new row), a batch
/// of log lines per deployment, and a host-metrics sample.
#[derive(Debug, Clone, Copy)]
pub struct Reports {
    /// The period.
    pub every: Duration,
    /// Lines per log batch.
    pub log_lines: usize,
}

/// Counters shared by every simulated agent.
#[derive(Debug, Default)]
pub struct Stats {
    /// Agents currently welcomed.
    pub connected: AtomicUsize,
    /// Handshakes that ended in `welcome`.
    pub sessions: AtomicU64,
    /// Connection attempts that did not reach `welcome` (refused, reset, timed out).
    pub failed_attempts: AtomicU64,
    /// Welcomed sessions that ended.
    pub drops: AtomicU64,
    /// Status, log and metrics frames sent.
    pub reports: AtomicU64,
    /// Log lines sent.
    pub log_lines: AtomicU64,
    /// Desired states received.
    pub desired_states: AtomicU64,
}

/// How one connection ended.
enum End {
    /// It never reached `welcome`.
    Failed,
    /// It was welcomed, then ended.
    Dropped,
}

/// One agent, forever: connect, run the session, and after it ends wait as the real agent
/// does (full-jitter exponential backoff, reset by each `welcome`).
pub async fn agent(
    port: u16,
    local: IpAddr,
    credential: String,
    reports: Option<Reports>,
    stats: Arc<Stats>,
) {
    let mut backoff = Backoff::new(
        consign_agent::connection::BACKOFF_BASE,
        Duration::from_secs(consign_agent::settings::DEFAULT_BACKOFF_CAP_SECS),
    );
    // What this agent "runs", kept across reconnects as the real agent keeps its containers.
    let mut running: HashMap<DeploymentId, RevisionId> = HashMap::new();
    loop {
        match session(
            port,
            local,
            &credential,
            reports,
            &stats,
            &mut backoff,
            &mut running,
        )
        .await
        {
            End::Failed => stats.failed_attempts.fetch_add(1, Ordering::Relaxed),
            End::Dropped => stats.drops.fetch_add(1, Ordering::Relaxed),
        };
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

fn text(message: &AgentMessage) -> Message {
    Message::Text(serde_json::to_string(message).unwrap_or_default().into())
}

fn status(id: DeploymentId, revision: Option<RevisionId>, state: DeploymentState) -> Message {
    text(&AgentMessage::Status(StatusReport {
        deployment_id: id,
        revision_id: revision,
        state,
        message: String::new(),
        observed_at: Utc::now(),
    }))
}

async fn session(
    port: u16,
    local: IpAddr,
    credential: &str,
    reports: Option<Reports>,
    stats: &Stats,
    backoff: &mut Backoff,
    running: &mut HashMap<DeploymentId, RevisionId>,
) -> End {
    let Ok(Ok(mut ws)) =
        tokio::time::timeout(Duration::from_secs(10), connect(port, local, credential)).await
    else {
        return End::Failed;
    };
    let hello = AgentMessage::Hello {
        protocol_version: PROTOCOL_VERSION,
        agent_version: "0.0.0-sim".into(),
        capabilities: vec!["docker-compose".into()],
    };
    if ws.send(text(&hello)).await.is_err() {
        return End::Failed;
    }
    let welcome = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(Ok(frame)) = ws.next().await {
            if let Message::Text(t) = frame
                && let Ok(HubMessage::Welcome {
                    heartbeat_interval_secs,
                    ..
                }) = serde_json::from_str::<HubMessage>(&t)
            {
                return Some(heartbeat_interval_secs.unwrap_or(15));
            }
        }
        None
    })
    .await;
    let Ok(Some(heartbeat)) = welcome else {
        return End::Failed;
    };
    backoff.reset();
    stats.connected.fetch_add(1, Ordering::Relaxed);
    stats.sessions.fetch_add(1, Ordering::Relaxed);
    let _ = connected(&mut ws, heartbeat, reports, stats, running).await;
    stats.connected.fetch_sub(1, Ordering::Relaxed);
    End::Dropped
}

/// The welcomed part of a session, until the socket fails.
async fn connected(
    ws: &mut Ws,
    heartbeat: u32,
    reports: Option<Reports>,
    stats: &Stats,
    running: &mut HashMap<DeploymentId, RevisionId>,
) -> Result<()> {
    // Spread timers over their period, as independent agents would be.
    let start = |period: Duration| {
        let offset = Duration::from_millis(crate::rand_below(period.as_millis() as u64));
        tokio::time::interval_at(tokio::time::Instant::now() + offset, period)
    };
    let mut beats = start(Duration::from_secs(u64::from(heartbeat.max(1))));
    let report_period = reports.map_or(Duration::from_secs(3600), |r| r.every);
    let mut report_ticks = start(report_period);
    let mut turn = 0u64;
    // The real agent re-sends its latest statuses after each welcome.
    for (id, revision) in running.iter() {
        ws.send(status(*id, Some(*revision), DeploymentState::Running))
            .await?;
    }
    loop {
        tokio::select! {
            frame = ws.next() => {
                let Some(frame) = frame else { return Ok(()) };
                let Message::Text(t) = frame? else { continue };
                if let Ok(HubMessage::DesiredState(state)) = serde_json::from_str::<HubMessage>(&t) {
                    stats.desired_states.fetch_add(1, Ordering::Relaxed);
                    for d in state.deployments {
                        if running.insert(d.deployment_id, d.revision_id) != Some(d.revision_id) {
                            ws.send(status(d.deployment_id, Some(d.revision_id), DeploymentState::Running)).await?;
                        }
                    }
                    for u in state.undeploy {
                        running.remove(&u.deployment_id);
                        ws.send(status(u.deployment_id, None, DeploymentState::Undeployed)).await?;
                    }
                }
            }
            _ = beats.tick() => {
                ws.send(text(&AgentMessage::Heartbeat { at: Utc::now() })).await?;
            }
            _ = report_ticks.tick(), if reports.is_some() => {
                let r = reports.unwrap_or(Reports { every: report_period, log_lines: 0 });
                turn += 1;
                match turn % 3 {
                    0 => {
                        let state = if turn.is_multiple_of(2) { DeploymentState::Running } else { DeploymentState::Healthy };
                        for (id, revision) in running.iter() {
                            ws.send(status(*id, Some(*revision), state)).await?;
                            stats.reports.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    1 => {
                        for (id, revision) in running.iter() {
                            let now = Utc::now();
                            let lines = (0..r.log_lines)
                                .map(|i| LogLine {
                                    service: "app".into(),
                                    stream: if i.is_multiple_of(5) { LogStream::Stderr } else { LogStream::Stdout },
                                    at: now,
                                    line: format!("GET /items/{i} 200 in 3 ms (turn {turn}) — a typical access log line"),
                                })
                                .collect();
                            ws.send(text(&AgentMessage::Logs(LogBatch {
                                deployment_id: *id,
                                revision_id: Some(*revision),
                                lines,
                            })))
                            .await?;
                            stats.reports.fetch_add(1, Ordering::Relaxed);
                            stats.log_lines.fetch_add(r.log_lines as u64, Ordering::Relaxed);
                        }
                    }
                    _ => {
                        ws.send(text(&AgentMessage::Metrics(HostMetrics {
                            cpu_percent: (turn % 100) as f32,
                            cpu_cores: 2,
                            memory_used_bytes: 1 << 30,
                            memory_total_bytes: 4 << 30,
                            at: Utc::now(),
                        })))
                        .await?;
                        stats.reports.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
    }
}
