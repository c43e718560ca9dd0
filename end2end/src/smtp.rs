//! A real, minimal SMTP server for tests, [`SmtpSink`]: it listens on 127.0.0.1:0, accepts every
//! login (`AUTH PLAIN`, `AUTH LOGIN`) and every message, and keeps what it received so a test can
//! wait for a mail and read it. Plain text only (no STARTTLS), which is what `TlsMode::None` speaks.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

mod mime;
pub use mime::{MailPart, first_link};

/// The longest command line accepted (RFC 5321 allows 512 bytes; extensions make it longer).
const MAX_LINE: u64 = 4096;
/// The longest message line read at once (RFC 5321 allows 1,000 bytes).
const MAX_DATA_LINE: u64 = 1024 * 1024;
/// The largest message accepted, also announced with `SIZE`.
const MAX_MESSAGE: usize = 25 * 1024 * 1024;

/// One message as the sink received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`), without angle brackets; empty for the null sender.
    pub from: String,
    /// The envelope recipients (`RCPT TO`), in order.
    pub to: Vec<String>,
    /// The message as transmitted after `DATA` (headers and body), dot-unstuffed, CRLF kept.
    pub data: String,
}

/// One successful login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpLogin {
    /// `PLAIN` or `LOGIN`.
    pub mechanism: String,
    /// The user name given.
    pub username: String,
    /// The password given.
    pub password: String,
}

#[derive(Debug)]
struct Shared {
    mails: watch::Sender<Vec<ReceivedMail>>,
    logins: Mutex<Vec<SmtpLogin>>,
}

/// A running SMTP server; stops when dropped.
#[derive(Debug)]
pub struct SmtpSink {
    address: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    /// Starts a sink on a free port of 127.0.0.1.
    ///
    /// # Panics
    /// When no port can be bound.
    pub async fn start() -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind the SMTP sink");
        let address = listener.local_addr().expect("SMTP sink address");
        let shared = Arc::new(Shared {
            mails: watch::Sender::new(Vec::new()),
            logins: Mutex::new(Vec::new()),
        });
        let task = tokio::spawn(accept(listener, Arc::clone(&shared)));
        Self {
            address,
            shared,
            task,
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.shared.mails.borrow().clone()
    }

