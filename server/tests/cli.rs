//! `consign-server --help` lists every setting: each environment variable and TOML key of the
//! README's settings table, and each variable the settings loader accepts.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::process::Command;

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
fn help_lists_every_variable_the_hub_accepts() {
    let help = help();
    // The loader's code only: its unit tests also spell misspelt names.
    let loader = include_str!("../src/settings.rs")
        .split("#[cfg(test)]")
        .next()
        .unwrap();
    let accepted: Vec<&str> = loader
        .split('"')
        .filter(|w| {
            w.starts_with("CONSIGN_")
                && w.len() > "CONSIGN_".len()
                && w.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
        .filter(|w| !matches!(*w, "CONSIGN_CONFIG" | "CONSIGN_HUB_URL"))
        .filter(|w| !w.starts_with("CONSIGN_TEST_") && !w.ends_with('_'))
        .collect();
    assert!(accepted.contains(&"CONSIGN_AGENT_BINARY"), "{accepted:?}");
    let missing: Vec<&&str> = accepted.iter().filter(|v| !help.contains(**v)).collect();
    assert!(
        missing.is_empty(),
        "--help does not name {missing:?}:\n{help}"
    );
}
