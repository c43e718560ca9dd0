//! Running docker and compose commands: captured output, masked errors.

use std::process::Stdio;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::error::{Error, Result};
use crate::mask::Masker;

/// How many trailing output lines an error message keeps.
const TAIL_LINES: usize = 15;

/// Runs `command` (optionally feeding `stdin`) and returns its standard output; a failure
/// carries the masked tail of its output.
pub async fn run(command: &mut Command, stdin: Option<&str>, masker: &Masker) -> Result<String> {
    let shown = describe(command);
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().map_err(|e| Error::Command {
        command: shown.clone(),
        output: e.to_string(),
    })?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(input.as_bytes())
            .await
            .map_err(|e| Error::Command {
                command: shown.clone(),
                output: e.to_string(),
            })?;
        drop(pipe);
    }
    let out = child.wait_with_output().await.map_err(|e| Error::Command {
        command: shown.clone(),
        output: e.to_string(),
    })?;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    if out.status.success() {
        return Ok(stdout);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let all: Vec<&str> = stderr.lines().chain(stdout.lines()).collect();
    let tail = all[all.len().saturating_sub(TAIL_LINES)..].join("\n");
    Err(Error::Command {
        command: shown,
        output: masker.mask(&format!("{} ({})", tail.trim(), out.status)),
    })
}

/// The command line for messages. Arguments never carry secrets (passwords go through stdin,
/// env values through the 0600 env file), so it is safe to show.
pub fn describe(command: &Command) -> String {
    let std = command.as_std();
    std::iter::once(std.get_program())
        .chain(std.get_args())
        .map(|a| a.to_string_lossy().to_string())
        .collect::<Vec<_>>()
        .join(" ")
}
