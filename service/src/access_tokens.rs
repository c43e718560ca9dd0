//! Personal access tokens for the REST API: a person creates one for scripts and CI, it acts as
//! them in one organization with their current role there, and only its SHA-256 is stored. The
//! secret is shown once, when the token is created.

use crate::Services;
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Actor;
use crate::entity::access_token as row;
use crate::{Error, Result, accounts, repo, tokens};

/// What every secret starts with, so scanners and people can tell what leaked.
pub const SECRET_PREFIX: &str = "consign_pat_";

/// The longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 100;

/// The longest lifetime a token may be given, in days.
pub const MAX_EXPIRY_DAYS: u32 = 365;

/// How stale `last_used_at` may get before a request writes it again.
const LAST_USED_RESOLUTION: Duration = Duration::minutes(1);

/// Identifies an access token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccessTokenId(pub Uuid);

impl fmt::Display for AccessTokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for AccessTokenId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

impl From<Uuid> for AccessTokenId {
    fn from(value: Uuid) -> Self {
        Self(value)
    }
}

/// A token as its owner sees it listed (never its secret or hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken {
    /// Its id.
    pub id: AccessTokenId,
    /// What its owner calls it.
    pub label: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it stops working; `None` for never.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it last authenticated a request (to the minute); `None` if never.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Whether its owner revoked it.
    pub revoked: bool,
}

impl AccessToken {
    /// Whether it has expired at `now`.
    pub fn is_expired_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }

    /// Whether it has expired by now.
    pub fn is_expired(&self) -> bool {
        self.is_expired_at(Utc::now())
    }
}

impl From<row::Model> for AccessToken {
    fn from(r: row::Model) -> Self {
        Self {
            id: r.id.into(),
            label: r.label,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            revoked: r.revoked_at.is_some(),
        }
    }
}

/// A label: trimmed, 1 to [`MAX_LABEL_CHARS`] characters, no control characters.
pub fn validate_label(label: String) -> Result<String> {
    let label = label.trim().to_string();
    if label.is_empty() {
        return Err(types::NameError::Empty { field: "label" }.into());
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(types::NameError::TooLong {
            field: "label",
            max: MAX_LABEL_CHARS,
        }
        .into());
    }
    if label.chars().any(char::is_control) {
        return Err(types::NameError::Invalid {
            field: "label",
            rule: "must not contain control characters",
        }
        .into());
    }
    Ok(label)
}

fn validate_expiry(days: Option<u32>) -> Result<Option<Duration>> {
    match days {
        None => Ok(None),
        Some(d) if (1..=MAX_EXPIRY_DAYS).contains(&d) => Ok(Some(Duration::days(i64::from(d)))),
        Some(_) => Err(types::NameError::Invalid {
            field: "expires_in_days",
            rule: "must be between 1 and 365 days, or empty for a token that never expires",
        }
        .into()),
    }
}

/// Creates a token for the actor in the actor's organization; returns it with its secret
/// (`consign_pat_` and 64 hex digits), which is stored nowhere and shown only this once.
/// Any member may create tokens: a token can do no more than its owner can.
pub async fn create(
    services: &Services,
    actor: &Actor,
    label: String,
    expires_in_days: Option<u32>,
) -> Result<(AccessToken, String)> {
    let label = validate_label(label)?;
    let lifetime = validate_expiry(expires_in_days)?;
    let secret = format!("{SECRET_PREFIX}{}", tokens::generate());
    let now = Utc::now();
    let saved = repo::access_tokens::insert(
        &services.db,
        row::Model {
            id: Uuid::new_v4(),
            user_id: actor.user_id.0,
            organization_id: actor.organization_id.0,
            label,
            token_hash: tokens::hash(&secret),
            created_at: now,
            expires_at: lifetime.map(|l| now + l),
            last_used_at: None,
            revoked_at: None,
        },
    )
    .await?;
    Ok((saved.into(), secret))
}

/// The actor's own tokens in the actor's organization, newest first, revoked ones included.
pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<AccessToken>> {
    let rows =
        repo::access_tokens::list(&services.db, actor.user_id.0, actor.organization_id.0).await?;
    Ok(rows.into_iter().map(AccessToken::from).collect())
}

