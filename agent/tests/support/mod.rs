//! A small stand-in for the hub's `/api/v1/agent/ws` and `/api/v1/agent/enroll` endpoints,
//! playing the hub's side of the protocol documented in `docs/agent.md`, for the agent tests
//! that need what the real hub does not do on purpose: see every frame and header the agent
//! sends, drop connections, stop and restart on cue, stay silent, send malformed frames, refuse
//! the upgrade. A test that needs only a working hub starts the real one (`server::testing::
//! TestHub`, see `binary.rs` and `connection.rs`); the Docker helpers come from
//! `consign-test-support`.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use types::protocol::{AgentMessage, DesiredState, HubMessage, RejectReason, negotiate};

/// What the fake hub saw.
#[derive(Debug, Clone)]
pub enum Event {
    /// A websocket was accepted, with this `Authorization` header.
    Connected { authorization: Option<String> },
    /// A frame the agent sent, parsed.
    Frame(AgentMessage),
    /// The connection ended.
    Disconnected,
    /// The upgrade was refused with 401 (`refuse_upgrade`).
    Refused { authorization: Option<String> },
    /// An enrolment request: its request line and JSON body, and whether it was accepted.
    Enrol {
        request_line: String,
        body: String,
        accepted: bool,
    },
}

/// How the fake hub behaves.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// The credential it accepts.
    pub credential: String,
    /// Sent after `Welcome`.
    pub desired: Option<DesiredState>,
    /// Whether it answers heartbeats (a silent hub does not).
    pub ack_heartbeats: bool,
    /// The heartbeat interval it asks for in `Welcome`.
    pub heartbeat_interval_secs: Option<u32>,
    /// Refuse the websocket upgrade with 401, as the hub does for a revoked credential.
    pub refuse_upgrade: bool,
    /// Answers `POST /api/v1/agent/enroll` on the same port: the one-time secret it accepts
    /// (once), and it hands out `credential`.
    pub enrolment_secret: Option<String>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            credential: "agent-credential".into(),
            desired: None,
            ack_heartbeats: true,
            heartbeat_interval_secs: None,
            refuse_upgrade: false,
            enrolment_secret: None,
        }
    }
}

/// A running fake hub.
pub struct FakeHub {
    pub addr: SocketAddr,
    pub behaviour: Arc<Mutex<Behaviour>>,
    events_tx: mpsc::UnboundedSender<Event>,
    pub events: mpsc::UnboundedReceiver<Event>,
    to_agent: broadcast::Sender<Control>,
    accept: Option<JoinHandle<()>>,
}

#[derive(Debug, Clone)]
enum Control {
    Send(String),
    Drop,
}

