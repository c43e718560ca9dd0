//! Waiting for a started hub to answer `/readyz`, so `cargo xtask run` prints the address only
//! once it works. Plain HTTP/1.0 over a socket: the hub is on this machine and answers a single
//! short request, which needs no client library.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::Child;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// How long a hub may take from its start to being ready (migrations on a large database).
const LIMIT: Duration = Duration::from_secs(300);

/// The address a browser on this machine opens for a hub listening on `listen`: a wildcard
/// listen address is reached through loopback.
pub fn browser_url(listen: &str) -> String {
    let local = listen
        .replace("0.0.0.0:", "127.0.0.1:")
        .replace("[::]:", "[::1]:");
    format!("http://{local}/")
}

/// Polls `GET /readyz` until it answers 200, failing early when the hub process exits.
pub fn wait(listen: &str, hub: &mut Child) -> Result<()> {
    let url = browser_url(listen);
    let host = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let started = Instant::now();
    loop {
        if let Some(status) = hub.try_wait().context("cannot watch consign-server")? {
            bail!("consign-server stopped before it was ready ({status}); its messages are above");
        }
        if answers_ready(&host) {
            return Ok(());
        }
        if started.elapsed() > LIMIT {
            bail!("the hub did not answer {url}readyz within {LIMIT:?}; its messages are above");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn answers_ready(host: &str) -> bool {
    let Some(addr) = host.to_socket_addrs().ok().and_then(|mut a| a.next()) else {
        return false;
    };
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET /readyz HTTP/1.0\r\nHost: {host}\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < head.len() {
        match stream.read(&mut head[read..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
    }
    is_ok_status(&head[..read])
}

/// Whether an HTTP response starts with a 200 status line.
fn is_ok_status(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let mut parts = text.split_whitespace();
    parts.next().is_some_and(|v| v.starts_with("HTTP/")) && parts.next() == Some("200")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_listen_address_is_opened_through_loopback() {
        assert_eq!(browser_url("0.0.0.0:8080"), "http://127.0.0.1:8080/");
        assert_eq!(browser_url("[::]:9000"), "http://[::1]:9000/");
        assert_eq!(browser_url("127.0.0.1:8080"), "http://127.0.0.1:8080/");
    }

    #[test]
    fn only_a_200_status_line_means_ready() {
        assert!(is_ok_status(b"HTTP/1.1 200 OK\r\n"));
        assert!(!is_ok_status(b"HTTP/1.1 503 Servi"));
        assert!(!is_ok_status(b""));
        assert!(!is_ok_status(b"garbage 200"));
    }

    #[test]
    fn waiting_stops_when_the_hub_exits_early() {
        let mut child = std::process::Command::new("false").spawn().unwrap();
        // An unused port on loopback: nothing answers, and the process has exited.
        let err = wait("127.0.0.1:9", &mut child).unwrap_err().to_string();
        assert!(err.contains("stopped before it was ready"), "{err}");
    }
}
