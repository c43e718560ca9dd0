//! The hub's settings: defaults, then an optional TOML file, then `CONSIGN_*` environment
//! variables, each overriding the one before.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use crate::StartError;

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Everything the hub can be told. `Debug` never shows the database URL's password.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Address to listen on (`CONSIGN_LISTEN`, default `127.0.0.1:8080`).
    pub listen: SocketAddr,
    /// Folder for the SQLite file and blobs (`CONSIGN_DATA_DIR`, default `./data`).
    pub data_dir: PathBuf,
    /// Database URL (`CONSIGN_DATABASE_URL` or `DATABASE_URL`); SQLite under `data_dir` if unset.
    pub database_url: Option<SecretString>,
    /// Folder holding `pkg/` with the CSS and wasm bundle (`CONSIGN_SITE_ROOT`, default `target/site`).
    pub site_root: PathBuf,
    /// The address people and agents use to reach the hub (`CONSIGN_PUBLIC_URL`); `https://`
    /// makes cookies `Secure`. Defaults to `http://<listen>`.
    pub public_url: Option<Url>,
    /// Log filter in `RUST_LOG` syntax (`CONSIGN_LOG`, default `info`).
    pub log: String,
    /// Log format (`CONSIGN_LOG_FORMAT`: `text` or `json`).
    pub log_format: LogFormat,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            database_url: None,
            site_root: PathBuf::from("target/site"),
            public_url: None,
            log: "info".into(),
            log_format: LogFormat::Text,
        }
    }
}

/// One source of settings (the file or the environment); `None` leaves the value as it was.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Layer {
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    site_root: Option<PathBuf>,
    public_url: Option<Url>,
    log: Option<String>,
    log_format: Option<LogFormat>,
}

impl Settings {
    /// Loads defaults, then `file` (if given), then the `CONSIGN_*` variables of `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, StartError> {
        let mut settings = Settings::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                StartError::Settings(format!("cannot read {}: {e}", path.display()))
            })?;
            let layer: Layer = toml::from_str(&text)
                .map_err(|e| StartError::Settings(format!("{}: {e}", path.display())))?;
            settings.apply(layer);
        }
        settings.apply(Layer::from_env(env)?);
        Ok(settings)
    }

    fn apply(&mut self, layer: Layer) {
        let Layer {
            listen,
            data_dir,
            database_url,
            site_root,
            public_url,
            log,
            log_format,
        } = layer;
        if let Some(v) = listen {
            self.listen = v;
        }
        if let Some(v) = data_dir {
            self.data_dir = v;
        }
        if let Some(v) = database_url {
            self.database_url = Some(SecretString::from(v));
        }
        if let Some(v) = site_root {
            self.site_root = v;
        }
        if let Some(v) = public_url {
            self.public_url = Some(v);
        }
        if let Some(v) = log {
            self.log = v;
        }
        if let Some(v) = log_format {
            self.log_format = v;
        }
    }

    /// The database URL to open: the configured one, or a SQLite file under the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose_secret().to_string(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("consign.db").display()
            ),
        }
    }

    /// Whether people reach the hub over https (then cookies are `Secure`).
    pub fn serves_https(&self) -> bool {
        self.public_url
            .as_ref()
            .is_some_and(|u| u.scheme() == "https")
    }
}

impl Layer {
    fn from_env(env: impl IntoIterator<Item = (String, String)>) -> Result<Self, StartError> {
        let mut layer = Layer::default();
        let mut generic_database_url = None;
        for (key, value) in env {
            let bad = |what: &str, e: &dyn std::fmt::Display| {
                StartError::Settings(format!("{key}={value:?} is not {what}: {e}"))
            };
            match key.as_str() {
                "CONSIGN_LISTEN" => {
                    layer.listen = Some(
                        value
                            .parse()
                            .map_err(|e| bad("an address like 127.0.0.1:8080", &e))?,
                    )
                }
                "CONSIGN_DATA_DIR" => layer.data_dir = Some(PathBuf::from(&value)),
                "CONSIGN_DATABASE_URL" => layer.database_url = Some(value),
                "DATABASE_URL" => generic_database_url = Some(value),
                "CONSIGN_SITE_ROOT" => layer.site_root = Some(PathBuf::from(&value)),
                "CONSIGN_PUBLIC_URL" => {
                    layer.public_url = Some(
                        value
                            .parse()
                            .map_err(|e| bad("a URL like https://hub.example.com", &e))?,
                    )
                }
                "CONSIGN_LOG" => layer.log = Some(value),
                "CONSIGN_LOG_FORMAT" => {
                    layer.log_format = Some(match value.as_str() {
                        "text" => LogFormat::Text,
                        "json" => LogFormat::Json,
                        _ => return Err(bad("a log format", &"use text or json")),
                    })
                }
                // The agent's and the test suite's variables share the prefix on some hosts.
                other
                    if other.starts_with("CONSIGN_")
                        && other != "CONSIGN_CONFIG"
                        && !other.starts_with("CONSIGN_AGENT_")
                        && !other.starts_with("CONSIGN_TEST_")
                        && other != "CONSIGN_HUB_URL" =>
                {
                    return Err(StartError::Settings(format!(
                        "unknown setting {other}: see `consign-server --help` for the list"
                    )));
                }
                _ => {}
            }
        }
        // The conventional DATABASE_URL applies only when CONSIGN_DATABASE_URL is not set.
        if layer.database_url.is_none() {
            layer.database_url = generic_database_url;
        }
        Ok(layer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_use_sqlite_under_the_data_dir() {
        let s = Settings::load(None, env(&[])).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.database_url(), "sqlite://data/consign.db?mode=rwc");
        assert!(!s.serves_https());
    }

    #[test]
    fn the_environment_overrides_the_file_which_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("consign.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/consign\"\nlog = \"debug\"\n",
        )
        .unwrap();
        let s = Settings::load(
            Some(&file),
            env(&[
                ("CONSIGN_LISTEN", "127.0.0.1:9999"),
                ("CONSIGN_PUBLIC_URL", "https://hub.example.com"),
            ]),
        )
        .unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:9999");
        assert_eq!(s.data_dir, PathBuf::from("/srv/consign"));
        assert_eq!(s.log, "debug");
        assert!(s.serves_https());
    }

    #[test]
    fn consign_database_url_wins_over_database_url() {
        let s = Settings::load(
            None,
            env(&[
                ("DATABASE_URL", "postgres://a/b"),
                ("CONSIGN_DATABASE_URL", "postgres://c/d"),
            ]),
        )
        .unwrap();
        assert_eq!(s.database_url(), "postgres://c/d");
        let s = Settings::load(None, env(&[("DATABASE_URL", "postgres://a/b")])).unwrap();
        assert_eq!(s.database_url(), "postgres://a/b");
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let s =
            Settings::load(None, env(&[("DATABASE_URL", "postgres://u:hunter2@db/x")])).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn bad_values_name_the_variable_and_the_expected_form() {
        let err = Settings::load(None, env(&[("CONSIGN_LISTEN", "eight-thousand")])).unwrap_err();
        assert!(err.to_string().contains("CONSIGN_LISTEN"), "{err}");
        let err = Settings::load(None, env(&[("CONSIGN_LISTNE", "x")])).unwrap_err();
        assert!(
            err.to_string().contains("unknown setting CONSIGN_LISTNE"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_key_in_the_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("consign.toml");
        std::fs::write(&file, "lisen = \"0.0.0.0:9000\"\n").unwrap();
        let err = Settings::load(Some(&file), env(&[])).unwrap_err();
        assert!(err.to_string().contains("lisen"), "{err}");
    }
}
