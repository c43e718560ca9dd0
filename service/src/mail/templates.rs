//! The hub's emails, branded with the vendor's portal title, colour and logo: an invitation, a
//! password reset and an address confirmation, each as a subject, a plain-text part and an HTML
//! part. Every interpolated value is escaped in HTML, and links are http(s) only.

use std::fmt::Write as _;

use types::{Email, NameError};

use super::OutgoingMail;

/// How a vendor's emails look: the title of its portal, its primary colour and its logo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branding {
    portal_title: String,
    primary_color: String,
    logo_url: Option<EmailLink>,
}

impl Branding {
    /// Checks and builds a branding: a title of 1 to 100 characters without control characters,
    /// a colour written `#rrggbb` (stored lower-case), and an optional http(s) logo address.
    pub fn new(
        portal_title: &str,
        primary_color: &str,
        logo_url: Option<&str>,
    ) -> Result<Self, NameError> {
        let portal_title = portal_title.trim();
        if portal_title.is_empty() {
            return Err(NameError::Empty {
                field: "portal_title",
            });
        }
        if portal_title.chars().count() > 100 {
            return Err(NameError::TooLong {
                field: "portal_title",
                max: 100,
            });
        }
        if portal_title.chars().any(char::is_control) {
            return Err(NameError::Invalid {
                field: "portal_title",
                rule: "must not contain control characters",
            });
        }
        let color = primary_color.trim();
        let well_formed = color.len() == 7
            && color.starts_with('#')
            && color[1..].chars().all(|c| c.is_ascii_hexdigit());
        if !well_formed {
            return Err(NameError::Invalid {
                field: "primary_color",
                rule: "must be a colour written #rrggbb, such as #1d4ed8",
            });
        }
        let logo_url = logo_url
            .map(|url| {
                EmailLink::parse(url).map_err(|_| NameError::Invalid {
                    field: "logo_url",
                    rule: "must be an http:// or https:// address without spaces or quotes",
                })
            })
            .transpose()?;
        Ok(Self {
            portal_title: portal_title.to_string(),
            primary_color: color.to_ascii_lowercase(),
            logo_url,
        })
    }

    /// The portal's title, shown in the header and the subject.
    pub fn portal_title(&self) -> &str {
        &self.portal_title
    }

    /// The primary colour, `#rrggbb`, lower-case.
    pub fn primary_color(&self) -> &str {
        &self.primary_color
    }

    /// The logo's address, if any.
    pub fn logo_url(&self) -> Option<&str> {
        self.logo_url.as_ref().map(EmailLink::as_str)
    }

    /// Black or white, whichever reads better on the primary colour (WCAG relative luminance).
    fn text_color(&self) -> &'static str {
        let channel = |i: usize| {
            let value = u8::from_str_radix(&self.primary_color[i..i + 2], 16).unwrap_or(0);
            let c = f64::from(value) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
        // White wins when its contrast ratio, 1.05 / (L + 0.05), beats black's, (L + 0.05) / 0.05.
        if luminance <= 0.179 {
            "#ffffff"
        } else {
            "#111111"
        }
    }
}

/// A link put in an email: `http://` or `https://`, with a host, no white space, quotes or angle
/// brackets, at most 2,048 characters. Anything else (`javascript:`, `data:`) is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailLink(String);

