//! The images a compose file references, split into registry, repository, tag and digest the way
//! Docker reads a reference, so the hub can tell which of them live in its own registry.

use serde_yaml::Value;

/// Docker Hub's registry host, used when a reference names none.
pub const DOCKER_HUB: &str = "docker.io";

/// One image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// The reference as written in the compose file.
    pub reference: String,
    /// Where it lives; `None` when it could not be parsed (for example it uses a compose
    /// variable such as `${TAG}`, which only the deployment fills in).
    pub location: Option<ImageLocation>,
}

/// A parsed reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageLocation {
    /// The registry host (and port), lower-case; [`DOCKER_HUB`] when none is written.
    pub registry: String,
    /// The repository path inside the registry (`library/redis` for `redis`).
    pub repository: String,
    /// The tag: as written, or `latest` when neither a tag nor a digest is.
    pub tag: Option<String>,
    /// The digest, when written (`sha256:…`).
    pub digest: Option<String>,
}

/// The distinct image references of a compose file's services, in file order. A file that does
/// not parse yields none (publishing refuses such a file before this is asked).
pub fn from_compose(text: &str) -> Vec<ImageRef> {
    let Ok(Value::Mapping(top)) = serde_yaml::from_str::<Value>(text) else {
        return Vec::new();
    };
    let Some(Value::Mapping(services)) = top.get("services") else {
        return Vec::new();
    };
    let mut seen: Vec<ImageRef> = Vec::new();
    for service in services.values() {
        if let Some(Value::String(image)) = service.get("image") {
            let image = image.trim();
            if !image.is_empty() && !seen.iter().any(|i| i.reference == image) {
                seen.push(ImageRef {
                    reference: image.to_string(),
                    location: parse(image),
                });
            }
        }
    }
    seen
}

/// Splits a reference as Docker does: the first path component is a registry host when it has a
/// `.` or a `:` or is `localhost`; otherwise the image is on Docker Hub (a one-component name is
/// under `library/`). `None` for anything that is not a plain reference.
pub fn parse(reference: &str) -> Option<ImageLocation> {
    let (name, digest) = match reference.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (reference, None),
    };
    if let Some(d) = digest {
        let (algorithm, hex) = d.split_once(':')?;
        let algorithm_ok = !algorithm.is_empty()
            && algorithm
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+._-".contains(c));
        if !algorithm_ok || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
    }
    // A tag follows the last ':' after the last '/' (a ':' before it is a registry port).
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (path, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    if let Some(t) = tag
        && !crate::registry::is_tag(t)
    {
        return None;
    }
    let (registry, repository) = match path.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first.to_ascii_lowercase(), rest.to_string())
        }
        _ if path.contains('/') => (DOCKER_HUB.to_string(), path.to_string()),
        _ => (DOCKER_HUB.to_string(), format!("library/{path}")),
    };
    if !valid_host(&registry) || !valid_repository(&repository) {
        return None;
    }
    let tag = match (tag, digest) {
        (Some(t), _) => Some(t.to_string()),
        (None, Some(_)) => None,
        (None, None) => Some("latest".to_string()),
    };
    Some(ImageLocation {
        registry,
        repository,
        tag,
        digest: digest.map(str::to_string),
    })
}

fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
}

/// Path components of lower-case letters and digits joined by `.`, `_`, `__` or `-` runs, as
/// the distribution spec allows (checked loosely: separators only inside a component).
fn valid_repository(path: &str) -> bool {
    path.len() <= 255
        && path.split('/').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
                && part.starts_with(|c: char| c.is_ascii_alphanumeric())
                && part.ends_with(|c: char| c.is_ascii_alphanumeric())
        })
}

impl ImageLocation {
    /// Whether this image lives in the hub's registry, reached at `registry_host`.
    pub fn is_on(&self, registry_host: &str) -> bool {
        self.registry.eq_ignore_ascii_case(registry_host)
    }

    /// The reference as `<repository>:<tag>` or `<repository>@<digest>` (the digest wins).
    pub fn short(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => format!("{}@{d}", self.repository),
            (None, Some(t)) => format!("{}:{t}", self.repository),
            (None, None) => self.repository.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(r: &str) -> ImageLocation {
        parse(r).unwrap_or_else(|| panic!("{r} should parse"))
    }

    #[test]
    fn docker_hub_names_get_their_implicit_parts() {
        let l = loc("redis");
        assert_eq!(
            (l.registry.as_str(), l.repository.as_str(), l.tag.as_deref()),
            ("docker.io", "library/redis", Some("latest"))
        );
        let l = loc("bitnami/redis:7.2");
        assert_eq!(
            (l.registry.as_str(), l.repository.as_str(), l.tag.as_deref()),
            ("docker.io", "bitnami/redis", Some("7.2"))
        );
    }

    #[test]
    fn a_host_with_a_port_is_a_registry_not_a_tag() {
        let l = loc("127.0.0.1:8080/acme/web:1.0.0");
        assert_eq!(l.registry, "127.0.0.1:8080");
        assert_eq!(l.repository, "acme/web");
        assert_eq!(l.tag.as_deref(), Some("1.0.0"));
        let l = loc("Hub.Example.com/acme/tools/cli");
        assert_eq!(l.registry, "hub.example.com");
        assert_eq!(l.repository, "acme/tools/cli");
        assert_eq!(l.tag.as_deref(), Some("latest"));
        assert!(l.is_on("HUB.example.com"));
        assert_eq!(loc("localhost/acme/web").registry, "localhost");
    }

    #[test]
    fn digests_are_kept_and_win_over_tags() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let l = loc(&format!("hub:5000/acme/web@{digest}"));
        assert_eq!(l.tag, None);
        assert_eq!(l.digest.as_deref(), Some(digest.as_str()));
        assert_eq!(l.short(), format!("acme/web@{digest}"));
        let l = loc(&format!("hub:5000/acme/web:2@{digest}"));
        assert_eq!(l.tag.as_deref(), Some("2"));
    }

    #[test]
    fn variables_and_garbage_do_not_parse() {
        for bad in [
            "${REGISTRY}/acme/web:1",
            "acme/web:${TAG}",
            "Acme/Web",
            "acme//web",
            "web@sha256:xyz",
            "web:",
            "",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_compose_file_yields_its_distinct_images_in_order() {
        let found = from_compose(
            "services:\n  web:\n    image: hub:1/acme/web:1\n  worker:\n    image: hub:1/acme/web:1\n  db:\n    image: ${DB_IMAGE}\n  cache:\n    image: redis:7\n",
        );
        let refs: Vec<_> = found.iter().map(|i| i.reference.as_str()).collect();
        assert_eq!(refs, ["hub:1/acme/web:1", "${DB_IMAGE}", "redis:7"]);
        assert!(found[1].location.is_none());
        assert!(from_compose("not: [valid").is_empty());
    }
}
