//! A vendor's branding: the customer portal's title, colour, logo, home page and host name,
//! also used in the emails sent on the vendor's behalf.

use crate::Services;
use chrono::{DateTime, Utc};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};
use types::{NameError, OrganizationId};

use crate::auth::Actor;
use crate::entity::branding as row;
use crate::services::HubConfig;
use crate::{Error, Result, custom_host, repo};

/// The colour a vendor gets until they choose one.
pub const DEFAULT_COLOR: &str = "#0d9488";
/// The largest logo accepted.
pub const MAX_LOGO_BYTES: usize = 256 * 1024;
/// The longest home page accepted.
pub const MAX_MARKDOWN_CHARS: usize = 20_000;

/// A vendor's branding (defaults filled in when never saved).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branding {
    /// The vendor.
    pub organization_id: OrganizationId,
    /// The customer portal's title.
    pub title: String,
    /// `#rrggbb`.
    pub primary_color: String,
    /// The home page, as markdown.
    pub home_markdown: String,
    /// Whether a logo was uploaded (served at `/branding/<organization id>/logo`).
    pub has_logo: bool,
    /// A host name for this vendor's customer portal (see [`crate::custom_host`]).
    pub custom_host: Option<String>,
    /// Whether the vendor proved it controls `custom_host`; only then does the host serve the
    /// vendor's portal.
    pub custom_host_verified: bool,
    /// When it was last changed.
    pub updated_at: Option<DateTime<Utc>>,
}

/// What the branding form sends.
#[derive(Clone, Debug, Default)]
pub struct BrandingInput {
    /// The customer portal's title.
    pub title: String,
    /// `#rrggbb`.
    pub primary_color: String,
    /// The home page, as markdown.
    pub home_markdown: String,
    /// A host name, or empty for none.
    pub custom_host: String,
}

/// The branding of a vendor (defaults when never saved).
pub async fn get(services: &Services, organization: OrganizationId) -> Result<Branding> {
    if let Some(r) = repo::branding::find(&services.db, organization.0).await? {
        return Ok(from_row(r));
    }
    let org = repo::organizations::find_by_id(&services.db, organization.0)
        .await?
        .ok_or(Error::NotFound {
            what: "organization",
        })?;
    Ok(Branding {
        organization_id: organization,
        title: org.name,
        primary_color: DEFAULT_COLOR.into(),
        home_markdown: String::new(),
        has_logo: false,
        custom_host: None,
        custom_host_verified: false,
        updated_at: None,
    })
}

fn from_row(r: row::Model) -> Branding {
    Branding {
        organization_id: r.organization_id.into(),
        title: r.title,
        primary_color: r.primary_color,
        home_markdown: r.home_markdown,
        has_logo: r.logo.is_some(),
        custom_host_verified: r.custom_host.is_some() && r.custom_host_verified_at.is_some(),
        custom_host: r.custom_host,
        updated_at: Some(r.updated_at),
    }
}

/// Saves the branding (vendor admins only); each field is checked and named when wrong. A host
/// name may not be, or fall under, one of the hub's own names (`config.own_hosts`), and one
/// another vendor uses is [`Error::Conflict`]. A new host gets a new token and is unverified
/// (see [`crate::custom_host`]); keeping the same host keeps its proof.
pub async fn update(
    services: &Services,
    config: &HubConfig,
    actor: &Actor,
    input: BrandingInput,
) -> Result<Branding> {
    actor.require_vendor_admin("change the branding")?;
    let title = input.title.trim().to_string();
    if title.is_empty() {
        return Err(NameError::Empty { field: "title" }.into());
    }
    if title.chars().count() > 100 {
        return Err(NameError::TooLong {
            field: "title",
            max: 100,
        }
        .into());
    }
    let primary_color = validate_color(&input.primary_color)?;
    if input.home_markdown.chars().count() > MAX_MARKDOWN_CHARS {
        return Err(NameError::TooLong {
            field: "home page",
            max: MAX_MARKDOWN_CHARS,
        }
        .into());
    }
    let custom_host = validate_host(&input.custom_host)?;
    if let Some(host) = &custom_host {
        custom_host::refuse_hub_names(host, &config.own_hosts)?;
    }
    let current = repo::branding::find(&services.db, actor.organization_id.0).await?;
    let (logo, logo_content_type) = current
        .as_ref()
        .map(|c| (c.logo.clone(), c.logo_content_type.clone()))
        .unwrap_or((None, None));
    let (custom_host_token, custom_host_verified_at) = match current {
        _ if custom_host.is_none() => (None, None),
        Some(c) if c.custom_host == custom_host => (
            c.custom_host_token
                .or_else(|| Some(custom_host::new_token())),
            c.custom_host_verified_at,
        ),
        _ => (Some(custom_host::new_token()), None),
    };
    let saved = repo::branding::upsert(
        &services.db,
        row::Model {
            organization_id: actor.organization_id.0,
            title,
            primary_color,
            home_markdown: input.home_markdown,
            logo,
            logo_content_type,
            custom_host,
            custom_host_token,
            custom_host_verified_at,
            updated_at: Utc::now(),
        },
    )
    .await?;
    Ok(from_row(saved))
}

