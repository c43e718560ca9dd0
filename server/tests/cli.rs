//! `consign-server --help` lists every setting: each environment variable and TOML key of the
//! README's settings table, and each setting the loader declares. The binary starts with an
//! agent's variables around it, and stops on a bad value, naming its variable.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn help() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_consign-server"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The backticked words of the first two columns of the README's `## Settings` table.
fn readme_settings() -> Vec<String> {
    let readme = include_str!("../../README.md");
    let section = readme.split("\n## Settings\n").nth(1).unwrap();
    let section = section.split("\n## ").next().unwrap();
    let mut names = Vec::new();
    for row in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.split('|').collect();
        for cell in &cells[1..3] {
            for (i, word) in cell.split('`').enumerate() {
                // Odd pieces are inside backticks; `_SECRET_ACCESS_KEY` abbreviates a name the
                // cell spells out in full before it.
                if i % 2 == 1 && !word.starts_with('_') {
                    names.push(word.to_string());
                }
            }
        }
    }
    names
}

#[test]
fn help_lists_every_setting_of_the_readme() {
    let help = help();
    let names = readme_settings();
    assert!(
        names.len() > 40,
        "the README's table was not found: {names:?}"
    );
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !help.contains(n.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "--help does not name {missing:?}:\n{help}"
    );
}

#[test]
fn help_lists_every_setting_the_hub_reads() {
    let help = help();
    let settings = consign_server::settings::SETTINGS;
    assert!(settings.len() > 25, "{settings:?}");
    let missing: Vec<String> = settings
        .iter()
        .flat_map(|s| [s.variable(), s.key.to_string()])
        .filter(|name| !help.contains(name.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "--help does not name {missing:?}:\n{help}"
    );
    for also in ["DATABASE_URL", "CONSIGN_CONFIG", "--config"] {
        assert!(help.contains(also), "--help does not name {also}:\n{help}");
    }
}

/// The hub binary with `env` on top of a clean environment and a data folder of its own.
fn hub(data: &Path, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_consign-server"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("CONSIGN_LISTEN", "127.0.0.1:0")
        .env("CONSIGN_DATA_DIR", data.join("data"))
        .env("CONSIGN_SITE_ROOT", data.join("site"))
        .env("CONSIGN_LOG", "info")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

#[test]
fn an_agents_variables_in_the_environment_do_not_stop_the_hub() {
    let data = tempfile::tempdir().unwrap();
    let mut child = hub(
        data.path(),
        &[
            ("CONSIGN_TARGET_ID", "0b7e3c52-4f0f-4d8e-9a55-3c8f1f0f9a11"),
            ("CONSIGN_ENROLMENT_SECRET", "consign_enrol_0123"),
            ("CONSIGN_HUB_URL", "http://127.0.0.1:8080"),
            ("CONSIGN_AGENT_STATE_DIR", "/var/lib/consign-agent"),
        ],
    )
    .spawn()
    .unwrap();
    // The log goes to standard output; read it until the hub listens (or gives up).
    let stdout = child.stdout.take().unwrap();
    let (lines, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut log = Vec::new();
    while !log.iter().any(|l: &String| l.contains("hub listening")) {
        let left = deadline.saturating_duration_since(Instant::now());
        match seen.recv_timeout(left) {
            Ok(line) => log.push(line),
            Err(_) => break,
        }
    }
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let log = log.join("\n");
    assert!(
        log.contains("hub listening"),
        "the hub did not start:\n{log}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for variable in [
        "CONSIGN_TARGET_ID",
        "CONSIGN_ENROLMENT_SECRET",
        "CONSIGN_HUB_URL",
    ] {
        assert!(
            log.lines()
                .any(|l| l.contains("WARN") && l.contains(variable)),
            "no warning names {variable}:\n{log}"
        );
    }
}

#[test]
fn a_bad_value_stops_the_hub_with_a_message_naming_its_variable() {
    let data = tempfile::tempdir().unwrap();
    for (variable, value) in [
        ("CONSIGN_INVITATION_TTL_HOURS", "three days"),
        ("CONSIGN_LOG_FORMAT", "xml"),
        ("CONSIGN_ALLOW_SIGNUP", "perhaps"),
    ] {
        let out = hub(data.path(), &[(variable, value)]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{variable}={value} was taken");
        assert!(
            stderr.contains(variable) && stderr.contains(value),
            "{variable}: {stderr}"
        );
    }
}