impl FakeHub {
    /// Starts on a free port.
    pub async fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (events_tx, events) = mpsc::unbounded_channel();
        let (to_agent, _) = broadcast::channel(64);
        let mut hub = Self {
            addr,
            behaviour: Arc::new(Mutex::new(behaviour)),
            events_tx,
            events,
            to_agent,
            accept: None,
        };
        hub.serve(listener);
        hub
    }

    /// `http://127.0.0.1:port`, the hub URL the agent is configured with.
    pub fn url(&self) -> url::Url {
        url::Url::parse(&format!("http://{}", self.addr)).unwrap()
    }

    /// `ws://127.0.0.1:port/api/v1/agent/ws`.
    pub fn ws_url(&self) -> url::Url {
        url::Url::parse(&format!("ws://{}/api/v1/agent/ws", self.addr)).unwrap()
    }

    fn serve(&mut self, listener: TcpListener) {
        let behaviour = Arc::clone(&self.behaviour);
        let events = self.events_tx.clone();
        let control = self.to_agent.clone();
        self.accept = Some(tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let snapshot = behaviour.lock().unwrap().clone();
                let mut first = [0u8; 5];
                if tcp.peek(&mut first).await.is_ok() && &first == b"POST " {
                    tokio::spawn(enrol(tcp, Arc::clone(&behaviour), events.clone()));
                    continue;
                }
                let behaviour = snapshot;
                tokio::spawn(connection(
                    tcp,
                    behaviour,
                    events.clone(),
                    control.subscribe(),
                ));
            }
        }));
    }

    /// Stops listening and drops every connection: the hub is down.
    pub fn stop(&mut self) {
        if let Some(accept) = self.accept.take() {
            accept.abort();
        }
        let _ = self.to_agent.send(Control::Drop);
    }

    /// Listens again on the same port: the hub is back.
    pub async fn restart(&mut self) {
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        };
        self.serve(listener);
    }

    /// Drops the current connections but keeps listening.
    pub fn drop_connections(&self) {
        let _ = self.to_agent.send(Control::Drop);
    }

    /// Sends a raw text frame to connected agents.
    pub fn send_raw(&self, text: &str) {
        let _ = self.to_agent.send(Control::Send(text.to_string()));
    }

    /// Sends a frame to connected agents.
    pub fn send(&self, frame: &HubMessage) {
        self.send_raw(&serde_json::to_string(frame).unwrap());
    }

    /// The next event, failing the test after `within`.
    pub async fn next_event(&mut self, within: Duration) -> Event {
        tokio::time::timeout(within, self.events.recv())
            .await
            .expect("no event from the fake hub in time")
            .unwrap()
    }

    /// Waits for an event matching `pick`, skipping others (heartbeats, metrics…).
    pub async fn wait_for<T>(
        &mut self,
        within: Duration,
        mut pick: impl FnMut(&Event) -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let event = tokio::time::timeout(left, self.events.recv())
                .await
                .expect("the awaited event did not come in time")
                .unwrap();
            if let Some(found) = pick(&event) {
                return found;
            }
        }
    }
}

impl Drop for FakeHub {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn connection(
    tcp: tokio::net::TcpStream,
    behaviour: Behaviour,
    events: mpsc::UnboundedSender<Event>,
    mut control: broadcast::Receiver<Control>,
) {
    let authorization = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&authorization);
    let refuse = behaviour.refuse_upgrade;
    let refused_events = events.clone();
    // The signature is tungstenite's callback type; its error type is not ours to shrink.
    #[allow(clippy::result_large_err)]
    let callback = move |request: &Request,
                         response: Response|
          -> Result<Response, ErrorResponse> {
        assert_eq!(request.uri().path(), "/api/v1/agent/ws");
        let authorization = request
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        if refuse {
            let _ = refused_events.send(Event::Refused { authorization });
            let mut denied = ErrorResponse::new(None);
            *denied.status_mut() = tokio_tungstenite::tungstenite::http::StatusCode::UNAUTHORIZED;
            return Err(denied);
        }
        *seen.lock().unwrap() = authorization;
        Ok(response)
    };
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await else {
        return;
    };
    let authorization = authorization.lock().unwrap().clone();
    let _ = events.send(Event::Connected {
        authorization: authorization.clone(),
    });
    // Hello first.
    let Some(Ok(Message::Text(hello))) = ws.next().await else {
        let _ = events.send(Event::Disconnected);
        return;
    };
    let hello: AgentMessage = serde_json::from_str(hello.as_str()).unwrap();
    let _ = events.send(Event::Frame(hello.clone()));
    let AgentMessage::Hello {
        protocol_version, ..
    } = hello
    else {
        panic!("the first frame was not Hello");
    };
    let answer = if authorization.as_deref() == Some(&format!("Bearer {}", behaviour.credential)) {
        match negotiate(protocol_version, "0.1.0-test") {
            HubMessage::Welcome {
                protocol_version,
                hub_version,
                ..
            } => HubMessage::Welcome {
                protocol_version,
                hub_version,
                heartbeat_interval_secs: behaviour.heartbeat_interval_secs,
            },
            reject => reject,
        }
    } else {
        HubMessage::Reject {
            reason: RejectReason::InvalidCredential,
            message: "unknown credential".into(),
        }
    };
    let welcomed = matches!(answer, HubMessage::Welcome { .. });
    let _ = ws
        .send(Message::text(serde_json::to_string(&answer).unwrap()))
        .await;
    if !welcomed {
        let _ = ws.close(None).await;
        let _ = events.send(Event::Disconnected);
        return;
    }
    if let Some(desired) = &behaviour.desired {
        let frame = HubMessage::DesiredState(desired.clone());
        let _ = ws
            .send(Message::text(serde_json::to_string(&frame).unwrap()))
            .await;
    }
    loop {
        tokio::select! {
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let frame: AgentMessage = serde_json::from_str(text.as_str())
                        .expect("the agent sent a frame outside the protocol");
                    if behaviour.ack_heartbeats && matches!(frame, AgentMessage::Heartbeat { .. }) {
                        let ack = serde_json::to_string(&HubMessage::HeartbeatAck).unwrap();
                        if ws.send(Message::text(ack)).await.is_err() {
                            break;
                        }
                    }
                    let _ = events.send(Event::Frame(frame));
                }
                Some(Ok(_)) => {}
                _ => break,
            },
            command = control.recv() => match command {
                Ok(Control::Send(text)) => {
                    if ws.send(Message::text(text)).await.is_err() {
                        break;
                    }
                }
                Ok(Control::Drop) | Err(_) => break,
            }
        }
    }
    let _ = events.send(Event::Disconnected);
}

