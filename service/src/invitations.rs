//! Invitations: single-use, expiring links that make a person a member of a vendor or of one of
//! its customers. The link's token is shown once (mail and portal); only its hash is stored.

use crate::Services;
use chrono::{DateTime, Duration, Utc};
use sea_orm::DatabaseConnection;
use types::{CustomerOrganizationId, Email, InvitationId, OrganizationId, Role};

use crate::accounts::{self, NewUser, User};
use crate::auth::Actor;
use crate::entity::{invitation as row, membership};
use crate::{Error, Result, password, repo, tokens};

/// Whom to invite, as what.
#[derive(Clone, Debug)]
pub struct NewInvitation {
    /// The invitee's email address.
    pub email: Email,
    /// The role they get.
    pub role: Role,
    /// `Some` to invite into one of the vendor's customers; `None` for the vendor itself.
    pub customer: Option<CustomerOrganizationId>,
}

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Waiting to be used.
    Pending,
    /// Used.
    Accepted,
    /// Revoked by the vendor or superseded by a newer invitation.
    Revoked,
    /// Not used in time.
    Expired,
}

/// An invitation, as the portal lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    /// Its id.
    pub id: InvitationId,
    /// The invitee.
    pub email: String,
    /// The role they get.
    pub role: Role,
    /// The customer organization, for customer invitations.
    pub customer: Option<CustomerOrganizationId>,
    /// When it was (last) sent.
    pub created_at: DateTime<Utc>,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// Where it stands now.
    pub status: Status,
}

impl Invitation {
    fn from_row(r: row::Model, now: DateTime<Utc>) -> Result<Self> {
        let status = if r.accepted_at.is_some() {
            Status::Accepted
        } else if r.revoked_at.is_some() {
            Status::Revoked
        } else if r.expires_at <= now {
            Status::Expired
        } else {
            Status::Pending
        };
        Ok(Self {
            id: r.id.into(),
            email: r.email,
            role: accounts::parse_role(&r.role)?,
            customer: r.customer_organization_id.map(Into::into),
            created_at: r.created_at,
            expires_at: r.expires_at,
            status,
        })
    }
}

/// A freshly issued invitation and the token for its link (never stored, shown once).
#[derive(Clone, Debug)]
pub struct Issued {
    /// The invitation.
    pub invitation: Invitation,
    /// The secret part of the link `/invite/<token>`.
    pub token: String,
}

/// What the invitation page shows before the invitee accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preview {
    /// The invitee.
    pub email: String,
    /// The vendor.
    pub organization_id: OrganizationId,
    /// The vendor's name.
    pub organization_name: String,
    /// The customer organization's name, for customer invitations.
    pub customer_name: Option<String>,
    /// The role they get.
    pub role: Role,
    /// Whether an account with this email exists (then its password is asked for instead).
    pub existing_account: bool,
}

fn authorize(actor: &Actor, customer: Option<CustomerOrganizationId>) -> Result<()> {
    match customer {
        Some(c) => actor.require_customer_admin(c, "invite users to this customer"),
        None => actor.require_vendor_admin("invite vendor users"),
    }
}