impl EmailLink {
    /// Checks that `value` is an http(s) address that is safe to put in a mail.
    pub fn parse(value: &str) -> Result<Self, NameError> {
        const FIELD: &str = "link";
        if value.is_empty() {
            return Err(NameError::Empty { field: FIELD });
        }
        if value.len() > 2048 {
            return Err(NameError::TooLong {
                field: FIELD,
                max: 2048,
            });
        }
        let lower = value.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"));
        let has_host =
            rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with(['/', '?', '#']));
        let safe = value.chars().all(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`')
        });
        if !has_host || !safe {
            return Err(NameError::Invalid {
                field: FIELD,
                rule: "must be an http:// or https:// address without spaces or quotes",
            });
        }
        Ok(Self(value.to_string()))
    }

    /// The link as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A rendered email, ready to be addressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedMail {
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

impl RenderedMail {
    /// Addresses the mail to `to`.
    pub fn addressed_to(self, to: Email) -> OutgoingMail {
        OutgoingMail {
            to,
            subject: self.subject,
            text: self.text,
            html: self.html,
        }
    }
}

/// Invites someone to join `organization_name`; the link accepts the invitation.
pub fn invitation(
    branding: &Branding,
    inviter_name: &str,
    organization_name: &str,
    link: &EmailLink,
    expires_in_hours: u32,
) -> RenderedMail {
    let inviter = one_line(inviter_name);
    let organization = one_line(organization_name);
    let title = branding.portal_title();
    render(
        branding,
        Content {
            subject: format!("{inviter} invited you to join {organization} on {title}"),
            heading: format!("Join {organization} on {title}"),
            paragraph: format!(
                "{inviter} invited you to join {organization} on {title}. Accept the invitation to \
                 set up your account and see what {organization} shares with you."
            ),
            button: "Accept the invitation",
            link,
            footnote: format!(
                "The invitation expires in {}. If you did not expect it, you can ignore this email.",
                count(expires_in_hours, "hour")
            ),
        },
    )
}

/// Lets someone choose a new password; the link opens the reset form.
pub fn password_reset(
    branding: &Branding,
    link: &EmailLink,
    expires_in_minutes: u32,
) -> RenderedMail {
    let title = branding.portal_title();
    render(
        branding,
        Content {
            subject: format!("Reset your {title} password"),
            heading: "Choose a new password".to_string(),
            paragraph: format!(
                "Someone asked to reset the password of your {title} account. If it was you, \
                 choose a new password with the button below."
            ),
            button: "Choose a new password",
            link,
            footnote: format!(
                "The link expires in {} and works once. If you did not ask for this, ignore this \
                 email: your password stays as it is.",
                count(expires_in_minutes, "minute")
            ),
        },
    )
}

/// Asks someone to confirm that an address is theirs; the link confirms it.
pub fn verify_email(branding: &Branding, link: &EmailLink) -> RenderedMail {
    let title = branding.portal_title();
    render(
        branding,
        Content {
            subject: format!("Confirm your email address for {title}"),
            heading: "Confirm your email address".to_string(),
            paragraph: format!(
                "Confirm that this address is yours to finish setting up your {title} account."
            ),
            button: "Confirm the address",
            link,
            footnote: "If you did not create an account, you can ignore this email.".to_string(),
        },
    )
}

/// Escapes `&`, `<`, `>`, `"` and `'`, so that `value` is inert in HTML text and in quoted
/// attribute values.
pub fn escape_html(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// What one email says, as plain text; [`render`] escapes it for HTML.
struct Content<'a> {
    subject: String,
    heading: String,
    paragraph: String,
    button: &'static str,
    link: &'a EmailLink,
    footnote: String,
}

fn render(branding: &Branding, content: Content<'_>) -> RenderedMail {
    let title = branding.portal_title();
    let text = format!(
        "{heading}\n\n{paragraph}\n\n{button}:\n{link}\n\n{footnote}\n\n-- \n{title}\n",
        heading = content.heading,
        paragraph = content.paragraph,
        button = content.button,
        link = content.link.as_str(),
        footnote = content.footnote,
    );

    let color = escape_html(branding.primary_color());
    let on_color = branding.text_color();
    let link = escape_html(content.link.as_str());
    let title_html = escape_html(title);
    let mut header = String::new();
    if let Some(logo) = branding.logo_url() {
        let _ = write!(
            header,
            r#"<img src="{}" alt="{title_html}" height="32" style="display:block;height:32px;width:auto;border:0;margin:0 0 12px 0">"#,
            escape_html(logo)
        );
    }
    let _ = write!(
        header,
        r#"<div style="color:{on_color};font-size:20px;font-weight:600">{title_html}</div>"#
    );
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{subject}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f4f5;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#18181b">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background-color:#f4f4f5;padding:24px 0">
<tr><td align="center">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="max-width:560px;width:100%;background-color:#ffffff;border-radius:8px;overflow:hidden">
<tr><td style="background-color:{color};padding:20px 32px">{header}</td></tr>
<tr><td style="padding:32px">
<h1 style="margin:0 0 16px 0;font-size:22px">{heading}</h1>
<p style="margin:0 0 24px 0;font-size:16px;line-height:1.5">{paragraph}</p>
<p style="margin:0 0 24px 0"><a href="{link}" style="display:inline-block;background-color:{color};color:{on_color};text-decoration:none;font-weight:600;padding:12px 24px;border-radius:6px">{button}</a></p>
<p style="margin:0 0 16px 0;font-size:13px;line-height:1.5;color:#52525b">If the button does not work, copy this address into your browser:<br><a href="{link}" style="color:{color};word-break:break-all">{link}</a></p>
<p style="margin:0;font-size:13px;line-height:1.5;color:#71717a">{footnote}</p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"#,
        subject = escape_html(&content.subject),
        heading = escape_html(&content.heading),
        paragraph = escape_html(&content.paragraph),
        button = escape_html(content.button),
        footnote = escape_html(&content.footnote),
    );
    RenderedMail {
        subject: content.subject,
        text,
        html,
    }
}

/// A name on one line: control characters (a line break in a subject or in the text) become
/// spaces, so a name cannot add headers or forge lines.
fn one_line(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

fn count(n: u32, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branding() -> Branding {
        Branding::new(
            "Acme Downloads",
            "#1D4ED8",
            Some("https://cdn.example.com/logo.png"),
        )
        .unwrap()
    }

    fn link() -> EmailLink {
        EmailLink::parse("https://hub.example.com/portal/invitations/accept?token=abc&org=7")
            .unwrap()
    }

    #[test]
    fn escaping_neutralises_markup_quotes_and_ampersands() {
        assert_eq!(
            escape_html("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            escape_html(r#"" onmouseover='x'"#),
            "&quot; onmouseover=&#x27;x&#x27;"
        );
        assert_eq!(
            escape_html("Tom & Jerry &amp;"),
            "Tom &amp; Jerry &amp;amp;"
        );
        assert_eq!(escape_html("plain café"), "plain café");
    }

    #[test]
    fn links_must_be_http_or_https_with_a_host() {
        for good in [
            "https://hub.example.com/a?b=c&d=e",
            "http://127.0.0.1:8080/x",
            "HTTPS://HUB.EXAMPLE.COM/",
        ] {
            assert_eq!(EmailLink::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            "javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "ftp://example.com/",
            "https://",
            "https:///path",
            "//example.com/",
            "https://example.com/a b",
            "https://example.com/\"onclick=\"x",
            "https://example.com/<script>",
            "https://example.com/\r\nBcc: x",
        ] {
            assert!(EmailLink::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn branding_checks_colour_title_and_logo() {
        let b = branding();
        assert_eq!(b.primary_color(), "#1d4ed8");
        assert_eq!(b.portal_title(), "Acme Downloads");
        for bad in [
            "1d4ed8",
            "#1d4ed",
            "#1d4ed8f",
            "#1d4eg8",
            "red",
            "#1d4ed8;x:y",
        ] {
            assert!(
                Branding::new("Acme", bad, None).is_err(),
                "{bad:?} was accepted"
            );
        }
        assert!(Branding::new("", "#000000", None).is_err());
        assert!(Branding::new("Acme", "#000000", Some("javascript:alert(1)")).is_err());
    }

    #[test]
    fn button_text_contrasts_with_the_primary_colour() {
        assert_eq!(branding().text_color(), "#ffffff");
        let light = Branding::new("Acme", "#fde047", None).unwrap();
        assert_eq!(light.text_color(), "#111111");
    }

    #[test]
    fn an_invitation_escapes_every_value_and_carries_the_branding() {
        let mail = invitation(
            &branding(),
            "Eve \"the\" <b>Inviter</b>",
            "<script>alert(1)</script>",
            &link(),
            72,
        );
        assert_eq!(
            mail.subject,
            "Eve \"the\" <b>Inviter</b> invited you to join <script>alert(1)</script> on Acme Downloads"
        );
        assert!(!mail.html.contains("<script>"), "{}", mail.html);
        assert!(!mail.html.contains("<b>"), "{}", mail.html);
        assert!(mail.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(
            mail.html
                .contains("Eve &quot;the&quot; &lt;b&gt;Inviter&lt;/b&gt;")
        );
        assert!(mail.html.contains("background-color:#1d4ed8"));
        assert!(
            mail.html
                .contains(r#"<img src="https://cdn.example.com/logo.png""#)
        );
        assert!(mail.html.contains(
            r#"href="https://hub.example.com/portal/invitations/accept?token=abc&amp;org=7""#
        ));
        assert!(mail.text.contains(link().as_str()));
        assert!(mail.text.contains("expires in 72 hours"));
    }

    #[test]
    fn names_cannot_break_the_subject_line() {
        let mail = invitation(
            &branding(),
            "Eve\r\nBcc: victim@example.com",
            "Acme",
            &link(),
            1,
        );
        assert!(!mail.subject.contains(['\r', '\n']), "{:?}", mail.subject);
        assert!(mail.text.contains("expires in 1 hour."));
    }

    #[test]
    fn a_password_reset_and_an_address_check_carry_their_link() {
        let plain = Branding::new("Portal", "#000000", None).unwrap();
        let reset = password_reset(&plain, &link(), 30);
        assert_eq!(reset.subject, "Reset your Portal password");
        assert!(reset.text.contains("30 minutes"));
        assert!(
            reset
                .html
                .contains("https://hub.example.com/portal/invitations/accept?token=abc&amp;org=7")
        );
        assert!(!reset.html.contains("<img"));

        let verify = verify_email(&plain, &link());
        assert_eq!(verify.subject, "Confirm your email address for Portal");
        assert!(verify.text.contains(link().as_str()));
        assert!(verify.html.contains("background-color:#000000"));
    }

    #[test]
    fn a_rendered_mail_is_addressed_as_is() {
        let to = Email::parse("ada@example.com").unwrap();
        let outgoing = verify_email(&branding(), &link()).addressed_to(to.clone());
        assert_eq!(outgoing.to, to);
        assert!(outgoing.subject.starts_with("Confirm"));
    }
}
