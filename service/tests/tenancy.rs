//! Sign-up, customers, invitations, members and branding — and the authorization matrix: every
//! operation × (vendor admin / read_write / read_only, customer admin / read_write / read_only,
//! a user of another vendor), on SQLite and PostgreSQL.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use chrono::Duration;
use consign_service::Services;
use consign_service::branding::{self, BrandingInput};
use consign_service::invitations::{self, NewInvitation, Status};
use consign_service::services::HubConfig;
use consign_service::signup::{self, SignUp};
use consign_service::{Error, accounts, customers, members, on_both_databases};
use types::{Email, OrganizationName, Role};

use consign_service::testing::world::{PASSWORD, World, member, new_user, vendor};

fn denied<T: std::fmt::Debug>(result: consign_service::Result<T>) -> bool {
    matches!(
        result,
        Err(Error::Forbidden { .. } | Error::NotFound { .. })
    )
}

/// Runs `op` for every actor and compares allowed/denied with `expected` (matrix order).
macro_rules! matrix {
    ($world:expr, $expected:expr, |$actor:ident| $op:expr) => {{
        let expected: [bool; 7] = $expected;
        for ((label, $actor), allowed) in $world.actors().into_iter().zip(expected) {
            let result = $op;
            if allowed {
                assert!(result.is_ok(), "{label} should be allowed: {result:?}");
            } else {
                assert!(denied(result), "{label} should be denied");
            }
        }
    }};
}

async fn the_first_sign_up_creates_the_vendor_and_a_closed_hub_refuses_the_next(
    services: &Services,
) {
    let admin = vendor(services, "Acme Corp.", "ada@acme.test").await;
    assert!(admin.is_vendor());
    let err = signup::sign_up(
        services,
        SignUp {
            organization_name: OrganizationName::parse("Second").unwrap(),
            user: new_user("bob@b.test"),
        },
        false,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::SignUpClosed), "{err:?}");
    // Nothing of the refused sign-up was stored.
    assert!(
        accounts::authenticate(services, "bob@b.test", PASSWORD.into())
            .await
            .is_err()
    );
    // A taken organization name gets a suffixed slug, not an error.
    let again = vendor(services, "Acme Corp.", "eve@acme2.test").await;
    assert_ne!(again.organization_id, admin.organization_id);
}

async fn an_invitation_link_works_once_and_only_while_valid(services: &Services) {
    let admin = vendor(services, "Acme", "admin@acme.test").await;
    let customer = customers::create(services, &admin, OrganizationName::parse("Globex").unwrap())
        .await
        .unwrap();
    let invite = |email: &str, ttl| {
        invitations::create(
            services,
            &admin,
            NewInvitation {
                email: Email::parse(email).unwrap(),
                role: Role::Admin,
                customer: Some(customer.id),
            },
            ttl,
        )
    };
    let issued = invite("new@globex.test", Duration::hours(72))
        .await
        .unwrap();
    let preview = invitations::preview(services, &issued.token).await.unwrap();
    assert_eq!(preview.customer_name.as_deref(), Some("Globex"));
    assert!(!preview.existing_account);

    // A too-short password is refused and the link stays usable.
    let err = invitations::accept(services, &issued.token, "New".into(), "short".into())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at least 10"), "{err}");
    let (user, org) = invitations::accept(services, &issued.token, "New".into(), PASSWORD.into())
        .await
        .unwrap();
    assert_eq!(org, admin.organization_id);
    let actor = accounts::actor(services, user.id, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(actor.customer_organization_id, Some(customer.id));

    let err = invitations::accept(services, &issued.token, "X".into(), PASSWORD.into())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvitationUnusable("already used")),
        "{err:?}"
    );

    let expired = invite("late@globex.test", Duration::seconds(-1))
        .await
        .unwrap();
    let err = invitations::preview(services, &expired.token)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvitationUnusable("expired")),
        "{err:?}"
    );

    let revoked = invite("gone@globex.test", Duration::hours(1))
        .await
        .unwrap();
    invitations::revoke(services, &admin, revoked.invitation.id)
        .await
        .unwrap();
    assert!(matches!(
        invitations::preview(services, &revoked.token).await,
        Err(Error::InvitationUnusable("revoked"))
    ));

    // Resending replaces the link: the old one stops working, the new one works.
    let first = invite("twice@globex.test", Duration::hours(1))
        .await
        .unwrap();
    let second = invitations::resend(services, &admin, first.invitation.id, Duration::hours(72))
        .await
        .unwrap();
    assert!(invitations::preview(services, &first.token).await.is_err());
    assert!(invitations::preview(services, &second.token).await.is_ok());

    let statuses: Vec<Status> = invitations::list(services, &admin, Some(customer.id))
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.status)
        .collect();
    assert!(statuses.contains(&Status::Accepted) && statuses.contains(&Status::Expired));
    assert!(statuses.contains(&Status::Revoked) && statuses.contains(&Status::Pending));

    // Inviting someone who is already a member is a conflict on the email field.
    let err = invite("new@globex.test", Duration::hours(1))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { field: "email" }), "{err:?}");
}

