//! Enrolment: trading the one-time secret from the install command for a long-lived credential.
//!
//! `POST {hub}/api/v1/agent/enroll` with `{"targetId", "secret"}` in the JSON body (never the
//! URL, so it cannot end up in an access log) answers `{"credential"}`; see `docs/agent.md`.

use std::path::Path;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use types::DeploymentTargetId;
use url::Url;

use crate::credential;
use crate::error::{Error, Result};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EnrolRequest<'a> {
    target_id: DeploymentTargetId,
    secret: &'a str,
}

#[derive(Deserialize)]
struct EnrolResponse {
    credential: String,
}

/// The enrolment endpoint of a hub.
pub fn enrol_url(hub_url: &Url) -> Url {
    let mut url = hub_url.clone();
    url.set_path("/api/v1/agent/enroll");
    url.set_query(None);
    url
}

/// Trades the secret for a credential and stores it (mode 0600) in `state_dir`.
pub async fn enrol(
    hub_url: &Url,
    target_id: DeploymentTargetId,
    secret: &SecretString,
    state_dir: &Path,
    tls: Arc<rustls::ClientConfig>,
) -> Result<SecretString> {
    let url = enrol_url(hub_url);
    let failed = |reason: String| Error::Enrolment {
        url: url.to_string(),
        reason,
    };
    let client = reqwest::Client::builder()
        .use_preconfigured_tls((*tls).clone())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| failed(e.to_string()))?;
    let response = client
        .post(url.clone())
        .json(&EnrolRequest {
            target_id,
            secret: secret.expose_secret(),
        })
        .send()
        .await
        .map_err(|e| failed(e.without_url().to_string()))?;
    let status = response.status();
    if matches!(status.as_u16(), 401 | 403 | 404 | 410) {
        return Err(Error::EnrolmentRefused {
            status: status.as_u16(),
        });
    }
    if !status.is_success() {
        return Err(failed(format!("the hub answered HTTP {status}")));
    }
    let body: EnrolResponse = response
        .json()
        .await
        .map_err(|e| failed(format!("the answer is not {{\"credential\": ...}}: {e}")))?;
    if body.credential.trim().is_empty() {
        return Err(failed("the hub sent an empty credential".into()));
    }
    credential::store(state_dir, body.credential.trim()).map_err(|source| Error::StateFile {
        path: credential::path(state_dir),
        source,
    })?;
    Ok(SecretString::from(body.credential.trim().to_string()))
}
