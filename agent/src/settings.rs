//! The agent's settings: command-line flags, each with an environment variable.

use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use types::DeploymentTargetId;
use url::Url;

use crate::credential;

/// Why the settings are unusable; each message says what to set.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    /// No hub URL was given.
    #[error(
        "the hub URL is missing: pass --hub-url https://hub.example.com or set CONSIGN_HUB_URL"
    )]
    MissingHubUrl,
    /// The hub URL does not parse or has the wrong scheme.
    #[error("the hub URL {url:?} is not usable: {reason}")]
    BadHubUrl {
        /// The value given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No credential was given, none is stored, and there is nothing to enrol with.
    #[error(
        "the agent credential is missing: set CONSIGN_TARGET_ID and CONSIGN_ENROLMENT_SECRET \
         (or --enrolment-secret-file PATH) to enrol, or set CONSIGN_AGENT_TOKEN or pass \
         --token-file PATH (the deployment target's install command in the portal sets them)"
    )]
    MissingCredential,
    /// An enrolment secret was given without the target it belongs to.
    #[error("an enrolment secret needs its target: set CONSIGN_TARGET_ID or pass --target-id")]
    MissingTargetId,
    /// The target id is not a UUID.
    #[error("the target id {0:?} is not a UUID")]
    BadTargetId(String),
    /// A secret file cannot be read or is empty.
    #[error("cannot read the enrolment secret from {path}: {reason}")]
    BadSecretFile {
        /// The file given.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// An interval is zero.
    #[error("{name} must be at least one second")]
    ZeroInterval {
        /// The flag.
        name: &'static str,
    },
    /// The token file cannot be read or is empty.
    #[error("cannot read the credential from {path}: {reason}")]
    BadTokenFile {
        /// The file given.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// The longest wait between reconnection attempts unless `--backoff-cap-secs` says otherwise.
pub const DEFAULT_BACKOFF_CAP_SECS: u64 = 30;

/// Raw inputs, as given on the command line or in the environment.
#[derive(Debug, Default, Clone)]
pub struct Inputs {
    /// `--hub-url` / `CONSIGN_HUB_URL`.
    pub hub_url: Option<String>,
    /// `CONSIGN_AGENT_TOKEN`.
    pub token: Option<String>,
    /// `--token-file` / `CONSIGN_AGENT_TOKEN_FILE`.
    pub token_file: Option<PathBuf>,
    /// `--state-dir` / `CONSIGN_AGENT_STATE_DIR`.
    pub state_dir: Option<PathBuf>,
    /// `--target-id` / `CONSIGN_TARGET_ID`.
    pub target_id: Option<String>,
    /// `CONSIGN_ENROLMENT_SECRET`.
    pub enrolment_secret: Option<String>,
    /// `--enrolment-secret-file` / `CONSIGN_ENROLMENT_SECRET_FILE`.
    pub enrolment_secret_file: Option<PathBuf>,
    /// `--heartbeat-secs` / `CONSIGN_HEARTBEAT_SECS` (default 15).
    pub heartbeat_secs: Option<u64>,
    /// `--backoff-cap-secs` / `CONSIGN_BACKOFF_CAP_SECS` (default 30).
    pub backoff_cap_secs: Option<u64>,
}

/// A one-time enrolment secret and the target it belongs to. `Debug` never shows the secret.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The deployment target.
    pub target_id: DeploymentTargetId,
    /// The single-use secret.
    pub secret: SecretString,
}

/// How the agent proves who it is to the hub.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A long-lived credential: given explicitly or stored after enrolment.
    Token(SecretString),
    /// No credential yet: trade this one-time secret for one at `POST /api/v1/agent/enroll`.
    Enrol {
        /// The deployment target the secret belongs to.
        target_id: DeploymentTargetId,
        /// The single-use enrolment secret.
        secret: SecretString,
    },
}

/// Validated settings. `Debug` never shows the credential.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The hub's base URL (`http://` or `https://`).
    pub hub_url: Url,
    /// The agent's credential, or what to enrol with.
    pub credential: Credential,
    /// The enrolment secret and target, when given: used first when there is no credential,
    /// and again when the hub refuses the stored one (the target's secret was rotated and the
    /// new install command run).
    pub enrolment: Option<Enrolment>,
    /// Where the agent keeps its local state.
    pub state_dir: PathBuf,
    /// How often to send a heartbeat; the receive timeout is three of these.
    pub heartbeat_interval: Duration,
    /// The longest wait between two reconnection attempts.
    pub backoff_cap: Duration,
}

