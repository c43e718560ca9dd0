//! The env file the hub sends in [`super::DesiredDeployment::env_file`]: `KEY=value` lines that
//! `docker compose --env-file` (v2) and `docker-compose` 1.29 (v1, Debian) both read back with
//! exactly the values the hub meant.

/// `value` written for a Compose env file so that Compose v2 and Compose v1 (1.29, with
/// python-dotenv) both read exactly `value` back, or why it cannot be.
///
/// The two grammars agree only on part of their syntax (checked on the real programs by
/// `server/tests/agent.rs`, with a real agent on the Docker engine):
/// - v1 expands `${NAME}` inside every kind of quoting, and v2 expands `$` inside double quotes
///   and bare values; only single quotes keep `$` literal in v2.
/// - Inside single quotes v1 turns `\\` into `\` while v2 keeps both, and both treat `\'` as
///   a quote; so a `$` value may not hold `\\` or `\'`.
/// - v1 reads a quoted value ending in `\` as an escaped closing quote and swallows the
///   lines that follow; such a value is written bare, which both read literally as long as it
///   holds only visible ASCII other than `$ # ' "`.
///
/// Otherwise a value without `$` is double-quoted (`\\`, `\"`, `\n` and `\r` escaped) and
/// one with `$` single-quoted (`'` written `\'`).
pub fn env_value(value: &str) -> std::result::Result<String, &'static str> {
    if value.contains('\0') {
        return Err("holds a NUL character, which no environment variable can hold");
    }
    if value.find("${").is_some_and(|at| value[at..].contains('}')) {
        return Err(
            "holds `${…}`, which docker-compose 1.29 (Compose v1) expands whatever the quoting",
        );
    }
    if value.ends_with('\\') {
        let bare = value
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '$' | '#' | '\'' | '"'));
        return if bare {
            Ok(value.to_string())
        } else {
            Err(
                "ends with a backslash, which Compose v1 reads only when the value holds nothing but visible ASCII characters other than $ # ' \"",
            )
        };
    }
    if !value.contains('$') {
        let mut out = String::with_capacity(value.len() + 2);
        out.push('"');
        for c in value.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c => out.push(c),
            }
        }
        out.push('"');
        return Ok(out);
    }
    if value.contains("\\\\") || value.contains("\\'") {
        return Err(
            "holds a `$` together with `\\\\` or `\\'`, which Compose v1 and v2 read differently in every quoting",
        );
    }
    Ok(format!("'{}'", value.replace('\'', "\\'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_for_both_compose_grammars() {
        for (value, written) in [
            ("plain", r#""plain""#),
            ("", r#""""#),
            (" spaced # not a comment ", r#"" spaced # not a comment ""#),
            (r#"say "hi" \ it's"#, r#""say \"hi\" \\ it's""#),
            ("two\nlines\r", r#""two\nlines\r""#),
            ("pa$$word 'q' \\d", r"'pa$$word \'q\' \d'"),
            ("$HOME", "'$HOME'"),
            (r"ends\", r"ends\"),
            (r"p@ss!%^&*()[]{}=\", r"p@ss!%^&*()[]{}=\"),
        ] {
            assert_eq!(env_value(value), Ok(written.to_string()), "{value:?}");
        }
    }

    #[test]
    fn values_neither_grammar_keeps_are_refused_without_showing_them() {
        for value in [
            "${HOME}",
            "a${B:-c}d",
            "nul\0",
            "ends with space\\",
            "ends'\\",
            r"$ and \\",
            r"$ and \'",
        ] {
            assert!(env_value(value).is_err(), "{value:?}");
        }
        assert_eq!(env_value("a${b"), Ok("'a${b'".to_string()));
    }
}
