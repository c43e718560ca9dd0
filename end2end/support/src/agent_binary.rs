//! The `consign-agent` binary of this build, for the hub's and the end-to-end tests that run a
//! real agent.

use std::path::PathBuf;

/// The `consign-agent` binary of this build, built (or brought up to date) once per test
/// binary: it is another package, so cargo does not build it for the calling crate's tests.
pub fn agent_binary() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            // `cargo xtask test` names the binary its test build already made; building it
            // here again would resolve other features and compile a second set of crates.
            if let Some(built) = std::env::var_os("CONSIGN_TEST_AGENT_BINARY") {
                return PathBuf::from(built);
            }
            let exe = std::env::current_exe().unwrap();
            let profile_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let status = std::process::Command::new(cargo)
                .args(["build", "-p", "consign-agent", "--bin", "consign-agent"])
                .env("CARGO_TARGET_DIR", profile_dir.parent().unwrap())
                .status()
                .unwrap();
            assert!(status.success(), "cannot build consign-agent");
            profile_dir.join("consign-agent")
        })
        .clone()
}
