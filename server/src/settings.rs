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
    /// Whether new vendors may sign up (`CONSIGN_ALLOW_SIGNUP`, default `true`); the first
    /// sign-up on a fresh hub is always allowed.
    pub allow_signup: bool,
    /// How long invitation links work, in hours (`CONSIGN_INVITATION_TTL_HOURS`, default 72).
    pub invitation_ttl_hours: u32,
    /// The mail server (`CONSIGN_SMTP_HOST`, `_PORT`, `_TLS`, `_USERNAME`, `_PASSWORD`,
    /// `CONSIGN_MAIL_FROM`); `None` sends no mail and the portal shows links to copy instead.
    pub mail: Option<service::mail::MailSettings>,
    /// A second address serving only the registry (`CONSIGN_REGISTRY_LISTEN`); `/v2/` is on
    /// the main address either way.
    pub registry_listen: Option<SocketAddr>,
    /// Folder for registry blobs and uploads (`CONSIGN_REGISTRY_DIR`, default
    /// `<data_dir>/registry`).
    pub registry_dir: Option<PathBuf>,
    /// Minutes between registry garbage collections (`CONSIGN_REGISTRY_GC_MINUTES`, default
    /// 60; 0 turns it off).
    pub registry_gc_minutes: u32,
    /// S3-compatible object storage for registry blobs (`CONSIGN_REGISTRY_S3_BUCKET` and the
    /// other `CONSIGN_REGISTRY_S3_*`); `None` keeps them under `registry_dir`.
    pub registry_s3: Option<service::registry::S3Settings>,
    /// The agent binary the hub serves at `/agent/consign-agent` (`CONSIGN_AGENT_BINARY`);
    /// unset looks for `consign-agent` next to the hub's own binary (and one folder up, where
    /// cargo puts binaries when the hub runs as a test).
    pub agent_binary: Option<PathBuf>,
    /// A folder with an agent per architecture, `consign-agent-x86_64` and
    /// `consign-agent-aarch64` (`CONSIGN_AGENT_DIR`; `cargo xtask dist` lays them out so);
    /// unset looks next to the hub's own binary. `agent_binary`, when set, still wins for the
    /// hub's own architecture.
    pub agent_dir: Option<PathBuf>,
    /// Seconds between agent heartbeats, sent in `welcome` (`CONSIGN_AGENT_HEARTBEAT_SECS`,
    /// default 15); an agent silent for three intervals is marked offline.
    pub agent_heartbeat_secs: u32,
    /// The DNS server that custom portal hosts' TXT records are looked up at
    /// (`CONSIGN_DNS_RESOLVER`, e.g. `127.0.0.1:5353`); unset uses `/etc/resolv.conf`.
    pub dns_resolver: Option<SocketAddr>,
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
            allow_signup: true,
            invitation_ttl_hours: 72,
            mail: None,
            registry_listen: None,
            registry_dir: None,
            registry_gc_minutes: 60,
            registry_s3: None,
            agent_binary: None,
            agent_dir: None,
            agent_heartbeat_secs: 15,
            dns_resolver: None,
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
    allow_signup: Option<bool>,
    invitation_ttl_hours: Option<u32>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    smtp_tls: Option<service::mail::TlsMode>,
    smtp_username: Option<String>,
    smtp_password: Option<String>,
    mail_from: Option<String>,
    registry_listen: Option<SocketAddr>,
    registry_dir: Option<PathBuf>,
    registry_gc_minutes: Option<u32>,
    registry_s3_endpoint: Option<String>,
    registry_s3_bucket: Option<String>,
    registry_s3_region: Option<String>,
    registry_s3_access_key_id: Option<String>,
    registry_s3_secret_access_key: Option<String>,
    registry_s3_path_style: Option<bool>,
    registry_s3_prefix: Option<String>,
    agent_binary: Option<PathBuf>,
    agent_dir: Option<PathBuf>,
    agent_heartbeat_secs: Option<u32>,
    dns_resolver: Option<SocketAddr>,
}

