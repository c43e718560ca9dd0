//! Where and how the hub sends mail: the SMTP server, its encryption, the login and the sender.

use std::fmt;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use types::{Email, NameError};

/// How the connection to the SMTP server is encrypted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain text. Only for a relay on the same machine or network, and for tests.
    None,
    /// Plain connection upgraded with `STARTTLS` before anything else is sent (usually port 587).
    /// The upgrade is required: a server that does not offer it is refused.
    #[default]
    StartTls,
    /// TLS from the first byte (implicit TLS, usually port 465).
    Tls,
}

/// The SMTP server the hub sends through, and who the mail is from.
#[derive(Clone)]
pub struct MailSettings {
    /// Host name (or IP address) of the SMTP server; also the name its TLS certificate must carry.
    pub host: String,
    /// Its port: usually 587 with [`TlsMode::StartTls`], 465 with [`TlsMode::Tls`], 25 without.
    pub port: u16,
    /// How the connection is encrypted.
    pub tls: TlsMode,
    /// The login, when the server wants one (given together with `password`).
    pub username: Option<String>,
    /// The password of `username`; never printed by `Debug`.
    pub password: Option<SecretString>,
    /// The sender every mail carries in `From`.
    pub from: Sender,
}

impl fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            // A security choice: the password never reaches a log, only whether one is set.
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("from", &self.from)
            .finish()
    }
}

/// A validated sender mailbox: `ops@example.com` or `Acme Downloads <ops@example.com>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sender {
    name: Option<String>,
    email: Email,
}

impl Sender {
    /// Parses `addr` or `Display Name <addr>`. The name is trimmed, at most 100 characters, and
    /// may not contain control characters, quotes or angle brackets.
    pub fn parse(value: &str) -> Result<Self, NameError> {
        const FIELD: &str = "sender";
        let value = value.trim();
        let Some(open) = value.find('<') else {
            return Ok(Self {
                name: None,
                email: Email::parse(value)?,
            });
        };
        let Some(address) = value[open + 1..]
            .strip_suffix('>')
            .filter(|address| !address.contains(['<', '>']))
        else {
            return Err(NameError::Invalid {
                field: FIELD,
                rule: "must look like ops@example.com or Name <ops@example.com>",
            });
        };
        let name = value[..open].trim();
        if name.chars().count() > 100 {
            return Err(NameError::TooLong {
                field: FIELD,
                max: 100,
            });
        }
        if name
            .chars()
            .any(|c| c.is_control() || matches!(c, '"' | '<' | '>' | '\\'))
        {
            return Err(NameError::Invalid {
                field: FIELD,
                rule: "name must not contain control characters, quotes or angle brackets",
            });
        }
        Ok(Self {
            name: (!name.is_empty()).then(|| name.to_string()),
            email: Email::parse(address)?,
        })
    }

    /// The display name, if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The address.
    pub fn email(&self) -> &Email {
        &self.email
    }
}

impl From<Email> for Sender {
    fn from(email: Email) -> Self {
        Self { name: None, email }
    }
}

impl TryFrom<String> for Sender {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Sender> for String {
    fn from(value: Sender) -> Self {
        value.to_string()
    }
}

impl fmt::Display for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name} <{}>", self.email),
            None => write!(f, "{}", self.email),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_accept_a_bare_address_or_a_named_mailbox() {
        let bare = Sender::parse(" Ops@Example.com ").unwrap();
        assert_eq!(bare.name(), None);
        assert_eq!(bare.email().as_str(), "ops@example.com");

        let named = Sender::parse("Acme Downloads <ops@example.com>").unwrap();
        assert_eq!(named.name(), Some("Acme Downloads"));
        assert_eq!(named.to_string(), "Acme Downloads <ops@example.com>");
        assert_eq!(Sender::parse(&named.to_string()).unwrap(), named);
    }

    #[test]
    fn senders_refuse_malformed_mailboxes() {
        for bad in [
            "",
            "Acme <ops@example.com",
            "Acme <not-an-address>",
            "\"Acme\" <ops@example.com>",
            "Ac\r\nBcc: x@y.z <ops@example.com>",
            "Acme <ops@example.com> trailing",
            "Acme <a<ops@example.com>",
        ] {
            assert!(Sender::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn tls_modes_read_as_lower_case_words() {
        let mode: TlsMode = serde_json::from_str("\"starttls\"").unwrap();
        assert_eq!(mode, TlsMode::StartTls);
        assert_eq!(serde_json::to_string(&TlsMode::None).unwrap(), "\"none\"");
    }

    #[test]
    fn debug_never_shows_the_password() {
        let settings = MailSettings {
            host: "smtp.example.com".into(),
            port: 587,
            tls: TlsMode::StartTls,
            username: Some("hub".into()),
            password: Some(SecretString::from("hunter2-very-secret")),
            from: Sender::parse("Hub <hub@example.com>").unwrap(),
        };
        let printed = format!("{settings:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("[redacted]"), "{printed}");
        assert!(printed.contains("smtp.example.com"), "{printed}");
    }
}
