//! Lists that grow: what a list page asks for (`?q=…&sort=…&dir=asc|desc&page=N`) parsed once
//! into a typed [`ListQuery`], and the [`Page`] of rows that comes back. The service applies the
//! search, sort and page in SQL; the portals keep the state in the URL.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Rows on one page of every list.
pub const PAGE_SIZE: u64 = 50;

/// The longest search text kept (longer text is cut, not refused: a URL is no form).
pub const MAX_SEARCH_CHARS: usize = 100;

/// A sort direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortDir {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

impl SortDir {
    /// `asc` or `desc`, as the URL spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }

    /// The other direction.
    pub fn flip(self) -> Self {
        match self {
            Self::Asc => Self::Desc,
            Self::Desc => Self::Asc,
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "asc" => Some(Self::Asc),
            "desc" => Some(Self::Desc),
            _ => None,
        }
    }
}

/// The columns one list can be sorted by. Implemented by the enums [`sort_keys!`] makes.
pub trait SortKey: Copy + Eq + Default + fmt::Debug + Send + Sync + 'static {
    /// Every key.
    const ALL: &'static [Self];
    /// The key as the URL spells it.
    fn as_str(self) -> &'static str;
    /// The direction a first click on the column sorts in (dates newest first).
    fn first_dir(self) -> SortDir;
    /// The key the URL spells `s`, if any.
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// Makes a sort-key enum: `sort_keys!(Name { #[default] Variant = "url" asc, … })`.
macro_rules! sort_keys {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $key:literal $dir:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }
        impl SortKey for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $key,)+ }
            }
            fn first_dir(self) -> SortDir {
                match self { $(Self::$variant => sort_keys!(@dir $dir),)+ }
            }
        }
    };
    (@dir asc) => { SortDir::Asc };
    (@dir desc) => { SortDir::Desc };
}

sort_keys!(
    /// How `/targets` and `/portal/targets` sort.
    TargetSort {
        /// By name (the default).
        #[default]
        Name = "name" asc,
        /// By customer name, vendor-managed ones first.
        Customer = "customer" asc,
        /// By when the agent was last seen, newest first.
        LastSeen = "seen" desc,
        /// By creation, newest first.
        Created = "created" desc,
    }
);

sort_keys!(
    /// How `/fleet` sorts: grouped by customer by default.
    FleetSort {
        /// By customer, then target name (the default).
        #[default]
        Customer = "customer" asc,
        /// By target name.
        Name = "name" asc,
        /// By when the agent was last seen, newest first.
        LastSeen = "seen" desc,
    }
);

sort_keys!(
    /// How `/deployments` and `/portal/deployments` sort.
    DeploymentSort {
        /// By when it last changed, newest first (the default).
        #[default]
        Updated = "updated" desc,
        /// By target name.
        Target = "target" asc,
        /// By customer name.
        Customer = "customer" asc,
        /// By application name.
        Application = "application" asc,
    }
);

sort_keys!(
    /// How `/customers` sorts.
    CustomerSort {
        /// By name (the default).
        #[default]
        Name = "name" asc,
        /// By creation, newest first.
        Created = "created" desc,
    }
);

sort_keys!(
    /// How `/licenses` sorts.
    LicenseSort {
        /// By grant date, newest first (the default).
        #[default]
        Created = "created" desc,
        /// By name.
        Name = "name" asc,
        /// By customer name.
        Customer = "customer" asc,
        /// By application name.
        Application = "application" asc,
        /// By expiry, soonest first.
        Expires = "expires" asc,
    }
);

sort_keys!(
    /// How `/artifacts` sorts.
    ArtifactSort {
        /// By name (the default).
        #[default]
        Name = "name" asc,
        /// By first push, newest first.
        Created = "created" desc,
    }
);

sort_keys!(
    /// How `/users` sorts.
    UserSort {
        /// By email (the default).
        #[default]
        Email = "email" asc,
        /// By name.
        Name = "name" asc,
        /// By role.
        Role = "role" asc,
    }
);

