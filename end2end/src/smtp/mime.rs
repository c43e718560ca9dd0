//! Reading what the SMTP sink received, with `mail-parser`: headers (unfolded, RFC 2047
//! decoded), MIME parts with their transfer encoding undone, and the first link of a mail.

use mail_parser::{Addr, HeaderValue, Message, MessageParser, MimeHeaders as _, PartType};

use super::ReceivedMail;

/// A leaf part of a message: its media type and its body with the transfer encoding undone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailPart {
    /// Such as `text/plain` (lower-case, without parameters).
    pub content_type: String,
    /// The decoded body.
    pub body: String,
}

impl ReceivedMail {
    fn parsed(&self) -> Option<Message<'_>> {
        MessageParser::default().parse(self.data.as_bytes())
    }

    /// A top-level header's value, unfolded, with RFC 2047 encoded words decoded; address
    /// headers read `Name <address>`.
    pub fn header(&self, name: &str) -> Option<String> {
        let message = self.parsed()?;
        match message.header(name)? {
            HeaderValue::Text(text) => Some(text.to_string()),
            HeaderValue::TextList(texts) => Some(texts.join(", ")),
            HeaderValue::Address(address) => {
                Some(address.iter().map(mailbox).collect::<Vec<_>>().join(", "))
            }
            _ => message.header_raw(name).map(|raw| raw.trim().to_string()),
        }
    }

    /// The `Subject` header.
    pub fn subject(&self) -> Option<String> {
        self.parsed()?.subject().map(str::to_string)
    }

    /// Every leaf part (the message itself when it is not multipart), decoded.
    pub fn parts(&self) -> Vec<MailPart> {
        let Some(message) = self.parsed() else {
            return Vec::new();
        };
        message
            .parts
            .iter()
            .filter(|part| !matches!(part.body, PartType::Multipart(_)))
            .map(|part| MailPart {
                content_type: part
                    .content_type()
                    .map(|t| match t.subtype() {
                        Some(subtype) => format!("{}/{subtype}", t.ctype()),
                        None => t.ctype().to_string(),
                    })
                    .unwrap_or_else(|| "text/plain".into())
                    .to_ascii_lowercase(),
                body: String::from_utf8_lossy(part.contents()).into_owned(),
            })
            .collect()
    }

    /// The first `text/plain` part, decoded.
    pub fn text(&self) -> Option<String> {
        self.part("text/plain")
    }

    /// The first `text/html` part, decoded.
    pub fn html(&self) -> Option<String> {
        self.part("text/html")
    }

    fn part(&self, content_type: &str) -> Option<String> {
        self.parts()
            .into_iter()
            .find(|p| p.content_type == content_type)
            .map(|p| p.body)
    }

    /// The first http(s) link: from the plain-text part, else from the HTML part (entities
    /// undone).
    pub fn first_link(&self) -> Option<String> {
        self.text().and_then(|text| first_link(&text)).or_else(|| {
            self.html()
                .and_then(|html| first_link(&html))
                .map(|link| html_escape::decode_html_entities(&link).into_owned())
        })
    }
}

fn mailbox(addr: &Addr<'_>) -> String {
    match (addr.name(), addr.address()) {
        (Some(name), Some(address)) => format!("{name} <{address}>"),
        (None, Some(address)) => format!("<{address}>"),
        (Some(name), None) => name.to_string(),
        (None, None) => String::new(),
    }
}

/// The first `http://` or `https://` link in `text`, up to white space, a quote or an angle
/// bracket, without trailing sentence punctuation.
pub fn first_link(text: &str) -> Option<String> {
    let start = [text.find("https://"), text.find("http://")]
        .into_iter()
        .flatten()
        .min()?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>'))
        .unwrap_or(rest.len());
    let link = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
    Some(link.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(data: &str) -> ReceivedMail {
        ReceivedMail {
            from: String::new(),
            to: Vec::new(),
            data: data.into(),
        }
    }

    #[test]
    fn encoded_words_are_decoded_and_joined() {
        let mail = mail(
            "Subject: =?utf-8?b?Q2Fmw6k=?= =?utf-8?q?_au_lait?= ok\r\n\
             From: =?utf-8?q?Ad=C3=A9le?= <adele@example.com>\r\n\r\nbody\r\n",
        );
        assert_eq!(mail.subject().as_deref(), Some("Café au lait ok"));
        assert_eq!(
            mail.header("from").as_deref(),
            Some("Adéle <adele@example.com>")
        );
    }

    #[test]
    fn multipart_bodies_split_into_decoded_leaves() {
        let mail = mail(
            "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n\
             --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\na=3Db=\r\nc\r\n\
             --b1\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n\
             PGI+aGk8L2I+\r\n--b1--\r\n",
        );
        assert_eq!(mail.text().as_deref(), Some("a=bc"));
        assert_eq!(mail.html().as_deref(), Some("<b>hi</b>"));
    }

    #[test]
    fn a_link_only_in_the_html_part_has_its_entities_undone() {
        let mail = mail(
            "Content-Type: text/html\r\n\r\n<a href=\"https://a.example/x?y=1&amp;z=2\">go</a>\r\n",
        );
        assert_eq!(
            mail.first_link().as_deref(),
            Some("https://a.example/x?y=1&z=2")
        );
    }
}
