//! A deployment's env file: checked when a user deploys (syntax, and every
//! `{{ secrets.NAME }}` exists in the target's scope) and rendered when the hub sends the
//! desired state. `{{ env.NAME }}` refers to another line of the same file.
//!
//! A line is `KEY=value` and its value is literal: everything after the first `=`, trimmed.
//! The rendered file is read by `docker compose --env-file` (v2) or `docker-compose` 1.29 (v1),
//! whose grammars differ, so each value is written in a form both read back byte for byte
//! (`types::protocol::env_value`); a value neither can hold is refused when the user deploys.

use std::collections::{BTreeMap, BTreeSet};

use types::protocol::env_value;

use crate::catalog::templates;
use crate::{Error, Result};

/// The longest env file accepted.
const MAX_LEN: usize = 256 * 1024;

/// A rendered env file and the keys whose values came from secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// The `.env` text.
    pub text: String,
    /// Keys whose values hold a secret (the agent masks them).
    pub secret_keys: Vec<String>,
}

/// Checks `env` as a user wrote it: its syntax, and that each secret it names exists.
pub fn check(env: &str, secrets: &BTreeMap<String, String>) -> Result<()> {
    if env.len() > MAX_LEN {
        return Err(Error::invalid("env", "the env file is larger than 256 KiB"));
    }
    templates::validate_env_template(env).map_err(|err| match err {
        Error::InvalidInput { message, .. } => Error::invalid("env", message),
        other => other,
    })?;
    render(env, secrets, &BTreeMap::new()).map(|_| ())
}

/// Renders `env` with `secrets`, then appends `extra` (license entitlements) for keys the file
/// does not set itself.
pub fn render(
    env: &str,
    secrets: &BTreeMap<String, String>,
    extra: &BTreeMap<String, String>,
) -> Result<Rendered> {
    let mut raw: BTreeMap<String, String> = BTreeMap::new();
    for line in env.lines() {
        if let Some((key, value)) = line.trim().split_once('=')
            && !line.trim().starts_with('#')
        {
            raw.insert(key.trim().to_string(), value.to_string());
        }
    }
    let mut secret_keys = BTreeSet::new();
    let mut text = String::with_capacity(env.len());
    for (number, line) in env.lines().enumerate() {
        let trimmed = line.trim();
        let Some((key, value)) = trimmed
            .split_once('=')
            .filter(|_| !trimmed.starts_with('#'))
        else {
            text.push_str(line);
            text.push('\n');
            continue;
        };
        let key = key.trim();
        let mut from_secret = false;
        let rendered = templates::render(value.trim(), |scope, name| match scope {
            "secrets" => {
                from_secret = true;
                secrets.get(name).cloned().ok_or_else(|| {
                    format!("the secret {name} is not set for this target: add it under Secrets")
                })
            }
            "env" => raw
                .get(name)
                .map(|v| v.trim().to_string())
                .ok_or_else(|| format!("{{{{ env.{name} }}}} names no line of this file")),
            other => Err(format!("unknown placeholder scope `{other}`")),
        })
        .map_err(|why| Error::invalid("env", format!("line {}: {why}", number + 1)))?;
        // The message names the rule, never the value: it may be a secret.
        let written = env_value(&rendered).map_err(|why| {
            Error::invalid(
                "env",
                format!("line {}: the value of {key} {why}", number + 1),
            )
        })?;
        if from_secret {
            secret_keys.insert(key.to_string());
        }
        text.push_str(key);
        text.push('=');
        text.push_str(&written);
        text.push('\n');
    }
    for (key, value) in extra {
        if !raw.contains_key(key) {
            let written = env_value(value)
                .map_err(|why| Error::invalid("env", format!("the value of {key} {why}")))?;
            text.push_str(&format!("{key}={written}\n"));
        }
    }
    Ok(Rendered {
        text,
        secret_keys: secret_keys.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> BTreeMap<String, String> {
        BTreeMap::from([("DB_PASSWORD".to_string(), "s3cret-pw".to_string())])
    }

    #[test]
    fn secrets_and_env_references_are_filled_in_and_entitlements_appended() {
        let extra = BTreeMap::from([("CONSIGN_ENTITLEMENT_SEATS".to_string(), "25".to_string())]);
        let out = render(
            "# shop\nHOST=shop.local\nPASSWORD={{ secrets.DB_PASSWORD }}\nURL=https://{{ env.HOST }}/\n",
            &secrets(),
            &extra,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            out.text,
            "# shop\nHOST=\"shop.local\"\nPASSWORD=\"s3cret-pw\"\nURL=\"https://shop.local/\"\nCONSIGN_ENTITLEMENT_SEATS=\"25\"\n"
        );
        assert_eq!(out.secret_keys, vec!["PASSWORD".to_string()]);
    }

    #[test]
    fn a_missing_secret_or_bad_line_is_named() {
        let err = check("A=1\nB={{ secrets.NOPE }}\n", &secrets())
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|m| m.contains("line 2") && m.contains("NOPE")),
            "{err:?}"
        );
        let err = check("not a line\n", &secrets())
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|m| m.starts_with("env: line 1")),
            "{err:?}"
        );
    }

    #[test]
    fn a_value_compose_cannot_hold_is_refused_at_deploy_without_showing_it() {
        let secrets = BTreeMap::from([("PW".to_string(), "x${HOME}".to_string())]);
        let err = check("PW={{ secrets.PW }}\n", &secrets)
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|m| m.contains("line 1: the value of PW holds `${…}`")
                    && !m.contains("x${HOME}")),
            "{err:?}"
        );
    }

    #[test]
    fn values_are_literal_and_may_span_lines() {
        let secrets = BTreeMap::from([("KEY".to_string(), "-----BEGIN-----\nabc\n".to_string())]);
        let out = render(
            "QUOTED = \"as written\"  \nKEY={{ secrets.KEY }}\n",
            &secrets,
            &BTreeMap::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            out.text,
            "QUOTED=\"\\\"as written\\\"\"\nKEY=\"-----BEGIN-----\\nabc\\n\"\n"
        );
    }
}