impl Settings {
    /// Validates the inputs, naming the first thing that is missing or wrong.
    pub fn from_inputs(inputs: Inputs) -> Result<Self, SettingsError> {
        let raw = inputs
            .hub_url
            .filter(|u| !u.trim().is_empty())
            .ok_or(SettingsError::MissingHubUrl)?;
        let hub_url = Url::parse(raw.trim()).map_err(|e| SettingsError::BadHubUrl {
            url: raw.clone(),
            reason: e.to_string(),
        })?;
        if !matches!(hub_url.scheme(), "http" | "https") {
            return Err(SettingsError::BadHubUrl {
                url: raw,
                reason: "use an http:// or https:// address".into(),
            });
        }
        let state_dir = inputs
            .state_dir
            .unwrap_or_else(|| PathBuf::from("/var/lib/consign-agent"));
        let enrolment = resolve_enrolment(
            inputs.target_id,
            inputs.enrolment_secret,
            inputs.enrolment_secret_file,
        )?;
        let credential = resolve_credential(
            inputs.token,
            inputs.token_file,
            &state_dir,
            enrolment.clone(),
        )?;
        Ok(Self {
            hub_url,
            credential,
            enrolment,
            state_dir,
            heartbeat_interval: interval(inputs.heartbeat_secs, 15, "--heartbeat-secs")?,
            backoff_cap: interval(
                inputs.backoff_cap_secs,
                DEFAULT_BACKOFF_CAP_SECS,
                "--backoff-cap-secs",
            )?,
        })
    }

    /// The websocket address of the hub's agent endpoint (`wss://` when the hub is https).
    pub fn websocket_url(&self) -> Url {
        let mut url = self.hub_url.clone();
        let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
        // Both schemes are "special" in the URL standard, so switching between them succeeds.
        let _ = url.set_scheme(scheme);
        url.set_path("/api/v1/agent/ws");
        url
    }
}

fn interval(
    secs: Option<u64>,
    default: u64,
    name: &'static str,
) -> Result<Duration, SettingsError> {
    match secs.unwrap_or(default) {
        0 => Err(SettingsError::ZeroInterval { name }),
        secs => Ok(Duration::from_secs(secs)),
    }
}

/// An explicit credential wins, then one stored by an earlier enrolment, then enrolment.
fn resolve_credential(
    token: Option<String>,
    token_file: Option<PathBuf>,
    state_dir: &Path,
    enrolment: Option<Enrolment>,
) -> Result<Credential, SettingsError> {
    if let Some(token) = token.filter(|t| !t.trim().is_empty()) {
        return Ok(Credential::Token(SecretString::from(
            token.trim().to_string(),
        )));
    }
    if let Some(path) = token_file {
        let text = read_secret_file(&path).map_err(|reason| SettingsError::BadTokenFile {
            path: path.clone(),
            reason,
        })?;
        return Ok(Credential::Token(SecretString::from(text)));
    }
    if let Some(stored) = credential::load(state_dir) {
        return Ok(Credential::Token(stored));
    }
    match enrolment {
        Some(Enrolment { target_id, secret }) => Ok(Credential::Enrol { target_id, secret }),
        None => Err(SettingsError::MissingCredential),
    }
}

/// The enrolment secret (from the environment or a file) with its target, when a secret is
/// given; a secret without a valid target id is an error.
fn resolve_enrolment(
    target_id: Option<String>,
    secret: Option<String>,
    secret_file: Option<PathBuf>,
) -> Result<Option<Enrolment>, SettingsError> {
    let secret = match (secret.filter(|s| !s.trim().is_empty()), secret_file) {
        (Some(secret), _) => secret.trim().to_string(),
        (None, Some(path)) => {
            read_secret_file(&path).map_err(|reason| SettingsError::BadSecretFile {
                path: path.clone(),
                reason,
            })?
        }
        (None, None) => return Ok(None),
    };
    let raw = target_id
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .ok_or(SettingsError::MissingTargetId)?;
    let target_id = raw
        .parse::<DeploymentTargetId>()
        .map_err(|_| SettingsError::BadTargetId(raw))?;
    Ok(Some(Enrolment {
        target_id,
        secret: SecretString::from(secret),
    }))
}

