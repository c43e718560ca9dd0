//! Manifests: parsed and checked on push (media type, descriptors, everything referenced
//! present in the repository), stored byte for byte, found by tag or digest, deleted, and
//! listed as referrers of their subject.

use crate::Services;
use chrono::Utc;
use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::access::Grant;
use super::{Digest, Reference, RegistryCode, RepositoryName};
use crate::entity::artifact_manifest;
use crate::{Error, Result, repo};

/// The largest manifest accepted (the spec suggests at least 4 MiB).
pub const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;

/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker image manifest, schema 2.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

fn invalid(message: impl Into<String>) -> Error {
    Error::registry(RegistryCode::ManifestInvalid, message)
}

/// What the registry needs to know about a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// Its media type.
    pub media_type: String,
    /// `artifactType`, or the config's media type of an image manifest.
    pub artifact_type: Option<String>,
    /// The manifest it refers to.
    pub subject: Option<Digest>,
    /// Its annotations, as JSON.
    pub annotations: Option<String>,
    /// What it references: `(digest, size, is_manifest)`.
    pub references: Vec<(Digest, u64, bool)>,
}

/// A descriptor's digest and size, the digest checked as the registry stores content.
fn descriptor(d: &Descriptor, at: &str) -> Result<(Digest, u64)> {
    let digest = Digest::parse(d.digest().as_ref()).map_err(|e| invalid(format!("{at}: {e}")))?;
    Ok((digest, d.size()))
}

/// Annotations as one JSON object, keys in order (stored, and echoed in referrer lists).
fn annotations_json(a: Option<&std::collections::HashMap<String, String>>) -> Option<String> {
    a.map(|a| {
        let sorted: std::collections::BTreeMap<&String, &String> = a.iter().collect();
        serde_json::to_string(&sorted).unwrap_or_default()
    })
}

/// Parses a manifest pushed with `content_type` (the `Content-Type` header, if any).
pub fn parse(content_type: Option<&str>, bytes: &[u8]) -> Result<Parsed> {
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(Error::registry(
            RegistryCode::ManifestTooLarge,
            format!(
                "the manifest has {} bytes; this registry takes at most {MAX_MANIFEST_BYTES}",
                bytes.len()
            ),
        ));
    }
    if let Some(line) = crate::documents::json_depth(bytes, crate::documents::MAX_DEPTH) {
        return Err(invalid(format!(
            "the manifest nests deeper than {} levels (at line {line})",
            crate::documents::MAX_DEPTH
        )));
    }
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| invalid(format!("the manifest is not valid JSON: {e}")))?;
    let object: &Map<String, Value> = value
        .as_object()
        .ok_or_else(|| invalid("the manifest must be a JSON object"))?;
    if object.get("schemaVersion").and_then(Value::as_u64) != Some(2) {
        return Err(invalid("schemaVersion must be 2"));
    }
    let header = content_type
        .map(|c| c.split(';').next().unwrap_or("").trim().to_string())
        .filter(|c| !c.is_empty());
    let declared = object.get("mediaType").and_then(Value::as_str);
    let media_type = match (declared, header.as_deref()) {
        (Some(d), Some(h)) if d != h => {
            return Err(invalid(format!(
                "the Content-Type {h} differs from the manifest's mediaType {d}"
            )));
        }
        (Some(d), _) => d.to_string(),
        (None, Some(h)) => h.to_string(),
        (None, None) => {
            return Err(invalid(
                "the manifest has no mediaType and the request no Content-Type",
            ));
        }
    };
    if ![OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST].contains(&media_type.as_str()) {
        return Err(invalid(format!(
            "media type {media_type:?} is not supported: push an OCI or Docker v2 image manifest or index"
        )));
    }
    let is_index = media_type == OCI_INDEX || media_type == DOCKER_LIST;
    let mut references = Vec::new();
    let (artifact_type, subject, annotations) = if is_index {
        let index: ImageIndex = serde_json::from_value(value)
            .map_err(|e| invalid(format!("the index is malformed: {e}")))?;
        for (i, m) in index.manifests().iter().enumerate() {
            let (digest, size) = descriptor(m, &format!("manifests[{i}]"))?;
            references.push((digest, size, true));
        }
        (
            index.artifact_type().as_ref().map(ToString::to_string),
            index.subject().clone(),
            annotations_json(index.annotations().as_ref()),
        )
    } else {
        let mut value = value;
        // Early artifact manifests leave out `layers`; the image spec's type requires it.
        if let Some(object) = value.as_object_mut()
            && object.get("layers").is_none_or(Value::is_null)
        {
            object.insert("layers".into(), Value::Array(Vec::new()));
        }
        let manifest: ImageManifest = serde_json::from_value(value)
            .map_err(|e| invalid(format!("the image manifest is malformed: {e}")))?;
        let config = manifest.config();
        let (digest, size) = descriptor(config, "config")?;
        references.push((digest, size, false));
        for (i, l) in manifest.layers().iter().enumerate() {
            // A non-distributable (foreign) layer is fetched from its own URLs, never pushed
            // here: the manifest may name it without the registry holding it.
            if is_non_distributable(l.media_type().as_ref()) {
                continue;
            }
            let (digest, size) = descriptor(l, &format!("layers[{i}]"))?;
            references.push((digest, size, false));
        }
        let artifact_type = manifest
            .artifact_type()
            .as_ref()
            .unwrap_or(config.media_type())
            .to_string();
        (
            Some(artifact_type),
            manifest.subject().clone(),
            annotations_json(manifest.annotations().as_ref()),
        )
    };
    let subject = subject
        .as_ref()
        .map(|s| descriptor(s, "subject").map(|(d, _)| d))
        .transpose()?;
    Ok(Parsed {
        media_type,
        artifact_type,
        subject,
        annotations,
        references,
    })
}

