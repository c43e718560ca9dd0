//! The hub's settings: defaults, then an optional TOML file, then `CONSIGN_*` environment
//! variables, each overriding the one before.
//!
//! Each setting is declared once, in the `declare!` list below: its TOML key (the field's
//! name), its type, its default and the doc comment that `consign-server --help` prints; its
//! environment variable is `CONSIGN_` and the key in capitals. figment merges the layers into
//! [`Settings`]; the checks that span several settings (mail, object storage) run after.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Format, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use service::mail::TlsMode;
use url::Url;

use crate::StartError;

/// The prefix of the hub's environment variables.
pub const ENV_PREFIX: &str = "CONSIGN_";

/// The conventional database variable, read when `CONSIGN_DATABASE_URL` is not set.
const GENERIC_DATABASE_URL: &str = "DATABASE_URL";

/// The variable that names the settings file; the command line reads it, not this module.
const CONFIG_VARIABLE: &str = "CONSIGN_CONFIG";

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

/// One setting, as `--help` lists it and a message about a bad value names it.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// Its TOML key.
    pub key: &'static str,
    /// Its default, as a person reads it.
    pub default: &'static str,
    /// What a valid value looks like.
    pub form: &'static str,
    /// What it does: the field's doc comment.
    pub doc: &'static str,
}

impl Setting {
    /// Its environment variable: `CONSIGN_` and the key in capitals.
    pub fn variable(&self) -> String {
        format!("{ENV_PREFIX}{}", self.key.to_ascii_uppercase())
    }
}

/// Declares [`Settings`] (with `Default`) and [`SETTINGS`] from one list, so a setting's key,
/// type, default and meaning are written in one place.
macro_rules! declare {
    ($(
        $(#[doc = $doc:literal])+
        $key:ident: $ty:ty = $default:expr, shown $shown:literal, form $form:literal;
    )+) => {
        /// Everything the hub can be told, one field per setting, named by its TOML key. `Debug`
        /// never shows the database URL or a password.
        #[derive(Clone, Debug, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct Settings {
            $( $(#[doc = $doc])+ pub $key: $ty, )+
        }

        impl Default for Settings {
            fn default() -> Self {
                Self { $( $key: $default, )+ }
            }
        }

        /// Every setting, in the order `--help` lists them.
        pub const SETTINGS: &[Setting] = &[
            $( Setting {
                key: stringify!($key),
                default: $shown,
                form: $form,
                doc: concat!($($doc),+),
            }, )+
        ];
    };
}

declare! {
    /// Address to listen on.
    listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8080)),
        shown "127.0.0.1:8080", form "an address like 127.0.0.1:8080";
    /// Folder for the SQLite file, registry blobs, and the license-signing and secrets keys.
    data_dir: PathBuf = PathBuf::from("data"), shown "./data", form "a folder";
    /// Database URL, `postgres://user:pass@host/db` for PostgreSQL; `DATABASE_URL` counts
    /// when `CONSIGN_DATABASE_URL` is unset.
    database_url: Option<SecretString> = None,
        shown "SQLite in the data dir", form "a database URL";
    /// Folder holding `pkg/` with the CSS and wasm bundle.
    site_root: PathBuf = PathBuf::from("target/site"), shown "target/site", form "a folder";
    /// The address people and agents use to reach the hub; `https://` makes cookies `Secure`.
    public_url: Option<Url> = None,
        shown "the listening address", form "a URL like https://hub.example.com";
    /// Log filter in `RUST_LOG` syntax.
    log: String = "info".into(), shown "info", form "a log filter";
    /// Log format: `text` or `json`.
    log_format: LogFormat = LogFormat::Text, shown "text", form "a log format (text or json)";
    /// Whether new vendors may sign up; the first sign-up on a fresh hub always may.
    allow_signup: bool = true, shown "true", form "a yes/no value (true or false)";
    /// How long invitation links work, in hours (at least 1).
    invitation_ttl_hours: u32 = 72, shown "72", form "a number of hours";
    /// The mail server; unset sends no mail, and the portal shows links to copy instead.
    smtp_host: Option<String> = None, shown "none", form "a host name";
    /// The mail server's port.
    smtp_port: Option<u16> = None, shown "587, 465 or 25 by TLS mode", form "a port number";
    /// How the mail connection is encrypted: `starttls`, `tls` or `none`.
    smtp_tls: TlsMode = TlsMode::StartTls,
        shown "starttls", form "a TLS mode: use none, starttls or tls";
    /// The mail login, if the server wants one (given with the password).
    smtp_username: Option<String> = None, shown "none", form "a user name";
    /// The mail login's password.
    smtp_password: Option<SecretString> = None, shown "none", form "a password";
    /// The sender of the hub's mail, e.g. `Acme <noreply@acme.example>`.
    mail_from: Option<String> = None, shown "required with a mail server", form "a sender";
    /// Folder for registry blobs (unless in S3), uploads being assembled and the token key.
    registry_dir: Option<PathBuf> = None, shown "<data_dir>/registry", form "a folder";
    /// Keep registry blobs in this bucket of S3-compatible storage instead of `registry_dir`
    /// (the bucket must exist).
    registry_s3_bucket: Option<String> = None, shown "none", form "a bucket name";
    /// The object storage's URL, e.g. `http://minio:9000`.
    registry_s3_endpoint: Option<String> = None, shown "AWS", form "a URL";
    /// The bucket's region.
    registry_s3_region: String = "us-east-1".into(), shown "us-east-1", form "a region";
    /// The storage's access key id, with the secret key; neither uses the instance's role or
    /// other ambient credentials.
    registry_s3_access_key_id: Option<String> = None,
        shown "the environment's", form "an access key id";
    /// The storage's secret access key, with the access key id.
    registry_s3_secret_access_key: Option<SecretString> = None,
        shown "the environment's", form "a secret key";
    /// `<endpoint>/<bucket>/<key>` requests (most self-hosted storage); `false` for
    /// virtual-hosted `<bucket>.<endpoint>`.
    registry_s3_path_style: bool = true, shown "true", form "a yes/no value (true or false)";
    /// A folder inside the bucket.
    registry_s3_prefix: String = String::new(), shown "none", form "a folder";
    /// A second address serving only the registry; `/v2/` is on the main address either way.
    registry_listen: Option<SocketAddr> = None,
        shown "none", form "an address like 127.0.0.1:5000";
    /// Let artifacts pull through from upstream repositories on loopback, private or
    /// link-local addresses; off, the hub fetches only from public addresses, so a vendor
    /// cannot make it reach the network it runs in.
    registry_upstream_private: bool = false, shown "false", form "a yes/no value (true or false)";
    /// Minutes between registry garbage collections; `0` turns it off.
    registry_gc_minutes: u32 = 60, shown "60", form "a number of minutes";
    /// The agent binary the hub serves to install commands, for the hub's own architecture;
    /// unset looks next to the hub's binary (and one folder up, where cargo puts test binaries).
    agent_binary: Option<PathBuf> = None, shown "consign-agent next to the hub", form "a file";
    /// A folder with `consign-agent-x86_64` and `consign-agent-aarch64` (as `cargo xtask dist`
    /// lays them out): install commands get their host's architecture; `agent_binary` still
    /// wins for the hub's own.
    agent_dir: Option<PathBuf> = None, shown "the hub's folder", form "a folder";
    /// Seconds between agent heartbeats, sent in `welcome`; an agent silent for three
    /// intervals is marked offline.
    agent_heartbeat_secs: u32 = 15, shown "15", form "a number of seconds (use 1 to 3600)";
    /// The DNS server (`ip:port`) asked for custom portal hosts' TXT records.
    dns_resolver: Option<SocketAddr> = None,
        shown "the system's, /etc/resolv.conf", form "an address like 127.0.0.1:53";
}