impl Settings {
    /// Loads defaults, then `file` (if given), then the `CONSIGN_*` variables of `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, StartError> {
        let mut settings = Settings::default();
        let mut smtp = SmtpLayer::default();
        let mut s3 = S3Layer::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                StartError::Settings(format!("cannot read {}: {e}", path.display()))
            })?;
            let layer: Layer = toml::from_str(&text)
                .map_err(|e| StartError::Settings(format!("{}: {e}", path.display())))?;
            settings.apply(layer, &mut smtp, &mut s3);
        }
        settings.apply(Layer::from_env(env)?, &mut smtp, &mut s3);
        settings.mail = smtp.build()?;
        settings.registry_s3 = s3.build()?;
        if settings.invitation_ttl_hours == 0 {
            return Err(StartError::Settings(
                "invitation_ttl_hours must be at least 1".into(),
            ));
        }
        Ok(settings)
    }

    fn apply(&mut self, layer: Layer, smtp: &mut SmtpLayer, s3: &mut S3Layer) {
        let Layer {
            listen,
            data_dir,
            database_url,
            site_root,
            public_url,
            log,
            log_format,
            allow_signup,
            invitation_ttl_hours,
            smtp_host,
            smtp_port,
            smtp_tls,
            smtp_username,
            smtp_password,
            mail_from,
            registry_listen,
            registry_dir,
            registry_gc_minutes,
            registry_s3_endpoint,
            registry_s3_bucket,
            registry_s3_region,
            registry_s3_access_key_id,
            registry_s3_secret_access_key,
            registry_s3_path_style,
            registry_s3_prefix,
            agent_binary,
            agent_dir,
            agent_heartbeat_secs,
            dns_resolver,
        } = layer;
        s3.endpoint = registry_s3_endpoint.or(s3.endpoint.take());
        s3.bucket = registry_s3_bucket.or(s3.bucket.take());
        s3.region = registry_s3_region.or(s3.region.take());
        s3.access_key_id = registry_s3_access_key_id.or(s3.access_key_id.take());
        s3.secret_access_key = registry_s3_secret_access_key.or(s3.secret_access_key.take());
        s3.path_style = registry_s3_path_style.or(s3.path_style);
        s3.prefix = registry_s3_prefix.or(s3.prefix.take());
        if let Some(v) = registry_listen {
            self.registry_listen = Some(v);
        }
        if let Some(v) = registry_dir {
            self.registry_dir = Some(v);
        }
        if let Some(v) = registry_gc_minutes {
            self.registry_gc_minutes = v;
        }
        if let Some(v) = agent_binary {
            self.agent_binary = Some(v);
        }
        if let Some(v) = agent_dir {
            self.agent_dir = Some(v);
        }
        if let Some(v) = agent_heartbeat_secs {
            self.agent_heartbeat_secs = v;
        }
        if let Some(v) = dns_resolver {
            self.dns_resolver = Some(v);
        }
        if let Some(v) = allow_signup {
            self.allow_signup = v;
        }
        if let Some(v) = invitation_ttl_hours {
            self.invitation_ttl_hours = v;
        }
        smtp.host = smtp_host.or(smtp.host.take());
        smtp.port = smtp_port.or(smtp.port);
        smtp.tls = smtp_tls.or(smtp.tls);
        smtp.username = smtp_username.or(smtp.username.take());
        smtp.password = smtp_password.or(smtp.password.take());
        smtp.from = mail_from.or(smtp.from.take());
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

    /// The names and addresses the hub answers on, lower-case, which no vendor may claim as its
    /// portal's host: the public URL's host, the listening addresses and `localhost`.
    pub fn own_hosts(&self) -> Vec<String> {
        let mut own = vec!["localhost".to_string()];
        if let Some(host) = self.public_url.as_ref().and_then(|u| u.host_str()) {
            own.push(host.trim_matches(['[', ']']).to_ascii_lowercase());
        }
        own.push(self.listen.ip().to_string());
        if let Some(registry) = self.registry_listen {
            own.push(registry.ip().to_string());
        }
        own.dedup();
        own
    }

    /// Where the registry keeps blobs and uploads.
    pub fn registry_dir(&self) -> PathBuf {
        self.registry_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("registry"))
    }

    /// When no public URL is configured, uses the address the hub actually listens on. Links in
    /// emails are built from it, never from a request's `Host` header (which the sender of the
    /// request chooses: a forged one would send password-reset links to another site).
    pub fn default_public_url(&mut self, bound: std::net::SocketAddr) {
        if self.public_url.is_none() {
            self.public_url = Url::parse(&format!("http://{bound}")).ok();
        }
    }

    /// The public URL without a trailing slash, for building links.
    pub fn public_base_url(&self) -> Option<String> {
        self.public_url
            .as_ref()
            .map(|u| u.as_str().trim_end_matches('/').to_string())
    }

    /// Whether people reach the hub over https (then cookies are `Secure`).
    pub fn serves_https(&self) -> bool {
        self.public_url
            .as_ref()
            .is_some_and(|u| u.scheme() == "https")
    }
}

