//! People: accounts, credentials and their memberships in organizations.

use crate::Services;
use chrono::{DateTime, Utc};
use types::{CustomerOrganizationId, Email, OrganizationId, Role, UserId};

use crate::auth::Actor;

use crate::entity::{membership, user_account};
use crate::{Error, Result, password, repo};

/// A person's account, without its credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// Its normalised email address.
    pub email: Email,
    /// Its display name.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Whether the address was confirmed through an emailed link.
    pub email_verified: bool,
}

impl TryFrom<user_account::Model> for User {
    type Error = Error;
    fn try_from(row: user_account::Model) -> Result<Self> {
        Ok(Self {
            id: row.id.into(),
            email: Email::parse(row.email)?,
            name: row.name,
            created_at: row.created_at,
            email_verified: row.email_verified_at.is_some(),
        })
    }
}

/// What it takes to create an account.
#[derive(Clone)]
pub struct NewUser {
    /// The account's email address.
    pub email: Email,
    /// A display name (trimmed; 1 to 100 characters).
    pub name: String,
    /// The chosen password, checked by [`password::validate`].
    pub password: String,
}

impl std::fmt::Debug for NewUser {
    // The password must never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("email", &self.email)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Creates an account with an argon2id password hash; a taken email is [`Error::Conflict`].
pub async fn register(services: &Services, new: NewUser) -> Result<User> {
    let row = new_account_row(new).await?;
    repo::users::insert(&services.db, row).await?.try_into()
}

/// Validates a new account and hashes its password (slow: do it before opening a transaction).
pub(crate) async fn new_account_row(new: NewUser) -> Result<user_account::Model> {
    let name = validate_person_name(new.name)?;
    password::validate(&new.password)?;
    let password_hash = password::hash(new.password).await?;
    Ok(user_account::Model {
        id: UserId::new().0,
        email: new.email.into(),
        name,
        password_hash,
        created_at: Utc::now(),
        email_verified_at: None,
    })
}

/// A person's display name: trimmed, 1 to 100 characters, no control characters.
pub fn validate_person_name(name: String) -> Result<String> {
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err(types::NameError::Empty { field: "name" }.into());
    }
    if name.chars().count() > 100 {
        return Err(types::NameError::TooLong {
            field: "name",
            max: 100,
        }
        .into());
    }
    if name.chars().any(char::is_control) {
        return Err(types::NameError::Invalid {
            field: "name",
            rule: "must not contain control characters",
        }
        .into());
    }
    Ok(name)
}

/// Checks an email and password. Every failure — malformed email, unknown account, wrong
/// password — is the same [`Error::InvalidCredentials`] and takes the same time.
pub async fn authenticate(services: &Services, email: &str, password: String) -> Result<User> {
    let row = match Email::parse(email) {
        Ok(email) => repo::users::find_by_email(&services.db, email.as_str()).await?,
        Err(_) => None,
    };
    let phc = row.as_ref().map(|r| r.password_hash.clone());
    let verified = password::verify(password, phc).await?;
    match row {
        Some(row) if verified => row.try_into(),
        _ => Err(Error::InvalidCredentials),
    }
}

/// Makes `user` a member of `organization` with `role`; `customer` makes them a member of
/// that customer organization of the vendor.
pub async fn add_membership(
    services: &Services,
    user: UserId,
    organization: OrganizationId,
    role: Role,
    customer: Option<CustomerOrganizationId>,
) -> Result<()> {
    repo::memberships::insert(
        &services.db,
        membership::Model {
            user_id: user.0,
            organization_id: organization.0,
            role: role.as_str().to_string(),
            created_at: Utc::now(),
            customer_organization_id: customer.map(|c| c.0),
        },
    )
    .await?;
    Ok(())
}

/// The organizations `user` belongs to, oldest membership first, as the actor they would be.
pub async fn memberships(services: &Services, user: UserId) -> Result<Vec<Actor>> {
    repo::memberships::list_for_user(&services.db, user.0)
        .await?
        .into_iter()
        .map(actor_from_membership)
        .collect()
}

/// The actor `user` is in `preferred` (if they are a member there), else in their first
/// organization; `None` if they belong to none.
pub async fn actor(
    services: &Services,
    user: UserId,
    preferred: Option<OrganizationId>,
) -> Result<Option<Actor>> {
    let _db = &services.db;
    let all = memberships(services, user).await?;
    let chosen = preferred
        .and_then(|p| all.iter().position(|a| a.organization_id == p))
        .unwrap_or(0);
    Ok(all.into_iter().nth(chosen))
}

pub(crate) fn parse_role(role: &str) -> Result<Role> {
    role.parse::<Role>().map_err(|_| {
        types::NameError::Invalid {
            field: "role",
            rule: "must be admin, read_write or read_only",
        }
        .into()
    })
}

fn actor_from_membership(m: membership::Model) -> Result<Actor> {
    Ok(Actor {
        user_id: m.user_id.into(),
        organization_id: m.organization_id.into(),
        role: parse_role(&m.role)?,
        customer_organization_id: m.customer_organization_id.map(Into::into),
    })
}

/// The organizations `user` can switch between, labelled for a menu: the vendor's name, or
/// "Customer (Vendor)" for a customer membership.
pub async fn organization_choices(
    services: &Services,
    user: UserId,
) -> Result<Vec<(OrganizationId, String)>> {
    let mut choices = Vec::new();
    for actor in memberships(services, user).await? {
        let vendor = repo::organizations::find_by_id(&services.db, actor.organization_id.0)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        let label = match actor.customer_organization_id {
            Some(c) => {
                match repo::customers::find(&services.db, actor.organization_id.0, c.0).await? {
                    Some(customer) => format!("{} ({vendor})", customer.name),
                    None => vendor,
                }
            }
            None => vendor,
        };
        choices.push((actor.organization_id, label));
    }
    Ok(choices)
}
