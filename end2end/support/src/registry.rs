//! The hub's OCI registry from a test's side: a client speaking raw HTTP, content digests,
//! small manifests, and builders for the setup registry tests repeat (an access token, a
//! client acting as someone, an artifact pushed, an artifact license granted).
//!
//! ```ignore
//! let vendor = Registry::signed_in(&hub, &world.vendor_admin).await;
//! let pushed = vendor.push(&Artifact::image("acme/web", "1.0").layer(b"web")).await;
//! let web = license_artifact(&hub, &world.vendor_admin, world.customer, "acme/web").await;
//! ```

use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};
use server::testing::TestHub;
use service::artifact_licenses::{self, NewArtifactLicense};
use service::auth::Actor;
use sha2::{Digest as _, Sha256};
use types::{ArtifactId, CustomerOrganizationId};

/// The media type of an OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// The media type of an OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// The media type of an OCI image config.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// The media type of an uncompressed OCI layer.
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

/// `sha256:<hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// A fresh personal access token of `actor`'s on `hub`; its secret.
pub async fn access_token(hub: &TestHub, actor: &Actor) -> String {
    service::access_tokens::create(&hub.services, actor, "tests".into(), None)
        .await
        .unwrap()
        .1
}

/// A registry client authenticating with HTTP Basic (password = access token or agent
/// credential), or anonymous.
#[derive(Clone, Debug)]
pub struct Registry {
    /// The HTTP client (it does not follow redirects, so tests see them).
    pub http: reqwest::Client,
    /// The hub's base URL, `http://127.0.0.1:<port>`.
    pub base: String,
    /// The password sent with every request, if any.
    pub secret: Option<String>,
}

impl Registry {
    /// A client of the registry at `base` sending `secret`, or anonymous.
    pub fn new(base: String, secret: Option<String>) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base,
            secret,
        }
    }

    /// An anonymous client of `hub`'s registry.
    pub fn anonymous(hub: &TestHub) -> Self {
        Self::new(hub.url(""), None)
    }

    /// A client of `hub`'s registry sending `secret` (an access token or an agent credential).
    pub fn with_secret(hub: &TestHub, secret: &str) -> Self {
        Self::new(hub.url(""), Some(secret.to_string()))
    }

    /// A client of `hub`'s registry acting as `actor`, with a fresh access token of theirs.
    pub async fn signed_in(hub: &TestHub, actor: &Actor) -> Self {
        Self::with_secret(hub, &access_token(hub, actor).await)
    }

    /// A request to `path` (below the base URL), with the client's credential.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let r = self.http.request(method, format!("{}{path}", self.base));
        match &self.secret {
            Some(s) => r.basic_auth("anyone", Some(s)),
            None => r,
        }
    }

    /// Sends a request without a body.
    pub async fn send(&self, method: Method, path: &str) -> Response {
        self.request(method, path).send().await.unwrap()
    }

    /// The status of `GET path`.
    pub async fn status(&self, path: &str) -> u16 {
        self.send(Method::GET, path).await.status().as_u16()
    }

    /// Pushes a blob in one request; returns its digest.
    pub async fn push_blob(&self, repo: &str, bytes: &[u8]) -> String {
        let d = digest(bytes);
        let response = self
            .request(
                Method::POST,
                &format!("/v2/{repo}/blobs/uploads/?digest={d}"),
            )
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        d
    }

    /// Pushes a blob the way every registry takes it (Distribution refuses a monolithic
    /// `POST`): a session, then one `PUT` with the digest; returns the digest.
    pub async fn push_blob_in_session(&self, repo: &str, bytes: &[u8]) -> String {
        let d = digest(bytes);
        let started = self
            .send(Method::POST, &format!("/v2/{repo}/blobs/uploads/"))
            .await;
        assert_eq!(started.status(), 202, "{}", started.text().await.unwrap());
        let location = started.headers()["location"].to_str().unwrap().to_string();
        // The location may be absolute or a path below the base URL.
        let path = location.strip_prefix(&self.base).unwrap_or(&location);
        let separator = if path.contains('?') { '&' } else { '?' };
        let put = self
            .request(Method::PUT, &format!("{path}{separator}digest={d}"))
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(put.status(), 201, "{}", put.text().await.unwrap());
        d
    }

    /// Puts a manifest under `reference`.
    pub async fn put_manifest(&self, repo: &str, reference: &str, manifest: &Value) -> Response {
        let media_type = manifest["mediaType"]
            .as_str()
            .unwrap_or(OCI_MANIFEST)
            .to_string();
        self.request(Method::PUT, &format!("/v2/{repo}/manifests/{reference}"))
            .header("content-type", media_type)
            .body(serde_json::to_vec(manifest).unwrap())
            .send()
            .await
            .unwrap()
    }

    /// Pushes `artifact`'s blobs and its manifest, failing the test unless the registry
    /// accepts them.
    pub async fn push(&self, artifact: &Artifact) -> Pushed {
        let repo = &artifact.repository;
        let config = self.push_blob(repo, &artifact.config).await;
        let layer = self.push_blob(repo, &artifact.layer).await;
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": artifact.config_type, "digest": config, "size": artifact.config.len()},
            "layers": [{"mediaType": artifact.layer_type, "digest": layer, "size": artifact.layer.len()}],
        });
        let response = self.put_manifest(repo, &artifact.tag, &manifest).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        Pushed {
            manifest: digest(&serde_json::to_vec(&manifest).unwrap()),
            layer,
        }
    }

    /// Pushes a small image (a config and one layer) as `repo:tag`; returns the manifest's
    /// digest and its layer's digest.
    pub async fn push_image(&self, repo: &str, tag: &str, layer: &[u8]) -> (String, String) {
        let pushed = self.push(&Artifact::image(repo, tag).layer(layer)).await;
        (pushed.manifest, pushed.layer)
    }
}

