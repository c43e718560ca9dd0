//! A ready-made set of tenants for authorization tests: a vendor with one user per role, a
//! customer with one user per role, a second customer, and another vendor with its own customer.
//! Every account is created the way the product creates it (sign-up, invitation links).

use chrono::Duration;
use sea_orm::DatabaseConnection;
use types::{CustomerOrganizationId, Email, OrganizationName, Role};

use crate::accounts;
use crate::auth::Actor;
use crate::customers;
use crate::invitations::{self, NewInvitation};
use crate::signup::{self, SignUp};

/// The password of every account the builders create.
pub const PASSWORD: &str = "a long enough password";

/// A new account with [`PASSWORD`].
pub fn new_user(email: &str) -> accounts::NewUser {
    accounts::NewUser {
        email: Email::parse(email).expect("test tenant setup"),
        name: "Person".into(),
        password: PASSWORD.into(),
    }
}

/// Signs up a vendor organization; returns its admin.
pub async fn vendor(db: &DatabaseConnection, name: &str, email: &str) -> Actor {
    let (user, org) = signup::sign_up(
        db,
        SignUp {
            organization_name: OrganizationName::parse(name).expect("test tenant setup"),
            user: new_user(email),
        },
        true,
    )
    .await
    .expect("test tenant setup");
    let actor = accounts::actor(db, user.id, Some(org.id))
        .await
        .expect("test tenant setup")
        .expect("test tenant setup");
    assert_eq!(actor.role, Role::Admin);
    actor
}

/// Invites `email` as `role` (into `customer`, or the vendor) and accepts the link.
pub async fn member(
    db: &DatabaseConnection,
    by: &Actor,
    email: &str,
    role: Role,
    customer: Option<CustomerOrganizationId>,
) -> Actor {
    let issued = invitations::create(
        db,
        by,
        NewInvitation {
            email: Email::parse(email).expect("test tenant setup"),
            role,
            customer,
        },
        Duration::hours(72),
    )
    .await
    .expect("test tenant setup");
    let (user, org) = invitations::accept(db, &issued.token, "Person".into(), PASSWORD.into())
        .await
        .expect("test tenant setup");
    accounts::actor(db, user.id, Some(org))
        .await
        .expect("test tenant setup")
        .expect("test tenant setup")
}

/// The tenants, and one actor per role.
#[derive(Debug)]
pub struct World {
    /// The vendor admin.
    pub vendor_admin: Actor,
    /// The vendor rw.
    pub vendor_rw: Actor,
    /// The vendor ro.
    pub vendor_ro: Actor,
    /// The customer admin.
    pub customer_admin: Actor,
    /// The customer rw.
    pub customer_rw: Actor,
    /// The customer ro.
    pub customer_ro: Actor,
    /// The other vendor.
    pub other_vendor: Actor,
    /// The customer.
    pub customer: CustomerOrganizationId,
    /// The second customer.
    pub second_customer: CustomerOrganizationId,
    /// The other customer.
    pub other_customer: CustomerOrganizationId,
}

impl World {
    /// Builds the tenants on `db`.
    pub async fn build(db: &DatabaseConnection) -> Self {
        let vendor_admin = vendor(db, "Acme", "admin@acme.test").await;
        let vendor_rw = member(db, &vendor_admin, "rw@acme.test", Role::ReadWrite, None).await;
        let vendor_ro = member(db, &vendor_admin, "ro@acme.test", Role::ReadOnly, None).await;
        let name = |n: &str| OrganizationName::parse(n).expect("test tenant setup");
        let customer = customers::create(db, &vendor_admin, name("Globex"))
            .await
            .expect("test tenant setup")
            .id;
        let second_customer = customers::create(db, &vendor_admin, name("Initech"))
            .await
            .expect("test tenant setup")
            .id;
        let customer_admin = member(
            db,
            &vendor_admin,
            "admin@globex.test",
            Role::Admin,
            Some(customer),
        )
        .await;
        let customer_rw = member(
            db,
            &customer_admin,
            "rw@globex.test",
            Role::ReadWrite,
            Some(customer),
        )
        .await;
        let customer_ro = member(
            db,
            &customer_admin,
            "ro@globex.test",
            Role::ReadOnly,
            Some(customer),
        )
        .await;
        let other_vendor = vendor(db, "Umbrella", "admin@umbrella.test").await;
        let other_customer = customers::create(db, &other_vendor, name("Hooli"))
            .await
            .expect("test tenant setup")
            .id;
        Self {
            vendor_admin,
            vendor_rw,
            vendor_ro,
            customer_admin,
            customer_rw,
            customer_ro,
            other_vendor,
            customer,
            second_customer,
            other_customer,
        }
    }

    /// Every actor with a label, in matrix order.
    pub fn actors(&self) -> Vec<(&'static str, &Actor)> {
        vec![
            ("vendor admin", &self.vendor_admin),
            ("vendor read_write", &self.vendor_rw),
            ("vendor read_only", &self.vendor_ro),
            ("customer admin", &self.customer_admin),
            ("customer read_write", &self.customer_rw),
            ("customer read_only", &self.customer_ro),
            ("other vendor", &self.other_vendor),
        ]
    }
}
