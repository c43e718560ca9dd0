//! Reading what the SMTP sink received: headers (unfolded, RFC 2047 decoded), MIME parts with
//! their transfer encoding undone (quoted-printable, base64), and the first link of a mail.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

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
    /// A top-level header's value, unfolded, with RFC 2047 encoded words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = split_head(&self.data);
        header(head, name).map(|value| decode_encoded_words(&value))
    }

    /// The `Subject` header.
    pub fn subject(&self) -> Option<String> {
        self.header("subject")
    }

    /// Every leaf part (the message itself when it is not multipart), decoded.
    pub fn parts(&self) -> Vec<MailPart> {
        let (head, body) = split_head(&self.data);
        let mut parts = Vec::new();
        leaf_parts(head, body, &mut parts);
        parts
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
    /// undone), else from the raw message with quoted-printable undone.
    pub fn first_link(&self) -> Option<String> {
        self.text()
            .and_then(|text| first_link(&text))
            .or_else(|| {
                self.html()
                    .and_then(|html| first_link(&html))
                    .map(|link| unescape_html(&link))
            })
            .or_else(|| first_link(&decode_quoted_printable(&self.data)))
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

/// Undoes quoted-printable: soft line breaks (`=` at the end of a line) vanish and `=XX` becomes
/// the byte `XX`; malformed escapes are kept as they are.
pub fn decode_quoted_printable(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'=' {
            let next = bytes.get(i + 1..).unwrap_or_default();
            if next.starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if next.starts_with(b"\n") {
                i += 2;
                continue;
            }
            let hex = next.get(..2).and_then(|h| std::str::from_utf8(h).ok());
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn unescape_html(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Splits a message or part at the first empty line into header block and body.
fn split_head(data: &str) -> (&str, &str) {
    if let Some(body) = data
        .strip_prefix("\r\n")
        .or_else(|| data.strip_prefix('\n'))
    {
        return ("", body);
    }
    match (data.find("\r\n\r\n"), data.find("\n\n")) {
        (Some(crlf), _) => (&data[..crlf], &data[crlf + 4..]),
        (None, Some(lf)) => (&data[..lf], &data[lf + 2..]),
        (None, None) => (data, ""),
    }
}

/// A header's unfolded value (the first one of that name).
fn header(head: &str, name: &str) -> Option<String> {
    let mut value: Option<String> = None;
    for line in head.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            // A continuation: of the header we want, or of another one.
            if let Some(value) = value.as_mut() {
                value.push_str(line);
            }
            continue;
        }
        if value.is_some() {
            break;
        }
        if let Some((key, rest)) = line.split_once(':')
            && key.eq_ignore_ascii_case(name)
        {
            value = Some(rest.trim_start().to_string());
        }
    }
    value
}

/// A parameter of a header value, such as `boundary` in `multipart/alternative; boundary="x"`.
fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|param| {
        let (key, raw) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| raw.trim().trim_matches('"').to_string())
    })
}

fn leaf_parts(head: &str, body: &str, out: &mut Vec<MailPart>) {
    let content_type = header(head, "content-type").unwrap_or_else(|| "text/plain".into());
    let media = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if media.starts_with("multipart/")
        && let Some(boundary) = parameter(&content_type, "boundary")
    {
        for part in split_multipart(body, &boundary) {
            let (head, body) = split_head(&part);
            leaf_parts(head, body, out);
        }
        return;
    }
    let encoding = header(head, "content-transfer-encoding")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let body = match encoding.as_str() {
        "quoted-printable" => decode_quoted_printable(body),
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            BASE64
                .decode(compact)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_else(|_| body.to_string())
        }
        _ => body.to_string(),
    };
    out.push(MailPart {
        content_type: media,
        body,
    });
}

/// The parts between `--boundary` lines, up to `--boundary--`.
fn split_multipart(body: &str, boundary: &str) -> Vec<String> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut current: Option<String> = None;
    for line in body.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\r', '\n']);
        if bare.starts_with(&delimiter) {
            if let Some(mut part) = current.take() {
                // The line break before a delimiter belongs to the delimiter.
                if part.ends_with("\r\n") {
                    part.truncate(part.len() - 2);
                } else if part.ends_with('\n') {
                    part.truncate(part.len() - 1);
                }
                parts.push(part);
            }
            if bare[delimiter.len()..].starts_with("--") {
                break;
            }
            current = Some(String::new());
        } else if let Some(part) = current.as_mut() {
            part.push_str(line);
        }
    }
    parts
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`); white space between two
/// encoded words is dropped, as the RFC says.
fn decode_encoded_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, candidate) = rest.split_at(start);
        let decoded = candidate[2..].split_once("?=").and_then(|(word, tail)| {
            let mut fields = word.splitn(3, '?');
            let (_charset, encoding, text) = (fields.next()?, fields.next()?, fields.next()?);
            let bytes = match encoding.to_ascii_lowercase().as_str() {
                "b" => BASE64.decode(text).ok()?,
                "q" => decode_quoted_printable(&text.replace('_', " ")).into_bytes(),
                _ => return None,
            };
            Some((String::from_utf8_lossy(&bytes).into_owned(), tail))
        });
        match decoded {
            Some((text, tail)) => {
                if !(after_word && before.trim().is_empty()) {
                    out.push_str(before);
                }
                out.push_str(&text);
                rest = tail;
                after_word = true;
            }
            None => {
                out.push_str(&rest[..start + 2]);
                rest = &rest[start + 2..];
                after_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words_are_decoded_and_joined() {
        assert_eq!(
            decode_encoded_words("=?utf-8?b?Q2Fmw6k=?= =?utf-8?q?_au_lait?= ok"),
            "Café au lait ok"
        );
        assert_eq!(decode_encoded_words("plain =? text"), "plain =? text");
    }

    #[test]
    fn multipart_bodies_split_into_decoded_leaves() {
        let data = "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n\
                    --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\
                    Content-Transfer-Encoding: quoted-printable\r\n\r\na=3Db=\r\nc\r\n\
                    --b1\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n\
                    PGI+aGk8L2I+\r\n--b1--\r\n";
        let mail = ReceivedMail {
            from: String::new(),
            to: Vec::new(),
            data: data.into(),
        };
        assert_eq!(mail.text().as_deref(), Some("a=bc"));
        assert_eq!(mail.html().as_deref(), Some("<b>hi</b>"));
    }
}