    /// Every login accepted so far, oldest first.
    pub fn logins(&self) -> Vec<SmtpLogin> {
        self.shared
            .logins
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The first message whose envelope names `to` (case-insensitively), waiting up to `timeout`.
    ///
    /// # Panics
    /// When none arrives in time; the message lists the recipients that did get mail.
    pub async fn wait_for(&self, to: &str, timeout: Duration) -> ReceivedMail {
        let find = |mails: &[ReceivedMail]| {
            mails
                .iter()
                .find(|m| m.to.iter().any(|r| r.eq_ignore_ascii_case(to)))
                .cloned()
        };
        let mut changes = self.shared.mails.subscribe();
        let waited = tokio::time::timeout(timeout, async {
            loop {
                if let Some(mail) = find(&changes.borrow_and_update()) {
                    return Some(mail);
                }
                if changes.changed().await.is_err() {
                    return None;
                }
            }
        })
        .await;
        match waited {
            Ok(Some(mail)) => mail,
            _ => {
                let seen: Vec<Vec<String>> = self.messages().into_iter().map(|m| m.to).collect();
                panic!("no mail to {to} within {timeout:?}; mail went to {seen:?}")
            }
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every open session.
        self.task.abort();
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let (read, write) = stream.into_split();
                    // A session that ends in an I/O error was cut by the client; nothing to keep.
                    sessions.spawn(session(BufReader::new(read), write, Arc::clone(&shared)));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

/// Where a session stands: greeted or not, logged in or not, and the envelope being built.
#[derive(Default)]
struct Session {
    greeted: bool,
    logged_in: bool,
    from: Option<String>,
    to: Vec<String>,
}

async fn session<R: AsyncRead + Unpin>(
    mut reader: BufReader<R>,
    mut writer: OwnedWriteHalf,
    shared: Arc<Shared>,
) -> io::Result<()> {
    let w = &mut writer;
    reply(w, "220 consign-sink ESMTP ready").await?;
    let mut state = Session::default();
    while let Some(line) = read_line(&mut reader).await? {
        let (verb, arg) = match line.split_once(' ') {
            Some((verb, arg)) => (verb.to_ascii_uppercase(), arg.trim()),
            None => (line.to_ascii_uppercase(), ""),
        };
        match verb.as_str() {
            "EHLO" | "HELO" if arg.is_empty() => reply(w, "501 5.5.4 Say who you are").await?,
            "EHLO" => {
                state = Session {
                    greeted: true,
                    logged_in: state.logged_in,
                    ..Session::default()
                };
                let lines = format!(
                    "250-consign-sink greets {arg}\r\n250-8BITMIME\r\n250-SIZE {MAX_MESSAGE}\r\n\
                     250 AUTH PLAIN LOGIN"
                );
                reply(w, &lines).await?;
            }
            "HELO" => {
                state.greeted = true;
                state.from = None;
                state.to.clear();
                reply(w, "250 consign-sink").await?;
            }
            "AUTH" if !state.greeted => reply(w, "503 5.5.1 Say EHLO first").await?,
            "AUTH" if state.logged_in => reply(w, "503 5.5.1 Already logged in").await?,
            "AUTH" => match authenticate(&mut reader, w, arg).await? {
                Some(login) => {
                    state.logged_in = true;
                    shared
                        .logins
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(login);
                    reply(w, "235 2.7.0 Authentication successful").await?;
                }
                None => reply(w, "501 5.5.2 Cannot decode the login").await?,
            },
            "MAIL" if !state.greeted => reply(w, "503 5.5.1 Say EHLO or HELO first").await?,
            "MAIL" if state.from.is_some() => reply(w, "503 5.5.1 Nested MAIL").await?,
            "MAIL" => match path(arg, "FROM:") {
                Some(from) => {
                    state.from = Some(from);
                    reply(w, "250 2.1.0 Ok").await?;
                }
                None => reply(w, "501 5.5.4 Write MAIL FROM:<address>").await?,
            },
            "RCPT" if state.from.is_none() => reply(w, "503 5.5.1 Need MAIL first").await?,
            "RCPT" => match path(arg, "TO:").filter(|to| !to.is_empty()) {
                Some(to) => {
                    state.to.push(to);
                    reply(w, "250 2.1.5 Ok").await?;
                }
                None => reply(w, "501 5.5.4 Write RCPT TO:<address>").await?,
            },
            "DATA" if state.to.is_empty() => reply(w, "503 5.5.1 Need RCPT first").await?,
            "DATA" => {
                reply(w, "354 End data with <CR><LF>.<CR><LF>").await?;
                let Some(data) = read_data(&mut reader).await? else {
                    return Ok(());
                };
                if data.len() > MAX_MESSAGE {
                    reply(w, "552 5.3.4 Message too big").await?;
                } else {
                    let mail = ReceivedMail {
                        from: state.from.take().unwrap_or_default(),
                        to: std::mem::take(&mut state.to),
                        data,
                    };
                    shared.mails.send_modify(|mails| mails.push(mail));
                    reply(w, "250 2.0.0 Ok: queued").await?;
                }
                state.from = None;
                state.to.clear();
            }
            "RSET" => {
                state.from = None;
                state.to.clear();
                reply(w, "250 2.0.0 Ok").await?;
            }
            "NOOP" => reply(w, "250 2.0.0 Ok").await?,
            "QUIT" => {
                reply(w, "221 2.0.0 Bye").await?;
                return Ok(());
            }
            _ => reply(w, "502 5.5.2 Command not implemented").await?,
        }
    }
    Ok(())
}

/// Runs `AUTH PLAIN` or `AUTH LOGIN` (with or without an initial response); `None` when the
/// client sent something that does not decode, or cancelled with `*`.
async fn authenticate<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    w: &mut OwnedWriteHalf,
    arg: &str,
) -> io::Result<Option<SmtpLogin>> {
    let (mechanism, initial) = match arg.split_once(' ') {
        Some((mechanism, initial)) => (mechanism.to_ascii_uppercase(), Some(initial.trim())),
        None => (arg.to_ascii_uppercase(), None),
    };
    let mut answer = async |challenge: &str, given: Option<&str>| -> io::Result<Option<String>> {
        let line = match given {
            Some(given) => given.to_string(),
            None => {
                reply(w, &format!("334 {challenge}")).await?;
                read_line(reader).await?.unwrap_or_default()
            }
        };
        Ok(decode_base64(&line))
    };
    let login = match mechanism.as_str() {
        "PLAIN" => answer("", initial).await?.and_then(|plain| {
            // authorization identity NUL user NUL password
            let mut fields = plain.split('\0');
            let (_, username, password) = (fields.next()?, fields.next()?, fields.next()?);
            Some((username.to_string(), password.to_string()))
        }),
        "LOGIN" => match answer("VXNlcm5hbWU6", initial).await? {
            Some(username) => answer("UGFzc3dvcmQ6", None)
                .await?
                .map(|password| (username, password)),
            None => None,
        },
        _ => None,
    };
    Ok(login.map(|(username, password)| SmtpLogin {
        mechanism,
        username,
        password,
    }))
}

fn decode_base64(line: &str) -> Option<String> {
    let bytes = BASE64.decode(line.trim()).ok()?;
    String::from_utf8(bytes).ok()
}

/// The address in `FROM:<a@b.c> BODY=8BITMIME` (after `keyword`), without brackets.
fn path(arg: &str, keyword: &str) -> Option<String> {
    if !arg.get(..keyword.len())?.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg[keyword.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_string())
}

async fn reply(w: &mut OwnedWriteHalf, text: &str) -> io::Result<()> {
    // One write per reply: two small writes would wait on the client's delayed ACK.
    w.write_all(format!("{text}\r\n").as_bytes()).await?;
    w.flush().await
}

/// One command line without its line ending; `None` at the end of the stream.
async fn read_line<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    if (&mut *reader)
        .take(MAX_LINE)
        .read_until(b'\n', &mut line)
        .await?
        == 0
    {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&line);
    Ok(Some(text.trim_end_matches(['\r', '\n']).to_string()))
}

/// The lines after `DATA` up to the lone dot, dot-unstuffed; `None` if the stream ends first.
async fn read_data<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> io::Result<Option<String>> {
    let mut data = Vec::new();
    loop {
        let mut line = Vec::new();
        if (&mut *reader)
            .take(MAX_DATA_LINE)
            .read_until(b'\n', &mut line)
            .await?
            == 0
        {
            return Ok(None);
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(Some(String::from_utf8_lossy(&data).into_owned()));
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        // Past the limit, keep reading to the end (to answer 552) but stop storing.
        if data.len() <= MAX_MESSAGE {
            data.extend_from_slice(unstuffed);
        }
    }
}
