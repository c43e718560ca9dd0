//! The agent's HTTP side: enrolment (`POST /api/v1/agent/enroll`), the binary the hub ships
//! (`GET /agent/consign-agent?arch=<uname -m>`, and with the bearer credential
//! `GET /api/v1/agent/download/consign-agent?arch=…` for self-update) and the install script
//! (`GET /agent/install.sh`), which asks for its host's architecture. The websocket is in [`super::agent_ws`]. The contract is
//! `docs/agent.md`.

use std::path::{Path, PathBuf};

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use types::DeploymentTargetId;

use utoipa::ToSchema;

use super::api::error::ErrorBody;
use crate::state::AppState;

/// How the agent endpoints behave (from the settings).
#[derive(Clone, Debug)]
pub struct AgentConfig {
    /// Seconds between heartbeats, sent in `welcome`.
    pub heartbeat_secs: u32,
    /// The hub's public address, written into the install script.
    pub public_url: Option<String>,
}

/// The folder of the running binary and the one above it (cargo puts test binaries in
/// `target/<profile>/deps`).
fn own_folders() -> Vec<PathBuf> {
    let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
    else {
        return Vec::new();
    };
    let up = dir.parent().map(Path::to_path_buf);
    std::iter::once(dir).chain(up).collect()
}

/// Where the agent binary for the hub's own architecture may be, in order: the configured path
/// alone, else `consign-agent` next to the running binary or one folder up. The service looks
/// them up on every request ([`service::agent_update::agent_binary`]), so a binary built after
/// start is served.
pub fn agent_binary_candidates(configured: Option<&Path>) -> Vec<PathBuf> {
    if let Some(path) = configured {
        return vec![path.to_path_buf()];
    }
    own_folders()
        .into_iter()
        .map(|dir| dir.join("consign-agent"))
        .collect()
}

/// The folders searched for `consign-agent-<arch>`: the configured one alone, else the running
/// binary's (where `cargo xtask dist` puts the agents beside the hub) and the one above it.
pub fn agent_dirs(configured: Option<&Path>) -> Vec<PathBuf> {
    match configured {
        Some(dir) => vec![dir.to_path_buf()],
        None => own_folders(),
    }
}

/// `?arch=`: the architecture of the host asking, as `uname -m` names it.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArchQuery {
    /// `x86_64` or `aarch64` (also `amd64`, `arm64`); absent means the hub's own.
    arch: Option<String>,
}

/// What an agent sends to enrol.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnrolRequest {
    /// The deployment target's id.
    #[schema(format = Uuid)]
    target_id: String,
    /// The one-time enrolment secret of its install command.
    secret: String,
}

/// The agent's long-lived credential (shown once; the hub keeps a hash).
#[derive(Serialize, ToSchema)]
pub struct EnrolResponse {
    /// Send it as `Authorization: Bearer <credential>` to the websocket and the download.
    credential: String,
}

// Neither the secret nor the credential may reach a log line through `Debug`.
impl std::fmt::Debug for EnrolRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolRequest")
            .field("target_id", &self.target_id)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for EnrolResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolResponse").finish_non_exhaustive()
    }
}

fn refused() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(serde_json::json!({"error": {
            "code": "unauthenticated",
            "message": "unknown target, or the enrolment secret is wrong, used or rotated: copy a fresh install command from the portal",
        }})),
    )
        .into_response()
}

/// `POST /api/v1/agent/enroll`: trades the one-time secret for the agent's credential. The
/// body is never logged.
#[utoipa::path(
    post,
    path = "/agent/enroll",
    tag = "agent",
    operation_id = "enrollAgent",
    summary = "Trade a target's one-time enrolment secret for the agent's credential (the agent calls this)",
    description = "The secret works once: the same transaction marks it used and stores the hash of \
        the new credential. Unknown target, wrong, used or rotated secret: the same 401, so \
        targets cannot be probed. The body is never logged.",
    request_body = EnrolRequest,
    responses(
        (status = 200, description = "The credential", body = EnrolResponse),
        (status = 400, description = "The body is not `{targetId, secret}`", body = ErrorBody),
        (status = 401, description = "Unknown target, or a wrong, used or rotated secret", body = ErrorBody),
    )
)]
pub async fn enroll(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<EnrolRequest>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": {
                "code": "invalid",
                "message": "send {\"targetId\": \"<uuid>\", \"secret\": \"<enrolment secret>\"}",
            }})),
        )
            .into_response();
    };
    let Ok(target) = request.target_id.parse::<DeploymentTargetId>() else {
        return refused();
    };
    match service::targets::enroll(&state.services, target, &request.secret, chrono::Utc::now())
        .await
    {
        Ok(Some(credential)) => {
            tracing::info!(target.id = %target, "agent enrolled");
            Json(EnrolResponse { credential }).into_response()
        }
        Ok(None) => {
            tracing::warn!(target.id = %target, "enrolment refused");
            refused()
        }
        Err(err) => super::api::ApiError::from(err).into_response(),
    }
}

