//! Logging in to the hub's own registry with the agent's credential, for deployments whose
//! images live there: the registry lets an agent pull what its customer's artifact licenses
//! grant, so no registry password needs to travel with the deployment.

use std::path::{Path, PathBuf};

use secrecy::ExposeSecret;
use tokio::process::Command;
use url::Url;

use super::process;
use crate::credential::SharedCredential;
use crate::error::{Error, Result};
use crate::mask::Masker;

/// The user name given to `docker login`; the registry identifies the agent by its credential.
const LOGIN_USER: &str = "consign-agent";

/// The hub's registry and the credential that logs in to it.
#[derive(Debug, Clone)]
pub struct HubRegistry {
    /// `host` or `host:port`, as it appears at the start of an image reference.
    host: String,
    credential: SharedCredential,
}

impl HubRegistry {
    /// The registry served by the hub at `hub_url` (its host and, when not the scheme's
    /// default, port).
    pub fn for_hub(hub_url: &Url, credential: SharedCredential) -> Option<Self> {
        let host = hub_url.host_str()?;
        let host = match hub_url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        Some(Self { host, credential })
    }

    /// The registry host.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether any of `images` comes from this registry.
    pub fn serves_any<'a>(&self, images: impl IntoIterator<Item = &'a str>) -> bool {
        images
            .into_iter()
            .any(|i| registry_host(i).is_some_and(|h| h.eq_ignore_ascii_case(&self.host)))
    }

    /// A masker that also hides the credential.
    pub fn masking(&self, masker: &Masker) -> Masker {
        masker.with(self.credential.get().expose_secret().to_string())
    }

    /// `docker login` to the hub's registry into the Docker config folder `config` (created
    /// with mode 0700), the credential on standard input only.
    pub async fn login(&self, config: &Path, masker: &Masker) -> Result<()> {
        create_private_dir(config)?;
        let credential = self.credential.get();
        let mut c = Command::new("docker");
        c.arg("--config")
            .arg(config)
            .args(["login", "--username", LOGIN_USER, "--password-stdin"])
            .arg(&self.host);
        process::run(&mut c, Some(credential.expose_secret()), masker).await?;
        Ok(())
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let io = |source| Error::StateFile {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io)?;
    // An older folder may have been made with the default mode.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
    link_cli_plugins(dir);
    Ok(())
}

/// Docker looks for CLI plugins (`docker compose` among them) in `$DOCKER_CONFIG/cli-plugins`
/// instead of the user's `~/.docker/cli-plugins`: a private config folder links the user's
/// plugins, so compose keeps working with it. Best effort: without the link, the system-wide
/// plugin folders still apply.
pub fn link_cli_plugins(config: &Path) {
    let user = std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")));
    let Some(plugins) = user.map(|u| u.join("cli-plugins")).filter(|p| p.is_dir()) else {
        return;
    };
    let link = config.join("cli-plugins");
    if plugins != link && link.symlink_metadata().is_err() {
        let _ = std::os::unix::fs::symlink(plugins, link);
    }
}

/// The registry host of an image reference, when it names one: docker's rule is that the
/// first path component is a host when it holds a `.` or a `:` or is `localhost`.
pub fn registry_host(image: &str) -> Option<&str> {
    let (first, _) = image.split_once('/')?;
    (first.contains('.') || first.contains(':') || first == "localhost").then_some(first)
}

