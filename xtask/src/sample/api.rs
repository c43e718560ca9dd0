//! The few REST API calls the sample needs, with the hub's error message in every failure.

use anyhow::{Context, Result, bail};
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;

/// A hub reached with one personal access token.
pub struct Hub {
    base: String,
    token: String,
    client: Client,
}

/// The `id` of a JSON object the API returned.
pub fn id(item: &Value) -> Result<String> {
    item.get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .with_context(|| format!("the hub answered without an id: {item}"))
}

impl Hub {
    /// A client for `base` (`http://host:port`).
    pub fn new(base: &str, token: &str) -> Result<Self> {
        let client = Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .context("cannot build an HTTP client")?;
        Ok(Self {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            client,
        })
    }

    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value> {
        let url = format!("{}/api/v1{path}", self.base);
        let mut request = self
            .client
            .request(method.clone(), &url)
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.with_context(|| {
            format!(
                "cannot reach the hub at {}: is it running (cargo xtask run)?",
                self.base
            )
        })?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            let message = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
                .unwrap_or(text);
            if status == StatusCode::UNAUTHORIZED {
                bail!(
                    "the hub refused the token ({message}): create a personal access token on the Tokens page ({}/tokens)",
                    self.base
                );
            }
            bail!("{method} {path}: {status}: {message}");
        }
        serde_json::from_str(&text).with_context(|| format!("{method} {path}: not JSON: {text}"))
    }

    /// `GET /api/v1<path>`.
    pub async fn get(&self, path: &str) -> Result<Value> {
        self.call(Method::GET, path, None).await
    }

    /// `POST /api/v1<path>` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Value> {
        self.call(Method::POST, path, Some(body)).await
    }

    /// The item of list `path` whose `field` is `value`, or a new one made by posting `body`;
    /// whether it was made.
    pub async fn find_or_create(
        &self,
        path: &str,
        field: &str,
        value: &str,
        body: serde_json::Value,
    ) -> Result<(Value, bool)> {
        let list = self.get(path).await?;
        if let Some(found) = super::find_by(&list, field, value) {
            return Ok((found.clone(), false));
        }
        Ok((self.post(path, &body).await?, true))
    }

    /// Whether the hub's registry holds `repository:tag` (asked with the same token).
    pub async fn has_manifest(&self, repository: &str, tag: &str) -> Result<bool> {
        let url = format!("{}/v2/{repository}/manifests/{tag}", self.base);
        let response = self
            .client
            .head(&url)
            .basic_auth("sample", Some(&self.token))
            .header(
                reqwest::header::ACCEPT,
                "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
            )
            .send()
            .await
            .with_context(|| format!("cannot reach the hub's registry at {url}"))?;
        match response.status() {
            s if s.is_success() => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            s => bail!("the hub's registry answered {s} for {repository}:{tag}"),
        }
    }
}
