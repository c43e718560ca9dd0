//! Self-update: download the hub's agent binary, check it, swap it in, and re-execute.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use types::protocol::AgentMessage;
use url::Url;

use crate::connection::UpdateRequest;
use crate::credential::SharedCredential;
use crate::error::{Error, Result};
use crate::outbox::Outbox;

/// What the updater needs.
#[derive(Clone)]
pub struct Updater {
    /// The hub's base URL; downloads never leave this origin.
    pub hub_url: Url,
    /// The bearer credential for the download.
    pub credential: SharedCredential,
    /// TLS for https hubs.
    pub tls: Arc<rustls::ClientConfig>,
    /// The binary to replace (normally the running one).
    pub binary: PathBuf,
}

impl std::fmt::Debug for Updater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Updater")
            .field("hub_url", &self.hub_url.as_str())
            .field("binary", &self.binary)
            .finish_non_exhaustive()
    }
}

impl Updater {
    /// Handles update requests one at a time; on success the process becomes the new binary.
    pub async fn run(self, mut requests: mpsc::Receiver<UpdateRequest>, outbox: Arc<Outbox>) {
        while let Some(request) = requests.recv().await {
            if request.version == env!("CARGO_PKG_VERSION") {
                continue;
            }
            match self.install(&request).await {
                Ok(()) => {
                    tracing::info!(version = %request.version, "agent updated; restarting");
                    let args: Vec<_> = std::env::args_os().skip(1).collect();
                    let err = std::process::Command::new(&self.binary).args(args).exec();
                    outbox.push(update_error(format!(
                        "cannot restart the new binary: {err}"
                    )));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "agent update failed");
                    outbox.push(update_error(e.to_string()));
                }
            }
        }
    }

    /// Downloads, verifies and swaps in the new binary (without restarting).
    pub async fn install(&self, request: &UpdateRequest) -> Result<()> {
        let mut url = download_url(&self.hub_url, &request.download_path)?;
        // The hub keeps an agent per architecture; ask for this one's (hubs without them ignore
        // the parameter and send their only agent).
        url.query_pairs_mut()
            .append_pair("arch", std::env::consts::ARCH);
        let client = reqwest::Client::builder()
            .use_preconfigured_tls((*self.tls).clone())
            .build()
            .map_err(|e| Error::Update(e.to_string()))?;
        let response = client
            .get(url.clone())
            .bearer_auth(self.credential.get().expose_secret())
            .send()
            .await
            .map_err(|e| Error::Update(format!("download failed: {}", e.without_url())))?;
        if !response.status().is_success() {
            return Err(Error::Update(format!(
                "download of {} answered HTTP {}",
                url.path(),
                response.status()
            )));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Error::Update(format!("download failed: {}", e.without_url())))?;
        if let Some(expected) = &request.sha256 {
            let actual = hex::encode(Sha256::digest(&bytes));
            if !actual.eq_ignore_ascii_case(expected) {
                return Err(Error::Update(format!(
                    "the download's SHA-256 is {actual}, the hub announced {expected}"
                )));
            }
        }
        let staged = self.binary.with_extension("new");
        write_executable(&staged, &bytes)?;
        let version = run_version(&staged).await?;
        let printed = String::from_utf8_lossy(&version.stdout);
        if !version.status.success() || !printed.split_whitespace().any(|w| w == request.version) {
            let _ = std::fs::remove_file(&staged);
            return Err(Error::Update(format!(
                "the new binary reports {:?}, expected version {}",
                printed.trim(),
                request.version
            )));
        }
        std::fs::rename(&staged, &self.binary).map_err(|source| Error::StateFile {
            path: self.binary.clone(),
            source,
        })
    }
}

/// The download URL: the path joined to the hub's origin; anything pointing elsewhere is
/// refused, because the request carries the agent's credential.
pub fn download_url(hub_url: &Url, download_path: &str) -> Result<Url> {
    if !download_path.starts_with('/') || download_path.starts_with("//") {
        return Err(Error::Update(format!(
            "the download path {download_path:?} is not a path on the hub"
        )));
    }
    let url = hub_url
        .join(download_path)
        .map_err(|e| Error::Update(format!("bad download path {download_path:?}: {e}")))?;
    if url.origin() != hub_url.origin() {
        return Err(Error::Update("the download path leaves the hub".into()));
    }
    Ok(url)
}

/// Runs `<binary> --version`. "Text file busy" right after writing the file is retried: a
/// process forked elsewhere in this program may briefly hold the written descriptor.
async fn run_version(binary: &Path) -> Result<std::process::Output> {
    let mut attempts = 0;
    loop {
        match tokio::process::Command::new(binary)
            .arg("--version")
            .output()
            .await
        {
            Ok(output) => return Ok(output),
            Err(e) if e.raw_os_error() == Some(26) && attempts < 20 => {
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(e) => return Err(Error::Update(format!("the new binary does not run: {e}"))),
        }
    }
}

fn write_executable(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| Error::StateFile {
        path: path.to_path_buf(),
        source,
    };
    std::fs::write(path, bytes).map_err(io)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(io)
}

fn update_error(message: String) -> AgentMessage {
    AgentMessage::Error {
        message,
        in_reply_to: Some("update_agent".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_stay_on_the_hub() {
        let hub = Url::parse("https://hub.example.com").unwrap();
        assert_eq!(
            download_url(&hub, "/api/v1/agent/download/x")
                .unwrap()
                .as_str(),
            "https://hub.example.com/api/v1/agent/download/x"
        );
        for bad in [
            "//evil.example.com/x",
            "https://evil.example.com/x",
            "x",
            "",
        ] {
            assert!(download_url(&hub, bad).is_err(), "{bad}");
        }
    }
}
