//! What a new vendor organization is offered before it has anything of its own.

use leptos::prelude::*;

use crate::error::AppError;

/// The hub's public URL when the signed-in vendor has no application yet (the home page then
/// explains the sample command with it); `None` otherwise.
#[server(prefix = "/_fn", endpoint = "sample_hint")]
pub async fn sample_hint() -> Result<Option<String>, AppError> {
    let (services, actor) = super::actor().await?;
    if !actor.is_vendor()
        || !service::applications::list(&services, &actor, chrono::Utc::now())
            .await?
            .is_empty()
    {
        return Ok(None);
    }
    Ok(Some(super::base_url(&services).await))
}
