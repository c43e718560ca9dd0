//! Following a container's output with `docker logs --follow --timestamps`, in masked batches.

use std::process::Stdio;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc;
use types::protocol::{AgentMessage, LogBatch, LogLine, LogStream};

use super::{LogTarget, RunningContainer};

/// A batch is sent when it has this many lines…
const BATCH_LINES: usize = 200;
/// …or when its oldest line waited this long.
const BATCH_DELAY: Duration = Duration::from_millis(500);

/// Follows one container until its output ends (it stopped or was removed).
pub async fn follow(container: RunningContainer, since: Option<DateTime<Utc>>, target: LogTarget) {
    let mut command = Command::new("docker");
    command.args(["logs", "--follow", "--timestamps"]);
    match since {
        Some(at) => command.args(["--since", &at.to_rfc3339()]),
        None => command.args(["--tail", "0"]),
    };
    command
        .arg(&container.id)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    tracing::debug!(container = %container.id, since = ?since, "following logs");
    let Ok(mut child) = command.spawn() else {
        tracing::warn!(container = %container.id, "cannot start docker logs");
        return;
    };
    let (tx, mut rx) = mpsc::channel::<LogLine>(1024);
    if let Some(out) = child.stdout.take() {
        tokio::spawn(read_lines(
            out,
            LogStream::Stdout,
            container.service.clone(),
            tx.clone(),
        ));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(read_lines(
            err,
            LogStream::Stderr,
            container.service.clone(),
            tx.clone(),
        ));
    }
    drop(tx);
    let mut batch: Vec<LogLine> = Vec::new();
    loop {
        let next = if batch.is_empty() {
            rx.recv().await
        } else {
            match tokio::time::timeout(BATCH_DELAY, rx.recv()).await {
                Ok(line) => line,
                Err(_) => {
                    send(&target, &mut batch);
                    continue;
                }
            }
        };
        match next {
            Some(mut line) => {
                line.line = target.masker.mask(&line.line);
                batch.push(line);
                if batch.len() >= BATCH_LINES {
                    send(&target, &mut batch);
                }
            }
            None => break,
        }
    }
    send(&target, &mut batch);
    let _ = child.wait().await;
}

fn send(target: &LogTarget, batch: &mut Vec<LogLine>) {
    if batch.is_empty() {
        return;
    }
    target.outbox.push(AgentMessage::Logs(LogBatch {
        deployment_id: target.deployment_id,
        revision_id: target.revision_id,
        lines: std::mem::take(batch),
    }));
}

async fn read_lines(
    pipe: impl tokio::io::AsyncRead + Unpin,
    stream: LogStream,
    service: String,
    tx: mpsc::Sender<LogLine>,
) {
    let mut lines = BufReader::new(pipe).lines();
    while let Ok(Some(raw)) = lines.next_line().await {
        if tx.send(parse_line(&raw, stream, &service)).await.is_err() {
            break;
        }
    }
}

/// Splits Docker's `2026-11-26T12:00:00.123456789Z text` into time and text.
pub fn parse_line(raw: &str, stream: LogStream, service: &str) -> LogLine {
    let (at, line) = raw
        .split_once(' ')
        .and_then(|(ts, rest)| Some((DateTime::parse_from_rfc3339(ts).ok()?, rest)))
        .map_or_else(
            || (Utc::now(), raw),
            |(ts, rest)| (ts.with_timezone(&Utc), rest),
        );
    LogLine {
        service: service.to_string(),
        stream,
        at,
        line: line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_timestamps_are_split_from_the_text() {
        let l = parse_line(
            "2026-11-26T12:00:01.5Z hello world",
            LogStream::Stdout,
            "web",
        );
        assert_eq!(l.line, "hello world");
        assert_eq!(l.at.to_rfc3339(), "2026-11-26T12:00:01.500+00:00");
        let l = parse_line("no timestamp here", LogStream::Stderr, "web");
        assert_eq!(l.line, "no timestamp here");
    }
}