/// Every setting for `--help`, one per line: the environment variable, the TOML key, the default
/// and what it does.
pub fn help() -> String {
    let mut text = String::from("Settings (environment variable / TOML key (default): meaning):\n");
    for setting in SETTINGS {
        let doc: Vec<&str> = setting.doc.split_whitespace().collect();
        text.push_str(&format!(
            "  {} / {} ({}): {}\n",
            setting.variable(),
            setting.key,
            setting.default,
            doc.join(" ")
        ));
    }
    text.push_str(
        "An unknown TOML key or a bad value stops the hub with a message naming it; an unknown \
         CONSIGN_* variable (an agent's, say) is ignored with a warning in the log.",
    );
    text
}

/// The `CONSIGN_*` variables of `env` that are none of the hub's settings (an agent's, a test's
/// or a misspelt one). The hub starts without them; its binary logs each as a warning.
pub fn unknown_variables(env: impl IntoIterator<Item = (String, String)>) -> Vec<String> {
    let mut unknown: Vec<String> = env
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| {
            name.starts_with(ENV_PREFIX) && name != CONFIG_VARIABLE && setting_named(name).is_none()
        })
        .collect();
    unknown.sort();
    unknown
}

/// The setting whose environment variable is `name`.
fn setting_named(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.variable() == name)
}

/// The environment's settings as a figment layer, whose errors name the variable.
#[derive(Clone)]
struct Environment(Dict);

/// The name figment gives the environment layer, to tell its errors from the file's.
const ENVIRONMENT: &str = "the environment";

impl Environment {
    fn new(env: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut dict = Dict::new();
        let mut generic_database_url = None;
        for (name, value) in env {
            if name == GENERIC_DATABASE_URL {
                generic_database_url = Some(value);
            } else if let Some(setting) = setting_named(&name) {
                // Kept as text: figment reads numbers and yes/no from it for fields that want
                // them, and a password of digits stays a password.
                dict.insert(setting.key.into(), Value::from(value));
            }
        }
        // The conventional DATABASE_URL applies only when CONSIGN_DATABASE_URL is not set.
        if let Some(url) = generic_database_url {
            dict.entry("database_url".into())
                .or_insert_with(|| Value::from(url));
        }
        Self(dict)
    }

