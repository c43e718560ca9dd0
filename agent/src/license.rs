//! `consign-agent verify-license`: checks a signed license file offline, with nothing but the
//! hub's public key, for air-gapped sites and for applications that shell out to the agent.
//! The key is given, pinned next to the file (`<file>.pub`), or fetched once from the hub and
//! then pinned there, so later checks need no network.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use types::license_file::{LicenseClaims, LicenseFile, LicenseFileError, PublicKey};

/// The outcome of a check, with the exit code the command reports.
#[derive(Debug)]
pub enum Verdict {
    /// Authentic and in force.
    Valid(LicenseClaims),
    /// Authentic but past its expiry.
    Expired(LicenseClaims),
    /// Not authentic, or not a license file.
    Invalid(String),
}

impl Verdict {
    /// `0` valid, `1` invalid or tampered, `3` authentic but expired.
    pub fn exit_code(&self) -> u8 {
        match self {
            Verdict::Valid(_) => 0,
            Verdict::Invalid(_) => 1,
            Verdict::Expired(_) => 3,
        }
    }

    /// What the command prints.
    pub fn report(&self) -> String {
        match self {
            Verdict::Valid(claims) => format!("valid license\n{}", describe(claims)),
            Verdict::Expired(claims) => format!(
                "EXPIRED license: authentic, but it ended; ask the vendor to renew it\n{}",
                describe(claims)
            ),
            Verdict::Invalid(why) => format!("INVALID license file: {why}"),
        }
    }
}

/// Checks the file at `path` with `public_key` (the base64 key, or a file holding it) at `now`.
pub fn verify(public_key: &str, path: &Path, now: DateTime<Utc>) -> Verdict {
    let key = match read_key(public_key) {
        Ok(key) => key,
        Err(why) => return Verdict::Invalid(why),
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) => return Verdict::Invalid(format!("cannot read {}: {err}", path.display())),
    };
    match LicenseFile::parse(&text).and_then(|file| file.verify(&key)) {
        Ok(claims) if claims.is_expired(now) => Verdict::Expired(claims),
        Ok(claims) => Verdict::Valid(claims),
        Err(err) => Verdict::Invalid(err.to_string()),
    }
}

/// Where a license file's pinned public key lives: `<file>.pub` beside it.
pub fn pinned_key_path(license: &Path) -> PathBuf {
    let mut name = license.file_name().unwrap_or_default().to_os_string();
    name.push(".pub");
    license.with_file_name(name)
}

/// Checks the file at `path` with the first key available: `public_key` if given, else the key
/// pinned in [`pinned_key_path`], else the key fetched from the hub at `hub_url`, which is then
/// pinned there when it verifies the file (trust on first use: later checks are offline and
/// a different key served later is not taken). Returns the verdict and, when a key was pinned
/// now, where.
pub fn verify_pinning(
    public_key: Option<&str>,
    hub_url: Option<&str>,
    path: &Path,
    now: DateTime<Utc>,
) -> (Verdict, Option<PathBuf>) {
    if let Some(key) = public_key {
        return (verify(key, path, now), None);
    }
    let pin = pinned_key_path(path);
    if pin.is_file() {
        return (verify(&pin.to_string_lossy(), path, now), None);
    }
    let Some(hub) = hub_url else {
        return (
            Verdict::Invalid(format!(
                "no public key to check it with: pass --hub-url <your hub's address> (its key is fetched once and pinned to {}), or --public-key <the key as the portal shows it>",
                pin.display()
            )),
            None,
        );
    };
    let key = match fetch_key(hub) {
        Ok(key) => key,
        Err(why) => return (Verdict::Invalid(why), None),
    };
    let verdict = verify(&key.to_base64(), path, now);
    if !matches!(verdict, Verdict::Valid(_) | Verdict::Expired(_)) {
        // Never pin a key that did not sign the file: the next check would trust it.
        return (verdict, None);
    }
    match std::fs::write(&pin, format!("{}\n", key.to_base64())) {
        Ok(()) => (verdict, Some(pin)),
        Err(err) => (
            Verdict::Invalid(format!(
                "the file verifies, but the hub's key cannot be pinned to {}: {err}",
                pin.display()
            )),
            None,
        ),
    }
}

/// The hub's license-signing public key from `<hub>/license-key.pub`.
fn fetch_key(hub: &str) -> Result<PublicKey, String> {
    let url = format!("{}/license-key.pub", hub.trim_end_matches('/'));
    let failed = |why: String| format!("cannot fetch the hub's public key from {url}: {why}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(e.to_string()))?;
    let tls = crate::tls::client_config().map_err(|e| failed(e.to_string()))?;
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .use_preconfigured_tls((*tls).clone())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| failed(e.to_string()))?;
        let response = client
            .get(&url)
            .send()
            .await
            .map_err(|e| failed(e.without_url().to_string()))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| failed(e.without_url().to_string()))?;
        if !status.is_success() {
            return Err(failed(format!(
                "the hub answered HTTP {status}: {}",
                text.trim()
            )));
        }
        PublicKey::parse(text.trim()).map_err(|e| failed(e.to_string()))
    })
}

/// The key given on the command line: its base64 text, or the path of a file holding it.
fn read_key(value: &str) -> Result<PublicKey, String> {
    let direct = PublicKey::parse(value);
    if let Ok(key) = direct {
        return Ok(key);
    }
    let path = Path::new(value);
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the public key file {}: {e}", path.display()))?;
        return PublicKey::parse(&text).map_err(|e: LicenseFileError| e.to_string());
    }
    direct.map_err(|e| format!("{e} (give the key as shown in the portal, or a file holding it)"))
}

fn describe(c: &LicenseClaims) -> String {
    let versions = c
        .versions
        .as_ref()
        .map(|v| v.join(", "))
        .unwrap_or_else(|| "every version".into());
    let expiry = c
        .expires_at
        .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "never".into());
    let mut out = format!(
        "  license:      {} ({})\n  vendor:       {}\n  customer:     {}\n  application:  {}\n  versions:     {versions}\n  channels:     {}\n  expires:      {expiry}\n",
        c.name,
        c.license_id,
        c.organization_name,
        c.customer_organization_name,
        c.application_name,
        c.channels.join(", "),
    );
    for (key, value) in &c.entitlements {
        out.push_str(&format!("  entitlement:  {key}={value}\n"));
    }
    out
}
