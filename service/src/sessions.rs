//! Browser sessions: a random token in an HttpOnly cookie, its SHA-256 in the database.

use chrono::{Duration, Utc};
use rand::RngCore;
use sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};

use crate::accounts::User;
use crate::entity::session;
use crate::{Result, repo};

/// How long a session lasts without signing in again.
pub const SESSION_LIFETIME: Duration = Duration::days(14);

/// The cookie that carries the session token.
pub const COOKIE_NAME: &str = "consign_session";

/// Starts a session for `user`; returns the token to put in the cookie (shown nowhere else).
pub async fn start(db: &impl ConnectionTrait, user: &User) -> Result<String> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let now = Utc::now();
    repo::sessions::insert(
        db,
        session::Model {
            token_hash: hash_token(&token),
            user_id: user.id.0,
            created_at: now,
            expires_at: now + SESSION_LIFETIME,
        },
    )
    .await?;
    Ok(token)
}

/// The user of an unexpired session, or `None` for an unknown, expired or revoked token.
pub async fn resolve(db: &impl ConnectionTrait, token: &str) -> Result<Option<User>> {
    repo::sessions::find_user(db, &hash_token(token), Utc::now())
        .await?
        .map(User::try_from)
        .transpose()
}

/// Ends a session; an unknown token is not an error (sign-out is idempotent).
pub async fn end(db: &impl ConnectionTrait, token: &str) -> Result<()> {
    repo::sessions::delete(db, &hash_token(token)).await
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
