//! A vendor's registry settings.

use crate::Services;

use crate::auth::Actor;
use crate::{Result, repo};

/// Whether pushing an existing tag may move it (default: no, tags are immutable). Any vendor
/// member may read it.
pub async fn tags_mutable(services: &Services, actor: &Actor) -> Result<bool> {
    actor.require_vendor_read("read registry settings")?;
    repo::registry::tags_mutable(&services.db, actor.organization_id.0).await
}

/// Lets pushes overwrite tags, or not (vendor admins only).
pub async fn set_tags_mutable(services: &Services, actor: &Actor, mutable: bool) -> Result<()> {
    actor.require_vendor_admin("change registry settings")?;
    repo::registry::set_tags_mutable(&services.db, actor.organization_id.0, mutable).await
}
