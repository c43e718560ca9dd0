//! Sending the hub's emails: the [`Mailer`] trait (the mail server is an outside system), the
//! SMTP implementation [`SmtpMailer`], its [`settings`] and the branded [`templates`].

pub mod settings;
pub mod templates;

use std::fmt;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use types::Email;

use crate::Error;
pub use settings::{MailSettings, Sender, TlsMode};

/// How long one connection attempt or one SMTP exchange may take before the send fails.
const TIMEOUT: Duration = Duration::from_secs(10);

/// One email to send: a plain-text part and an HTML part of the same content.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// The single recipient.
    pub to: Email,
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

impl fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A security choice: bodies carry one-time links (invitations, password resets), so a
        // debug log shows only their size.
        f.debug_struct("OutgoingMail")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field("text_len", &self.text.len())
            .field("html_len", &self.html.len())
            .finish()
    }
}

/// Something that delivers mail. The hub uses [`SmtpMailer`].
#[async_trait::async_trait]
pub trait Mailer: fmt::Debug + Send + Sync {
    /// Delivers `message`, or fails with [`Error::Mail`] saying why.
    async fn send(&self, message: OutgoingMail) -> Result<(), Error>;
}

/// Sends through an SMTP server, keeping a small pool of connections open between mails.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
    port: u16,
}

impl SmtpMailer {
    /// Prepares a mailer from `settings`; connects only when the first mail is sent. Must run
    /// inside a tokio runtime (the connection pool starts a clean-up task). Fails with
    /// [`Error::Mail`] on settings that cannot work: a login without a password or the reverse, a
    /// sender the SMTP layer refuses, or TLS parameters that cannot be built for the host.
    pub fn new(settings: &MailSettings) -> Result<Self, Error> {
        let host = settings.host.trim();
        if host.is_empty() {
            return Err(Error::mail("mail settings: the SMTP host is empty"));
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::mail(
                "mail settings: the SMTP mailer must be created inside a tokio runtime",
            ));
        }
        let from = mailbox(settings.from.name(), settings.from.email())?;
        let builder = match settings.tls {
            TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            TlsMode::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|err| {
                    Error::mail_caused(format!("mail settings: STARTTLS for {host}"), err)
                })?,
            TlsMode::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|err| Error::mail_caused(format!("mail settings: TLS for {host}"), err))?,
        };
        let builder = builder.port(settings.port).timeout(Some(TIMEOUT));
        let builder = match (&settings.username, &settings.password) {
            (Some(username), Some(password)) => builder.credentials(Credentials::new(
                username.clone(),
                password.expose_secret().to_owned(),
            )),
            (None, None) => builder,
            _ => {
                return Err(Error::mail(
                    "mail settings: give the SMTP username and password together, or neither",
                ));
            }
        };
        Ok(Self {
            transport: builder.build(),
            from,
            host: host.to_string(),
            port: settings.port,
        })
    }

    /// Opens a connection and greets the server (with the login, when configured), to check
    /// the settings without sending anything.
    pub async fn check_connection(&self) -> Result<(), Error> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(self.failure("checking", "the server did not answer NOOP")),
            Err(err) => Err(self.failure("checking", err)),
        }
    }

    /// A failure that names the server, such as `sending through the SMTP server
    /// 127.0.0.1:2525 failed: Connection error: Connection refused (os error 111)`.
    fn failure(&self, doing: &str, reason: impl Into<crate::error::Cause>) -> Error {
        Error::mail_caused(
            format!(
                "{doing} through the SMTP server {}:{} failed",
                self.host, self.port
            ),
            reason,
        )
    }
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: OutgoingMail) -> Result<(), Error> {
        let email = Message::builder()
            .from(self.from.clone())
            .to(mailbox(None, &message.to)?)
            .subject(message.subject)
            .multipart(MultiPart::alternative_plain_html(
                message.text,
                message.html,
            ))
            .map_err(|err| Error::mail_caused("could not build the mail", err))?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|err| self.failure("sending", err))
    }
}

fn mailbox(name: Option<&str>, email: &Email) -> Result<Mailbox, Error> {
    let address = email.as_str().parse().map_err(|err| {
        Error::mail_caused(format!("{email} cannot be used as a mail address"), err)
    })?;
    Ok(Mailbox::new(name.map(str::to_string), address))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> MailSettings {
        MailSettings {
            host: "127.0.0.1".into(),
            port: 2525,
            tls: TlsMode::None,
            username: None,
            password: None,
            from: Sender::parse("Acme <hub@example.com>").unwrap(),
        }
    }

    #[tokio::test]
    async fn a_login_needs_both_username_and_password() {
        let err = SmtpMailer::new(&MailSettings {
            username: Some("hub".into()),
            ..settings()
        })
        .unwrap_err();
        assert!(
            matches!(&err, Error::Mail { what, source: None } if what.contains("together")),
            "{err}"
        );
        SmtpMailer::new(&settings()).unwrap();
    }

    #[tokio::test]
    async fn each_tls_mode_builds_a_transport() {
        for tls in [TlsMode::None, TlsMode::StartTls, TlsMode::Tls] {
            let mailer = SmtpMailer::new(&MailSettings {
                host: "smtp.example.com".into(),
                tls,
                ..settings()
            })
            .unwrap();
            let printed = format!("{mailer:?}");
            assert!(
                printed.contains("smtp.example.com") && printed.contains("2525"),
                "{printed}"
            );
        }
    }

    #[test]
    fn outside_a_runtime_the_mailer_is_an_error_not_a_panic() {
        let err = SmtpMailer::new(&settings()).unwrap_err();
        assert!(
            matches!(&err, Error::Mail { what, .. } if what.contains("tokio runtime")),
            "{err}"
        );
    }

    #[test]
    fn debug_of_an_outgoing_mail_hides_the_bodies() {
        let mail = OutgoingMail {
            to: Email::parse("ada@example.com").unwrap(),
            subject: "Reset".into(),
            text: "https://hub.example.com/reset?token=secret".into(),
            html: "<a href=\"https://hub.example.com/reset?token=secret\">".into(),
        };
        let printed = format!("{mail:?}");
        assert!(!printed.contains("secret"), "{printed}");
        assert!(printed.contains("ada@example.com"), "{printed}");
    }
}
