//! Masking secret values in everything the agent sends back (log lines, error messages).

use types::protocol::DesiredDeployment;

/// What a masked value is replaced with.
pub const MASK: &str = "********";

/// Values shorter than this are not masked: they are too short to be a real secret, and
/// masking, say, every `1` would make logs unreadable. `docs/agent.md` says so.
const MIN_MASKED_LEN: usize = 4;

/// Replaces known secret values in text.
#[derive(Clone, Default)]
pub struct Masker {
    // Longest first, so a secret that contains another is masked whole.
    values: Vec<String>,
}

impl std::fmt::Debug for Masker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Masker({} values)", self.values.len())
    }
}

impl Masker {
    /// A masker for the given secret values.
    pub fn new(values: impl IntoIterator<Item = String>) -> Self {
        let mut values: Vec<String> = values
            .into_iter()
            .filter(|v| v.chars().count() >= MIN_MASKED_LEN)
            .collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        Self { values }
    }

    /// A masker for a deployment: the values of its `secret_keys` in its env file, and its
    /// registry password.
    pub fn for_deployment(d: &DesiredDeployment) -> Self {
        let mut values: Vec<String> = env_entries(d.env_file.expose())
            .filter(|(key, _)| d.secret_keys.iter().any(|k| k == key))
            .map(|(_, value)| value)
            .collect();
        if let Some(auth) = &d.registry_auth {
            values.push(auth.password.expose().to_string());
        }
        Self::new(values)
    }

    /// This masker, also hiding `value`.
    pub fn with(&self, value: String) -> Self {
        Self::new(self.values.iter().cloned().chain(std::iter::once(value)))
    }

    /// `text` with every secret value replaced by [`MASK`].
    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        for value in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), MASK);
            }
        }
        out
    }
}

/// The `KEY=VALUE` entries of an env file, with surrounding quotes removed from values.
pub fn env_entries(env_file: &str) -> impl Iterator<Item = (String, String)> + '_ {
    env_file.lines().filter_map(|line| {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let (key, value) = line.split_once('=')?;
        let value = value.trim();
        let unquoted = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        Some((key.trim().to_string(), unquoted.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use types::protocol::{RegistryAuth, Sensitive};
    use types::{DeploymentId, RevisionId};

    #[test]
    fn secret_values_are_masked_and_others_are_not() {
        let d = DesiredDeployment {
            deployment_id: DeploymentId::new(),
            revision_id: RevisionId::new(),
            project_name: "shop".into(),
            compose_file: String::new(),
            env_file: Sensitive::new(
                "# comment\nPORT=8080\nDB_PASSWORD=\"pa55word-xyz\"\nexport API_KEY='key-123456'\nX=1\n",
            ),
            restart_generation: 0,
            logs_enabled: true,
            repair_drift: true,
            secret_keys: vec!["DB_PASSWORD".into(), "API_KEY".into(), "X".into()],
            registry_auth: Some(RegistryAuth {
                registry: "r".into(),
                username: "u".into(),
                password: Sensitive::new("reg-pass-1"),
            }),
        };
        let m = Masker::for_deployment(&d);
        assert_eq!(
            m.mask("port 8080 pw pa55word-xyz key key-123456 reg reg-pass-1 x 1"),
            "port 8080 pw ******** key ******** reg ******** x 1"
        );
    }
}
