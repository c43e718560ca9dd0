//! The hub's mail goes out over real SMTP: rendered templates sent by `SmtpMailer` arrive in a
//! real SMTP server (`SmtpSink`) intact, branded, escaped and with their link.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use consign_end2end::smtp::{ReceivedMail, SmtpLogin, SmtpSink, first_link};
use secrecy::SecretString;
use service::Error;
use service::mail::templates::{self, Branding, EmailLink};
use service::mail::{MailSettings, Mailer, Sender, SmtpMailer, TlsMode};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use types::Email;

const WAIT: Duration = Duration::from_secs(10);

fn settings(port: u16) -> MailSettings {
    MailSettings {
        host: "127.0.0.1".into(),
        port,
        tls: TlsMode::None,
        username: None,
        password: None,
        from: Sender::parse("Acme Downloads <hub@example.com>").unwrap(),
    }
}

fn branding() -> Branding {
    Branding::new(
        "Acme Downloads",
        "#1D4ED8",
        Some("https://cdn.example.com/acme/logo.png"),
    )
    .unwrap()
}

/// Long enough that the encoder has to wrap its line, with `=` and `&` in it.
fn invitation_link() -> EmailLink {
    EmailLink::parse(&format!(
        "https://hub.example.com/portal/invitations/accept?token={}&organization=42",
        "7f3a9c".repeat(10)
    ))
    .unwrap()
}

fn crlf_to_lf(text: &str) -> String {
    text.replace("\r\n", "\n")
}

