//! Password reset, password change, address verification and address change, on SQLite and
//! PostgreSQL.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_service::Services;
use consign_service::{Error, accounts, email_links, on_both_databases, sessions};
use types::Email;

const PASSWORD: &str = "a long enough password";

async fn user(services: &Services, email: &str) -> accounts::User {
    accounts::register(
        services,
        accounts::NewUser {
            email: Email::parse(email).unwrap(),
            name: "Ada".into(),
            password: PASSWORD.into(),
        },
    )
    .await
    .unwrap()
}

async fn a_reset_link_sets_a_new_password_once_and_ends_every_session(services: &Services) {
    let ada = user(services, "ada@example.com").await;
    let session = sessions::start(services, &ada, None).await.unwrap();
    assert!(
        email_links::request_password_reset(services, "nobody@example.com")
            .await
            .unwrap()
            .is_none()
    );
    let (for_user, token) = email_links::request_password_reset(services, "ADA@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(for_user.id, ada.id);

    let err = email_links::reset_password(services, &token, "short".into())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at least 10"), "{err}");
    email_links::reset_password(services, &token, "a brand new password".into())
        .await
        .unwrap();
    assert!(
        accounts::authenticate(services, "ada@example.com", "a brand new password".into())
            .await
            .is_ok()
    );
    assert!(
        accounts::authenticate(services, "ada@example.com", PASSWORD.into())
            .await
            .is_err()
    );
    assert_eq!(
        sessions::resolve(services, &session).await.unwrap(),
        None,
        "sessions end on reset"
    );

    let err = email_links::reset_password(services, &token, "yet another password".into())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LinkUnusable), "{err:?}");
}

async fn a_newer_reset_link_replaces_the_older_one(services: &Services) {
    user(services, "ada@example.com").await;
    let (_, first) = email_links::request_password_reset(services, "ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let (_, second) = email_links::request_password_reset(services, "ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        email_links::reset_password(services, &first, "a brand new password".into()).await,
        Err(Error::LinkUnusable)
    ));
    email_links::reset_password(services, &second, "a brand new password".into())
        .await
        .unwrap();
}

async fn changing_the_password_keeps_this_session_and_ends_the_others(services: &Services) {
    let ada = user(services, "ada@example.com").await;
    let here = sessions::start(services, &ada, None).await.unwrap();
    let elsewhere = sessions::start(services, &ada, None).await.unwrap();
    let err = email_links::change_password(
        services,
        &ada,
        "wrong".into(),
        "a brand new password".into(),
        Some(&here),
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::InvalidCredentials));
    email_links::change_password(
        services,
        &ada,
        PASSWORD.into(),
        "a brand new password".into(),
        Some(&here),
        None,
    )
    .await
    .unwrap();
    assert!(sessions::resolve(services, &here).await.unwrap().is_some());
    assert_eq!(sessions::resolve(services, &elsewhere).await.unwrap(), None);
}

async fn an_address_is_verified_by_its_link(services: &Services) {
    let ada = user(services, "ada@example.com").await;
    assert!(!ada.email_verified);
    let token = email_links::request_verification(services, &ada)
        .await
        .unwrap();
    let verified = email_links::verify(services, &token).await.unwrap();
    assert!(verified.email_verified);
    assert!(matches!(
        email_links::verify(services, &token).await,
        Err(Error::LinkUnusable)
    ));
    assert!(matches!(
        email_links::verify(services, "forged").await,
        Err(Error::LinkUnusable)
    ));
}

async fn an_address_change_needs_the_password_a_free_address_and_the_link(services: &Services) {
    let ada = user(services, "ada@example.com").await;
    user(services, "taken@example.com").await;
    let new = Email::parse("ada@new.example.com").unwrap();
    let err = email_links::request_email_change(services, &ada, "wrong".into(), new.clone(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCredentials));
    let taken = Email::parse("taken@example.com").unwrap();
    let err = email_links::request_email_change(services, &ada, PASSWORD.into(), taken, None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { field: "email" }), "{err:?}");

    let token = email_links::request_email_change(services, &ada, PASSWORD.into(), new, None)
        .await
        .unwrap();
    // Until the link is opened, nothing changes.
    assert!(
        accounts::authenticate(services, "ada@example.com", PASSWORD.into())
            .await
            .is_ok()
    );
    // A verification token cannot be used as a change token.
    assert!(matches!(
        email_links::verify(services, &token).await,
        Err(Error::LinkUnusable)
    ));
    let moved = email_links::confirm_email_change(services, &token)
        .await
        .unwrap();
    assert_eq!(moved.email.as_str(), "ada@new.example.com");
    assert!(moved.email_verified);
    assert!(
        accounts::authenticate(services, "ada@new.example.com", PASSWORD.into())
            .await
            .is_ok()
    );
    assert!(
        accounts::authenticate(services, "ada@example.com", PASSWORD.into())
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