/// Whether a layer of `media_type` is non-distributable: OCI's (deprecated, still valid) and
/// Docker's foreign layers.
pub fn is_non_distributable(media_type: &str) -> bool {
    media_type.starts_with("application/vnd.oci.image.layer.nondistributable.")
        || media_type == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
}

/// What a push stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pushed {
    /// The manifest's digest.
    pub digest: Digest,
    /// Its subject, echoed in `OCI-Subject`.
    pub subject: Option<Digest>,
    /// The tags set, echoed in `OCI-Tag`.
    pub tags: Vec<String>,
}

/// Stores a manifest under `reference` in `artifact`, also tagged with each of `tags` (the
/// `?tag=` of a push by digest): checks it, checks everything it references is in the
/// repository, and moves or refuses an existing tag per the vendor's setting. Either all of it
/// is stored or nothing.
#[allow(clippy::too_many_arguments)]
pub async fn put(
    services: &Services,
    registry: &super::Registry,
    artifact: &crate::registry::Artifact,
    name: &RepositoryName,
    reference: &Reference,
    tags: &[String],
    content_type: Option<&str>,
    bytes: Vec<u8>,
) -> Result<Pushed> {
    if let Some(bad) = tags.iter().find(|t| !super::names::is_tag(t)) {
        return Err(Error::registry(
            RegistryCode::TagInvalid,
            format!(
                "tag {bad:?} is malformed: use [A-Za-z0-9_][A-Za-z0-9._-], at most 128 characters"
            ),
        ));
    }
    // Parsing and hashing up to 4 MiB is kept off the async workers.
    let content_type = content_type.map(str::to_string);
    // Stored under the digest it is pushed by (sha256 or sha512); sha256 when pushed by tag.
    let algorithm = match reference {
        Reference::Digest(d) => d.algorithm(),
        Reference::Tag(_) => super::Algorithm::Sha256,
    };
    let (bytes, parsed, digest) = crate::documents::parse_off_runtime(move || {
        let parsed = parse(content_type.as_deref(), &bytes)?;
        let digest = Digest::of_with(algorithm, &bytes);
        Ok((bytes, parsed, digest))
    })
    .await?;
    if let Reference::Digest(expected) = reference
        && expected != &digest
    {
        return Err(Error::registry(
            RegistryCode::DigestInvalid,
            format!("the manifest's digest is {digest}, not {expected}: nothing was stored"),
        ));
    }
    let blob_digests: Vec<String> = parsed
        .references
        .iter()
        .filter(|r| !r.2)
        .map(|r| r.0.to_string())
        .collect();
    // From the check that its blobs are linked until the manifest naming them is committed,
    // the collector may not unlink them.
    let _pushing = registry.pushing().await;
    let blobs =
        repo::registry::linked_blobs(&services.db, artifact.id.0, blob_digests.clone()).await?;
    if let Some(missing) = blob_digests.iter().find(|d| !blobs.contains(*d)) {
        return Err(Error::registry(
            RegistryCode::ManifestBlobUnknown,
            format!(
                "the manifest references blob {missing}, which is not in {name}: push it first"
            ),
        ));
    }
    // An index may name manifests the repository does not hold (a sparse index, as the spec
    // allows: a mirror of some platforms only); they are linked by digest, so pushing one
    // later completes it.
    let mutable = repo::registry::tags_mutable(&services.db, artifact.organization_id.0).await?;
    let named = match reference {
        Reference::Tag(tag) => Some(tag),
        Reference::Digest(_) => None,
    };
    let all_tags: Vec<&str> = named.into_iter().chain(tags).map(String::as_str).collect();
    commit(
        services, artifact, name, &parsed, bytes, &digest, &all_tags, mutable,
    )
    .await?;
    Ok(Pushed {
        digest,
        subject: parsed.subject,
        tags: all_tags.into_iter().map(str::to_string).collect(),
    })
}