/// Stores a logo (vendor admins only). The type is read from the bytes, never trusted from the
/// upload: PNG, JPEG or WebP, at most [`MAX_LOGO_BYTES`]. SVG is refused, as it can carry script.
pub async fn set_logo(services: &Services, actor: &Actor, bytes: Vec<u8>) -> Result<Branding> {
    actor.require_vendor_admin("change the branding")?;
    let content_type = sniff_image(&bytes)?;
    let mut saved = match repo::branding::find(&services.db, actor.organization_id.0).await? {
        Some(r) => r,
        None => {
            let defaults = get(services, actor.organization_id).await?;
            row::Model {
                organization_id: actor.organization_id.0,
                title: defaults.title,
                primary_color: defaults.primary_color,
                home_markdown: defaults.home_markdown,
                logo: None,
                logo_content_type: None,
                custom_host: None,
                custom_host_token: None,
                custom_host_verified_at: None,
                updated_at: Utc::now(),
            }
        }
    };
    saved.logo = Some(bytes);
    saved.logo_content_type = Some(content_type.into());
    saved.updated_at = Utc::now();
    Ok(from_row(repo::branding::upsert(&services.db, saved).await?))
}

/// A vendor's logo and its media type.
pub async fn logo(services: &Services, organization: OrganizationId) -> Result<(Vec<u8>, String)> {
    repo::branding::find(&services.db, organization.0)
        .await?
        .and_then(|r| Some((r.logo?, r.logo_content_type?)))
        .ok_or(Error::NotFound { what: "logo" })
}

/// The vendor whose customer portal is served on `host` (port ignored, case-insensitive): the
/// vendor that verified it as its custom host, if any.
pub async fn vendor_for_host(services: &Services, host: &str) -> Result<Option<OrganizationId>> {
    let host = host
        .split(':')
        .next()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    Ok(repo::branding::find_by_verified_host(&services.db, &host)
        .await?
        .map(|r| r.organization_id.into()))
}

/// Whose branding the customer portal shows: the signed-in person's own vendor whatever the
/// host; else the vendor that verified `host` as its own (never on one of the hub's own
/// names); else the hub's only vendor; else none.
pub async fn portal_vendor(
    s: &crate::Services,
    host: &str,
    signed_in: Option<&Actor>,
) -> Result<Option<OrganizationId>> {
    if let Some(actor) = signed_in {
        return Ok(Some(actor.organization_id));
    }
    let name = host.split(':').next().unwrap_or_default();
    if !custom_host::is_hub_name(name, &s.config.own_hosts)
        && let Some(vendor) = vendor_for_host(s, host).await?
    {
        return Ok(Some(vendor));
    }
    crate::organizations::only_one(s).await
}

/// Checks a `#rrggbb` colour and lower-cases it.
pub fn validate_color(value: &str) -> Result<String> {
    let value = value.trim().to_ascii_lowercase();
    let ok = value.len() == 7
        && value.starts_with('#')
        && value[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(value)
    } else {
        Err(NameError::Invalid {
            field: "primary colour",
            rule: "must look like #1f6feb",
        }
        .into())
    }
}

