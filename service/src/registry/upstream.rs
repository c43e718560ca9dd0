//! Upstream repositories: a vendor whose images live in another registry links an artifact to
//! the repository there (its address and credentials, the password sealed with the hub's
//! secrets key). Customers and agents then pull that artifact from the hub as from any other:
//! the same license checks and pull audit, while the hub fetches from the upstream what it
//! does not hold yet and keeps it. A tag is asked of the upstream on every pull, so it follows
//! the upstream; when the upstream cannot be reached, the copy the hub keeps is served.

mod guard;

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, HeaderMap, WWW_AUTHENTICATE};

use super::access::Grant;
use super::manifests::{self, DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST};
use super::writer::{self, WriteError, Written};
use super::{
    Artifact, Digest, Hasher, Reference, Registry, RegistryCode, RepositoryName, is_repository_path,
};
use crate::auth::Actor;
use crate::entity::artifact_upstream as row;
use crate::{Error, Result, Services, repo};

/// How long one request to an upstream may take before the hub gives up on it.
const TIMEOUT: Duration = Duration::from_secs(300);

/// How many redirects one request to an upstream may follow.
const MAX_REDIRECTS: usize = 5;

/// An artifact's upstream as the vendor sees it: never the password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upstream {
    /// The upstream registry's base address.
    pub url: String,
    /// The repository there.
    pub repository: String,
    /// The user name the hub signs in with.
    pub username: Option<String>,
    /// Whether a password is kept.
    pub has_password: bool,
    /// When it was linked or last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<row::Model> for Upstream {
    fn from(r: row::Model) -> Self {
        Self {
            url: r.url,
            repository: r.repository,
            username: r.username,
            has_password: r.password_sealed.is_some(),
            updated_at: r.updated_at,
        }
    }
}

/// What a vendor links an artifact to, as typed in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewUpstream {
    /// The upstream registry's base address (`http://` or `https://`, nothing after the host
    /// but an optional path prefix).
    pub url: String,
    /// The repository there, such as `acme/web`.
    pub repository: String,
    /// The user name to sign in with; none for a public repository.
    pub username: Option<String>,
    /// The password or token; `None` keeps the one stored (when the user name is unchanged).
    pub password: Option<String>,
}