/// Stores a parsed manifest in `artifact` (unless it holds it already) and points `tags` at
/// it, in one transaction. With `mutable` false, a tag already pointing elsewhere is refused.
/// Callers check first that the blobs it names are there (a push) or will be fetched (the
/// cache of an upstream).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn commit(
    services: &Services,
    artifact: &crate::registry::Artifact,
    name: &RepositoryName,
    parsed: &Parsed,
    bytes: Vec<u8>,
    digest: &Digest,
    tags: &[&str],
    mutable: bool,
) -> Result<()> {
    let txn = crate::db::begin_writer(&services.db).await?;
    let manifest = match repo::registry::find_manifest(&txn, artifact.id.0, digest.as_str()).await?
    {
        Some(existing) => existing,
        None => {
            let size = bytes.len() as u64;
            let total = parsed
                .references
                .iter()
                .fold(size, |sum, r| sum.saturating_add(r.1));
            let mut refs: Vec<(String, bool)> = Vec::new();
            for (d, _, is_manifest) in &parsed.references {
                if !refs.iter().any(|r| r.0 == d.as_str()) {
                    refs.push((d.to_string(), *is_manifest));
                }
            }
            repo::registry::insert_manifest(
                &txn,
                artifact_manifest::Model {
                    id: Uuid::new_v4(),
                    artifact_id: artifact.id.0,
                    digest: digest.to_string(),
                    media_type: parsed.media_type.clone(),
                    artifact_type: parsed.artifact_type.clone(),
                    subject_digest: parsed.subject.as_ref().map(Digest::to_string),
                    annotations: parsed.annotations.clone(),
                    size: i64::try_from(size).unwrap_or(i64::MAX),
                    total_size: i64::try_from(total).unwrap_or(i64::MAX),
                    content: bytes,
                    created_at: Utc::now(),
                },
                refs,
            )
            .await?
        }
    };
    for tag in tags {
        repo::registry::set_tag(&txn, artifact.id.0, tag, manifest.id, mutable).await?;
        let now = repo::registry::find_tag(&txn, artifact.id.0, tag).await?;
        if now.as_ref().map(|m| m.id) != Some(manifest.id) {
            return Err(Error::registry(
                RegistryCode::Denied,
                format!(
                    "tag {name}:{tag} already points at another manifest and tags are immutable here: push a new tag, or ask a vendor admin to allow overwriting tags"
                ),
            ));
        }
    }
    txn.commit().await?;
    Ok(())
}

/// The manifest `reference` names in `artifact`, if `grant` reaches it.
pub async fn get(
    services: &Services,
    artifact: &crate::registry::Artifact,
    name: &RepositoryName,
    grant: &Grant,
    reference: &Reference,
) -> Result<super::Manifest> {
    let unknown = || {
        Error::registry(
            RegistryCode::ManifestUnknown,
            format!("{name} has no manifest {reference}"),
        )
    };
    let manifest = match reference {
        Reference::Tag(t) => repo::registry::find_tag(&services.db, artifact.id.0, t).await?,
        Reference::Digest(d) => {
            repo::registry::find_manifest(&services.db, artifact.id.0, d.as_str()).await?
        }
    };
    if let Grant::Only(granted) = grant {
        let allowed = match reference {
            Reference::Tag(t) => granted.tags.contains(t),
            Reference::Digest(d) => {
                super::blobs::granted_manifests(services, artifact.id.0, granted)
                    .await?
                    .iter()
                    .any(|m| m.digest == d.as_str())
            }
        };
        if !allowed {
            return Err(Error::registry(
                RegistryCode::Denied,
                format!("your license does not grant {name}@{reference}"),
            ));
        }
    }
    manifest.map(super::Manifest::from).ok_or_else(unknown)
}

