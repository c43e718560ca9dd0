//! The people of a vendor or of one of its customers, and their roles.

use crate::Services;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use types::{CustomerOrganizationId, Role, UserId};

use sea_orm::Order;
use sea_orm::sea_query::Expr;

use crate::auth::Actor;
use crate::entity::{membership, user_account};
use crate::listing::{self, ListQuery, PAGE_SIZE, Page, UserSort};
use crate::{Error, Result, accounts, repo};

/// A member, as the portal lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Their account.
    pub user_id: UserId,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Their role.
    pub role: Role,
    /// When they joined.
    pub joined_at: DateTime<Utc>,
    /// Their customer organization; `None` for members of the vendor itself.
    pub customer: Option<CustomerOrganizationId>,
}

impl Member {
    fn from_rows(
        m: crate::entity::membership::Model,
        u: crate::entity::user_account::Model,
    ) -> Result<Self> {
        Ok(Self {
            user_id: u.id.into(),
            name: u.name,
            email: u.email,
            role: accounts::parse_role(&m.role)?,
            joined_at: m.created_at,
            customer: m.customer_organization_id.map(Into::into),
        })
    }
}

fn authorize_read(actor: &Actor, customer: Option<CustomerOrganizationId>) -> Result<()> {
    match customer {
        Some(c) => actor.require_customer_read(c, "see this customer's users"),
        None => actor.require_vendor_read("see vendor users"),
    }
}

/// A customer id from another vendor must look exactly like a missing one.
async fn ensure_customer_of_vendor(
    services: &Services,
    actor: &Actor,
    customer: Option<CustomerOrganizationId>,
) -> Result<()> {
    let _db = &services.db;
    if let Some(c) = customer {
        crate::customers::get(services, actor, c).await?;
    }
    Ok(())
}

fn authorize_manage(actor: &Actor, customer: Option<CustomerOrganizationId>) -> Result<()> {
    match customer {
        Some(c) => actor.require_customer_admin(c, "manage this customer's users"),
        None => actor.require_vendor_admin("manage vendor users"),
    }
}

/// The members of the vendor (`customer = None`) or of one of its customers.
pub async fn list(
    services: &Services,
    actor: &Actor,
    customer: Option<CustomerOrganizationId>,
) -> Result<Vec<Member>> {
    authorize_read(actor, customer)?;
    ensure_customer_of_vendor(services, actor, customer).await?;
    repo::memberships::list_members(&services.db, actor.organization_id.0, customer.map(|c| c.0))
        .await?
        .into_iter()
        .map(|(m, u)| Member::from_rows(m, u))
        .collect()
}

/// One page of the members of the vendor (`customer = None`) or of one of its customers,
/// searched by name or email and sorted as `query` asks: `/users` and a customer's people.
pub async fn page(
    services: &Services,
    actor: &Actor,
    customer: Option<CustomerOrganizationId>,
    query: &ListQuery<UserSort>,
) -> Result<Page<Member>> {
    authorize_read(actor, customer)?;
    ensure_customer_of_vendor(services, actor, customer).await?;
    let dir = listing::order(query.dir);
    let email = listing::lower((user_account::Entity, user_account::Column::Email));
    let name = listing::lower((user_account::Entity, user_account::Column::Name));
    let order = match query.sort {
        UserSort::Email => vec![(email.clone(), dir)],
        UserSort::Name => vec![(name.clone(), dir.clone()), (email.clone(), dir)],
        UserSort::Role => vec![
            (
                Expr::col((membership::Entity, membership::Column::Role)),
                dir,
            ),
            (email.clone(), Order::Asc),
        ],
    };
    let (rows, total) = repo::memberships::page_members(
        &services.db,
        actor.organization_id.0,
        customer.map(|c| c.0),
        listing::search(query, [email, name]),
        order,
        query.offset(),
        PAGE_SIZE,
    )
    .await?;
    let members = rows
        .into_iter()
        .map(|(m, u)| Member::from_rows(m, u))
        .collect::<Result<_>>()?;
    Ok(listing::page(query, members, total))
}

/// Every member the actor may see: for a vendor member, the vendor's own members and those of
/// all its customers; for a customer member, the members of their customer organization.
pub async fn list_visible(services: &Services, actor: &Actor) -> Result<Vec<Member>> {
    match actor.customer_organization_id {
        Some(own) => list(services, actor, Some(own)).await,
        None => repo::memberships::list_all_members(&services.db, actor.organization_id.0)
            .await?
            .into_iter()
            .map(|(m, u)| Member::from_rows(m, u))
            .collect(),
    }
}

/// One member the actor may see (see [`list_visible`]); anyone else is [`Error::NotFound`].
pub async fn get(services: &Services, actor: &Actor, user: UserId) -> Result<Member> {
    let (m, u) = repo::memberships::find_member(&services.db, user.0, actor.organization_id.0)
        .await?
        .ok_or(Error::NotFound { what: "user" })?;
    let member = Member::from_rows(m, u)?;
    if let Some(own) = actor.customer_organization_id
        && member.customer != Some(own)
    {
        return Err(Error::NotFound { what: "user" });
    }
    Ok(member)
}

/// Checks that `user` is a member in exactly this scope, and that taking away their admin role
/// (when `demoting`) leaves another admin.
async fn check_target(
    db: &DatabaseConnection,
    actor: &Actor,
    user: UserId,
    customer: Option<CustomerOrganizationId>,
    demoting: bool,
) -> Result<()> {
    let membership = repo::memberships::find(db, user.0, actor.organization_id.0)
        .await?
        .filter(|m| m.customer_organization_id == customer.map(|c| c.0))
        .ok_or(Error::NotFound { what: "user" })?;
    if demoting
        && membership.role == Role::Admin.as_str()
        && repo::memberships::count_admins(db, actor.organization_id.0, customer.map(|c| c.0))
            .await?
            <= 1
    {
        return Err(Error::LastAdmin);
    }
    Ok(())
}

/// Changes a member's role.
pub async fn change_role(
    services: &Services,
    actor: &Actor,
    user: UserId,
    role: Role,
    customer: Option<CustomerOrganizationId>,
) -> Result<()> {
    authorize_manage(actor, customer)?;
    check_target(&services.db, actor, user, customer, role != Role::Admin).await?;
    repo::memberships::set_role(&services.db, user.0, actor.organization_id.0, role.as_str()).await
}

/// Removes a member (their account stays; other memberships are untouched).
pub async fn remove(
    services: &Services,
    actor: &Actor,
    user: UserId,
    customer: Option<CustomerOrganizationId>,
) -> Result<()> {
    authorize_manage(actor, customer)?;
    check_target(&services.db, actor, user, customer, true).await?;
    repo::memberships::delete(&services.db, user.0, actor.organization_id.0).await
}