/// The checked address: `http(s)://host[:port][/prefix]`, without a trailing slash.
fn parse_url(text: &str) -> Result<url::Url> {
    let bad = |why: &str| Error::invalid("url", why.to_string());
    let url = url::Url::parse(text.trim()).map_err(|e| {
        bad(&format!(
            "is not an address ({e}): use https://registry.example.com"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("must start with http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("names no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "must not hold credentials: give the user name and password on their own",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a query or a fragment"));
    }
    Ok(url)
}

/// The vendor's artifact `name`, checked as a repository name under its namespace.
fn artifact_name(name: &str) -> Result<String> {
    let name = name.trim();
    if !is_repository_path(name) {
        return Err(Error::invalid(
            "artifact",
            "must be lowercase letters and digits, joined by . _ - and /, such as web or tools/cli",
        ));
    }
    Ok(name.to_string())
}

/// Links the vendor's artifact `name` (created if nothing was pushed to it yet) to an upstream
/// repository (vendor members with write access).
pub async fn link(
    s: &Services,
    actor: &Actor,
    name: &str,
    new: NewUpstream,
    now: DateTime<Utc>,
) -> Result<Upstream> {
    actor.require_vendor_write("link an artifact to an upstream repository")?;
    let name = artifact_name(name)?;
    let url = parse_url(&new.url)?;
    if !guard::allows(&url, s.config.upstream_private_networks) {
        return Err(Error::invalid("url", guard::REFUSED));
    }
    let repository = new.repository.trim().to_string();
    if !is_repository_path(&repository) {
        return Err(Error::invalid(
            "repository",
            "must be the repository's path in the upstream registry, such as acme/web",
        ));
    }
    let username = new
        .username
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty());
    if username.as_ref().is_some_and(|u| u.len() > 255) {
        return Err(Error::invalid("username", "is longer than 255 characters"));
    }
    let artifact =
        repo::registry::find_or_create_artifact(&s.db, actor.organization_id.0, &name).await?;
    let kept = repo::upstreams::find(&s.db, artifact.id).await?;
    let password_sealed = match (new.password.filter(|p| !p.is_empty()), &username) {
        (_, None) => None,
        (Some(password), Some(_)) => Some(s.secrets_key.seal(&password)?),
        // The password is kept while the user name stays the same.
        (None, Some(user)) => kept
            .filter(|k| k.username.as_ref() == Some(user))
            .and_then(|k| k.password_sealed),
    };
    let saved = row::Model {
        artifact_id: artifact.id,
        url: url.as_str().trim_end_matches('/').to_string(),
        repository,
        username,
        password_sealed,
        updated_at: now,
    };
    repo::upstreams::save(&s.db, saved.clone()).await?;
    Ok(Upstream::from(saved))
}

/// Unlinks the vendor's artifact `name` from its upstream; what the hub cached stays.
pub async fn unlink(s: &Services, actor: &Actor, name: &str) -> Result<()> {
    actor.require_vendor_write("unlink an artifact from its upstream repository")?;
    let artifact = repo::registry::find_artifact(&s.db, actor.organization_id.0, name)
        .await?
        .ok_or(Error::NotFound { what: "artifact" })?;
    if repo::upstreams::delete(&s.db, artifact.id).await? {
        Ok(())
    } else {
        Err(Error::NotFound { what: "upstream" })
    }
}

/// The vendor's upstreams, by artifact name (vendor members).
pub async fn list(s: &Services, actor: &Actor) -> Result<Vec<(String, Upstream)>> {
    actor.require_vendor_read("see upstream repositories")?;
    let artifacts = repo::registry::list_artifacts(&s.db, actor.organization_id.0).await?;
    let ids: Vec<uuid::Uuid> = artifacts.iter().map(|a| a.id).collect();
    let upstreams = repo::upstreams::find_many(&s.db, &ids).await?;
    Ok(artifacts
        .into_iter()
        .filter_map(|a| {
            let found = upstreams.iter().find(|u| u.artifact_id == a.id)?;
            Some((a.name, Upstream::from(found.clone())))
        })
        .collect())
}

fn unavailable(upstream: &row::Model, what: impl std::fmt::Display) -> Error {
    Error::registry(
        RegistryCode::UpstreamUnavailable,
        format!(
            "the upstream repository {}/{} could not be read ({what}) and the hub holds no copy: check the upstream and its credentials on the artifact, then pull again",
            upstream.url, upstream.repository
        ),
    )
}

/// An error and its causes on one line: reqwest's own message names only the request, and the
/// reason (refused address, connection refused, bad certificate) is in its sources.
struct Causes<'e>(&'e dyn std::error::Error);

impl std::fmt::Display for Causes<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(e) = cause {
            write!(f, ": {e}")?;
            cause = e.source();
        }
        Ok(())
    }
}

/// A client of one upstream repository, signing in as the registry asks: HTTP basic, or a
/// bearer token from the realm its `WWW-Authenticate` names.
struct Client<'a> {
    http: reqwest::Client,
    upstream: &'a row::Model,
    password: Option<String>,
    /// Whether the hub's operator lets upstreams be on private networks.
    private_allowed: bool,
}

