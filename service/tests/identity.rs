//! Organizations, accounts and memberships on a real database (SQLite and PostgreSQL).

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_service::Services;
use consign_service::{Error, accounts, on_both_databases, organizations};
use types::{Email, OrganizationName, Role, Slug};

fn new_user(email: &str) -> accounts::NewUser {
    accounts::NewUser {
        email: Email::parse(email).unwrap(),
        name: "Ada Vendor".into(),
        password: "a long enough password".into(),
    }
}

async fn an_organization_is_found_by_its_slug(services: &Services) {
    let created = organizations::create(
        services,
        OrganizationName::parse("Acme Corp").unwrap(),
        Slug::parse("acme").unwrap(),
    )
    .await
    .unwrap();
    let found = organizations::get_by_slug(services, &Slug::parse("acme").unwrap())
        .await
        .unwrap();
    assert_eq!(found.id, created.id);
    assert_eq!(found.name.as_str(), "Acme Corp");
}

async fn a_taken_slug_is_a_conflict_and_stores_nothing(services: &Services) {
    let name = OrganizationName::parse("Acme").unwrap();
    let slug = Slug::parse("acme").unwrap();
    organizations::create(services, name.clone(), slug.clone())
        .await
        .unwrap();
    let err = organizations::create(
        services,
        OrganizationName::parse("Other").unwrap(),
        slug.clone(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Conflict { field: "slug" }), "{err:?}");
    let still = organizations::get_by_slug(services, &slug).await.unwrap();
    assert_eq!(still.name, name);
}

async fn an_unknown_slug_is_not_found(services: &Services) {
    let err = organizations::get_by_slug(services, &Slug::parse("nobody").unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotFound {
                what: "organization"
            }
        ),
        "{err:?}"
    );
}

async fn a_registered_user_signs_in_with_the_right_password_only(services: &Services) {
    let user = accounts::register(services, new_user("Ada@Example.com"))
        .await
        .unwrap();
    assert_eq!(user.email.as_str(), "ada@example.com");

    let signed_in =
        accounts::authenticate(services, "ada@example.com", "a long enough password".into())
            .await
            .unwrap();
    assert_eq!(signed_in.id, user.id);

    for (email, password) in [
        ("ada@example.com", "the wrong password"),
        ("nobody@example.com", "a long enough password"),
        ("not an email", "a long enough password"),
    ] {
        let err = accounts::authenticate(services, email, password.into())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidCredentials), "{email}: {err:?}");
    }
}

async fn an_email_registers_once(services: &Services) {
    accounts::register(services, new_user("ada@example.com"))
        .await
        .unwrap();
    let err = accounts::register(services, new_user("ADA@example.com"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { field: "email" }), "{err:?}");
}

async fn a_short_password_is_refused_before_anything_is_stored(services: &Services) {
    let mut user = new_user("ada@example.com");
    user.password = "short".into();
    let err = accounts::register(services, user).await.unwrap_err();
    assert!(
        err.to_string().contains("password must be at least 10"),
        "{err}"
    );
    // The email is still free: nothing half-created.
    accounts::register(services, new_user("ada@example.com"))
        .await
        .unwrap();
}

async fn memberships_carry_their_role(services: &Services) {
    let org = organizations::create(
        services,
        OrganizationName::parse("Acme").unwrap(),
        Slug::parse("acme").unwrap(),
    )
    .await
    .unwrap();
    let user = accounts::register(services, new_user("ada@example.com"))
        .await
        .unwrap();
    accounts::add_membership(services, user.id, org.id, Role::ReadOnly, None)
        .await
        .unwrap();
    let actors = accounts::memberships(services, user.id).await.unwrap();
    assert_eq!(actors.len(), 1);
    assert_eq!(
        (actors[0].organization_id, actors[0].role),
        (org.id, Role::ReadOnly)
    );
    assert!(actors[0].is_vendor());
    let err = accounts::add_membership(services, user.id, org.id, Role::Admin, None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
}

on_both_databases!(
    an_organization_is_found_by_its_slug,
    a_taken_slug_is_a_conflict_and_stores_nothing,
    an_unknown_slug_is_not_found,
    a_registered_user_signs_in_with_the_right_password_only,
    an_email_registers_once,
    a_short_password_is_refused_before_anything_is_stored,
    memberships_carry_their_role,
);

async fn a_session_resolves_to_its_user_until_it_ends(services: &Services) {
    use consign_service::sessions;
    let user = accounts::register(services, new_user("ada@example.com"))
        .await
        .unwrap();
    let token = sessions::start(services, &user, None).await.unwrap();
    assert_eq!(token.len(), 64);
    assert_eq!(
        sessions::resolve(services, &token)
            .await
            .unwrap()
            .map(|s| s.user.id),
        Some(user.id)
    );
    assert_eq!(
        sessions::resolve(services, "not-a-token").await.unwrap(),
        None
    );
    sessions::end(services, &token).await.unwrap();
    assert_eq!(sessions::resolve(services, &token).await.unwrap(), None);
}

on_both_databases!(a_session_resolves_to_its_user_until_it_ends);
