//! The small template languages of a version: the env-file template that pre-fills the
//! deployment form, and the link template that renders an "open application" URL.
//!
//! Placeholders are `{{ env.NAME }}` (a deployment's env value) and, in env files,
//! `{{ secrets.NAME }}` (rendered by the hub when it sends the desired state). Nothing else is
//! evaluated: no loops, no functions, so a template can neither fail at deploy time in a
//! surprising way nor read what it should not.

use std::collections::BTreeMap;

use crate::{Error, Result};

/// The most an env template may weigh (as much as a deployment's env file).
pub const MAX_ENV_TEMPLATE_BYTES: usize = 256 * 1024;

/// Checks an env-file template: at most [`MAX_ENV_TEMPLATE_BYTES`] long, every line empty, a
/// `#` comment or `KEY=VALUE` with `KEY` made of letters, digits and `_` (not starting with a
/// digit), and every placeholder well formed. The error names the line.
pub fn validate_env_template(text: &str) -> Result<()> {
    const FIELD: &str = "envTemplate";
    if text.len() > MAX_ENV_TEMPLATE_BYTES {
        return Err(Error::invalid(
            FIELD,
            format!(
                "the env template is larger than {} KiB",
                MAX_ENV_TEMPLATE_BYTES / 1024
            ),
        ));
    }
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(Error::invalid(
                FIELD,
                format!("line {number}: expected KEY=VALUE, got {line:?}"),
            ));
        };
        if !is_env_name(key.trim()) {
            return Err(Error::invalid(
                FIELD,
                format!(
                    "line {number}: {:?} is not a variable name (letters, digits and _, not starting with a digit)",
                    key.trim()
                ),
            ));
        }
        placeholders(value, &["env", "secrets"])
            .map_err(|why| Error::invalid(FIELD, format!("line {number}: {why}")))?;
    }
    Ok(())
}

/// Checks a link template: an `http://` or `https://` URL with optional `{{ env.NAME }}`
/// placeholders.
pub fn validate_link_template(text: &str) -> Result<()> {
    const FIELD: &str = "linkTemplate";
    let text = text.trim();
    if !(text.starts_with("http://") || text.starts_with("https://")) {
        return Err(Error::invalid(
            FIELD,
            "must start with http:// or https://, for example https://{{ env.HOSTNAME }}/",
        ));
    }
    if text.chars().any(char::is_whitespace) && !text.contains("{{") {
        return Err(Error::invalid(FIELD, "a URL must not contain spaces"));
    }
    placeholders(text, &["env"]).map_err(|why| Error::invalid(FIELD, why))?;
    Ok(())
}

/// Renders `{{ env.NAME }}` placeholders from `env`; a name without a value is an error naming
/// it (a link to a half-filled address helps nobody).
pub fn render_link(template: &str, env: &BTreeMap<String, String>) -> Result<String> {
    render(template, |scope, name| {
        (scope == "env")
            .then(|| env.get(name).cloned())
            .flatten()
            .ok_or_else(|| format!("{scope}.{name} has no value in this deployment"))
    })
    .map_err(|why| Error::invalid("linkTemplate", why))
}

/// Replaces each placeholder through `lookup(scope, name)`.
pub fn render(
    template: &str,
    mut lookup: impl FnMut(&str, &str) -> std::result::Result<String, String>,
) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| "a `{{` is never closed by `}}`".to_string())?;
        let (scope, name) = parse_placeholder(&after[..end])?;
        out.push_str(&lookup(scope, name)?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Checks that every placeholder in `text` is well formed and uses one of `scopes`.
fn placeholders(text: &str, scopes: &[&str]) -> std::result::Result<(), String> {
    render(text, |scope, _| {
        if scopes.contains(&scope) {
            Ok(String::new())
        } else {
            Err(format!(
                "unknown placeholder scope `{scope}`: use {}",
                scopes
                    .iter()
                    .map(|s| format!("{{{{ {s}.NAME }}}}"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ))
        }
    })
    .map(|_| ())
}

fn parse_placeholder(inner: &str) -> std::result::Result<(&str, &str), String> {
    let inner = inner.trim();
    let (scope, name) = inner
        .split_once('.')
        .ok_or_else(|| format!("`{{{{ {inner} }}}}` must look like {{{{ env.NAME }}}}"))?;
    if !is_env_name(name) {
        return Err(format!(
            "`{name}` in `{{{{ {inner} }}}}` is not a valid name"
        ));
    }
    Ok((scope, name))
}

fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_templates_accept_comments_and_placeholders() {
        validate_env_template("# settings\n\nHOST=shop.local\nDB_PASSWORD={{ secrets.DB_PASSWORD }}\nURL=https://{{ env.HOST }}\n").unwrap();
    }

    #[test]
    fn env_template_errors_name_the_line() {
        for (text, expected) in [
            ("A=1\njust text\n", "line 2: expected KEY=VALUE"),
            ("1A=1\n", "line 1: \"1A\" is not a variable name"),
            (
                "A={{ files.X }}\n",
                "line 1: unknown placeholder scope `files`",
            ),
            ("A={{ env.X\n", "line 1: a `{{` is never closed"),
        ] {
            match validate_env_template(text) {
                Err(Error::InvalidInput { field, message }) => {
                    assert_eq!(field, "envTemplate");
                    assert!(message.starts_with(expected), "{message}");
                }
                other => panic!("{text:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn link_templates_must_be_urls_and_render_from_env() {
        validate_link_template("https://{{ env.HOST }}:{{ env.PORT }}/").unwrap();
        assert!(validate_link_template("ftp://x").is_err());
        assert!(validate_link_template("https://{{ secrets.X }}").is_err());
        let env = BTreeMap::from([("HOST".to_string(), "shop.local".to_string())]);
        assert_eq!(
            render_link("https://{{ env.HOST }}/admin", &env).unwrap(),
            "https://shop.local/admin"
        );
        assert!(render_link("https://{{ env.PORT }}", &env).is_err());
    }
}