/// What a list page asks for: search text, sort column and direction, page (from 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RawListQuery", into = "RawListQuery")]
#[serde(bound(serialize = "S: SortKey", deserialize = "S: SortKey"))]
pub struct ListQuery<S: SortKey> {
    /// The search text, trimmed and cut to [`MAX_SEARCH_CHARS`]; empty for none.
    pub q: String,
    /// The sort column.
    pub sort: S,
    /// The sort direction.
    pub dir: SortDir,
    /// The page, from 1.
    pub page: u64,
}

impl<S: SortKey> Default for ListQuery<S> {
    fn default() -> Self {
        Self {
            q: String::new(),
            sort: S::default(),
            dir: S::default().first_dir(),
            page: 1,
        }
    }
}

/// The query as strings, as a URL or a form carries it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct RawListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(default)]
    page: String,
}

impl<S: SortKey> From<RawListQuery> for ListQuery<S> {
    fn from(r: RawListQuery) -> Self {
        Self::parse(
            Some(r.q.as_str()),
            Some(r.sort.as_str()),
            Some(r.dir.as_str()),
            Some(r.page.as_str()),
        )
    }
}

impl<S: SortKey> From<ListQuery<S>> for RawListQuery {
    fn from(l: ListQuery<S>) -> Self {
        Self {
            q: l.q,
            sort: l.sort.as_str().into(),
            dir: l.dir.as_str().into(),
            page: l.page.to_string(),
        }
    }
}

impl<S: SortKey> ListQuery<S> {
    /// Reads the URL's parameters; never fails: an unknown sort key is the default one, a
    /// missing or bad direction the key's own, a bad page 1, a long search cut.
    pub fn parse(
        q: Option<&str>,
        sort: Option<&str>,
        dir: Option<&str>,
        page: Option<&str>,
    ) -> Self {
        let sort = sort.and_then(S::parse).unwrap_or_default();
        let dir = dir.and_then(SortDir::parse).unwrap_or(sort.first_dir());
        let page = page
            .and_then(|p| p.trim().parse::<u64>().ok())
            .filter(|p| (1..=1_000_000).contains(p))
            .unwrap_or(1);
        let q: String = q
            .unwrap_or_default()
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_SEARCH_CHARS)
            .collect();
        Self {
            q: q.trim().to_string(),
            sort,
            dir,
            page,
        }
    }

    /// The rows skipped before this page.
    pub fn offset(&self) -> u64 {
        (self.page - 1) * PAGE_SIZE
    }

    /// The same query on another page.
    pub fn on_page(&self, page: u64) -> Self {
        Self {
            page: page.max(1),
            ..self.clone()
        }
    }

    /// The query sorted by `key`: the other direction when already sorted by it, else the
    /// key's own first direction; back to page 1.
    pub fn sorted_by(&self, key: S) -> Self {
        let dir = if self.sort == key {
            self.dir.flip()
        } else {
            key.first_dir()
        };
        Self {
            sort: key,
            dir,
            page: 1,
            q: self.q.clone(),
        }
    }

    /// The query string (without `?`) that asks for this query, leaving defaults out; empty
    /// for the default query.
    pub fn query_string(&self) -> String {
        let mut parts = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!("q={}", encode(&self.q)));
        }
        if self.sort != S::default() || self.dir != self.sort.first_dir() {
            parts.push(format!("sort={}", self.sort.as_str()));
            parts.push(format!("dir={}", self.dir.as_str()));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        parts.join("&")
    }

    /// `path` with [`Self::query_string`].
    pub fn href(&self, path: &str) -> String {
        let query = self.query_string();
        if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{query}")
        }
    }

    /// The search text as a SQL `LIKE` pattern for a case-insensitive substring match on a
    /// lowercased column (`%`, `_` and `\` escaped with `\`); `None` without search text.
    pub fn like_pattern(&self) -> Option<String> {
        if self.q.is_empty() {
            return None;
        }
        let mut pattern = String::from("%");
        for c in self.q.to_lowercase().chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        Some(pattern)
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One page of a list: its rows, the total over every page, and which page it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Rows over every page (matching the search).
    pub total: u64,
    /// This page, from 1.
    pub page: u64,
}

