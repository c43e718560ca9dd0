//! The agent's settings: command-line flags, each with an environment variable.

use std::path::PathBuf;

use secrecy::SecretString;
use url::Url;

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
    /// No credential was given.
    #[error(
        "the agent credential is missing: set CONSIGN_AGENT_TOKEN or pass --token-file PATH \
         (the deployment target's install command in the portal contains it)"
    )]
    MissingCredential,
    /// The token file cannot be read or is empty.
    #[error("cannot read the credential from {path}: {reason}")]
    BadTokenFile {
        /// The file given.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

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
}

/// Validated settings. `Debug` never shows the credential.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The hub's base URL (`http://` or `https://`).
    pub hub_url: Url,
    /// The agent's credential.
    pub token: SecretString,
    /// Where the agent keeps its local state.
    pub state_dir: PathBuf,
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
        let token = match (
            inputs.token.filter(|t| !t.trim().is_empty()),
            inputs.token_file,
        ) {
            (Some(token), _) => token.trim().to_string(),
            (None, Some(path)) => {
                let text =
                    std::fs::read_to_string(&path).map_err(|e| SettingsError::BadTokenFile {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?;
                let text = text.trim().to_string();
                if text.is_empty() {
                    return Err(SettingsError::BadTokenFile {
                        path,
                        reason: "the file is empty".into(),
                    });
                }
                text
            }
            (None, None) => return Err(SettingsError::MissingCredential),
        };
        Ok(Self {
            hub_url,
            token: SecretString::from(token),
            state_dir: inputs
                .state_dir
                .unwrap_or_else(|| PathBuf::from("/var/lib/consign-agent")),
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
}
