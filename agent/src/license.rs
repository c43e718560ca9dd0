//! `consign-agent verify-license`: checks a signed license file offline, with nothing but the
//! hub's public key, for air-gapped sites and for applications that shell out to the agent.

use std::path::Path;

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