/// Deletes a manifest by digest (its tags go with it), or only a tag.
pub async fn delete(
    services: &Services,
    artifact: &crate::registry::Artifact,
    name: &RepositoryName,
    reference: &Reference,
) -> Result<()> {
    let unknown = || {
        Error::registry(
            RegistryCode::ManifestUnknown,
            format!("{name} has no manifest {reference}"),
        )
    };
    match reference {
        Reference::Tag(t) => {
            if !repo::registry::delete_tag(&services.db, artifact.id.0, t).await? {
                return Err(unknown());
            }
        }
        Reference::Digest(d) => {
            let found = repo::registry::find_manifest(&services.db, artifact.id.0, d.as_str())
                .await?
                .ok_or_else(unknown)?;
            let txn = crate::db::begin_writer(&services.db).await?;
            repo::registry::delete_manifest(&txn, found.id).await?;
            txn.commit().await?;
        }
    }
    Ok(())
}

/// An image index listing nothing: the referrers of anything in a repository nothing was
/// pushed to.
pub fn empty_index() -> Value {
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [],
    })
}

/// The referrers of `subject` in `artifact` as an OCI image index, optionally only those of
/// one artifact type.
pub async fn referrers(
    services: &Services,
    artifact: &crate::registry::Artifact,
    subject: &Digest,
    artifact_type: Option<&str>,
) -> Result<Value> {
    let rows =
        repo::registry::referrers(&services.db, artifact.id.0, subject.as_str(), artifact_type)
            .await?;
    let manifests: Vec<Value> = rows
        .into_iter()
        .map(|m| {
            let mut d = Map::new();
            d.insert("mediaType".into(), Value::String(m.media_type));
            d.insert("digest".into(), Value::String(m.digest));
            d.insert("size".into(), Value::from(m.size));
            if let Some(t) = m.artifact_type {
                d.insert("artifactType".into(), Value::String(t));
            }
            if let Some(a) = m
                .annotations
                .and_then(|a| serde_json::from_str::<Value>(&a).ok())
            {
                d.insert("annotations".into(), a);
            }
            Value::Object(d)
        })
        .collect();
    Ok(serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": manifests,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(c: char) -> String {
        format!("sha256:{}", c.to_string().repeat(64))
    }

    #[test]
    fn an_image_manifest_yields_its_config_and_layers_and_artifact_type() {
        let body = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.cncf.helm.config.v1+json", "digest": d('a'), "size": 2},
            "layers": [{"mediaType": "x", "digest": d('b'), "size": 10}],
            "subject": {"mediaType": OCI_MANIFEST, "digest": d('c'), "size": 5},
        });
        let parsed = parse(None, body.to_string().as_bytes()).unwrap();
        assert_eq!(parsed.references.len(), 2);
        assert_eq!(
            parsed.artifact_type.as_deref(),
            Some("application/vnd.cncf.helm.config.v1+json")
        );
        assert_eq!(parsed.subject.unwrap().to_string(), d('c'));
    }

    #[test]
    fn malformed_manifests_are_refused_naming_the_problem() {
        let cases = [
            ("not json", "valid JSON"),
            ("{\"schemaVersion\":1}", "schemaVersion"),
            ("{\"schemaVersion\":2}", "no mediaType"),
            (
                "{\"schemaVersion\":2,\"mediaType\":\"text/plain\"}",
                "not supported",
            ),
            (
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}",
                "config",
            ),
        ];
        for (body, expected) in cases {
            let err = parse(None, body.as_bytes()).unwrap_err();
            assert!(err.to_string().contains(expected), "{body}: {err}");
        }
        let err = parse(
            Some(OCI_INDEX),
            format!("{{\"schemaVersion\":2,\"mediaType\":\"{OCI_MANIFEST}\"}}").as_bytes(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("differs"), "{err}");
        let big = vec![b' '; MAX_MANIFEST_BYTES + 1];
        assert!(matches!(
            parse(None, &big),
            Err(Error::Registry {
                code: RegistryCode::ManifestTooLarge,
                ..
            })
        ));
    }
}
