//! Personal access tokens on SQLite and PostgreSQL: the secret is shown once and only its hash is
//! stored; revoked, expired and orphaned tokens stop working; nobody else sees or revokes them.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use chrono::{Duration, Utc};
use consign_service::Services;
use consign_service::access_tokens::{self, AccessTokenId};
use consign_service::auth::Actor;
use consign_service::entity::access_token;
use consign_service::invitations::{self, NewInvitation};
use consign_service::signup::{self, SignUp};
use consign_service::{Error, accounts, members, on_both_databases, tokens};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use types::{Email, NameError, OrganizationName, Role};

const PASSWORD: &str = "a long enough password";

fn new_user(email: &str) -> accounts::NewUser {
    accounts::NewUser {
        email: Email::parse(email).unwrap(),
        name: "Person".into(),
        password: PASSWORD.into(),
    }
}

async fn vendor(services: &Services, name: &str, email: &str) -> Actor {
    let (user, org) = signup::sign_up(
        services,
        SignUp {
            organization_name: OrganizationName::parse(name).unwrap(),
            user: new_user(email),
        },
        true,
    )
    .await
    .unwrap();
    accounts::actor(services, user.id, Some(org.id))
        .await
        .unwrap()
        .unwrap()
}

/// Invites `email` into `by`'s vendor as `role` and accepts (with the account's password if it
/// exists already).
async fn member(services: &Services, by: &Actor, email: &str, role: Role) -> Actor {
    let issued = invitations::create(
        services,
        by,
        NewInvitation {
            email: Email::parse(email).unwrap(),
            role,
            customer: None,
        },
        Duration::hours(72),
    )
    .await
    .unwrap();
    let (user, org) =
        invitations::accept(services, &issued.token, "Person".into(), PASSWORD.into())
            .await
            .unwrap();
    accounts::actor(services, user.id, Some(org))
        .await
        .unwrap()
        .unwrap()
}

async fn stored(services: &Services, id: AccessTokenId) -> access_token::Model {
    access_token::Entity::find_by_id(id.0)
        .one(consign_service::testing::connection(services))
        .await
        .unwrap()
        .unwrap()
}

fn field_of(err: Error) -> &'static str {
    match err {
        Error::Invalid(
            NameError::Empty { field }
            | NameError::TooLong { field, .. }
            | NameError::TooShort { field, .. }
            | NameError::Invalid { field, .. },
        ) => field,
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

async fn a_token_authenticates_as_its_owner_and_records_its_use(services: &Services) {
    let admin = vendor(services, "Acme", "admin@acme.test").await;
    let (token, secret) =
        access_tokens::create(services, &admin, "  CI deploys  ".into(), Some(30))
            .await
            .unwrap();
    assert_eq!(token.label, "CI deploys");
    assert!(!token.revoked);
    assert_eq!(token.last_used_at, None);
    let expires = token.expires_at.unwrap();
    assert!(
        (expires - (token.created_at + Duration::days(30)))
            .num_seconds()
            .abs()
            < 1
    );

    let hex = secret.strip_prefix("consign_pat_").unwrap();
    assert_eq!(hex.len(), 64);
    assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));

    let actor = access_tokens::authenticate(services, &secret)
        .await
        .unwrap();
    assert_eq!(actor.as_ref(), Some(&admin));
    let listed = access_tokens::list(services, &admin).await.unwrap();
    assert_eq!(listed.len(), 1);
    let used = listed[0]
        .last_used_at
        .expect("authenticating records the use");
    assert!(Utc::now() - used < Duration::minutes(1));

    // A second token that never expires; the list is newest first.
    let (forever, _) = access_tokens::create(services, &admin, "laptop".into(), None)
        .await
        .unwrap();
    assert_eq!(forever.expires_at, None);
    let labels: Vec<_> = access_tokens::list(services, &admin)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.label)
        .collect();
    assert_eq!(labels, ["laptop", "CI deploys"]);
}

async fn only_the_hash_of_the_secret_is_stored(services: &Services) {
    let admin = vendor(services, "Acme", "admin@acme.test").await;
    let (token, secret) = access_tokens::create(services, &admin, "CI".into(), None)
        .await
        .unwrap();
    let row = stored(services, token.id).await;
    assert_ne!(row.token_hash, secret);
    assert!(
        !row.token_hash.contains(&secret[12..]),
        "no part of the secret is stored"
    );
    assert_eq!(row.token_hash, tokens::hash(&secret));
    assert_eq!(row.token_hash.len(), 64);
    assert_eq!(row.user_id, admin.user_id.0);
    assert_eq!(row.organization_id, admin.organization_id.0);
}