/// The mail settings gathered from every layer, checked together at the end.
#[derive(Default)]
struct SmtpLayer {
    host: Option<String>,
    port: Option<u16>,
    tls: Option<service::mail::TlsMode>,
    username: Option<String>,
    password: Option<String>,
    from: Option<String>,
}

impl SmtpLayer {
    fn build(self) -> Result<Option<service::mail::MailSettings>, StartError> {
        let Some(host) = self.host.filter(|h| !h.trim().is_empty()) else {
            return Ok(None);
        };
        let from = self.from.ok_or_else(|| {
            StartError::Settings(
                "CONSIGN_SMTP_HOST is set but CONSIGN_MAIL_FROM is not: name the sender, \
                 for example \"Consign <consign@example.com>\""
                    .into(),
            )
        })?;
        let from = service::mail::Sender::parse(&from)
            .map_err(|e| StartError::Settings(format!("CONSIGN_MAIL_FROM {from:?}: {e}")))?;
        let tls = self.tls.unwrap_or_default();
        let port = self.port.unwrap_or(match tls {
            service::mail::TlsMode::None => 25,
            service::mail::TlsMode::StartTls => 587,
            service::mail::TlsMode::Tls => 465,
        });
        Ok(Some(service::mail::MailSettings {
            host,
            port,
            tls,
            username: self.username,
            password: self.password.map(SecretString::from),
            from,
        }))
    }
}

/// The object-storage settings gathered from every layer, checked together at the end.
#[derive(Default)]
struct S3Layer {
    endpoint: Option<String>,
    bucket: Option<String>,
    region: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    path_style: Option<bool>,
    prefix: Option<String>,
}

