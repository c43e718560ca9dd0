//! The one layout every email shares: a plain-text part, and an HTML part with the vendor's
//! colour and logo in its header, built with inline styles (mail clients ignore style sheets).

use std::fmt::Write as _;

use super::{Branding, EmailLink, RenderedMail};

use crate::html::escape as escape_html;
use types::accent::Accent;

/// What one email says, as plain text; [`render`] escapes it for HTML.
pub(super) struct Content<'a> {
    pub(super) subject: String,
    pub(super) heading: String,
    pub(super) paragraph: String,
    pub(super) button: &'static str,
    pub(super) link: &'a EmailLink,
    pub(super) footnote: String,
}

pub(super) fn render(branding: &Branding, content: Content<'_>) -> RenderedMail {
    let title = branding.portal_title();
    let text = format!(
        "{heading}\n\n{paragraph}\n\n{button}:\n{link}\n\n{footnote}\n\n-- \n{title}\n",
        heading = content.heading,
        paragraph = content.paragraph,
        button = content.button,
        link = content.link.as_str(),
        footnote = content.footnote,
    );

    // The same readable pairs as the portal (`crate::accent`): text on the colour, and the
    // colour as link text on white.
    let accent = Accent::of(branding.primary_color(), crate::branding::DEFAULT_COLOR);
    let color = escape_html(&accent.background).into_owned();
    let on_color = escape_html(&accent.on_background).into_owned();
    let link_color = escape_html(&accent.text).into_owned();
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
<p style="margin:0 0 16px 0;font-size:13px;line-height:1.5;color:#52525b">If the button does not work, copy this address into your browser:<br><a href="{link}" style="color:{link_color};word-break:break-all">{link}</a></p>
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
pub(super) fn one_line(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

pub(super) fn count(n: u32, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn button_text_contrasts_with_the_primary_colour() {
        let on = |c: &str| Accent::of(c, "#0d9488").on_background;
        assert_eq!(on("#1d4ed8"), "#ffffff");
        assert_eq!(on("#000000"), "#ffffff");
        assert_eq!(on("#fde047"), "#000000");
        assert_eq!(on("#ffffff"), "#000000");
    }
}