async fn unknown_malformed_revoked_and_expired_tokens_are_refused(services: &Services) {
    let admin = vendor(services, "Acme", "admin@acme.test").await;
    let unknown = format!("consign_pat_{}", tokens::generate());
    for garbage in [
        "",
        "consign_pat_",
        "Bearer x",
        "not a token",
        unknown.as_str(),
    ] {
        assert_eq!(
            access_tokens::authenticate(services, garbage)
                .await
                .unwrap(),
            None,
            "{garbage:?}"
        );
    }

    let (revoked, secret) = access_tokens::create(services, &admin, "old".into(), None)
        .await
        .unwrap();
    assert!(
        access_tokens::authenticate(services, &secret)
            .await
            .unwrap()
            .is_some()
    );
    access_tokens::revoke(services, &admin, revoked.id)
        .await
        .unwrap();
    assert_eq!(
        access_tokens::authenticate(services, &secret)
            .await
            .unwrap(),
        None
    );
    // Revoking again is harmless, and the list shows it revoked.
    access_tokens::revoke(services, &admin, revoked.id)
        .await
        .unwrap();
    let listed = access_tokens::list(services, &admin).await.unwrap();
    assert!(listed.iter().find(|t| t.id == revoked.id).unwrap().revoked);

    let (expiring, secret) = access_tokens::create(services, &admin, "short".into(), Some(1))
        .await
        .unwrap();
    assert!(
        access_tokens::authenticate(services, &secret)
            .await
            .unwrap()
            .is_some()
    );
    access_token::Entity::update_many()
        .col_expr(
            access_token::Column::ExpiresAt,
            Expr::value(Some(Utc::now() - Duration::seconds(1))),
        )
        .filter(access_token::Column::Id.eq(expiring.id.0))
        .exec(consign_service::testing::connection(services))
        .await
        .unwrap();
    assert_eq!(
        access_tokens::authenticate(services, &secret)
            .await
            .unwrap(),
        None
    );
    let listed = access_tokens::list(services, &admin).await.unwrap();
    assert!(
        listed
            .iter()
            .find(|t| t.id == expiring.id)
            .unwrap()
            .is_expired()
    );
}

async fn nobody_else_can_list_or_revoke_a_token(services: &Services) {
    let admin = vendor(services, "Acme", "admin@acme.test").await;
    let colleague = member(services, &admin, "rw@acme.test", Role::ReadWrite).await;
    let stranger = vendor(services, "Umbrella", "admin@umbrella.test").await;
    let (token, secret) = access_tokens::create(services, &admin, "CI".into(), None)
        .await
        .unwrap();

    for other in [&colleague, &stranger] {
        assert!(
            access_tokens::list(services, other)
                .await
                .unwrap()
                .is_empty()
        );
        let refused = access_tokens::revoke(services, other, token.id).await;
        assert!(
            matches!(refused, Err(Error::NotFound { .. })),
            "{refused:?}"
        );
    }
    let missing = access_tokens::revoke(
        services,
        &admin,
        AccessTokenId(sea_orm::prelude::Uuid::new_v4()),
    )
    .await;
    assert!(
        matches!(missing, Err(Error::NotFound { .. })),
        "{missing:?}"
    );
    assert_eq!(
        access_tokens::authenticate(services, &secret)
            .await
            .unwrap(),
        Some(admin.clone())
    );
    assert!(stored(services, token.id).await.revoked_at.is_none());

    // Their own tokens stay theirs.
    access_tokens::create(services, &colleague, "theirs".into(), None)
        .await
        .unwrap();
    let mine: Vec<_> = access_tokens::list(services, &admin)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.label)
        .collect();
    assert_eq!(mine, ["CI"]);
}

async fn labels_and_expiries_are_validated(services: &Services) {
    let admin = vendor(services, "Acme", "admin@acme.test").await;
    for bad in ["", "   ", "tab\there"] {
        let err = access_tokens::create(services, &admin, bad.into(), None)
            .await
            .unwrap_err();
        assert_eq!(field_of(err), "label", "{bad:?}");
    }
    let err = access_tokens::create(services, &admin, "x".repeat(101), None)
        .await
        .unwrap_err();
    assert_eq!(field_of(err), "label");
    assert!(
        access_tokens::create(services, &admin, "x".repeat(100), None)
            .await
            .is_ok()
    );
    for days in [0, 366] {
        let err = access_tokens::create(services, &admin, "CI".into(), Some(days))
            .await
            .unwrap_err();
        assert_eq!(field_of(err), "expires_in_days", "{days}");
    }
    assert!(
        access_tokens::create(services, &admin, "CI".into(), Some(365))
            .await
            .is_ok()
    );
}

async fn a_token_follows_its_owners_membership_in_its_organization(services: &Services) {
    let acme = vendor(services, "Acme", "admin@acme.test").await;
    // Dana runs her own vendor first, then joins Acme with the same account.
    let own = vendor(services, "Dana Corp", "dana@example.test").await;
    let at_acme = member(services, &acme, "dana@example.test", Role::ReadWrite).await;
    assert_eq!(at_acme.user_id, own.user_id);
    assert_eq!(at_acme.organization_id, acme.organization_id);

    let (_, secret) = access_tokens::create(services, &at_acme, "acme CI".into(), None)
        .await
        .unwrap();
    let actor = access_tokens::authenticate(services, &secret)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        actor.organization_id, acme.organization_id,
        "never her first organization"
    );
    assert_eq!(actor.role, Role::ReadWrite);
    // The token lists only where it acts.
    assert!(
        access_tokens::list(services, &own)
            .await
            .unwrap()
            .is_empty()
    );

    members::change_role(services, &acme, at_acme.user_id, Role::ReadOnly, None)
        .await
        .unwrap();
    let actor = access_tokens::authenticate(services, &secret)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        actor.role,
        Role::ReadOnly,
        "the owner's current role, not the one at creation"
    );

    members::remove(services, &acme, at_acme.user_id, None)
        .await
        .unwrap();
    assert_eq!(
        access_tokens::authenticate(services, &secret)
            .await
            .unwrap(),
        None,
        "a removed member's token must not fall back to another organization"
    );
}

on_both_databases!(
    a_token_authenticates_as_its_owner_and_records_its_use,
    only_the_hash_of_the_secret_is_stored,
    unknown_malformed_revoked_and_expired_tokens_are_refused,
    nobody_else_can_list_or_revoke_a_token,
    labels_and_expiries_are_validated,
    a_token_follows_its_owners_membership_in_its_organization,
);
