//! The vendor's customers.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A customer organization, as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// When it was created (`YYYY-MM-DD`).
    pub created: String,
}

#[cfg(feature = "ssr")]
impl From<service::customers::Customer> for CustomerView {
    fn from(c: service::customers::Customer) -> Self {
        Self {
            id: c.id.to_string(),
            name: c.name,
            created: c.created_at.format("%Y-%m-%d").to_string(),
        }
    }
}

/// The customers the signed-in person may see.
#[server(prefix = "/_fn", endpoint = "list_customers")]
pub async fn list_customers() -> Result<Vec<CustomerView>, AppError> {
    let (services, actor) = super::actor().await?;
    let list = service::customers::list(&services, &actor).await?;
    Ok(list.into_iter().map(Into::into).collect())
}

/// A page of the customers the signed-in person may see.
#[server(prefix = "/_fn", endpoint = "page_customers")]
pub async fn page_customers(
    query: types::list::ListQuery<types::list::CustomerSort>,
) -> Result<types::list::Page<CustomerView>, AppError> {
    let (services, actor) = super::actor().await?;
    let page = service::customers::page(&services, &actor, &query).await?;
    Ok(page.map(Into::into))
}

/// One customer.
#[server(prefix = "/_fn", endpoint = "get_customer")]
pub async fn get_customer(id: String) -> Result<CustomerView, AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "Customer")?;
    Ok(service::customers::get(&services, &actor, id).await?.into())
}

/// Creates a customer organization.
#[server(prefix = "/_fn", endpoint = "create_customer")]
pub async fn create_customer(name: String) -> Result<CustomerView, AppError> {
    let (services, actor) = super::actor().await?;
    let name = types::OrganizationName::parse(name).map_err(service::Error::Invalid)?;
    Ok(service::customers::create(&services, &actor, name)
        .await?
        .into())
}

/// Deletes a customer organization with its users' memberships and invitations.
#[server(prefix = "/_fn", endpoint = "delete_customer")]
pub async fn delete_customer(id: String) -> Result<(), AppError> {
    let (services, actor) = super::actor().await?;
    let id = super::parse_id(&id, "Customer")?;
    service::customers::delete(&services, &actor, id).await?;
    leptos_axum::redirect("/customers");
    Ok(())
}
