//! The hub's emails, branded with the vendor's portal title, colour and logo: an invitation, a
//! password reset and an address confirmation, each as a subject, a plain-text part and an HTML
//! part. Every interpolated value is escaped in HTML, and links are http(s) only.

mod layout;

use types::{Email, NameError};

use super::OutgoingMail;
use layout::{Content, count, one_line, render};

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
    fn every_template_renders_a_script_payload_inert_in_every_field() {
        const PAYLOAD: &str =
            "</textarea><script>window.__xss=1</script><img src=x onerror=\"window.__xss=1\">'";
        let branding = Branding::new(PAYLOAD, "#1d4ed8", None).unwrap();
        for mail in [
            invitation(&branding, PAYLOAD, PAYLOAD, &link(), 2),
            password_reset(&branding, &link(), 30),
            verify_email(&branding, &link()),
        ] {
            for injected in ["<script", "<img src=x", "onerror=\"", "</textarea>"] {
                assert!(!mail.html.contains(injected), "{injected} in {}", mail.html);
            }
            assert!(
                mail.html
                    .contains("&lt;script&gt;window.__xss=1&lt;/script&gt;")
            );
            assert!(mail.html.contains("&#x27;"), "{}", mail.html);
        }
    }

    #[test]
    fn a_rendered_mail_is_addressed_as_is() {
        let to = Email::parse("ada@example.com").unwrap();
        let outgoing = verify_email(&branding(), &link()).addressed_to(to.clone());
        assert_eq!(outgoing.to, to);
        assert!(outgoing.subject.starts_with("Confirm"));
    }
}
