//! Single-use links sent by email: password reset, address verification and address change.
//! Like every token, only the link's hash is stored.

use std::net::IpAddr;

use crate::Services;
use crate::rate_limit::{self, PasswordCheck};
use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;
use types::Email;

use crate::accounts::User;
use crate::entity::email_token;
use crate::{Error, Result, password, repo, tokens};

/// How long a password-reset link works.
pub const RESET_TTL: Duration = Duration::hours(1);
/// How long a verification or address-change link works.
pub const VERIFY_TTL: Duration = Duration::hours(24);

/// What a link does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Sets a new password.
    Reset,
    /// Confirms the account's address.
    Verify,
    /// Moves the account to a new address.
    Change,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Reset => "reset",
            Purpose::Verify => "verify",
            Purpose::Change => "change",
        }
    }
}

async fn issue(
    db: &DatabaseConnection,
    user: uuid::Uuid,
    purpose: Purpose,
    new_email: Option<String>,
    ttl: Duration,
) -> Result<String> {
    let token = tokens::generate();
    let now = Utc::now();
    let txn = crate::db::begin_writer(db).await?;
    repo::email_tokens::spend_all(&txn, user, purpose.as_str(), now).await?;
    repo::email_tokens::insert(
        &txn,
        email_token::Model {
            token_hash: tokens::hash(&token),
            user_id: user,
            purpose: purpose.as_str().into(),
            new_email,
            created_at: now,
            expires_at: now + ttl,
            used_at: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(token)
}

/// Issues a reset link for the account with this address; `None` when there is none (the
/// caller answers the same either way, so addresses cannot be probed). The portal's request,
/// limited and mailed, is [`crate::notifications::reset_password_by_mail`].
pub async fn request_password_reset(
    services: &Services,
    email: &str,
) -> Result<Option<(User, String)>> {
    let Ok(email) = Email::parse(email) else {
        return Ok(None);
    };
    let Some(row) = repo::users::find_by_email(&services.db, email.as_str()).await? else {
        return Ok(None);
    };
    let token = issue(&services.db, row.id, Purpose::Reset, None, RESET_TTL).await?;
    Ok(Some((row.try_into()?, token)))
}

/// Spends a reset link: sets the new password and ends every session of the account.
pub async fn reset_password(
    services: &Services,
    token: &str,
    new_password: String,
) -> Result<User> {
    password::validate(&new_password)?;
    let hash = tokens::hash(token);
    let link =
        repo::email_tokens::find_usable(&services.db, &hash, Purpose::Reset.as_str(), Utc::now())
            .await?
            .ok_or(Error::LinkUnusable)?;
    let password_hash = password::hash(new_password).await?;
    let txn = crate::db::begin_writer(&services.db).await?;
    if !repo::email_tokens::mark_used(&txn, &hash, Utc::now()).await? {
        return Err(Error::LinkUnusable);
    }
    repo::email_tokens::set_password_hash(&txn, link.user_id, &password_hash).await?;
    repo::email_tokens::end_sessions(&txn, link.user_id, None).await?;
    txn.commit().await?;
    repo::users::find(&services.db, link.user_id)
        .await?
        .ok_or(Error::LinkUnusable)?
        .try_into()
}

/// Changes a password after checking the current one; every other session of the account ends
/// (`keep_session` is the token of the browser making the change). Wrong current passwords are
/// limited per account and `client` address ([`rate_limit::PasswordCheck::Current`]).
pub async fn change_password(
    services: &Services,
    user: &User,
    current: String,
    new_password: String,
    keep_session: Option<&str>,
    client: Option<IpAddr>,
) -> Result<()> {
    // The attempt is a future: nothing of it runs before the guess is counted.
    let attempt = set_password(services, user, current, new_password, keep_session);
    current_password_guess(services, user, client, attempt).await
}

async fn set_password(
    services: &Services,
    user: &User,
    current: String,
    new_password: String,
    keep_session: Option<&str>,
) -> Result<()> {
    password::validate(&new_password)?;
    let row = repo::users::find(&services.db, user.id.0)
        .await?
        .ok_or(Error::NotFound { what: "user" })?;
    if !password::verify(current, Some(row.password_hash)).await? {
        return Err(Error::InvalidCredentials);
    }
    let password_hash = password::hash(new_password).await?;
    let keep = keep_session.map(tokens::hash);
    let txn = crate::db::begin_writer(&services.db).await?;
    repo::email_tokens::set_password_hash(&txn, user.id.0, &password_hash).await?;
    repo::email_tokens::end_sessions(&txn, user.id.0, keep.as_deref()).await?;
    txn.commit().await?;
    Ok(())
}

/// Issues a link that confirms the account's current address.
pub async fn request_verification(services: &Services, user: &User) -> Result<String> {
    issue(&services.db, user.id.0, Purpose::Verify, None, VERIFY_TTL).await
}

/// Spends a verification link.
pub async fn verify(services: &Services, token: &str) -> Result<User> {
    let hash = tokens::hash(token);
    let link =
        repo::email_tokens::find_usable(&services.db, &hash, Purpose::Verify.as_str(), Utc::now())
            .await?
            .ok_or(Error::LinkUnusable)?;
    let txn = crate::db::begin_writer(&services.db).await?;
    if !repo::email_tokens::mark_used(&txn, &hash, Utc::now()).await? {
        return Err(Error::LinkUnusable);
    }
    repo::email_tokens::set_verified(&txn, link.user_id, Utc::now()).await?;
    txn.commit().await?;
    repo::users::find(&services.db, link.user_id)
        .await?
        .ok_or(Error::LinkUnusable)?
        .try_into()
}

/// Issues a link, to be sent to `new_email`, that moves the account there; the password
/// confirms it is really the account's owner asking (wrong ones limited as for
/// [`change_password`]).
pub async fn request_email_change(
    services: &Services,
    user: &User,
    password: String,
    new_email: Email,
    client: Option<IpAddr>,
) -> Result<String> {
    let attempt = issue_email_change(services, user, password, new_email);
    current_password_guess(services, user, client, attempt).await
}

/// Runs `attempt`, which checks `user`'s current password, as one counted guess from `client`:
/// refused at once over the limit, and given back unless the password was wrong
/// ([`rate_limit::RateLimiter::password_settled`]).
async fn current_password_guess<T>(
    services: &Services,
    user: &User,
    client: Option<IpAddr>,
    attempt: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    let check = PasswordCheck::Current(user.id);
    let ip = rate_limit::address(client);
    services.limiter.password_guess(check, &ip)?;
    let outcome = attempt.await;
    services.limiter.password_settled(check, &ip, &outcome);
    outcome
}

async fn issue_email_change(
    services: &Services,
    user: &User,
    password: String,
    new_email: Email,
) -> Result<String> {
    let row = repo::users::find(&services.db, user.id.0)
        .await?
        .ok_or(Error::NotFound { what: "user" })?;
    if !password::verify(password, Some(row.password_hash)).await? {
        return Err(Error::InvalidCredentials);
    }
    if repo::users::find_by_email(&services.db, new_email.as_str())
        .await?
        .is_some()
    {
        return Err(Error::Conflict { field: "email" });
    }
    issue(
        &services.db,
        user.id.0,
        Purpose::Change,
        Some(new_email.into()),
        VERIFY_TTL,
    )
    .await
}

/// Spends an address-change link: the account moves to the new (now verified) address.
pub async fn confirm_email_change(services: &Services, token: &str) -> Result<User> {
    let hash = tokens::hash(token);
    let link =
        repo::email_tokens::find_usable(&services.db, &hash, Purpose::Change.as_str(), Utc::now())
            .await?
            .ok_or(Error::LinkUnusable)?;
    let new_email = link.new_email.clone().ok_or(Error::LinkUnusable)?;
    let txn = crate::db::begin_writer(&services.db).await?;
    if !repo::email_tokens::mark_used(&txn, &hash, Utc::now()).await? {
        return Err(Error::LinkUnusable);
    }
    repo::email_tokens::set_email(&txn, link.user_id, &new_email, Utc::now()).await?;
    txn.commit().await?;
    repo::users::find(&services.db, link.user_id)
        .await?
        .ok_or(Error::LinkUnusable)?
        .try_into()
}

/// The branding a usable link's page shows: the vendor's, when the link's account belongs to a
/// customer organization only (it came from the vendor's branded mail, so the page should look
/// the same); `None` for vendor members, and for unknown, used or expired links (which then say
/// so on a neutral page). Reading it does not spend the link.
pub async fn branding_of(
    services: &Services,
    token: &str,
    purpose: Purpose,
) -> Result<Option<crate::branding::Branding>> {
    let Some(link) = repo::email_tokens::find_usable(
        &services.db,
        &tokens::hash(token),
        purpose.as_str(),
        Utc::now(),
    )
    .await?
    else {
        return Ok(None);
    };
    let memberships = crate::accounts::memberships(services, link.user_id.into()).await?;
    if memberships.is_empty() || memberships.iter().any(crate::auth::Actor::is_vendor) {
        return Ok(None);
    }
    let vendor = memberships[0].organization_id;
    Ok(Some(crate::branding::get(services, vendor).await?))
}
