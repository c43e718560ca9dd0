//! The service graph, built once at start-up and shared by every request.

use std::sync::Arc;

use chrono::Duration;
use sea_orm::DatabaseConnection;

use crate::agent_hub::AgentHub;
use crate::licenses::LicenseSigner;
use crate::mail::Mailer;
use crate::rate_limit::RateLimiter;
use crate::secrets::SecretKey;

/// Hub-wide choices the service layer needs.
#[derive(Clone, Debug)]
pub struct HubConfig {
    /// Whether anyone may sign up a new vendor organization (the first one always may).
    pub allow_signup: bool,
    /// How long an invitation link works.
    pub invitation_ttl: Duration,
    /// The address people use to reach the hub (`https://hub.example.com`), for links in
    /// emails; the server fills in its own listening address when none is configured.
    pub public_url: Option<String>,
    /// The host names and addresses the hub itself answers on (its public URL's host, its
    /// listening addresses, `localhost`), lower-case: no vendor may claim one, or a name under
    /// one, as its custom host.
    pub own_hosts: Vec<String>,
    /// The DNS server that custom-host proofs are looked up at; `None` uses the system's
    /// resolver configuration (`/etc/resolv.conf`).
    pub dns_resolver: Option<std::net::SocketAddr>,
    /// Where the agent binary for the hub's own architecture may be, in order; the first
    /// existing file wins. Looked up on every request, so a binary built or copied after start
    /// is found.
    pub agent_binaries: Vec<std::path::PathBuf>,
    /// Folders holding an agent per architecture as `consign-agent-<arch>` (`x86_64`,
    /// `aarch64`), searched after `agent_binaries` for the hub's own architecture and alone
    /// for the others.
    pub agent_dirs: Vec<std::path::PathBuf>,
    /// Whether upstream repositories may be on loopback, private or link-local addresses.
    /// Off by default: a vendor must not be able to make the hub fetch from the network it
    /// runs in.
    pub upstream_private_networks: bool,
}

impl HubConfig {
    /// The registry hosts image references name when they mean this hub: its public URL's
    /// host and port (see [`crate::version_images::registry_host`]).
    pub fn registry_hosts(&self) -> Vec<String> {
        self.public_url
            .as_deref()
            .and_then(crate::version_images::registry_host)
            .into_iter()
            .collect()
    }
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            allow_signup: true,
            invitation_ttl: Duration::hours(72),
            public_url: None,
            own_hosts: vec!["localhost".into()],
            dns_resolver: None,
            agent_binaries: Vec::new(),
            agent_dirs: Vec::new(),
            upstream_private_networks: false,
        }
    }
}

/// Everything a request handler needs from the service layer.
#[derive(Clone, Debug)]
pub struct Services {
    /// The database pool.
    pub(crate) db: DatabaseConnection,
    /// Signs license files with the hub's key.
    pub signer: Arc<LicenseSigner>,
    /// Whether cookies get the `Secure` attribute (the hub is served over https).
    pub secure_cookies: bool,
    /// Hub-wide choices.
    pub config: HubConfig,
    /// Sends email; `None` when no mail server is configured (links are then shown in the
    /// portal only).
    pub mailer: Option<Arc<dyn Mailer>>,
    /// Attempt counters for sign-in and password reset.
    pub limiter: Arc<RateLimiter>,
    /// Encrypts secrets at rest.
    pub secrets_key: Arc<SecretKey>,
    /// The connected agents and the live-update events.
    pub agents: AgentHub,
}

impl Services {
    /// Services on `db` with default settings, fresh keys and no mail server; the hub replaces
    /// the defaults with its settings.
    pub fn new(db: crate::db::Database) -> Self {
        Self {
            db: db.0,
            signer: Arc::new(LicenseSigner::generate()),
            secure_cookies: false,
            config: HubConfig::default(),
            mailer: None,
            limiter: Arc::default(),
            secrets_key: Arc::new(SecretKey::generate()),
            agents: AgentHub::default(),
        }
    }

    /// Closes the database pool, for a tool or test that is done with it; every clone shares
    /// the pool, so none of them can query afterwards.
    pub async fn close(&self) -> crate::Result<()> {
        self.db.clone().close().await?;
        Ok(())
    }
}