/// Checks a host name (empty means none): lower-case labels of letters, digits and hyphens.
pub fn validate_host(value: &str) -> Result<Option<String>> {
    let value = value.trim().trim_end_matches('.').to_ascii_lowercase();
    if value.is_empty() {
        return Ok(None);
    }
    let ok = value.len() <= 253
        && value.contains('.')
        && value.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    // An address is not a name: a last label of digits only is an IPv4 address.
    let is_address = value
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()));
    if ok && !is_address {
        Ok(Some(value))
    } else {
        Err(NameError::Invalid {
            field: "host name",
            rule: "must be a host name like portal.example.com",
        }
        .into())
    }
}

/// The media type of a logo, from its first bytes.
pub fn sniff_image(bytes: &[u8]) -> Result<&'static str> {
    if bytes.is_empty() {
        return Err(NameError::Empty { field: "logo" }.into());
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(NameError::TooLong {
            field: "logo (in bytes)",
            max: MAX_LOGO_BYTES,
        }
        .into());
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Ok("image/webp")
    } else {
        Err(NameError::Invalid {
            field: "logo",
            rule: "must be a PNG, JPEG or WebP image",
        }
        .into())
    }
}

/// Renders the vendor's markdown to HTML that is safe to put into the page: raw HTML in the
/// markdown is shown as text, and links or images may only point to http(s), mailto or
/// relative addresses.
pub fn render_markdown(markdown: &str) -> String {
    // Tables and strikethrough, as vendors write them on GitHub; raw HTML stays text (below).
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim().to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let path_start = lower.find(['/', '?', '#']).unwrap_or(lower.len());
    let allowed = match scheme_end {
        Some(i) if i < path_start => {
            lower.starts_with("http:")
                || lower.starts_with("https:")
                || lower.starts_with("mailto:")
        }
        _ => true,
    };
    if allowed { url } else { CowStr::Borrowed("#") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_never_lets_script_through() {
        let html = render_markdown(
            "# Welcome\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1)) \
             [ok](https://example.com) <img src=x onerror=alert(1)> ![i](JaVaScRiPt:alert(2))",
        );
        assert!(html.contains("<h1>Welcome</h1>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://example.com\""), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn markdown_tables_render_and_their_cells_stay_escaped() {
        let html = render_markdown("| Port | Use |\n|---|---|\n| 443 | <b>web</b> |\n\n~~old~~");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<th>Port</th>"), "{html}");
        assert!(html.contains("&lt;b&gt;web&lt;/b&gt;"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
    }

    #[test]
    fn colours_and_hosts_are_checked_and_normalised() {
        assert_eq!(validate_color(" #1F6FEB ").unwrap(), "#1f6feb");
        for bad in ["1f6feb", "#1f6fe", "#1f6fzz", "red", "#1f6feb0"] {
            assert!(
                validate_color(bad)
                    .unwrap_err()
                    .to_string()
                    .contains("primary colour"),
                "{bad}"
            );
        }
        assert_eq!(
            validate_host("Portal.Example.com.").unwrap().as_deref(),
            Some("portal.example.com")
        );
        assert_eq!(validate_host("  ").unwrap(), None);
        for bad in [
            "localhost",
            "-a.example.com",
            "a..b",
            "exa mple.com",
            "a_b.example.com",
            "127.0.0.1",
            "10.1.2.3",
        ] {
            assert!(validate_host(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn logos_are_typed_by_their_bytes() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\nrest").unwrap(), "image/png");
        assert_eq!(
            sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap(),
            "image/jpeg"
        );
        assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 ").unwrap(), "image/webp");
        assert!(
            sniff_image(b"<svg onload=alert(1)>")
                .unwrap_err()
                .to_string()
                .contains("PNG, JPEG or WebP")
        );
        assert!(
            sniff_image(&vec![0x89; MAX_LOGO_BYTES + 1])
                .unwrap_err()
                .to_string()
                .contains("at most")
        );
        assert!(sniff_image(b"").is_err());
    }
}
