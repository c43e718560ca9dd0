//! Password reset, password change, address verification and address change, on SQLite and
//! PostgreSQL.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_service::{Error, accounts, email_links, on_both_databases, sessions};
use sea_orm::DatabaseConnection;
use types::Email;

const PASSWORD: &str = "a long enough password";

async fn user(db: &DatabaseConnection, email: &str) -> accounts::User {
    accounts::register(
        db,
        accounts::NewUser {
            email: Email::parse(email).unwrap(),
            name: "Ada".into(),
            password: PASSWORD.into(),
        },
    )
    .await
    .unwrap()
}

async fn a_reset_link_sets_a_new_password_once_and_ends_every_session(db: &DatabaseConnection) {
    let ada = user(db, "ada@example.com").await;
    let session = sessions::start(db, &ada, None).await.unwrap();
    assert!(
        email_links::request_password_reset(db, "nobody@example.com")
            .await
            .unwrap()
            .is_none()
    );
    let (for_user, token) = email_links::request_password_reset(db, "ADA@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(for_user.id, ada.id);

    let err = email_links::reset_password(db, &token, "short".into())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at least 10"), "{err}");
    email_links::reset_password(db, &token, "a brand new password".into())
        .await
        .unwrap();
    assert!(
        accounts::authenticate(db, "ada@example.com", "a brand new password".into())
            .await
            .is_ok()
    );
    assert!(
        accounts::authenticate(db, "ada@example.com", PASSWORD.into())
            .await
            .is_err()
    );
    assert_eq!(
        sessions::resolve(db, &session).await.unwrap(),
        None,
        "sessions end on reset"
    );

    let err = email_links::reset_password(db, &token, "yet another password".into())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LinkUnusable), "{err:?}");
}

async fn a_newer_reset_link_replaces_the_older_one(db: &DatabaseConnection) {
    user(db, "ada@example.com").await;
    let (_, first) = email_links::request_password_reset(db, "ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let (_, second) = email_links::request_password_reset(db, "ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        email_links::reset_password(db, &first, "a brand new password".into()).await,
        Err(Error::LinkUnusable)
    ));
    email_links::reset_password(db, &second, "a brand new password".into())
        .await
        .unwrap();
}

async fn changing_the_password_keeps_this_session_and_ends_the_others(db: &DatabaseConnection) {
    let ada = user(db, "ada@example.com").await;
    let here = sessions::start(db, &ada, None).await.unwrap();
    let elsewhere = sessions::start(db, &ada, None).await.unwrap();
    let err = email_links::change_password(
        db,
        &ada,
        "wrong".into(),
        "a brand new password".into(),
        Some(&here),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::InvalidCredentials));
    email_links::change_password(
        db,
        &ada,
        PASSWORD.into(),
        "a brand new password".into(),
        Some(&here),
    )
    .await
    .unwrap();
    assert!(sessions::resolve(db, &here).await.unwrap().is_some());
    assert_eq!(sessions::resolve(db, &elsewhere).await.unwrap(), None);
}

async fn an_address_is_verified_by_its_link(db: &DatabaseConnection) {
    let ada = user(db, "ada@example.com").await;
    assert!(!ada.email_verified);
    let token = email_links::request_verification(db, &ada).await.unwrap();
    let verified = email_links::verify(db, &token).await.unwrap();
    assert!(verified.email_verified);
    assert!(matches!(
        email_links::verify(db, &token).await,
        Err(Error::LinkUnusable)
    ));
    assert!(matches!(
        email_links::verify(db, "forged").await,
        Err(Error::LinkUnusable)
    ));
}

async fn an_address_change_needs_the_password_a_free_address_and_the_link(db: &DatabaseConnection) {
    let ada = user(db, "ada@example.com").await;
    user(db, "taken@example.com").await;
    let new = Email::parse("ada@new.example.com").unwrap();
    let err = email_links::request_email_change(db, &ada, "wrong".into(), new.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCredentials));
    let taken = Email::parse("taken@example.com").unwrap();
    let err = email_links::request_email_change(db, &ada, PASSWORD.into(), taken)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { field: "email" }), "{err:?}");

    let token = email_links::request_email_change(db, &ada, PASSWORD.into(), new)
        .await
        .unwrap();
    // Until the link is opened, nothing changes.
    assert!(
        accounts::authenticate(db, "ada@example.com", PASSWORD.into())
            .await
            .is_ok()
    );
    // A verification token cannot be used as a change token.
    assert!(matches!(
        email_links::verify(db, &token).await,
        Err(Error::LinkUnusable)
    ));
    let moved = email_links::confirm_email_change(db, &token).await.unwrap();
    assert_eq!(moved.email.as_str(), "ada@new.example.com");
    assert!(moved.email_verified);
    assert!(
        accounts::authenticate(db, "ada@new.example.com", PASSWORD.into())
            .await
            .is_ok()
    );
    assert!(
        accounts::authenticate(db, "ada@example.com", PASSWORD.into())
            .await
            .is_err()
    );
}

on_both_databases!(
    a_reset_link_sets_a_new_password_once_and_ends_every_session,
    a_newer_reset_link_replaces_the_older_one,
    changing_the_password_keeps_this_session_and_ends_the_others,
    an_address_is_verified_by_its_link,
    an_address_change_needs_the_password_a_free_address_and_the_link,
);