/// The trimmed content of a file holding one secret, or why it is unusable.
fn read_secret_file(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err("the file is empty".into());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(hub: Option<&str>, token: Option<&str>) -> Inputs {
        Inputs {
            hub_url: hub.map(String::from),
            token: token.map(String::from),
            ..Inputs::default()
        }
    }

    #[test]
    fn a_missing_hub_url_is_named_first() {
        assert_eq!(
            Settings::from_inputs(inputs(None, Some("t"))).unwrap_err(),
            SettingsError::MissingHubUrl
        );
        assert_eq!(
            Settings::from_inputs(inputs(Some("  "), Some("t"))).unwrap_err(),
            SettingsError::MissingHubUrl
        );
    }

    #[test]
    fn a_missing_credential_is_named() {
        let err = Settings::from_inputs(inputs(Some("https://hub.example.com"), None)).unwrap_err();
        assert_eq!(err, SettingsError::MissingCredential);
        assert!(err.to_string().contains("CONSIGN_AGENT_TOKEN"));
    }

    #[test]
    fn a_malformed_or_non_http_url_is_refused_with_the_reason() {
        let err = Settings::from_inputs(inputs(Some("hub.example.com"), Some("t"))).unwrap_err();
        assert!(matches!(err, SettingsError::BadHubUrl { .. }), "{err}");
        let err =
            Settings::from_inputs(inputs(Some("ftp://hub.example.com"), Some("t"))).unwrap_err();
        assert!(err.to_string().contains("http:// or https://"), "{err}");
    }

    #[test]
    fn the_websocket_url_follows_the_hub_scheme() {
        let s = Settings::from_inputs(inputs(Some("https://hub.example.com/"), Some("t"))).unwrap();
        assert_eq!(
            s.websocket_url().as_str(),
            "wss://hub.example.com/api/v1/agent/ws"
        );
        let s = Settings::from_inputs(inputs(Some("http://127.0.0.1:8080"), Some("t"))).unwrap();
        assert_eq!(
            s.websocket_url().as_str(),
            "ws://127.0.0.1:8080/api/v1/agent/ws"
        );
    }

    #[test]
    fn the_credential_can_come_from_a_file_and_never_shows_in_debug() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "s3cret-token\n").unwrap();
        let s = Settings::from_inputs(Inputs {
            hub_url: Some("https://hub.example.com".into()),
            token_file: Some(file.clone()),
            ..Inputs::default()
        })
        .unwrap();
        assert!(!format!("{s:?}").contains("s3cret"));
        std::fs::write(&file, "\n").unwrap();
        let err = Settings::from_inputs(Inputs {
            hub_url: Some("https://hub.example.com".into()),
            token_file: Some(file),
            ..Inputs::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }

    #[test]
    fn an_enrolment_secret_needs_a_valid_target_id_and_never_shows_in_debug() {
        let dir = tempfile::tempdir().unwrap();
        let base = Inputs {
            hub_url: Some("https://hub.example.com".into()),
            state_dir: Some(dir.path().to_path_buf()),
            enrolment_secret: Some("one-time-s3cret".into()),
            ..Inputs::default()
        };
        let err = Settings::from_inputs(base.clone()).unwrap_err();
        assert_eq!(err, SettingsError::MissingTargetId);
        let err = Settings::from_inputs(Inputs {
            target_id: Some("target-1".into()),
            ..base.clone()
        })
        .unwrap_err();
        assert_eq!(err, SettingsError::BadTargetId("target-1".into()));
        let target = DeploymentTargetId::new();
        let s = Settings::from_inputs(Inputs {
            target_id: Some(target.to_string()),
            ..base
        })
        .unwrap();
        assert!(matches!(s.credential, Credential::Enrol { target_id, .. } if target_id == target));
        assert!(!format!("{s:?}").contains("s3cret"));
    }

    #[test]
    fn a_stored_credential_wins_over_an_enrolment_secret() {
        let dir = tempfile::tempdir().unwrap();
        credential::store(dir.path(), "stored-credential").unwrap();
        let s = Settings::from_inputs(Inputs {
            hub_url: Some("https://hub.example.com".into()),
            state_dir: Some(dir.path().to_path_buf()),
            target_id: Some(DeploymentTargetId::new().to_string()),
            enrolment_secret: Some("already-used".into()),
            ..Inputs::default()
        })
        .unwrap();
        assert!(matches!(s.credential, Credential::Token(_)));
        // Kept for enrolling again if the hub refuses the stored credential.
        assert!(s.enrolment.is_some());
    }

    #[test]
    fn intervals_default_and_refuse_zero() {
        let s = Settings::from_inputs(inputs(Some("https://hub.example.com"), Some("t"))).unwrap();
        assert_eq!(s.heartbeat_interval, Duration::from_secs(15));
        assert_eq!(s.backoff_cap, Duration::from_secs(30));
        let err = Settings::from_inputs(Inputs {
            heartbeat_secs: Some(0),
            ..inputs(Some("https://hub.example.com"), Some("t"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("--heartbeat-secs"), "{err}");
    }
}