#[tokio::test]
async fn an_invitation_arrives_with_its_subject_link_colour_and_escaped_names() {
    let sink = SmtpSink::start().await;
    let mailer = SmtpMailer::new(&settings(sink.port())).unwrap();
    let link = invitation_link();
    let rendered = templates::invitation(
        &branding(),
        "Ada Vendor",
        "<script>alert(1)</script>",
        &link,
        72,
    );

    mailer
        .send(
            rendered
                .clone()
                .addressed_to(Email::parse("carol@example.com").unwrap()),
        )
        .await
        .unwrap();
    let mail = sink.wait_for("carol@example.com", WAIT).await;

    assert_eq!(mail.to, ["carol@example.com"]);
    assert_eq!(mail.from, "hub@example.com");
    assert_eq!(mail.subject().unwrap(), rendered.subject);
    let from = mail.header("from").unwrap();
    assert!(
        from.contains("Acme Downloads") && from.ends_with("<hub@example.com>"),
        "{from}"
    );
    assert_eq!(mail.first_link().unwrap(), link.as_str());
    assert_eq!(
        crlf_to_lf(&mail.text().unwrap()).trim_end(),
        rendered.text.trim_end()
    );

    let html = mail.html().unwrap();
    assert_eq!(crlf_to_lf(&html).trim_end(), rendered.html.trim_end());
    assert!(html.contains("background-color:#1d4ed8"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains(r#"<img src="https://cdn.example.com/acme/logo.png""#));
}

#[tokio::test]
async fn with_credentials_the_mailer_logs_in_once_and_reuses_its_connection() {
    let sink = SmtpSink::start().await;
    let mailer = SmtpMailer::new(&MailSettings {
        username: Some("hub-mailer".into()),
        password: Some(SecretString::from("correct horse battery")),
        ..settings(sink.port())
    })
    .unwrap();
    mailer.check_connection().await.unwrap();

    for to in ["dan@example.com", "erin@example.com"] {
        let link = EmailLink::parse(&format!("https://hub.example.com/verify?for={to}")).unwrap();
        let mail = templates::verify_email(&branding(), &link);
        mailer
            .send(mail.addressed_to(Email::parse(to).unwrap()))
            .await
            .unwrap();
        let received = sink.wait_for(to, WAIT).await;
        assert_eq!(
            received.first_link().unwrap(),
            format!("https://hub.example.com/verify?for={to}")
        );
    }

    assert_eq!(sink.messages().len(), 2);
    let logins = sink.logins();
    assert!(!logins.is_empty());
    assert!(
        logins.iter().all(|login| *login
            == SmtpLogin {
                mechanism: "PLAIN".into(),
                username: "hub-mailer".into(),
                password: "correct horse battery".into(),
            }),
        "{logins:?}"
    );
    // One connection for the check, one pooled connection for both mails.
    assert!(logins.len() <= 2, "{logins:?}");
}

#[tokio::test]
async fn sending_where_nothing_listens_is_a_mail_error_naming_the_server() {
    let port = {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        listener.local_addr().unwrap().port()
    };
    let mailer = SmtpMailer::new(&settings(port)).unwrap();
    let mail = templates::password_reset(
        &branding(),
        &EmailLink::parse("https://hub.example.com/reset?token=abc").unwrap(),
        30,
    );

    let err = mailer
        .send(mail.addressed_to(Email::parse("frank@example.com").unwrap()))
        .await
        .unwrap_err();
    let Error::Mail { what, source } = &err else {
        panic!("expected a mail error, got {err:?}");
    };
    assert!(what.contains(&format!("127.0.0.1:{port}")), "{what}");
    assert!(source.is_some(), "the SMTP client's error is kept: {err:?}");

    let err = mailer.check_connection().await.unwrap_err();
    assert!(matches!(err, Error::Mail { .. }), "{err:?}");
}

/// A client that speaks SMTP line by line, for testing the sink itself.
struct Client {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Client {
    async fn connect(sink: &SmtpSink) -> Self {
        let (read, writer) = TcpStream::connect(sink.address())
            .await
            .unwrap()
            .into_split();
        let mut client = Self {
            reader: BufReader::new(read),
            writer,
        };
        assert!(client.reply().await.starts_with("220 "));
        client
    }

    /// The whole reply (every line of a multi-line one).
    async fn reply(&mut self) -> String {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).await.unwrap();
            assert!(line.len() >= 4, "short reply line {line:?}");
            reply.push_str(&line);
            if line.as_bytes()[3] == b' ' {
                return reply;
            }
        }
    }

    async fn send(&mut self, line: &str) -> String {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .unwrap();
        self.reply().await
    }

    /// Sends `line` and checks that the reply starts with `code`.
    async fn expect(&mut self, line: &str, code: &str) {
        let reply = self.send(line).await;
        assert!(
            reply.starts_with(code),
            "{line:?} got {reply:?}, expected {code}"
        );
    }
}

#[tokio::test]
async fn the_sink_speaks_smtp_to_a_plain_client() {
    let sink = SmtpSink::start().await;
    let mut client = Client::connect(&sink).await;

    client.expect("MAIL FROM:<a@example.com>", "503").await;
    let ehlo = client.send("EHLO client.example.com").await;
    assert!(ehlo.contains("AUTH PLAIN LOGIN"), "{ehlo}");
    client.expect("AUTH LOGIN", "334 VXNlcm5hbWU6").await;
    client.expect("dXNlcg==", "334 UGFzc3dvcmQ6").await;
    client.expect("c2VjcmV0", "235").await;

    client.expect("RCPT TO:<b@example.com>", "503").await;
    client
        .expect("MAIL FROM:<a@example.com> BODY=8BITMIME", "250")
        .await;
    client.expect("RCPT TO:<b@example.com>", "250").await;
    client.expect("RSET", "250").await;
    client.expect("DATA", "503").await;

    client.expect("MAIL FROM:<a@example.com>", "250").await;
    client.expect("RCPT TO:<b@example.com>", "250").await;
    client.expect("rcpt to: <c@example.com>", "250").await;
    client.expect("NOOP", "250").await;
    client.expect("DATA", "354").await;
    let sent =
        "Subject: first\r\n\r\n..a line that began with a dot\r\nsee http://x.example/a.\r\n.\r\n";
    client.writer.write_all(sent.as_bytes()).await.unwrap();
    assert!(client.reply().await.starts_with("250"));

    // A second message on the same connection, and a second connection meanwhile.
    let mut other = Client::connect(&sink).await;
    other.expect("HELO other.example.com", "250").await;
    other.expect("AUTH PLAIN AHUyAHB3Mg==", "235").await;
    other.expect("MAIL FROM:<>", "250").await;
    other.expect("RCPT TO:<d@example.com>", "250").await;
    other.expect("DATA", "354").await;
    other
        .writer
        .write_all(b"Subject: other\r\n\r\nhi\r\n.\r\n")
        .await
        .unwrap();
    assert!(other.reply().await.starts_with("250"));
    other.expect("QUIT", "221").await;

    client.expect("MAIL FROM:<a@example.com>", "250").await;
    client.expect("RCPT TO:<e@example.com>", "250").await;
    client.expect("DATA", "354").await;
    client
        .writer
        .write_all(b"Subject: second\r\n\r\n.\r\n")
        .await
        .unwrap();
    assert!(client.reply().await.starts_with("250"));
    client.expect("STARTTLS", "502").await;
    client.expect("QUIT", "221").await;

    let first = sink.wait_for("c@example.com", WAIT).await;
    assert_eq!(first.from, "a@example.com");
    assert_eq!(first.to, ["b@example.com", "c@example.com"]);
    assert_eq!(
        first.data,
        "Subject: first\r\n\r\n.a line that began with a dot\r\nsee http://x.example/a.\r\n"
    );
    assert_eq!(first.subject().as_deref(), Some("first"));
    assert_eq!(first.first_link().as_deref(), Some("http://x.example/a"));
    assert_eq!(sink.wait_for("d@example.com", WAIT).await.from, "");
    assert_eq!(
        sink.wait_for("E@Example.com", WAIT)
            .await
            .subject()
            .as_deref(),
        Some("second")
    );
    assert_eq!(sink.messages().len(), 3);
    assert_eq!(
        sink.logins(),
        [
            SmtpLogin {
                mechanism: "LOGIN".into(),
                username: "user".into(),
                password: "secret".into(),
            },
            SmtpLogin {
                mechanism: "PLAIN".into(),
                username: "u2".into(),
                password: "pw2".into(),
            },
        ]
    );
}

#[test]
fn a_link_split_by_quoted_printable_soft_breaks_is_found_whole() {
    let mail = ReceivedMail {
        from: String::new(),
        to: Vec::new(),
        data: "Content-Type: text/plain; charset=utf-8\r\n\
               Content-Transfer-Encoding: quoted-printable\r\n\r\n\
               Open https://hub.example.com/accept?token=3Dabc=\r\ndef&org=3D7 =E2=9C=93\r\n"
            .into(),
    };
    assert_eq!(
        mail.text().unwrap().trim_end(),
        "Open https://hub.example.com/accept?token=abcdef&org=7 ✓"
    );
    assert_eq!(
        mail.first_link().as_deref(),
        Some("https://hub.example.com/accept?token=abcdef&org=7")
    );
    assert_eq!(
        first_link("Open <https://a.example/x?y=1>, then http://b.example"),
        Some("https://a.example/x?y=1".to_string())
    );
    assert_eq!(first_link("no link here"), None);
}