/// Invites a person; a pending invitation of the same email to the vendor is superseded.
pub async fn create(
    services: &Services,
    actor: &Actor,
    new: NewInvitation,
    ttl: Duration,
) -> Result<Issued> {
    authorize(actor, new.customer)?;
    if let Some(c) = new.customer {
        repo::customers::find(&services.db, actor.organization_id.0, c.0)
            .await?
            .ok_or(Error::NotFound { what: "customer" })?;
    }
    if let Some(existing) = repo::users::find_by_email(&services.db, new.email.as_str()).await?
        && repo::memberships::find(&services.db, existing.id, actor.organization_id.0)
            .await?
            .is_some()
    {
        return Err(Error::Conflict { field: "email" });
    }
    let token = tokens::generate();
    let now = Utc::now();
    let txn = crate::db::begin_writer(&services.db).await?;
    repo::invitations::revoke_pending(&txn, actor.organization_id.0, new.email.as_str(), now)
        .await?;
    let saved = repo::invitations::insert(
        &txn,
        row::Model {
            id: InvitationId::new().0,
            token_hash: tokens::hash(&token),
            organization_id: actor.organization_id.0,
            customer_organization_id: new.customer.map(|c| c.0),
            email: new.email.into(),
            role: new.role.as_str().into(),
            invited_by: actor.user_id.0,
            created_at: now,
            expires_at: now + ttl,
            accepted_at: None,
            revoked_at: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Issued {
        invitation: Invitation::from_row(saved, now)?,
        token,
    })
}

/// The invitations into the vendor (`customer = None`) or one of its customers.
pub async fn list(
    services: &Services,
    actor: &Actor,
    customer: Option<CustomerOrganizationId>,
) -> Result<Vec<Invitation>> {
    authorize(actor, customer)?;
    if let Some(c) = customer {
        crate::customers::get(services, actor, c).await?;
    }
    let now = Utc::now();
    repo::invitations::list(&services.db, actor.organization_id.0, customer.map(|c| c.0))
        .await?
        .into_iter()
        .map(|r| Invitation::from_row(r, now))
        .collect()
}

async fn find_authorized(
    db: &DatabaseConnection,
    actor: &Actor,
    id: InvitationId,
) -> Result<row::Model> {
    let found = repo::invitations::find(db, actor.organization_id.0, id.0)
        .await?
        .ok_or(Error::NotFound { what: "invitation" })?;
    authorize(actor, found.customer_organization_id.map(Into::into))
        .map_err(|_| Error::NotFound { what: "invitation" })?;
    Ok(found)
}

/// One invitation the actor may manage; any other is [`Error::NotFound`].
pub async fn get(services: &Services, actor: &Actor, id: InvitationId) -> Result<Invitation> {
    Invitation::from_row(find_authorized(&services.db, actor, id).await?, Utc::now())
}

/// Issues a new link (and expiry) for a pending invitation; the old link stops working.
pub async fn resend(
    services: &Services,
    actor: &Actor,
    id: InvitationId,
    ttl: Duration,
) -> Result<Issued> {
    let found = find_authorized(&services.db, actor, id).await?;
    let token = tokens::generate();
    let now = Utc::now();
    if !repo::invitations::renew(&services.db, id.0, &tokens::hash(&token), now, now + ttl).await? {
        return Err(Error::InvitationUnusable("no longer pending"));
    }
    let renewed = row::Model {
        created_at: now,
        expires_at: now + ttl,
        ..found
    };
    Ok(Issued {
        invitation: Invitation::from_row(renewed, now)?,
        token,
    })
}

/// Revokes a pending invitation.
pub async fn revoke(services: &Services, actor: &Actor, id: InvitationId) -> Result<()> {
    find_authorized(&services.db, actor, id).await?;
    if repo::invitations::revoke(&services.db, id.0, Utc::now()).await? {
        Ok(())
    } else {
        Err(Error::InvitationUnusable("no longer pending"))
    }
}

async fn usable(db: &DatabaseConnection, token: &str) -> Result<row::Model> {
    let found = repo::invitations::find_by_token(db, &tokens::hash(token))
        .await?
        .ok_or(Error::InvitationUnusable("unknown"))?;
    match Invitation::from_row(found.clone(), Utc::now())?.status {
        Status::Pending => Ok(found),
        Status::Accepted => Err(Error::InvitationUnusable("already used")),
        Status::Revoked => Err(Error::InvitationUnusable("revoked")),
        Status::Expired => Err(Error::InvitationUnusable("expired")),
    }
}

/// What a link invites to, if it is still usable.
pub async fn preview(services: &Services, token: &str) -> Result<Preview> {
    let inv = usable(&services.db, token).await?;
    let org = repo::organizations::find_by_id(&services.db, inv.organization_id)
        .await?
        .ok_or(Error::InvitationUnusable("unknown"))?;
    let customer_name = match inv.customer_organization_id {
        Some(c) => repo::customers::find(&services.db, inv.organization_id, c)
            .await?
            .map(|c| c.name),
        None => None,
    };
    Ok(Preview {
        existing_account: repo::users::find_by_email(&services.db, &inv.email)
            .await?
            .is_some(),
        email: inv.email,
        organization_id: org.id.into(),
        organization_name: org.name,
        customer_name,
        role: accounts::parse_role(&inv.role)?,
    })
}

/// Uses a link: creates the account (or, for an existing account, checks its password) and the
/// membership, and spends the link — all or nothing. Returns the member and their organization.
pub async fn accept(
    services: &Services,
    token: &str,
    name: String,
    password: String,
) -> Result<(User, OrganizationId)> {
    let inv = usable(&services.db, token).await?;
    let existing = repo::users::find_by_email(&services.db, &inv.email).await?;
    let account = match &existing {
        Some(user) => {
            if !password::verify(password, Some(user.password_hash.clone())).await? {
                return Err(Error::InvalidCredentials);
            }
            None
        }
        None => Some(
            accounts::new_account_row(NewUser {
                email: Email::parse(inv.email.clone())?,
                name,
                password,
            })
            .await?,
        ),
    };
    let now = Utc::now();
    let txn = crate::db::begin_writer(&services.db).await?;
    if !repo::invitations::mark_accepted(&txn, inv.id, now).await? {
        return Err(Error::InvitationUnusable("already used"));
    }
    let user = match (existing, account) {
        (Some(user), _) => user,
        (None, Some(account)) => repo::users::insert(&txn, account).await?,
        (None, None) => return Err(Error::InvitationUnusable("unknown")),
    };
    repo::memberships::insert(
        &txn,
        membership::Model {
            user_id: user.id,
            organization_id: inv.organization_id,
            role: inv.role.clone(),
            created_at: now,
            customer_organization_id: inv.customer_organization_id,
        },
    )
    .await?;
    txn.commit().await?;
    Ok((user.try_into()?, inv.organization_id.into()))
}