impl S3Layer {
    fn build(self) -> Result<Option<service::registry::S3Settings>, StartError> {
        let nonempty =
            |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let endpoint = nonempty(self.endpoint);
        let access_key_id = nonempty(self.access_key_id);
        let secret_access_key = nonempty(self.secret_access_key);
        let Some(bucket) = nonempty(self.bucket) else {
            if endpoint.is_some() || access_key_id.is_some() || secret_access_key.is_some() {
                return Err(StartError::Settings(
                    "CONSIGN_REGISTRY_S3_BUCKET is missing: the registry's object storage \
                     settings need the bucket to keep blobs in"
                        .into(),
                ));
            }
            return Ok(None);
        };
        if let Some(e) = &endpoint
            && !(e.starts_with("http://") || e.starts_with("https://"))
        {
            return Err(StartError::Settings(format!(
                "CONSIGN_REGISTRY_S3_ENDPOINT={e:?} is not a URL: use http://host:port or https://host"
            )));
        }
        if access_key_id.is_some() != secret_access_key.is_some() {
            return Err(StartError::Settings(
                "CONSIGN_REGISTRY_S3_ACCESS_KEY_ID and CONSIGN_REGISTRY_S3_SECRET_ACCESS_KEY go \
                 together: set both, or neither to use the environment's credentials"
                    .into(),
            ));
        }
        Ok(Some(service::registry::S3Settings {
            endpoint,
            bucket,
            region: nonempty(self.region).unwrap_or_else(|| "us-east-1".into()),
            access_key_id,
            secret_access_key: secret_access_key.map(SecretString::from),
            path_style: self.path_style.unwrap_or(true),
            prefix: self.prefix.unwrap_or_default(),
        }))
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
                "CONSIGN_ALLOW_SIGNUP" => {
                    layer.allow_signup = Some(match value.as_str() {
                        "true" | "1" | "yes" => true,
                        "false" | "0" | "no" => false,
                        _ => return Err(bad("a yes/no value", &"use true or false")),
                    })
                }
                "CONSIGN_INVITATION_TTL_HOURS" => {
                    layer.invitation_ttl_hours =
                        Some(value.parse().map_err(|e| bad("a number of hours", &e))?)
                }
                "CONSIGN_SMTP_HOST" => layer.smtp_host = Some(value),
                "CONSIGN_SMTP_PORT" => {
                    layer.smtp_port = Some(value.parse().map_err(|e| bad("a port number", &e))?)
                }
                "CONSIGN_SMTP_TLS" => {
                    layer.smtp_tls = Some(match value.as_str() {
                        "none" => service::mail::TlsMode::None,
                        "starttls" => service::mail::TlsMode::StartTls,
                        "tls" => service::mail::TlsMode::Tls,
                        _ => return Err(bad("a TLS mode", &"use none, starttls or tls")),
                    })
                }
                "CONSIGN_SMTP_USERNAME" => layer.smtp_username = Some(value),
                "CONSIGN_SMTP_PASSWORD" => layer.smtp_password = Some(value),
                "CONSIGN_MAIL_FROM" => layer.mail_from = Some(value),
                "CONSIGN_REGISTRY_DIR" => layer.registry_dir = Some(PathBuf::from(&value)),
                "CONSIGN_REGISTRY_LISTEN" => {
                    layer.registry_listen = Some(
                        value
                            .parse()
                            .map_err(|e| bad("an address like 127.0.0.1:5000", &e))?,
                    )
                }
                "CONSIGN_REGISTRY_GC_MINUTES" => {
                    layer.registry_gc_minutes =
                        Some(value.parse().map_err(|e| bad("a number of minutes", &e))?)
                }
                "CONSIGN_REGISTRY_S3_ENDPOINT" => layer.registry_s3_endpoint = Some(value),
                "CONSIGN_REGISTRY_S3_BUCKET" => layer.registry_s3_bucket = Some(value),
                "CONSIGN_REGISTRY_S3_REGION" => layer.registry_s3_region = Some(value),
                "CONSIGN_REGISTRY_S3_ACCESS_KEY_ID" => {
                    layer.registry_s3_access_key_id = Some(value)
                }
                "CONSIGN_REGISTRY_S3_SECRET_ACCESS_KEY" => {
                    layer.registry_s3_secret_access_key = Some(value)
                }
                "CONSIGN_REGISTRY_S3_PATH_STYLE" => {
                    layer.registry_s3_path_style = Some(match value.as_str() {
                        "true" | "1" | "yes" => true,
                        "false" | "0" | "no" => false,
                        _ => return Err(bad("a yes/no value", &"use true or false")),
                    })
                }
                "CONSIGN_REGISTRY_S3_PREFIX" => layer.registry_s3_prefix = Some(value),
                "CONSIGN_DNS_RESOLVER" => {
                    layer.dns_resolver = Some(
                        value
                            .parse()
                            .map_err(|e| bad("an address like 127.0.0.1:53", &e))?,
                    )
                }
                "CONSIGN_AGENT_BINARY" => layer.agent_binary = Some(PathBuf::from(&value)),
                "CONSIGN_AGENT_DIR" => layer.agent_dir = Some(PathBuf::from(&value)),
                "CONSIGN_AGENT_HEARTBEAT_SECS" => {
                    layer.agent_heartbeat_secs = Some(
                        value
                            .parse()
                            .ok()
                            .filter(|&n: &u32| (1..=3600).contains(&n))
                            .ok_or_else(|| bad("a number of seconds", &"use 1 to 3600"))?,
                    )
                }
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

    #[test]
    fn a_mail_server_needs_a_sender_and_gets_the_port_of_its_tls_mode() {
        let err =
            Settings::load(None, env(&[("CONSIGN_SMTP_HOST", "smtp.example.com")])).unwrap_err();
        assert!(err.to_string().contains("CONSIGN_MAIL_FROM"), "{err}");
        let s = Settings::load(
            None,
            env(&[
                ("CONSIGN_SMTP_HOST", "smtp.example.com"),
                ("CONSIGN_SMTP_TLS", "tls"),
                ("CONSIGN_SMTP_USERNAME", "hub"),
                ("CONSIGN_SMTP_PASSWORD", "mail-secret"),
                ("CONSIGN_MAIL_FROM", "Acme <noreply@acme.example>"),
            ]),
        )
        .unwrap();
        let mail = s.mail.clone().unwrap();
        assert_eq!((mail.host.as_str(), mail.port), ("smtp.example.com", 465));
        assert!(!format!("{s:?}").contains("mail-secret"));
        let err = Settings::load(None, env(&[("CONSIGN_SMTP_TLS", "ssl")])).unwrap_err();
        assert!(err.to_string().contains("none, starttls or tls"), "{err}");
    }

    #[test]
    fn registry_object_storage_needs_a_bucket_and_both_keys_or_neither() {
        assert!(
            Settings::load(None, env(&[]))
                .unwrap()
                .registry_s3
                .is_none()
        );
        let err = Settings::load(
            None,
            env(&[("CONSIGN_REGISTRY_S3_ENDPOINT", "http://127.0.0.1:9000")]),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("CONSIGN_REGISTRY_S3_BUCKET"),
            "{err}"
        );
        let err = Settings::load(
            None,
            env(&[
                ("CONSIGN_REGISTRY_S3_BUCKET", "blobs"),
                ("CONSIGN_REGISTRY_S3_ACCESS_KEY_ID", "AKIA1"),
            ]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("go together"), "{err}");
        let err = Settings::load(
            None,
            env(&[
                ("CONSIGN_REGISTRY_S3_BUCKET", "blobs"),
                ("CONSIGN_REGISTRY_S3_ENDPOINT", "minio:9000"),
            ]),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("CONSIGN_REGISTRY_S3_ENDPOINT"),
            "{err}"
        );
        let s = Settings::load(
            None,
            env(&[
                ("CONSIGN_REGISTRY_S3_BUCKET", "blobs"),
                ("CONSIGN_REGISTRY_S3_ENDPOINT", "http://127.0.0.1:9000"),
                ("CONSIGN_REGISTRY_S3_ACCESS_KEY_ID", "AKIA1"),
                ("CONSIGN_REGISTRY_S3_SECRET_ACCESS_KEY", "s3-secret-value"),
                ("CONSIGN_REGISTRY_S3_PATH_STYLE", "false"),
            ]),
        )
        .unwrap();
        let s3 = s.registry_s3.clone().unwrap();
        assert_eq!(
            (s3.bucket.as_str(), s3.region.as_str()),
            ("blobs", "us-east-1")
        );
        assert!(!s3.path_style);
        assert!(!format!("{s:?}").contains("s3-secret-value"));
    }

    #[test]
    fn sign_up_and_invitation_lifetime_are_settings() {
        let s = Settings::load(
            None,
            env(&[
                ("CONSIGN_ALLOW_SIGNUP", "false"),
                ("CONSIGN_INVITATION_TTL_HOURS", "24"),
            ]),
        )
        .unwrap();
        assert!(!s.allow_signup);
        assert_eq!(s.invitation_ttl_hours, 24);
        let err = Settings::load(None, env(&[("CONSIGN_INVITATION_TTL_HOURS", "0")])).unwrap_err();
        assert!(err.to_string().contains("at least 1"), "{err}");
        assert!(Settings::load(None, env(&[("CONSIGN_ALLOW_SIGNUP", "maybe")])).is_err());
    }
}
