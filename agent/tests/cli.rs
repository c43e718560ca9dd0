//! The agent binary refuses to start without its settings, and says which one is missing.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::process::Command;

fn agent() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_consign-agent"));
    for var in [
        "CONSIGN_HUB_URL",
        "CONSIGN_AGENT_TOKEN",
        "CONSIGN_AGENT_TOKEN_FILE",
        "CONSIGN_AGENT_STATE_DIR",
        "CONSIGN_TARGET_ID",
        "CONSIGN_ENROLMENT_SECRET",
        "CONSIGN_ENROLMENT_SECRET_FILE",
    ] {
        c.env_remove(var);
    }
    c
}

#[test]
fn without_a_hub_url_it_exits_2_naming_the_setting() {
    let out = agent().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("hub URL is missing") && stderr.contains("CONSIGN_HUB_URL"),
        "{stderr}"
    );
}

#[test]
fn without_a_credential_it_exits_2_naming_the_setting() {
    let out = agent()
        .args(["--hub-url", "https://hub.example.com"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("credential is missing"), "{stderr}");
}

#[test]
fn with_both_it_accepts_them_and_never_prints_the_credential() {
    let out = agent()
        .args(["check", "--hub-url", "https://hub.example.com"])
        .env("CONSIGN_AGENT_TOKEN", "very-secret-value")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("wss://hub.example.com/api/v1/agent/ws"),
        "{all}"
    );
    assert!(!all.contains("very-secret-value"));
}

#[test]
fn help_lists_every_setting() {
    let out = agent().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--hub-url",
        "--token-file",
        "--state-dir",
        "--target-id",
        "--enrolment-secret-file",
        "--heartbeat-secs",
        "--backoff-cap-secs",
        "CONSIGN_HUB_URL",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}
