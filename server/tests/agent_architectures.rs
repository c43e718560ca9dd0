//! The install script fetches the agent built for its host's architecture (`uname -m`): the
//! hub serves `consign-agent-<arch>` from its agent folder, accepts Debian's names too, and
//! answers an architecture it has no agent for with a sentence the script prints.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use consign_server::testing::TestHub;

/// A stand-in agent: a script that says which architecture it was built for.
fn fake_agent(path: &Path, arch: &str) {
    std::fs::write(path, format!("#!/bin/sh\necho \"agent for {arch}: $*\"\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A hub whose agent folder holds agents for `arches`; the configured single binary does not
/// exist, so nothing next to the test binary is served instead.
async fn hub_with_agents(dir: &Path, arches: &[&str]) -> TestHub {
    let agents = dir.join("agents");
    std::fs::create_dir_all(&agents).unwrap();
    for arch in arches {
        fake_agent(&agents.join(format!("consign-agent-{arch}")), arch);
    }
    let missing = dir.join("no-such-agent");
    TestHub::start_with(move |s| {
        s.agent_dir = Some(agents);
        s.agent_binary = Some(missing);
    })
    .await
}

/// Runs the hub's install script on a host whose `uname -m` says `machine`, with a stand-in
/// `docker`, in the foreground (the script then executes the agent it installed).
async fn install_on(hub: &TestHub, dir: &Path, machine: &str) -> std::process::Output {
    let script = reqwest::get(hub.url("/agent/install.sh"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let host = dir.join(format!("host-{machine}"));
    let fake_bin = host.join("fake-bin");
    std::fs::create_dir_all(&fake_bin).unwrap();
    for (tool, body) in [
        (
            "uname",
            format!("case \"$1\" in -m) echo {machine};; *) echo Linux;; esac"),
        ),
        ("docker", "exit 0".to_string()),
    ] {
        let path = fake_bin.join(tool);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = std::env::var("PATH").unwrap_or_default();
    // tokio's Command: the hub answering the script's curl runs on this test's runtime.
    tokio::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .env("PATH", format!("{}:{path}", fake_bin.display()))
        .env(
            "CONSIGN_TARGET_ID",
            types::DeploymentTargetId::new().to_string(),
        )
        .env("CONSIGN_ENROLMENT_SECRET", "not-a-real-secret")
        .env("CONSIGN_INSTALL_DIR", host.join("bin"))
        .env("CONSIGN_AGENT_STATE_DIR", host.join("state"))
        .env("CONSIGN_FOREGROUND", "1")
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_install_script_installs_the_agent_for_its_hosts_architecture() {
    let dir = tempfile::tempdir().unwrap();
    let hub = hub_with_agents(dir.path(), &["x86_64", "aarch64"]).await;
    for (machine, built_for) in [("x86_64", "x86_64"), ("aarch64", "aarch64")] {
        let out = install_on(&hub, dir.path(), machine).await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{machine}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            stdout.trim(),
            format!("agent for {built_for}: run"),
            "{machine}"
        );
    }
    // Debian's and Docker's names for the same architectures.
    for (name, built_for) in [("amd64", "x86_64"), ("arm64", "aarch64")] {
        let served = reqwest::get(hub.url(&format!("/agent/consign-agent?arch={name}")))
            .await
            .unwrap();
        assert_eq!(served.status(), 200, "{name}");
        assert!(
            served
                .text()
                .await
                .unwrap()
                .contains(&format!("agent for {built_for}")),
            "{name}"
        );
    }
    hub.stop().await;
}

#[tokio::test]
async fn an_architecture_without_an_agent_gets_a_clear_message_and_nothing_installed() {
    let dir = tempfile::tempdir().unwrap();
    let hub = hub_with_agents(dir.path(), &["x86_64"]).await;

    // No agent exists for this architecture at all.
    let out = install_on(&hub, dir.path(), "riscv64").await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("HTTP 404"), "{stderr}");
    assert!(
        stderr.contains("no Consign agent for the architecture \"riscv64\"")
            && stderr.contains("x86_64 and aarch64 Linux"),
        "{stderr}"
    );
    assert!(!dir.path().join("host-riscv64/bin/consign-agent").exists());

    // One exists, but this hub was not given it: the message says where it looked.
    let out = install_on(&hub, dir.path(), "aarch64").await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("no agent binary for aarch64 Linux")
            && stderr.contains("consign-agent-aarch64")
            && stderr.contains("CONSIGN_AGENT_DIR"),
        "{stderr}"
    );
    assert!(!dir.path().join("host-aarch64/bin/consign-agent").exists());

    // Text from the query string never comes back as anything but a short, quoted word.
    let odd = reqwest::get(hub.url("/agent/consign-agent?arch=%3Cscript%3E%0Aalert(1)%20and%20much%20more%20text%20than%20an%20architecture%20name"))
        .await
        .unwrap();
    assert_eq!(odd.status(), 404);
    let text = odd.text().await.unwrap();
    assert_eq!(text.trim_end().lines().count(), 1, "{text:?}");
    assert!(text.len() < 200, "{text:?}");
    hub.stop().await;
}