async fn an_existing_account_joins_with_its_own_password(services: &Services) {
    let acme = vendor(services, "Acme", "admin@acme.test").await;
    vendor(services, "Umbrella", "admin@umbrella.test").await;
    let issued = invitations::create(
        services,
        &acme,
        NewInvitation {
            email: Email::parse("admin@umbrella.test").unwrap(),
            role: Role::ReadOnly,
            customer: None,
        },
        Duration::hours(1),
    )
    .await
    .unwrap();
    assert!(
        invitations::preview(services, &issued.token)
            .await
            .unwrap()
            .existing_account
    );
    let err = invitations::accept(
        services,
        &issued.token,
        String::new(),
        "wrong password!".into(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::InvalidCredentials));
    let (user, _) = invitations::accept(services, &issued.token, String::new(), PASSWORD.into())
        .await
        .unwrap();
    // Now a member of two organizations, able to switch.
    assert_eq!(
        accounts::memberships(services, user.id)
            .await
            .unwrap()
            .len(),
        2
    );
}

async fn the_last_admin_cannot_be_demoted_or_removed(services: &Services) {
    let admin = vendor(services, "Acme", "admin@acme.test").await;
    let err = members::change_role(services, &admin, admin.user_id, Role::ReadOnly, None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LastAdmin), "{err:?}");
    let err = members::remove(services, &admin, admin.user_id, None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LastAdmin), "{err:?}");
    let second = member(services, &admin, "two@acme.test", Role::ReadWrite, None).await;
    members::change_role(services, &admin, second.user_id, Role::Admin, None)
        .await
        .unwrap();
    members::change_role(services, &admin, admin.user_id, Role::ReadOnly, None)
        .await
        .unwrap();
    let listed = members::list(services, &second, None).await.unwrap();
    assert_eq!(listed.len(), 2);
}

