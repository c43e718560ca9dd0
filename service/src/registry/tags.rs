//! Tag lists and the catalog, with the spec's `n`/`last` pagination.

use crate::Services;

use super::access::{self, Grant, RegistryPrincipal};
use crate::{Result, repo};

/// One page of a sorted list, and whether more follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// The entries.
    pub entries: Vec<String>,
    /// Whether there are entries after the last one.
    pub more: bool,
}

/// The entries after `last`, at most `n` of them (all without `n`).
pub fn page(sorted: Vec<String>, n: Option<usize>, last: Option<&str>) -> Page {
    let rest: Vec<String> = sorted
        .into_iter()
        .filter(|e| last.is_none_or(|l| e.as_str() > l))
        .collect();
    match n {
        Some(n) if rest.len() > n => Page {
            entries: rest.into_iter().take(n).collect(),
            more: true,
        },
        _ => Page {
            entries: rest,
            more: false,
        },
    }
}

/// The tags of `artifact` that `grant` reaches, in lexical order.
pub async fn list(
    services: &Services,
    artifact: &crate::registry::Artifact,
    grant: &Grant,
) -> Result<Vec<String>> {
    Ok(repo::registry::list_tags(&services.db, artifact.id.0)
        .await?
        .into_iter()
        .map(|t| t.name)
        .filter(|t| grant.reaches_tag(t))
        .collect())
}

/// The repositories `principal` may pull, in lexical order.
pub async fn catalog(
    services: &Services,
    principal: &RegistryPrincipal,
    registry_hosts: &[String],
) -> Result<Vec<String>> {
    let _db = &services.db;
    access::visible_repositories(services, principal, registry_hosts).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_start_after_last_and_say_whether_more_follow() {
        let all: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        assert_eq!(page(all.clone(), Some(2), None).entries, ["a", "b"]);
        assert!(page(all.clone(), Some(2), None).more);
        let second = page(all.clone(), Some(2), Some("b"));
        assert_eq!(second.entries, ["c", "d"]);
        assert!(!second.more);
        assert!(page(all.clone(), Some(0), None).entries.is_empty());
        assert_eq!(page(all, None, Some("c")).entries, ["d"]);
    }
}
