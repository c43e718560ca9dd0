//! Checks a Docker Compose file when a version is published, so a broken file is refused with
//! the place of the fault instead of failing later on a customer's host.

use serde_yaml::Value;

use crate::{Error, Result, documents};

/// The request field that carries the compose file.
const FIELD: &str = "composeFile";

/// The top-level keys of the Compose specification.
const TOP_LEVEL_KEYS: &[&str] = &[
    "version", "name", "services", "networks", "volumes", "configs", "secrets", "include",
];

/// The most a compose file may weigh.
pub const MAX_COMPOSE_BYTES: usize = 256 * 1024;

/// Accepts a compose file that parses as YAML, has a `services` mapping with at least one
/// service, and where every service names an `image` (the agent pulls images; it never builds).
/// The error names the line and column of a syntax error, or the path of a structural one.
pub fn validate(text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::invalid(FIELD, "the compose file is empty"));
    }
    // Size and nesting are checked before the YAML parser sees the text: deep nesting alone
    // makes it slow (see `crate::documents`).
    documents::check_yaml(FIELD, "compose file", text, MAX_COMPOSE_BYTES)?;
    let doc: Value =
        serde_yaml::from_str(text).map_err(|e| Error::invalid(FIELD, yaml_error(&e)))?;
    let Value::Mapping(top) = doc else {
        return Err(Error::invalid(
            FIELD,
            "the compose file must be a YAML mapping with a `services` key",
        ));
    };
    for key in top.keys() {
        let name = key.as_str().unwrap_or_default();
        if !TOP_LEVEL_KEYS.contains(&name) && !name.starts_with("x-") {
            return Err(Error::invalid(
                FIELD,
                format!(
                    "unknown top-level key `{}`: a compose file has {}",
                    display_key(key),
                    TOP_LEVEL_KEYS.join(", ")
                ),
            ));
        }
    }
    let services = match top.get("services") {
        Some(Value::Mapping(services)) if !services.is_empty() => services,
        Some(Value::Mapping(_)) | Some(Value::Null) => {
            return Err(Error::invalid(
                FIELD,
                "`services` is empty: define at least one service",
            ));
        }
        Some(_) => {
            return Err(Error::invalid(
                FIELD,
                "`services` must be a mapping of service names",
            ));
        }
        None => {
            return Err(Error::invalid(
                FIELD,
                "the compose file has no `services`: define at least one service",
            ));
        }
    };
    for (name, service) in services {
        let name = display_key(name);
        let Value::Mapping(service) = service else {
            return Err(Error::invalid(
                FIELD,
                format!("services.{name} must be a mapping with at least an `image`"),
            ));
        };
        match service.get("image") {
            Some(Value::String(image)) if !image.trim().is_empty() => {}
            Some(_) => {
                return Err(Error::invalid(
                    FIELD,
                    format!(
                        "services.{name}.image must be an image reference such as registry.example.com/app:1.0"
                    ),
                ));
            }
            None => {
                return Err(Error::invalid(
                    FIELD,
                    format!(
                        "services.{name} names no `image`: every service needs one (the agent pulls images, it cannot build them)"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The most Helm values (base values or a values template) may weigh.
pub const MAX_VALUES_BYTES: usize = 256 * 1024;

/// Checks optional YAML (Helm base values): empty, or a mapping of at most
/// [`MAX_VALUES_BYTES`] nesting at most [`documents::MAX_DEPTH`] levels.
pub fn validate_values(field: &'static str, text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Ok(());
    }
    documents::check_yaml(field, "values file", text, MAX_VALUES_BYTES)?;
    match serde_yaml::from_str::<Value>(text) {
        Ok(Value::Mapping(_)) | Ok(Value::Null) => Ok(()),
        Ok(_) => Err(Error::invalid(field, "values must be a YAML mapping")),
        Err(e) => Err(Error::invalid(field, yaml_error(&e))),
    }
}

/// A YAML error as "line L, column C: what".
fn yaml_error(err: &serde_yaml::Error) -> String {
    let what = err.to_string();
    // serde_yaml appends " at line L column C" to its message; the location goes first instead.
    let what = what.split(" at line ").next().unwrap_or(&what).to_string();
    match err.location() {
        Some(at) => format!(
            "invalid YAML at line {}, column {}: {what}",
            at.line(),
            at.column()
        ),
        None => format!("invalid YAML: {what}"),
    }
}

fn display_key(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| "?".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        match validate(text) {
            Err(Error::InvalidInput { field, message }) => {
                assert_eq!(field, "composeFile");
                message
            }
            other => panic!("expected an invalid compose file, got {other:?}"),
        }
    }

    #[test]
    fn a_compose_file_with_images_passes() {
        validate("services:\n  web:\n    image: busybox:1\n  db:\n    image: postgres:16\nvolumes:\n  data: {}\n").unwrap();
    }

    #[test]
    fn a_syntax_error_names_its_line_and_column() {
        let msg = message("services:\n  web:\n    image: [unclosed\n");
        assert!(msg.contains("line 4") || msg.contains("line 3"), "{msg}");
        assert!(msg.contains("column"), "{msg}");
        let msg = message("services:\n  web\n    image: x\n");
        assert!(msg.starts_with("invalid YAML at line 3"), "{msg}");
    }

    #[test]
    fn missing_or_empty_services_are_refused() {
        assert!(message("version: '3'\n").contains("no `services`"));
        assert!(message("services: {}\n").contains("empty"));
        assert!(message("services:\n").contains("empty"));
        assert!(message("- a\n- b\n").contains("mapping"));
        assert!(message("   \n").contains("empty"));
    }

    #[test]
    fn a_service_without_an_image_is_named() {
        let msg = message("services:\n  web:\n    image: x\n  worker:\n    build: .\n");
        assert!(msg.starts_with("services.worker names no `image`"), "{msg}");
        let msg = message("services:\n  web:\n    image: 3\n");
        assert!(msg.starts_with("services.web.image"), "{msg}");
    }

    #[test]
    fn an_unknown_top_level_key_is_refused_but_extensions_pass() {
        assert!(
            message("servces:\n  web:\n    image: x\n").contains("unknown top-level key `servces`")
        );
        validate("x-common: &c {}\nservices:\n  web:\n    image: x\n").unwrap();
    }

    #[test]
    fn deep_or_large_documents_are_refused_naming_the_limit() {
        let deep = format!("services: {}", "[".repeat(20_000));
        let started = std::time::Instant::now();
        let msg = message(&deep);
        assert!(msg.contains("nests deeper than 64 levels"), "{msg}");
        assert!(started.elapsed() < std::time::Duration::from_millis(100));
        let big = format!(
            "services:\n  web:\n    image: x\n#{}\n",
            "x".repeat(MAX_COMPOSE_BYTES)
        );
        assert!(message(&big).contains("larger than 256 KiB"));
        let values = format!("a: {}", "{".repeat(100));
        assert!(validate_values("baseValues", &values).is_err());
    }

    #[test]
    fn values_must_be_a_mapping() {
        validate_values("baseValues", "").unwrap();
        validate_values("baseValues", "replicas: 2\n").unwrap();
        assert!(validate_values("baseValues", "- 1\n").is_err());
        assert!(validate_values("baseValues", "a: [\n").is_err());
    }
}
