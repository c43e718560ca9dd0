//! Browser sessions: a random token in an HttpOnly cookie, its SHA-256 in the database.

use std::net::IpAddr;

use crate::Services;
use crate::rate_limit::{self, PasswordCheck};
use chrono::{Duration, Utc};

use types::OrganizationId;

use crate::accounts::{self, User};
use crate::auth::Actor;
use crate::entity::session;
use crate::{Result, repo, tokens};

/// How long a session lasts without signing in again.
pub const SESSION_LIFETIME: Duration = Duration::days(14);

/// The cookie that carries the session token.
pub const COOKIE_NAME: &str = "consign_session";

/// Signs a person in: checks the password and starts a session in their first organization;
/// returns them and the session token. Attempts are limited per `client` address
/// ([`rate_limit::SIGN_IN_PER_IP`]) and wrong passwords per account and address, so passwords
/// cannot be guessed at speed and a guesser cannot lock the owner out.
pub async fn sign_in(
    services: &Services,
    email: &str,
    password: String,
    client: Option<IpAddr>,
) -> Result<(User, String)> {
    let ip = rate_limit::address(client);
    services
        .limiter
        .hit(&format!("sign-in/ip/{ip}"), rate_limit::SIGN_IN_PER_IP)?;
    let check = PasswordCheck::SignIn(email);
    services.limiter.password_guess(check, &ip)?;
    let user = accounts::authenticate(services, email, password).await?;
    services.limiter.password_right(check, &ip);
    let token = start(services, &user, None).await?;
    Ok((user, token))
}

/// Starts a session for `user` working in `organization` (or their first); returns the token to
/// put in the cookie (shown nowhere else).
pub async fn start(
    services: &Services,
    user: &User,
    organization: Option<OrganizationId>,
) -> Result<String> {
    let token = tokens::generate();
    let now = Utc::now();
    repo::sessions::insert(
        &services.db,
        session::Model {
            token_hash: tokens::hash(&token),
            user_id: user.id.0,
            created_at: now,
            expires_at: now + SESSION_LIFETIME,
            organization_id: organization.map(|o| o.0),
        },
    )
    .await?;
    Ok(token)
}

/// A resolved session: who, and as whom they act (`None` if they belong to no organization).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// The signed-in person.
    pub user: User,
    /// Their identity in the session's organization.
    pub actor: Option<Actor>,
}

/// The session behind a token, or `None` for an unknown, expired or revoked token.
pub async fn resolve(services: &Services, token: &str) -> Result<Option<SessionInfo>> {
    let Some((session, user)) =
        repo::sessions::find_user(&services.db, &tokens::hash(token), Utc::now()).await?
    else {
        return Ok(None);
    };
    let user = User::try_from(user)?;
    let actor = accounts::actor(services, user.id, session.organization_id.map(Into::into)).await?;
    Ok(Some(SessionInfo { user, actor }))
}

/// Switches a session to another organization the person belongs to.
pub async fn switch_organization(
    services: &Services,
    token: &str,
    organization: OrganizationId,
) -> Result<()> {
    let info = resolve(services, token)
        .await?
        .ok_or(crate::Error::NotFound { what: "session" })?;
    let member = accounts::memberships(services, info.user.id)
        .await?
        .into_iter()
        .any(|a| a.organization_id == organization);
    if !member {
        return Err(crate::Error::NotFound {
            what: "organization",
        });
    }
    repo::sessions::set_organization(&services.db, &tokens::hash(token), organization.0).await
}

/// Ends a session; an unknown token is not an error (sign-out is idempotent).
pub async fn end(services: &Services, token: &str) -> Result<()> {
    repo::sessions::delete(&services.db, &tokens::hash(token)).await
}