async fn branding_is_validated_and_found_by_host(services: &Services) {
    let admin = vendor(services, "Acme", "admin@acme.test").await;
    let config = HubConfig::default();
    let input = |host: &str, color: &str| BrandingInput {
        title: "Acme Portal".into(),
        primary_color: color.into(),
        home_markdown: "# Hello".into(),
        custom_host: host.into(),
    };
    let err = branding::update(services, &config, &admin, input("", "blue"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("primary colour"), "{err}");
    branding::update(
        services,
        &config,
        &admin,
        input("Portal.Acme.test", "#FF0000"),
    )
    .await
    .unwrap();
    let saved = branding::get(services, admin.organization_id)
        .await
        .unwrap();
    assert_eq!(
        (saved.title.as_str(), saved.primary_color.as_str()),
        ("Acme Portal", "#ff0000")
    );
    assert_eq!(saved.custom_host.as_deref(), Some("portal.acme.test"));
    // Not served until its owner proves control of it (service/tests/custom_host.rs).
    assert!(!saved.custom_host_verified);
    assert_eq!(
        branding::vendor_for_host(services, "portal.acme.test:8080")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        branding::vendor_for_host(services, "unknown.test")
            .await
            .unwrap(),
        None
    );

    let other = vendor(services, "Umbrella", "admin@umbrella.test").await;
    let err = branding::update(
        services,
        &config,
        &other,
        input("portal.acme.test", "#00ff00"),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");

    let png = b"\x89PNG\r\n\x1a\n0000".to_vec();
    branding::set_logo(services, &admin, png.clone())
        .await
        .unwrap();
    assert_eq!(
        branding::logo(services, admin.organization_id)
            .await
            .unwrap(),
        (png, "image/png".to_string())
    );
    let err = branding::set_logo(services, &admin, b"<svg/>".to_vec())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("PNG, JPEG or WebP"), "{err}");
    // The refused upload changed nothing.
    assert!(
        branding::get(services, admin.organization_id)
            .await
            .unwrap()
            .has_logo
    );
}

async fn the_authorization_matrix_holds(services: &Services) {
    let w = World::build(services).await;
    let name = |n: &str| OrganizationName::parse(n).unwrap();
    let ttl = Duration::hours(1);
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };

    //        vendor: admin  rw     ro     customer: admin  rw     ro     other vendor
    matrix!(w, [true, true, false, false, false, false, true], |a| {
        customers::create(services, a, name(&format!("New {}", next()))).await
    });
    matrix!(w, [true, true, true, true, true, true, false], |a| {
        customers::get(services, a, w.customer).await
    });
    matrix!(w, [true, true, true, false, false, false, false], |a| {
        customers::get(services, a, w.second_customer).await
    });
    matrix!(w, [false, false, false, false, false, false, true], |a| {
        customers::get(services, a, w.other_customer).await
    });
    matrix!(w, [true, true, true, true, true, true, false], |a| {
        members::list(services, a, Some(w.customer)).await
    });
    matrix!(w, [true, true, true, false, false, false, true], |a| {
        members::list(services, a, None).await
    });
    matrix!(w, [true, true, false, true, false, false, false], |a| {
        invitations::list(services, a, Some(w.customer)).await
    });
    matrix!(w, [true, true, false, true, false, false, false], |a| {
        invitations::create(
            services,
            a,
            NewInvitation {
                email: Email::parse(format!("guest{}@globex.test", next())).unwrap(),
                role: Role::ReadOnly,
                customer: Some(w.customer),
            },
            ttl,
        )
        .await
    });
    matrix!(w, [true, false, false, false, false, false, true], |a| {
        invitations::create(
            services,
            a,
            NewInvitation {
                email: Email::parse(format!("staff{}@acme.test", next())).unwrap(),
                role: Role::ReadOnly,
                customer: None,
            },
            ttl,
        )
        .await
    });
    matrix!(w, [true, true, false, true, false, false, false], |a| {
        members::change_role(
            services,
            a,
            w.customer_ro.user_id,
            Role::ReadOnly,
            Some(w.customer),
        )
        .await
    });
    matrix!(w, [true, false, false, false, false, false, false], |a| {
        members::change_role(services, a, w.vendor_ro.user_id, Role::ReadOnly, None).await
    });
    matrix!(w, [true, false, false, false, false, false, true], |a| {
        branding::update(
            services,
            &HubConfig::default(),
            a,
            BrandingInput {
                title: "T".into(),
                primary_color: "#123456".into(),
                ..Default::default()
            },
        )
        .await
    });

    // Listing never leaks another tenant's rows.
    let names =
        |list: Vec<customers::Customer>| list.into_iter().map(|c| c.name).collect::<Vec<_>>();
    assert_eq!(
        names(customers::list(services, &w.customer_ro).await.unwrap()),
        vec!["Globex"]
    );
    let theirs = names(customers::list(services, &w.other_vendor).await.unwrap());
    assert!(theirs.contains(&"Hooli".to_string()), "{theirs:?}");
    assert!(
        !theirs.iter().any(|n| n == "Globex" || n == "Initech"),
        "{theirs:?}"
    );
    assert!(
        !names(customers::list(services, &w.vendor_ro).await.unwrap())
            .contains(&"Hooli".to_string())
    );

    // A customer name is unique within a vendor (not across vendors), and a clash stores nothing.
    let err = customers::create(services, &w.vendor_admin, name("Globex"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { field: "name" }), "{err:?}");
    customers::create(services, &w.other_vendor, name("Globex"))
        .await
        .unwrap();
    let globexes = customers::list(services, &w.vendor_admin)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.name == "Globex")
        .count();
    assert_eq!(globexes, 1);

    // Deleting: vendor admins only, and never across vendors.
    assert!(denied(
        customers::delete(services, &w.vendor_rw, w.second_customer).await
    ));
    assert!(denied(
        customers::delete(services, &w.other_vendor, w.second_customer).await
    ));
    customers::delete(services, &w.vendor_admin, w.second_customer)
        .await
        .unwrap();
}

on_both_databases!(
    the_first_sign_up_creates_the_vendor_and_a_closed_hub_refuses_the_next,
    an_invitation_link_works_once_and_only_while_valid,
    an_existing_account_joins_with_its_own_password,
    the_last_admin_cannot_be_demoted_or_removed,
    branding_is_validated_and_found_by_host,
    the_authorization_matrix_holds,
);