/// Plays `POST /api/v1/agent/enroll`: accepts the configured secret once (then forgets it,
/// as the hub marks it used) and answers with `behaviour.credential`.
async fn enrol(
    mut tcp: tokio::net::TcpStream,
    behaviour: Arc<Mutex<Behaviour>>,
    events: mpsc::UnboundedSender<Event>,
) {
    let (request_line, body) = read_request(&mut tcp).await;
    let parsed: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let accepted = {
        let mut behaviour = behaviour.lock().unwrap();
        let ok = request_line.starts_with("POST /api/v1/agent/enroll ")
            && parsed["targetId"].is_string()
            && behaviour.enrolment_secret.is_some()
            && parsed["secret"].as_str() == behaviour.enrolment_secret.as_deref();
        if ok {
            behaviour.enrolment_secret = None;
        }
        ok.then(|| behaviour.credential.clone())
    };
    let (status, reply) = match &accepted {
        Some(credential) => (
            200,
            serde_json::json!({ "credential": credential }).to_string(),
        ),
        None => (401, r#"{"error":"invalid enrolment secret"}"#.to_string()),
    };
    let response = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
        reply.len()
    );
    let _ = tcp.write_all(response.as_bytes()).await;
    let _ = events.send(Event::Enrol {
        request_line,
        body,
        accepted: accepted.is_some(),
    });
}

/// Reads one HTTP request: its request line (with headers after it) and its body.
async fn read_request(tcp: &mut tokio::net::TcpStream) -> (String, String) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tcp.read(&mut buf).await.unwrap();
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            if body.len() >= length || n == 0 {
                return (head.to_string(), body.to_string());
            }
        }
        if n == 0 {
            return (text, String::new());
        }
    }
}

/// One request as the server saw it.
#[derive(Debug)]
pub struct Seen {
    pub request_line: String,
    pub headers: String,
    pub body: String,
}

/// A one-request HTTP server: answers `status` with the body `reply` and returns what it
/// received.
pub async fn serve_http_once(
    status: u16,
    reply: Vec<u8>,
) -> (url::Url, tokio::task::JoinHandle<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = url::Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    let task = tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        let (head, body) = read_request(&mut tcp).await;
        let response_head = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            reply.len()
        );
        tcp.write_all(response_head.as_bytes()).await.unwrap();
        tcp.write_all(&reply).await.unwrap();
        let (request_line, headers) = head.split_once("\r\n").unwrap();
        Seen {
            request_line: request_line.to_string(),
            headers: headers.to_string(),
            body,
        }
    });
    (url, task)
}