/// What a test pushes: a manifest over one config blob and one layer blob, as `repository:tag`.
/// Start from [`Artifact::image`] or [`Artifact::helm_chart`] and change what the test needs.
#[derive(Clone, Debug)]
pub struct Artifact {
    /// `<vendor-slug>/<name>`.
    pub repository: String,
    /// The tag the manifest is put under.
    pub tag: String,
    /// The config blob's media type.
    pub config_type: String,
    /// The config blob.
    pub config: Vec<u8>,
    /// The layer's media type.
    pub layer_type: String,
    /// The layer blob.
    pub layer: Vec<u8>,
}

impl Artifact {
    /// A linux/amd64 image whose config names its tag (so two tags never share a manifest)
    /// and whose one layer holds the tag's bytes.
    pub fn image(repository: &str, tag: &str) -> Self {
        Self {
            repository: repository.to_string(),
            tag: tag.to_string(),
            config_type: OCI_CONFIG.to_string(),
            config: format!(r#"{{"architecture":"amd64","os":"linux","tag":"{tag}"}}"#).into(),
            layer_type: OCI_LAYER.to_string(),
            layer: tag.as_bytes().to_vec(),
        }
    }

    /// A Helm chart `name` of `version`, as `helm push` stores it (the chart's bytes are not a
    /// real archive; the registry does not look inside).
    pub fn helm_chart(repository: &str, name: &str, version: &str) -> Self {
        Self {
            repository: repository.to_string(),
            tag: version.to_string(),
            config_type: "application/vnd.cncf.helm.config.v1+json".to_string(),
            config: format!(r#"{{"name":"{name}","version":"{version}","apiVersion":"v2"}}"#)
                .into(),
            layer_type: "application/vnd.cncf.helm.chart.content.v1.tar+gzip".to_string(),
            layer: b"not really a chart, but bytes".to_vec(),
        }
    }

    /// The same artifact with `bytes` as its layer.
    pub fn layer(mut self, bytes: &[u8]) -> Self {
        self.layer = bytes.to_vec();
        self
    }
}

/// The digests of what [`Registry::push`] stored.
#[derive(Clone, Debug)]
pub struct Pushed {
    /// The manifest's digest.
    pub manifest: String,
    /// The layer's digest.
    pub layer: String,
}

/// The id of `vendor`'s artifact `repository` (`<slug>/<name>`), which must have been pushed.
pub async fn artifact_id(hub: &TestHub, vendor: &Actor, repository: &str) -> ArtifactId {
    service::registry::listing::artifacts(&hub.services, vendor)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.repository == repository)
        .unwrap_or_else(|| panic!("{repository} was not pushed"))
        .id
}

/// Grants `customer` every tag of `vendor`'s artifact `repository` with an artifact license
/// named after it; returns the artifact's id.
pub async fn license_artifact(
    hub: &TestHub,
    vendor: &Actor,
    customer: CustomerOrganizationId,
    repository: &str,
) -> ArtifactId {
    let artifact = artifact_id(hub, vendor, repository).await;
    artifact_licenses::create(
        &hub.services,
        vendor,
        NewArtifactLicense {
            name: repository.to_string(),
            customer,
            expires_at: None,
            items: vec![(artifact, None)],
        },
    )
    .await
    .unwrap();
    artifact
}

/// An OCI image manifest with one config and one layer.
pub fn image_manifest(config: &str, config_size: usize, layer: &str, layer_size: usize) -> Value {
    json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config, "size": config_size},
        "layers": [{"mediaType": OCI_LAYER, "digest": layer, "size": layer_size}],
    })
}

/// The `errors[0].code` of an error response.
pub async fn error_code(response: Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["errors"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}
