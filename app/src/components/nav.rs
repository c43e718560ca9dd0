//! What the portals' sidebars list, grouped by task, and which item a path belongs to.

use super::frame::Portal;

/// One link of the sidebar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NavItem {
    /// What it says.
    pub label: &'static str,
    /// Where it leads; also the prefix of the paths it is active for.
    pub href: &'static str,
    /// Its element id (`nav-…`), for tests and scripts.
    pub id: &'static str,
}

/// A group of links under a heading (no heading for the first, the overview).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NavSection {
    /// The heading, if any.
    pub heading: Option<&'static str>,
    /// Its links.
    pub items: &'static [NavItem],
}

const fn item(label: &'static str, href: &'static str, id: &'static str) -> NavItem {
    NavItem { label, href, id }
}

const VENDOR: &[NavSection] = &[
    NavSection {
        heading: None,
        items: &[item("Overview", "/", "nav-overview")],
    },
    NavSection {
        heading: Some("Distribute"),
        items: &[
            item("Applications", "/applications", "nav-applications"),
            item("Artifacts", "/artifacts", "nav-artifacts"),
            item("Licenses", "/licenses", "nav-licenses"),
        ],
    },
    NavSection {
        heading: Some("Customers"),
        items: &[item("Customers", "/customers", "nav-customers")],
    },
    NavSection {
        heading: Some("Operate"),
        items: &[
            item("Fleet", "/fleet", "nav-fleet"),
            item("Targets", "/targets", "nav-targets"),
            item("Deployments", "/deployments", "nav-deployments"),
        ],
    },
    NavSection {
        heading: Some("Settings"),
        items: &[
            item("Branding", "/branding", "nav-branding"),
            item("Users", "/users", "nav-users"),
            item("Access tokens", "/tokens", "nav-tokens"),
        ],
    },
];

const CUSTOMER: &[NavSection] = &[
    NavSection {
        heading: None,
        items: &[item("Overview", "/portal", "nav-overview")],
    },
    NavSection {
        heading: Some("Operate"),
        items: &[
            item("Deployments", "/portal/deployments", "nav-deployments"),
            item("Targets", "/portal/targets", "nav-targets"),
        ],
    },
];

/// The sidebar of a portal.
pub fn sections(portal: Portal) -> &'static [NavSection] {
    match portal {
        Portal::Vendor => VENDOR,
        Portal::Customer => CUSTOMER,
    }
}

/// Whether `item` is the current one for `path`: the portal's home only on itself, any other
/// item on itself and the pages below it (`/targets/…` marks Targets).
pub fn is_active(item: &NavItem, path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let href = item.href.trim_end_matches('/');
    if href.is_empty() || href == "/portal" {
        return path == href;
    }
    path == href
        || path
            .strip_prefix(href)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The sidebar item `path` belongs to, if any.
pub fn current(portal: Portal, path: &str) -> Option<NavItem> {
    sections(portal)
        .iter()
        .flat_map(|s| s.items.iter())
        .find(|i| is_active(i, path))
        .copied()
}

/// The breadcrumb trail of a detail page: its list page (label, href), when `path` lies below
/// one (`/targets/4f…` → Targets). List pages and the overview have none.
pub fn parent(portal: Portal, path: &str) -> Option<(&'static str, &'static str)> {
    current(portal, path)
        .filter(|i| i.href.trim_end_matches('/') != path.trim_end_matches('/'))
        .map(|i| (i.label, i.href))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_route_marks_one_item() {
        let active = |p| current(Portal::Vendor, p).map(|i| i.id);
        assert_eq!(active("/"), Some("nav-overview"));
        assert_eq!(active("/targets"), Some("nav-targets"));
        assert_eq!(active("/targets/0a1b"), Some("nav-targets"));
        assert_eq!(active("/targetsfoo"), None);
        assert_eq!(active("/account"), None);
        let customer = |p| current(Portal::Customer, p).map(|i| i.id);
        assert_eq!(customer("/portal"), Some("nav-overview"));
        assert_eq!(customer("/portal/deployments/x"), Some("nav-deployments"));
    }

    #[test]
    fn detail_pages_have_a_parent() {
        assert_eq!(
            parent(Portal::Vendor, "/applications/4f"),
            Some(("Applications", "/applications"))
        );
        assert_eq!(parent(Portal::Vendor, "/applications"), None);
        assert_eq!(parent(Portal::Vendor, "/"), None);
        assert_eq!(
            parent(Portal::Customer, "/portal/targets/9"),
            Some(("Targets", "/portal/targets"))
        );
    }
}
