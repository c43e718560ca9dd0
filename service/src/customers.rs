//! Customer organizations: the vendor's customers, each a tenant of its own.

use crate::Services;
use chrono::{DateTime, Utc};
use types::{CustomerOrganizationId, OrganizationName};

use crate::auth::Actor;
use crate::entity::customer_organization as row;
use crate::listing::{self, CustomerSort, ListQuery, PAGE_SIZE, Page};
use crate::{Error, Result, repo};
use sea_orm::sea_query::Expr;

/// A customer organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Customer {
    /// Its id.
    pub id: CustomerOrganizationId,
    /// Its name, unique within the vendor.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<row::Model> for Customer {
    fn from(r: row::Model) -> Self {
        Self {
            id: r.id.into(),
            name: r.name,
            created_at: r.created_at,
        }
    }
}

/// Creates a customer of the actor's vendor (vendor writers only).
pub async fn create(
    services: &Services,
    actor: &Actor,
    name: OrganizationName,
) -> Result<Customer> {
    actor.require_vendor_write("create customers")?;
    let saved = repo::customers::insert(
        &services.db,
        row::Model {
            id: CustomerOrganizationId::new().0,
            organization_id: actor.organization_id.0,
            name: name.into(),
            created_at: Utc::now(),
        },
    )
    .await?;
    Ok(saved.into())
}

/// The customers the actor may see: all of the vendor's for vendor members, their own for a
/// customer member.
pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<Customer>> {
    let all = repo::customers::list(&services.db, actor.organization_id.0).await?;
    Ok(all
        .into_iter()
        .map(Customer::from)
        .filter(|c| actor.customer_organization_id.is_none_or(|own| own == c.id))
        .collect())
}

/// A page of the customers the actor may see (see [`list`]), searched by name.
pub async fn page(
    services: &Services,
    actor: &Actor,
    query: &ListQuery<CustomerSort>,
) -> Result<Page<Customer>> {
    let dir = listing::order(query.dir);
    let by_name = listing::lower((row::Entity, row::Column::Name));
    let order = match query.sort {
        CustomerSort::Name => vec![(by_name.clone(), dir)],
        CustomerSort::Created => vec![(Expr::col((row::Entity, row::Column::CreatedAt)), dir)],
    };
    let (rows, total) = repo::customers::page(
        &services.db,
        actor.organization_id.0,
        actor.customer_organization_id.map(|c| c.0),
        listing::search(query, [by_name]),
        order,
        query.offset(),
        PAGE_SIZE,
    )
    .await?;
    Ok(listing::page(
        query,
        rows.into_iter().map(Customer::from).collect(),
        total,
    ))
}

/// One customer the actor may see; another vendor's customer is [`Error::NotFound`].
pub async fn get(
    services: &Services,
    actor: &Actor,
    id: CustomerOrganizationId,
) -> Result<Customer> {
    actor
        .require_customer_read(id, "see this customer")
        .map_err(|_| Error::NotFound { what: "customer" })?;
    repo::customers::find(&services.db, actor.organization_id.0, id.0)
        .await?
        .map(Customer::from)
        .ok_or(Error::NotFound { what: "customer" })
}

/// Renames a customer (vendor writers only); a name another customer of the vendor has is
/// [`Error::Conflict`] on `name`, another vendor's customer is [`Error::NotFound`].
pub async fn rename(
    services: &Services,
    actor: &Actor,
    id: CustomerOrganizationId,
    name: OrganizationName,
) -> Result<Customer> {
    actor.require_vendor_write("rename customers")?;
    if !repo::customers::set_name(&services.db, actor.organization_id.0, id.0, name.as_str())
        .await?
    {
        return Err(Error::NotFound { what: "customer" });
    }
    get(services, actor, id).await
}

/// Deletes a customer with its memberships and invitations (vendor admins only).
pub async fn delete(services: &Services, actor: &Actor, id: CustomerOrganizationId) -> Result<()> {
    actor.require_vendor_admin("delete customers")?;
    let txn = crate::db::begin_writer(&services.db).await?;
    repo::customers::find(&txn, actor.organization_id.0, id.0)
        .await?
        .ok_or(Error::NotFound { what: "customer" })?;
    repo::memberships::delete_for_customer(&txn, id.0).await?;
    repo::customers::delete(&txn, id.0).await?;
    txn.commit().await?;
    Ok(())
}