async fn serve_binary(state: &AppState, arch: Option<&str>) -> Response {
    let path = match service::agent_update::agent_binary(&state.services.config, arch) {
        Ok(path) => path,
        // The install script prints this text: it is what a person reads when installing fails.
        Err(err) => return (StatusCode::NOT_FOUND, format!("{err}\n")).into_response(),
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/octet-stream"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"consign-agent\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(path = %path.display(), error = %err, "cannot read the agent binary");
            (
                StatusCode::NOT_FOUND,
                "the agent binary cannot be read: check CONSIGN_AGENT_BINARY and the hub's log\n",
            )
                .into_response()
        }
    }
}

/// `GET /agent/consign-agent?arch=…`: the agent binary for that architecture (no credential:
/// the install script fetches it before the agent has one, and it holds no secret).
#[utoipa::path(
    get,
    path = "/agent/consign-agent",
    tag = "agent",
    operation_id = "downloadAgent",
    summary = "The agent binary (Linux) for an architecture, for the install script; it holds no secret",
    params(ArchQuery),
    responses(
        (status = 200, description = "The executable", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, description = "This hub has no agent binary for that architecture (set `CONSIGN_AGENT_BINARY` or `CONSIGN_AGENT_DIR`), or there is no agent for it at all; the text says which", content_type = "text/plain", body = String),
    )
)]
pub async fn download(State(state): State<AppState>, Query(query): Query<ArchQuery>) -> Response {
    serve_binary(&state, query.arch.as_deref()).await
}

/// `GET /api/v1/agent/download/consign-agent`: the same, for self-update, with the agent's
/// bearer credential as `docs/agent.md` asks.
#[utoipa::path(
    get,
    path = "/agent/download/consign-agent",
    tag = "agent",
    operation_id = "downloadAgentForUpdate",
    summary = "The agent binary, for the agent's self-update (the agent's credential)",
    params(ArchQuery),
    responses(
        (status = 200, description = "The executable", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 401, description = "No, or an unknown or revoked, agent credential", body = ErrorBody),
        (status = 404, description = "This hub has no agent binary to serve", content_type = "text/plain", body = String),
    ),
    security(("agentCredential" = []))
)]
pub async fn download_authenticated(
    State(state): State<AppState>,
    Query(query): Query<ArchQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(credential) = super::api::bearer_secret(&headers) else {
        return refused();
    };
    match service::targets::authenticate_agent(&state.services, credential).await {
        Ok(Some(_)) => serve_binary(&state, query.arch.as_deref()).await,
        Ok(None) => refused(),
        Err(err) => super::api::ApiError::from(err).into_response(),
    }
}

/// `GET /agent/install.sh`: a POSIX sh script that downloads the agent from this hub and
/// starts it. It takes the target id and the secret from its environment (the portal's
/// one-line command sets them), so the secret is never in a URL.
#[utoipa::path(
    get,
    path = "/agent/install.sh",
    tag = "agent",
    operation_id = "getAgentInstallScript",
    summary = "The agent's POSIX sh installer, piped to `sh` by a target's install command",
    description = "Reads `CONSIGN_TARGET_ID` and `CONSIGN_ENROLMENT_SECRET` from its environment \
        (never from a URL), downloads the agent from this hub, stores the secret 0600 and starts \
        the agent: as a systemd service when systemd runs, else with `nohup` \
        (`CONSIGN_FOREGROUND=1`: in the foreground). Re-running it installs the hub's current \
        agent and reuses the stored credential.",
    responses(
        (status = 200, description = "The script", content_type = "text/x-shellscript", body = String),
    )
)]
pub async fn install_script(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let hub = state.agent.public_url.clone().unwrap_or_else(|| {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        format!("http://{host}")
    });
    (
        [(header::CONTENT_TYPE, "text/x-shellscript; charset=utf-8")],
        install_script_text(&hub),
    )
        .into_response()
}

