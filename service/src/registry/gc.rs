//! The registry's garbage collector: removes uploads nobody finished, unlinks blobs that no
//! manifest of their artifact references, and deletes stored blobs that no artifact links.
//! Everything younger than the grace period is left alone, so a push in progress (blobs first,
//! manifest last) is never collected under its feet; and what a push relies on is never
//! removed while it relies on it: pushes and the collector's removals exclude each other
//! ([`Registry::pushing`], [`Registry::collecting`]), so a link is removed only if no manifest
//! committed since names it, and bytes only if no link was made since.

use crate::Services;
use std::time::{Duration, SystemTime};

use chrono::Utc;

use super::Registry;
use crate::{Result, repo};

/// How old things must be before they are collected.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Uploads untouched for this long are abandoned.
    pub upload_ttl: Duration,
    /// Blobs linked or stored this recently are kept even when nothing references them.
    pub grace: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            upload_ttl: Duration::from_secs(24 * 3600),
            grace: Duration::from_secs(3600),
        }
    }
}

/// What one run removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Abandoned uploads.
    pub uploads: u64,
    /// Links from artifacts to blobs no manifest references.
    pub links: u64,
    /// Blobs deleted from the store.
    pub blobs: u64,
}

/// Runs the collector once.
pub async fn run(services: &Services, registry: &Registry, policy: Policy) -> Result<Report> {
    let mut report = Report::default();
    let now = SystemTime::now();
    for id in registry
        .stale_uploads(now.checked_sub(policy.upload_ttl).unwrap_or(now))
        .await?
    {
        registry.discard(id).await?;
        report.uploads += 1;
    }
    let grace = chrono::Duration::from_std(policy.grace).unwrap_or(chrono::Duration::hours(1));
    report.links = {
        // No manifest push is between checking its blobs' links and committing.
        let _collecting = registry.collecting().await;
        repo::registry::delete_unreferenced_links(&services.db, Utc::now() - grace).await?
    };
    let cutoff = now.checked_sub(policy.grace).unwrap_or(now);
    let linked = repo::registry::all_linked_digests(&services.db).await?;
    for (digest, stored_at) in registry.store.list().await? {
        if stored_at >= cutoff || linked.contains(digest.as_str()) {
            continue;
        }
        // Checked again one by one, with pushes kept out until it is gone: a push may have
        // linked it since the list was read, or be storing it again right now.
        let _collecting = registry.collecting().await;
        if repo::registry::blob_linked_anywhere(&services.db, digest.as_str()).await? {
            continue;
        }
        registry.store.delete(&digest).await?;
        report.blobs += 1;
    }
    if report != Report::default() {
        tracing::info!(
            uploads = report.uploads,
            links = report.links,
            blobs = report.blobs,
            "registry garbage collected"
        );
    }
    Ok(report)
}