impl<'a> Client<'a> {
    fn new(s: &Services, upstream: &'a row::Model) -> Result<Self> {
        let password = upstream
            .password_sealed
            .as_deref()
            .map(|p| s.secrets_key.open(p))
            .transpose()?;
        let private_allowed = s.config.upstream_private_networks;
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if !guard::allows(attempt.url(), private_allowed) {
                let why = format!("a redirect to {}: {}", attempt.url(), guard::REFUSED);
                attempt.error(why)
            } else {
                attempt.follow()
            }
        });
        let mut http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(redirects);
        if !private_allowed {
            http = http.dns_resolver(guard::PublicOnly::shared());
        }
        let http = http.build().map_err(|e| unavailable(upstream, e))?;
        Ok(Self {
            http,
            upstream,
            password,
            private_allowed,
        })
    }

    /// Refuses an address the hub may not fetch from (the upstream's own, or a token realm it
    /// names), before anything is sent there.
    fn check(&self, url: &str) -> Result<()> {
        let parsed = url::Url::parse(url).map_err(|e| unavailable(self.upstream, e))?;
        if guard::allows(&parsed, self.private_allowed) {
            Ok(())
        } else {
            Err(unavailable(
                self.upstream,
                format!("{url}: {}", guard::REFUSED),
            ))
        }
    }

    fn with_basic(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.upstream.username {
            Some(user) => request.basic_auth(user, self.password.as_deref()),
            None => request,
        }
    }

    /// `GET <url>/v2/<repository>/<path>`, signed in if the upstream asks.
    async fn get(&self, path: &str, accept: &str) -> Result<reqwest::Response> {
        let url = format!(
            "{}/v2/{}/{path}",
            self.upstream.url, self.upstream.repository
        );
        let send = |request: reqwest::RequestBuilder| async {
            request
                .header(ACCEPT, accept)
                .send()
                .await
                .map_err(|e| unavailable(self.upstream, Causes(&e)))
        };
        self.check(&url)?;
        let first = send(self.with_basic(self.http.get(&url))).await?;
        if first.status() != StatusCode::UNAUTHORIZED {
            return Ok(first);
        }
        let Some(challenge) = bearer_challenge(first.headers()) else {
            return Ok(first);
        };
        let token = self.token(&challenge).await?;
        send(self.http.get(&url).bearer_auth(token)).await
    }

    /// A token from the realm of a bearer challenge, asked with the credentials if any.
    async fn token(&self, challenge: &[(String, String)]) -> Result<String> {
        let param = |k: &str| {
            challenge
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.clone())
        };
        let realm = param("realm").ok_or_else(|| unavailable(self.upstream, "no token realm"))?;
        self.check(&realm)?;
        let mut query: Vec<(&str, String)> = Vec::new();
        if let Some(service) = param("service") {
            query.push(("service", service));
        }
        query.push((
            "scope",
            param("scope")
                .unwrap_or_else(|| format!("repository:{}:pull", self.upstream.repository)),
        ));
        let answer = self
            .with_basic(self.http.get(&realm).query(&query))
            .send()
            .await
            .map_err(|e| unavailable(self.upstream, Causes(&e)))?;
        if !answer.status().is_success() {
            return Err(unavailable(
                self.upstream,
                format!("its token service answered {}", answer.status()),
            ));
        }
        #[derive(serde::Deserialize)]
        struct Token {
            token: Option<String>,
            access_token: Option<String>,
        }
        let token: Token = answer
            .json()
            .await
            .map_err(|e| unavailable(self.upstream, Causes(&e)))?;
        token
            .token
            .or(token.access_token)
            .ok_or_else(|| unavailable(self.upstream, "its token service gave no token"))
    }
}

/// The parameters of a `WWW-Authenticate: Bearer k="v",…` challenge.
fn bearer_challenge(headers: &HeaderMap) -> Option<Vec<(String, String)>> {
    let value = headers.get(WWW_AUTHENTICATE)?.to_str().ok()?;
    let (scheme, rest) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut params = Vec::new();
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let after = after.trim_start();
        let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"')?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        params.push((key.trim().to_string(), value.to_string()));
        rest = tail.trim_start().trim_start_matches(',').trim_start();
    }
    Some(params)
}