/// The `image:` values of a compose file (the rendered one from `compose config`, or the file
/// as written).
pub fn images(compose_yaml: &str) -> Vec<String> {
    compose_yaml
        .lines()
        .filter_map(|line| line.trim().strip_prefix("image:"))
        .map(|v| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

/// The `image:` values of a compose file as written, when they can be known without Compose:
/// `None` when an image is interpolated (`${TAG}`), a service `extends` another or the file
/// `include`s others, or the YAML does not parse. Then only `compose config` knows the final
/// references; otherwise asking it costs a process start (about 0.1 s) before every `up`.
pub fn images_as_written(compose_yaml: &str) -> Option<Vec<String>> {
    use serde_yaml::Value;
    let mut doc: Value = serde_yaml::from_str(compose_yaml).ok()?;
    // `<<: *defaults` merge keys can carry an image too.
    doc.apply_merge().ok()?;
    if doc.get("include").is_some() {
        return None;
    }
    let services = doc.get("services")?.as_mapping()?;
    let mut images = Vec::new();
    for service in services.values() {
        let service = service.as_mapping()?;
        if service.contains_key("extends") {
            return None;
        }
        match service.get("image") {
            None => {}
            Some(Value::String(image)) if !image.contains('$') => images.push(image.clone()),
            Some(_) => return None,
        }
    }
    Some(images)
}

/// The agent's own Docker config folder for the hub's registry.
pub fn agent_config_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("docker-config")
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    #[test]
    fn image_hosts_follow_dockers_rule() {
        assert_eq!(
            registry_host("127.0.0.1:5000/acme/app:1.0"),
            Some("127.0.0.1:5000")
        );
        assert_eq!(
            registry_host("hub.example.com/acme/app"),
            Some("hub.example.com")
        );
        assert_eq!(registry_host("localhost/app"), Some("localhost"));
        assert_eq!(registry_host("acme/app:1.0"), None);
        assert_eq!(registry_host("busybox"), None);
    }

    #[test]
    fn the_hub_registry_matches_its_own_host_and_port_only() {
        let cred = SharedCredential::new(SecretString::from("consign_agent_x".to_string()));
        let hub = HubRegistry::for_hub(&Url::parse("http://127.0.0.1:8080").unwrap(), cred.clone())
            .unwrap();
        assert_eq!(hub.host(), "127.0.0.1:8080");
        assert!(hub.serves_any(["busybox", "127.0.0.1:8080/acme/app:1.0"]));
        assert!(!hub.serves_any(["127.0.0.1:8081/acme/app:1.0", "acme/app"]));
        let https =
            HubRegistry::for_hub(&Url::parse("https://Hub.Example.com/").unwrap(), cred).unwrap();
        assert!(https.serves_any(["hub.example.com/acme/app@sha256:00"]));
    }

    #[test]
    fn images_are_read_from_rendered_and_raw_compose_files() {
        let yaml = "services:\n  web:\n    image: \"127.0.0.1:1/a/b:1\"\n  db:\n    image: postgres\n    command: [\"image: no\"]\n";
        assert_eq!(images(yaml), vec!["127.0.0.1:1/a/b:1", "postgres"]);
    }

    #[test]
    fn images_as_written_are_read_without_compose_when_nothing_is_interpolated() {
        let yaml = "x-base: &base\n  image: 127.0.0.1:1/a/base:1\nservices:\n  web: {image: \"127.0.0.1:1/a/b:1\"}\n  db:\n    image: >-\n      postgres\n  job:\n    <<: *base\n  built:\n    build: .\n";
        assert_eq!(
            images_as_written(yaml),
            Some(vec![
                "127.0.0.1:1/a/b:1".to_string(),
                "postgres".to_string(),
                "127.0.0.1:1/a/base:1".to_string()
            ])
        );
    }

    #[test]
    fn images_as_written_defer_to_compose_for_interpolation_extends_and_includes() {
        for yaml in [
            "services:\n  web:\n    image: ${REGISTRY}/app:1\n",
            "services:\n  web:\n    image: app:$TAG\n",
            "services:\n  web:\n    extends:\n      file: base.yaml\n      service: web\n",
            "include:\n  - other.yaml\nservices:\n  web:\n    image: app\n",
            "services:\n  web:\n    image: [not, a, string]\n",
            "services: [web]\n",
            "services:\n  web: {image: \"unterminated\n",
        ] {
            assert_eq!(images_as_written(yaml), None, "{yaml}");
        }
    }
}