impl<T> Page<T> {
    /// How many pages the total fills (at least 1).
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(PAGE_SIZE).max(1)
    }

    /// `1–50 of 812`; `0 of 0` when empty.
    pub fn range_label(&self) -> String {
        if self.items.is_empty() {
            return format!("0 of {}", self.total);
        }
        let first = (self.page - 1) * PAGE_SIZE + 1;
        let last = first + self.items.len() as u64 - 1;
        format!("{first}–{last} of {}", self.total)
    }

    /// The same page with each row turned by `f`.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Q = ListQuery<TargetSort>;

    #[test]
    fn bad_parameters_fall_back_to_defaults() {
        let q = Q::parse(None, Some("drop table"), Some("sideways"), Some("-3"));
        assert_eq!(q, Q::default());
        assert_eq!(Q::parse(None, None, None, Some("0")).page, 1);
        assert_eq!(Q::parse(None, None, None, Some("abc")).page, 1);
        assert_eq!(Q::parse(None, None, None, Some("7")).page, 7);
        let seen = Q::parse(None, Some("seen"), None, None);
        assert_eq!((seen.sort, seen.dir), (TargetSort::LastSeen, SortDir::Desc));
    }

    #[test]
    fn a_long_search_is_cut_and_trimmed() {
        let long = format!("  {}  ", "é".repeat(300));
        let q = Q::parse(Some(&long), None, None, None);
        assert_eq!(q.q.chars().count(), MAX_SEARCH_CHARS);
        assert_eq!(Q::parse(Some(" a\u{7}b "), None, None, None).q, "ab");
    }

    #[test]
    fn the_query_string_leaves_defaults_out_and_round_trips() {
        assert_eq!(Q::default().query_string(), "");
        let q = Q::parse(
            Some("edge berlin&x"),
            Some("customer"),
            Some("desc"),
            Some("3"),
        );
        let s = q.query_string();
        assert_eq!(s, "q=edge%20berlin%26x&sort=customer&dir=desc&page=3");
        assert_eq!(q.href("/targets"), format!("/targets?{s}"));
    }

    #[test]
    fn sorting_by_the_same_column_flips_and_goes_back_to_page_one() {
        let q = Q::default().on_page(4);
        let by_name = q.sorted_by(TargetSort::Name);
        assert_eq!((by_name.dir, by_name.page), (SortDir::Desc, 1));
        let by_seen = q.sorted_by(TargetSort::LastSeen);
        assert_eq!(by_seen.dir, SortDir::Desc);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        let q = Q::parse(Some("50%_Off\\"), None, None, None);
        assert_eq!(q.like_pattern().as_deref(), Some("%50\\%\\_off\\\\%"));
        assert_eq!(Q::default().like_pattern(), None);
    }

    #[test]
    fn the_range_label_counts_from_one() {
        let page = Page {
            items: vec![(); 50],
            total: 812,
            page: 1,
        };
        assert_eq!(page.range_label(), "1–50 of 812");
        assert_eq!(page.pages(), 17);
        let last = Page {
            items: vec![(); 12],
            total: 812,
            page: 17,
        };
        assert_eq!(last.range_label(), "801–812 of 812");
    }

    #[test]
    fn the_query_survives_serde_with_unknown_keys_falling_back() {
        let q = Q::parse(Some("x"), Some("customer"), Some("desc"), Some("2"));
        let json = serde_json::to_string(&q).unwrap();
        assert_eq!(serde_json::from_str::<Q>(&json).unwrap(), q);
        let odd: Q = serde_json::from_str(r#"{"sort":"nope","page":"x"}"#).unwrap();
        assert_eq!(odd, Q::default());
    }
}
