//! A ready-made set of tenants for authorization tests: a vendor with one user per role, a
//! customer with one user per role, a second customer, and another vendor with its own customer.
//! Every account is created the way the product creates it (sign-up, invitation links).

use crate::Services;
use chrono::Duration;
use types::{CustomerOrganizationId, Email, OrganizationName, Role};

use crate::accounts;
use crate::auth::Actor;
use crate::customers;
use crate::deployments::NewDeployment;
use crate::invitations::{self, NewInvitation};
use crate::signup::{self, SignUp};

/// A deployment of `version` of `app` on `target` with the deploy form's defaults: no
/// environment, logs off, drift repaired.
pub fn new_deployment(
    target: types::DeploymentTargetId,
    app: types::ApplicationId,
    version: types::ApplicationVersionId,
) -> NewDeployment {
    NewDeployment {
        target_id: target,
        application_id: app,
        version_id: version,
        env: None,
        logs_enabled: false,
        repair_drift: true,
    }
}

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
pub async fn vendor(services: &Services, name: &str, email: &str) -> Actor {
    let (user, org) = signup::sign_up(
        services,
        SignUp {
            organization_name: OrganizationName::parse(name).expect("test tenant setup"),
            user: new_user(email),
        },
        true,
    )
    .await
    .expect("test tenant setup");
    let actor = accounts::actor(services, user.id, Some(org.id))
        .await
        .expect("test tenant setup")
        .expect("test tenant setup");
    assert_eq!(actor.role, Role::Admin);
    actor
}

/// Invites `email` as `role` (into `customer`, or the vendor) and accepts the link.
pub async fn member(
    services: &Services,
    by: &Actor,
    email: &str,
    role: Role,
    customer: Option<CustomerOrganizationId>,
) -> Actor {
    let issued = invitations::create(
        services,
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
    let (user, org) =
        invitations::accept(services, &issued.token, "Person".into(), PASSWORD.into())
            .await
            .expect("test tenant setup");
    accounts::actor(services, user.id, Some(org))
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
    /// Builds the tenants on `services`.
    pub async fn build(services: &Services) -> Self {
        let vendor_admin = vendor(services, "Acme", "admin@acme.test").await;
        let vendor_rw = member(
            services,
            &vendor_admin,
            "rw@acme.test",
            Role::ReadWrite,
            None,
        )
        .await;
        let vendor_ro = member(
            services,
            &vendor_admin,
            "ro@acme.test",
            Role::ReadOnly,
            None,
        )
        .await;
        let name = |n: &str| OrganizationName::parse(n).expect("test tenant setup");
        let customer = customers::create(services, &vendor_admin, name("Globex"))
            .await
            .expect("test tenant setup")
            .id;
        let second_customer = customers::create(services, &vendor_admin, name("Initech"))
            .await
            .expect("test tenant setup")
            .id;
        let customer_admin = member(
            services,
            &vendor_admin,
            "admin@globex.test",
            Role::Admin,
            Some(customer),
        )
        .await;
        let customer_rw = member(
            services,
            &customer_admin,
            "rw@globex.test",
            Role::ReadWrite,
            Some(customer),
        )
        .await;
        let customer_ro = member(
            services,
            &customer_admin,
            "ro@globex.test",
            Role::ReadOnly,
            Some(customer),
        )
        .await;
        let other_vendor = vendor(services, "Umbrella", "admin@umbrella.test").await;
        let other_customer = customers::create(services, &other_vendor, name("Hooli"))
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

/// Signs `actor` in, in their organization, and returns the session token (the cookie's value).
pub async fn session(services: &Services, actor: &Actor) -> String {
    let row = crate::repo::users::find(&services.db, actor.user_id.0)
        .await
        .expect("read the user")
        .expect("the actor's user exists");
    let user: accounts::User = row.try_into().expect("a stored user parses");
    crate::sessions::start(services, &user, Some(actor.organization_id))
        .await
        .expect("start a session")
}

/// Records `organization`'s custom host as proved now, as a passing DNS check would.
pub async fn custom_host_proved(services: &Services, organization: types::OrganizationId) {
    use sea_orm::{ActiveModelTrait, ActiveValue, EntityTrait};
    let row = crate::entity::branding::Entity::find_by_id(organization.0)
        .one(&services.db)
        .await
        .expect("read the branding")
        .expect("the organization has branding");
    let mut proved: crate::entity::branding::ActiveModel = row.into();
    proved.custom_host_verified_at = ActiveValue::Set(Some(chrono::Utc::now()));
    proved.update(&services.db).await.expect("record the proof");
}

/// Enrols `count` agent targets of `vendor`'s organization at once, in one transaction (a
/// benchmark's swarm, faster than `count` enrolments); returns each target's id and agent
/// credential. Names are `<prefix>-<n>`.
pub async fn enrolled_targets(
    services: &Services,
    vendor: &Actor,
    prefix: &str,
    count: usize,
) -> crate::Result<Vec<(types::DeploymentTargetId, String)>> {
    use sea_orm::TransactionTrait;
    let now = chrono::Utc::now();
    let txn = services.db.begin().await?;
    let mut enrolled = Vec::with_capacity(count);
    for i in 0..count {
        let credential = format!("consign_agent_{}", crate::tokens::generate());
        let id = types::DeploymentTargetId::new();
        crate::repo::targets::insert(
            &txn,
            crate::entity::deployment_target::Model {
                id: id.0,
                organization_id: vendor.organization_id.0,
                customer_organization_id: None,
                name: format!("{prefix}-{i}"),
                secret_hash: None,
                secret_created_at: now,
                secret_used_at: Some(now),
                credential_hash: Some(crate::tokens::hash(&credential)),
                agent_version: None,
                last_seen_at: None,
                created_at: now,
            },
        )
        .await?;
        enrolled.push((id, credential));
    }
    txn.commit().await?;
    Ok(enrolled)
}