    /// The value given for `key`, for a message about it.
    fn value(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }
}

impl Provider for Environment {
    fn metadata(&self) -> Metadata {
        Metadata::named(ENVIRONMENT).interpolater(|_: &Profile, keys: &[&str]| {
            format!("{ENV_PREFIX}{}", keys.join("_").to_ascii_uppercase())
        })
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.0.clone()))
    }
}

impl Settings {
    /// Loads defaults, then `file` (if given), then the `CONSIGN_*` variables of `env`;
    /// variables that are no setting are left alone (see [`unknown_variables`]).
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, StartError> {
        let mut figment = Figment::new();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                StartError::Settings(format!("cannot read {}: {e}", path.display()))
            })?;
            figment = figment.merge(Toml::string(&text));
        }
        let env = Environment::new(env);
        let settings: Settings = figment
            .merge(env.clone())
            .extract_lossy()
            .map_err(|e| StartError::Settings(describe(e, file, &env)))?;
        settings.check()?;
        Ok(settings)
    }

    /// The checks no single field's type makes.
    fn check(&self) -> Result<(), StartError> {
        if self.invitation_ttl_hours == 0 {
            return Err(StartError::Settings(
                "invitation_ttl_hours must be at least 1".into(),
            ));
        }
        if !(1..=3600).contains(&self.agent_heartbeat_secs) {
            return Err(StartError::Settings(format!(
                "CONSIGN_AGENT_HEARTBEAT_SECS (agent_heartbeat_secs) {} is not a number of \
                 seconds: use 1 to 3600",
                self.agent_heartbeat_secs
            )));
        }
        self.mail()?;
        self.registry_s3()?;
        Ok(())
    }

    /// The mail server to send through, or `None` when no mail server is set.
    pub fn mail(&self) -> Result<Option<service::mail::MailSettings>, StartError> {
        let Some(host) = self.smtp_host.clone().filter(|h| !h.trim().is_empty()) else {
            return Ok(None);
        };
        let from = self.mail_from.as_deref().ok_or_else(|| {
            StartError::Settings(
                "CONSIGN_SMTP_HOST is set but CONSIGN_MAIL_FROM is not: name the sender, \
                 for example \"Consign <consign@example.com>\""
                    .into(),
            )
        })?;
        let from = service::mail::Sender::parse(from)
            .map_err(|e| StartError::Settings(format!("CONSIGN_MAIL_FROM {from:?}: {e}")))?;
        let port = self.smtp_port.unwrap_or(match self.smtp_tls {
            TlsMode::None => 25,
            TlsMode::StartTls => 587,
            TlsMode::Tls => 465,
        });
        Ok(Some(service::mail::MailSettings {
            host,
            port,
            tls: self.smtp_tls,
            username: self.smtp_username.clone(),
            password: self.smtp_password.clone(),
            from,
        }))
    }

    /// The object storage for registry blobs, or `None` to keep them under [`Self::registry_dir`].
    pub fn registry_s3(&self) -> Result<Option<service::registry::S3Settings>, StartError> {
        let nonempty = |v: Option<&str>| Some(v?.trim().to_string()).filter(|v| !v.is_empty());
        let endpoint = nonempty(self.registry_s3_endpoint.as_deref());
        let access_key_id = nonempty(self.registry_s3_access_key_id.as_deref());
        let secret_access_key = self
            .registry_s3_secret_access_key
            .as_ref()
            .and_then(|s| nonempty(Some(s.expose_secret())));
        let Some(bucket) = nonempty(self.registry_s3_bucket.as_deref()) else {
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
            region: nonempty(Some(&self.registry_s3_region)).unwrap_or_else(|| "us-east-1".into()),
            access_key_id,
            secret_access_key: secret_access_key.map(SecretString::from),
            path_style: self.registry_s3_path_style,
            prefix: self.registry_s3_prefix.clone(),
        }))
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

/// One sentence per failure of `err`, naming the variable (with its value) or the file's key,
/// and what a valid value looks like.
fn describe(err: figment::Error, file: Option<&Path>, env: &Environment) -> String {
    let file = file.map_or_else(|| "the settings file".into(), |f| f.display().to_string());
    let sentences: Vec<String> = err
        .into_iter()
        .map(|e| {
            let from_env = e.metadata.as_ref().is_some_and(|m| m.name == ENVIRONMENT);
            let setting = e
                .path
                .last()
                .and_then(|key| SETTINGS.iter().find(|s| s.key == key));
            match (from_env, setting) {
                (true, Some(s)) => format!(
                    "{}={:?} is not {}: {}",
                    s.variable(),
                    env.value(s.key).unwrap_or_default(),
                    s.form,
                    e.kind
                ),
                (false, Some(s)) => format!("{file}: {} is not {}: {}", s.key, s.form, e.kind),
                (true, None) => format!("the environment: {}", e.kind),
                (false, None) => format!("{file}: {}", e.kind),
            }
        })
        .collect();
    sentences.join("; ")
}

#[cfg(test)]
mod tests;