/// The install script for a hub at `hub`.
pub fn install_script_text(hub: &str) -> String {
    // Only characters a URL may hold reach the script, inside single quotes.
    let hub: String = hub
        .chars()
        .filter(|c| !matches!(c, '\'' | '\\' | '\n'))
        .collect();
    format!(
        r#"#!/bin/sh
# Installs and starts the Consign agent for one deployment target.
# Usage (the portal shows this line with the values filled in):
#   curl -fsSL {hub}/agent/install.sh | CONSIGN_TARGET_ID=<id> CONSIGN_ENROLMENT_SECRET=<secret> sh
# Optional: CONSIGN_INSTALL_DIR (default /usr/local/bin), CONSIGN_AGENT_STATE_DIR (default
# /var/lib/consign-agent), CONSIGN_FOREGROUND=1 to run the agent in this shell.
set -eu
HUB='{hub}'
: "${{CONSIGN_TARGET_ID:?set CONSIGN_TARGET_ID: copy the install command from the portal}}"
STATE_DIR="${{CONSIGN_AGENT_STATE_DIR:-/var/lib/consign-agent}}"
BIN_DIR="${{CONSIGN_INSTALL_DIR:-/usr/local/bin}}"
[ "$(uname -s)" = Linux ] || {{ echo "consign: the agent runs on Linux; this host runs $(uname -s)" >&2; exit 1; }}
# The hub serves the agent built for this host's architecture, or says it has none.
ARCH="$(uname -m)"
command -v docker >/dev/null 2>&1 || {{ echo "consign: docker is not installed on this host" >&2; exit 1; }}
umask 077
mkdir -p "$STATE_DIR" "$BIN_DIR"
if [ -n "${{CONSIGN_ENROLMENT_SECRET:-}}" ]; then
  # The secret goes to a private file, never to a command line (which `ps` shows).
  printf '%s' "$CONSIGN_ENROLMENT_SECRET" > "$STATE_DIR/enrolment-secret"
  unset CONSIGN_ENROLMENT_SECRET
elif [ ! -s "$STATE_DIR/credential" ]; then
  echo "consign: set CONSIGN_ENROLMENT_SECRET: copy the install command from the portal" >&2
  exit 1
fi
tmp="$BIN_DIR/.consign-agent.$$"
# Not `curl -f`: it would hide the hub's answer, which says what is wrong and how to fix it.
status=$(curl -sSL -o "$tmp" -w '%{{http_code}}' "$HUB/agent/consign-agent?arch=$ARCH") || {{
  rm -f "$tmp"
  echo "consign: cannot download the agent from $HUB (see curl's message above)" >&2
  exit 1
}}
if [ "$status" != 200 ]; then
  echo "consign: the hub answered HTTP $status instead of the agent binary for $ARCH:" >&2
  cat "$tmp" >&2
  rm -f "$tmp"
  exit 1
fi
chmod 0755 "$tmp"
mv -f "$tmp" "$BIN_DIR/consign-agent"
export CONSIGN_HUB_URL="$HUB" CONSIGN_AGENT_STATE_DIR="$STATE_DIR" CONSIGN_TARGET_ID
if [ -s "$STATE_DIR/enrolment-secret" ]; then
  export CONSIGN_ENROLMENT_SECRET_FILE="$STATE_DIR/enrolment-secret"
fi
if [ "${{CONSIGN_FOREGROUND:-}}" = 1 ]; then
  exec "$BIN_DIR/consign-agent" run
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  cat > /etc/systemd/system/consign-agent.service <<UNIT
[Unit]
Description=Consign agent
After=docker.service network-online.target
Wants=network-online.target

[Service]
Environment=CONSIGN_HUB_URL=$HUB
Environment=CONSIGN_AGENT_STATE_DIR=$STATE_DIR
Environment=CONSIGN_TARGET_ID=$CONSIGN_TARGET_ID
Environment=CONSIGN_ENROLMENT_SECRET_FILE=$STATE_DIR/enrolment-secret
ExecStart=$BIN_DIR/consign-agent run
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload
  systemctl enable --now consign-agent
  systemctl restart consign-agent
  echo "consign: the agent runs as the systemd service consign-agent"
else
  nohup "$BIN_DIR/consign-agent" run >>"$STATE_DIR/agent.log" 2>&1 &
  echo "consign: the agent runs as process $! (log: $STATE_DIR/agent.log)"
fi
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_install_command_keeps_the_secret_out_of_the_url() {
        let target = DeploymentTargetId::new();
        let line = service::targets::install_command("https://hub.example.com", target, "s3cret");
        let (url_part, env_part) = line.split_once(" | ").unwrap_or_default();
        assert!(!url_part.contains("s3cret"));
        assert!(env_part.contains("CONSIGN_ENROLMENT_SECRET=s3cret"));
        assert!(env_part.ends_with(" sh"));
    }

    #[test]
    fn the_script_names_the_hub_and_never_quotes_out_of_it() {
        let script = install_script_text("https://hub.example.com'; rm -rf /");
        assert!(script.contains("HUB='https://hub.example.com; rm -rf /'"));
        assert!(script.starts_with("#!/bin/sh\n"));
    }
}