/// Makes sure the hub holds what `reference` names in `artifact` when it pulls through from
/// an upstream: a tag is asked of the upstream every time (the copy kept serves when the
/// upstream cannot be reached), a digest only when the hub does not hold it. Nothing happens
/// for an artifact without upstream, or for what `grant` does not reach (the read that follows
/// refuses it).
pub async fn fill_manifest(
    s: &Services,
    artifact: &Artifact,
    name: &RepositoryName,
    grant: &Grant,
    reference: &Reference,
) -> Result<()> {
    let Some(upstream) = repo::upstreams::find(&s.db, artifact.id.0).await? else {
        return Ok(());
    };
    let held = match reference {
        Reference::Tag(t) => {
            if let Grant::Only(granted) = grant
                && !granted.tags.contains(t)
            {
                return Ok(());
            }
            repo::registry::find_tag(&s.db, artifact.id.0, t).await?
        }
        Reference::Digest(d) => {
            let held = repo::registry::find_manifest(&s.db, artifact.id.0, d.as_str()).await?;
            if held.is_some() {
                return Ok(());
            }
            // A granted digest, or a child of what the grant reaches (an index's platforms).
            if let Grant::Only(granted) = grant
                && !granted.digests.contains(d.as_str())
                && !super::blobs::reaches(s, artifact.id.0, granted, d.as_str()).await?
            {
                return Ok(());
            }
            None
        }
    };
    match fetch_manifest(s, artifact, name, &upstream, reference).await {
        Ok(()) => Ok(()),
        Err(e) if held.is_some() => {
            tracing::warn!(
                artifact = %name,
                %reference,
                error = %e,
                "the upstream repository cannot be read: serving the copy the hub holds"
            );
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Fetches a manifest from the upstream and keeps it (tagged, when asked by tag).
async fn fetch_manifest(
    s: &Services,
    artifact: &Artifact,
    name: &RepositoryName,
    upstream: &row::Model,
    reference: &Reference,
) -> Result<()> {
    let client = Client::new(s, upstream)?;
    let accept = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST].join(", ");
    let response = client
        .get(&format!("manifests/{reference}"), &accept)
        .await?;
    match response.status() {
        StatusCode::OK => {}
        StatusCode::NOT_FOUND => {
            return Err(Error::registry(
                RegistryCode::ManifestUnknown,
                format!(
                    "{name} has no manifest {reference}, and neither has its upstream {}/{}",
                    upstream.url, upstream.repository
                ),
            ));
        }
        other => return Err(unavailable(upstream, format!("it answered {other}"))),
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or(v).trim().to_string());
    if response
        .content_length()
        .is_some_and(|l| l > manifests::MAX_MANIFEST_BYTES as u64)
    {
        return Err(unavailable(upstream, "its manifest is too large"));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| unavailable(upstream, Causes(&e)))?
        .to_vec();
    let algorithm = match reference {
        Reference::Digest(d) => d.algorithm(),
        Reference::Tag(_) => super::Algorithm::Sha256,
    };
    let (bytes, parsed, digest) = crate::documents::parse_off_runtime(move || {
        let parsed = manifests::parse(content_type.as_deref(), &bytes)?;
        let digest = Digest::of_with(algorithm, &bytes);
        Ok((bytes, parsed, digest))
    })
    .await
    .map_err(|e| unavailable(upstream, format!("its manifest is not valid: {e}")))?;
    if let Reference::Digest(expected) = reference
        && expected != &digest
    {
        return Err(unavailable(
            upstream,
            format!("it answered {expected} with content whose digest is {digest}"),
        ));
    }
    let tags: Vec<&str> = match reference {
        Reference::Tag(t) => vec![t.as_str()],
        Reference::Digest(_) => Vec::new(),
    };
    // The upstream is the truth about its tags: the kept one moves with it.
    let again = bytes.clone();
    match manifests::commit(s, artifact, name, &parsed, bytes, &digest, &tags, true).await {
        // Pulls of the same new tag at once each fetch it, and on PostgreSQL all but one
        // may then fail to insert the same manifest: once it is there, keeping it again only
        // points the tag.
        Err(Error::Database(_)) => {
            manifests::commit(s, artifact, name, &parsed, again, &digest, &tags, true).await
        }
        done => done,
    }
}

/// Fetches blob `digest` of `artifact`, which the hub does not hold, when the artifact pulls
/// through from an upstream and a kept manifest that `grant` reaches names the blob: checked
/// against its digest, stored and linked. Whether it was fetched; nothing happens otherwise
/// (the read answers as for any repository).
pub async fn fill_blob(
    s: &Services,
    registry: &Registry,
    artifact: &Artifact,
    grant: &Grant,
    digest: &Digest,
) -> Result<bool> {
    let Some(upstream) = repo::upstreams::find(&s.db, artifact.id.0).await? else {
        return Ok(false);
    };
    if !repo::registry::manifest_names_blob(&s.db, artifact.id.0, digest.as_str()).await? {
        return Ok(false);
    }
    // Only blobs of what the grant reaches are worth fetching: the read refuses others.
    if let Grant::Only(granted) = grant
        && !super::blobs::reaches(s, artifact.id.0, granted, digest.as_str()).await?
    {
        return Ok(false);
    }
    let client = Client::new(s, &upstream)?;
    let response = client
        .get(&format!("blobs/{digest}"), "application/octet-stream")
        .await?;
    if response.status() != StatusCode::OK {
        return Err(unavailable(
            &upstream,
            format!("blob {digest}: it answered {}", response.status()),
        ));
    }
    // Written to a file of the uploads folder while hashed, as an upload is (large blocks on a
    // blocking thread while the next arrive), then stored under its digest.
    let file = registry
        .uploads_dir
        .join(format!("upstream-{}", uuid::Uuid::new_v4()));
    let result = async {
        let out = tokio::fs::File::create(&file).await?.into_std().await;
        let chunks = Box::pin(futures_util::stream::unfold(
            Some(response),
            |response| async move {
                let mut response = response?;
                match response.chunk().await {
                    Ok(Some(chunk)) => Some((Ok(chunk), Some(response))),
                    Ok(None) => None,
                    // The writer stops at the first error.
                    Err(e) => Some((Err(Causes(&e).to_string()), None)),
                }
            },
        ));
        let Written {
            file: out,
            hasher,
            bytes: size,
        } = writer::append(out, Some(Hasher::new(digest.algorithm())), chunks)
            .await
            .map_err(|e| match e {
                WriteError::Body(why) => unavailable(&upstream, why),
                WriteError::Storage(e) => e,
            })?;
        // On disk before it is stored and linked: a crash must not leave a linked, empty blob.
        tokio::task::spawn_blocking(move || out.sync_all())
            .await
            .map_err(|e| Error::storage_caused("", e))??;
        let got = hasher
            .ok_or_else(|| Error::storage("the upstream blob's hash was lost"))?
            .finish();
        if &got != digest {
            return Err(unavailable(
                &upstream,
                format!("it answered blob {digest} with bytes whose digest is {got}"),
            ));
        }
        // Stored and linked with the collector kept out, as a push's blob is.
        let _pushing = registry.pushing().await;
        registry.store.put_file(digest, &file).await?;
        repo::registry::link_blob(&s.db, artifact.id.0, digest.as_str(), size).await
    }
    .await;
    let _ = tokio::fs::remove_file(&file).await;
    result.map(|()| true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_http_with_a_host_and_nothing_secret_or_extra() {
        assert!(parse_url("https://registry.example.com").is_ok());
        assert!(parse_url("http://127.0.0.1:5000/").is_ok());
        for bad in [
            "registry.example.com",
            "ftp://registry.example.com",
            "https://user:pw@registry.example.com",
            "https://registry.example.com/?x=1",
            "https://registry.example.com/#top",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn repository_names_follow_the_distribution_spec() {
        for good in [
            "web",
            "acme/web",
            "a.b/c_d/e-f",
            "library/nginx",
            "a__b/c--d",
        ] {
            assert!(is_repository_path(good), "{good}");
        }
        for bad in [
            "",
            "Web",
            "acme//web",
            "/web",
            "web/",
            "-web",
            "we b",
            "acme/web:1",
            "a..b",
            "a._b",
        ] {
            assert!(!is_repository_path(bad), "{bad}");
        }
    }

    #[test]
    fn bearer_challenges_are_read_with_quoted_and_bare_values() {
        let mut headers = HeaderMap::new();
        headers.insert(
            WWW_AUTHENTICATE,
            "Bearer realm=\"https://auth.example.com/token\",service=registry, scope=\"repository:acme/web:pull\""
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(
            bearer_challenge(&headers),
            Some(vec![
                ("realm".into(), "https://auth.example.com/token".into()),
                ("service".into(), "registry".into()),
                ("scope".into(), "repository:acme/web:pull".into()),
            ])
        );
        headers.insert(
            WWW_AUTHENTICATE,
            "Basic realm=\"x\""
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(bearer_challenge(&headers), None);
    }
}
