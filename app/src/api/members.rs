//! The people of the vendor or of a customer.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A member, as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    /// Their account id.
    pub user_id: String,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// `admin`, `read_write` or `read_only`.
    pub role: String,
}

/// A page of the members of the vendor (`customer` empty) or of one customer.
#[server(prefix = "/_fn", endpoint = "list_members")]
pub async fn list_members(
    customer: String,
    query: types::list::ListQuery<types::list::UserSort>,
) -> Result<types::list::Page<MemberView>, AppError> {
    let (services, actor) = super::actor().await?;
    let scope = super::customer_scope(&customer)?;
    let page = service::members::page(&services, &actor, scope, &query).await?;
    Ok(page.map(|m| MemberView {
        user_id: m.user_id.to_string(),
        name: m.name,
        email: m.email,
        role: m.role.to_string(),
    }))
}

/// Changes a member's role.
#[server(prefix = "/_fn", endpoint = "change_role")]
pub async fn change_role(user: String, role: String, customer: String) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let role = role.parse().map_err(|message: String| AppError::Invalid {
        field: "role".into(),
        message,
    })?;
    let user = super::parse_id(&user, "User")?;
    Ok(service::members::change_role(
        &services,
        &actor,
        user,
        role,
        super::customer_scope(&customer)?,
    )
    .await?)
}

/// Removes a member.
#[server(prefix = "/_fn", endpoint = "remove_member")]
pub async fn remove_member(user: String, customer: String) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let user = super::parse_id(&user, "User")?;
    Ok(
        service::members::remove(&services, &actor, user, super::customer_scope(&customer)?)
            .await?,
    )
}