/// Revokes one of the actor's own tokens (revoking twice is not an error). Anyone else's
/// token, or one of the actor's in another organization, is [`Error::NotFound`].
pub async fn revoke(services: &Services, actor: &Actor, id: AccessTokenId) -> Result<()> {
    repo::access_tokens::find(&services.db, actor.user_id.0, actor.organization_id.0, id.0)
        .await?
        .ok_or(Error::NotFound {
            what: "access token",
        })?;
    repo::access_tokens::revoke(&services.db, id.0, Utc::now()).await?;
    Ok(())
}

/// The actor behind a bearer secret: its owner, with their current role, in the token's
/// organization. `None` for a malformed, unknown, revoked or expired secret, and when the owner
/// is no longer a member of that organization.
pub async fn authenticate(services: &Services, bearer_secret: &str) -> Result<Option<Actor>> {
    let _db = &services.db;
    Ok(authenticate_with_id(services, bearer_secret)
        .await?
        .map(|(_, actor)| actor))
}

/// Like [`authenticate`], also naming the token, for credentials derived from it (registry
/// tokens) that must stop working when it does.
pub async fn authenticate_with_id(
    services: &Services,
    bearer_secret: &str,
) -> Result<Option<(AccessTokenId, Actor)>> {
    if !is_well_formed_secret(bearer_secret) {
        return Ok(None);
    }
    let now = Utc::now();
    let Some(token) =
        repo::access_tokens::find_usable(&services.db, &tokens::hash(bearer_secret), now).await?
    else {
        return Ok(None);
    };
    let actor = owner(services, &token).await?;
    if actor.is_some() {
        repo::access_tokens::touch(&services.db, token.id, now, now - LAST_USED_RESOLUTION).await?;
    }
    Ok(actor.map(|a| (token.id.into(), a)))
}

/// The actor token `id` acts as at `now`: `None` once it is revoked or expired, or its owner
/// is no longer a member of its organization.
pub async fn actor_of(
    services: &Services,
    id: AccessTokenId,
    now: DateTime<Utc>,
) -> Result<Option<Actor>> {
    match repo::access_tokens::find_usable_by_id(&services.db, id.0, now).await? {
        Some(token) => owner(services, &token).await,
        None => Ok(None),
    }
}

/// The owner of a usable token as an actor in the token's organization.
async fn owner(services: &Services, token: &row::Model) -> Result<Option<Actor>> {
    let _db = &services.db;
    // `accounts::actor` falls back to another organization when the preferred one is gone;
    // a token must never act anywhere but where it was made.
    Ok(accounts::actor(
        services,
        token.user_id.into(),
        Some(token.organization_id.into()),
    )
    .await?
    .filter(|a| a.organization_id.0 == token.organization_id))
}

/// Whether `secret` has the shape of a token secret: [`SECRET_PREFIX`] and 64 hex digits. Says
/// nothing about whether it exists; it saves a query for obvious garbage.
pub fn is_well_formed_secret(secret: &str) -> bool {
    secret
        .strip_prefix(SECRET_PREFIX)
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_and_bounded() {
        assert_eq!(
            validate_label("  CI deploys ".into()).unwrap(),
            "CI deploys"
        );
        for bad in ["", "   ", "a\nb"] {
            assert!(validate_label(bad.into()).is_err(), "{bad:?}");
        }
        assert!(validate_label("x".repeat(100)).is_ok());
        assert!(validate_label("x".repeat(101)).is_err());
    }

    #[test]
    fn expiry_is_one_to_365_days_or_never() {
        assert_eq!(validate_expiry(None).unwrap(), None);
        assert_eq!(validate_expiry(Some(1)).unwrap(), Some(Duration::days(1)));
        assert_eq!(
            validate_expiry(Some(365)).unwrap(),
            Some(Duration::days(365))
        );
        assert!(validate_expiry(Some(0)).is_err());
        assert!(validate_expiry(Some(366)).is_err());
    }

    #[test]
    fn only_well_formed_secrets_reach_the_database() {
        let secret = format!("{SECRET_PREFIX}{}", tokens::generate());
        assert!(is_well_formed_secret(&secret));
        assert!(!is_well_formed_secret(&tokens::generate()));
        assert!(!is_well_formed_secret("consign_pat_"));
        assert!(!is_well_formed_secret(&format!("{secret}0")));
        assert!(!is_well_formed_secret(&format!(
            "{SECRET_PREFIX}{}",
            "g".repeat(64)
        )));
    }
}
