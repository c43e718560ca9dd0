//! Docker Compose applications with versions and licenses, built in a few lines:
//!
//! ```ignore
//! let shop = NewApplication::named("Shop")
//!     .version("1.0", &web_compose(&image.tag))
//!     .licensed_to(world.customer)
//!     .create(&hub, &world.vendor_rw)
//!     .await;
//! ```

use std::collections::BTreeMap;

use chrono::Utc;
use server::testing::TestHub;
use service::auth::Actor;
use service::deployments::{self, Deployment, NewDeployment};
use service::licenses::{self, NewLicense};
use service::versions::{self, NewVersion, Package};
use types::{
    ApplicationId, ApplicationKind, ApplicationName, ApplicationVersionId, ChannelName,
    CustomerOrganizationId, DeploymentTargetId, LicenseId, VersionName,
};

/// A compose file with one service `web`: busybox's httpd from `image` answering on port
/// 8080 of its container, with a healthcheck, so a deployment of it turns `healthy`.
pub fn web_compose(image: &str) -> String {
    format!(
        r#"services:
  web:
    image: {image}
    command: ["sh", "-c", "mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 1s
      timeout: 2s
      retries: 5
"#
    )
}

/// One version to publish.
#[derive(Clone, Debug)]
struct NewAppVersion {
    name: String,
    channel: String,
    compose_file: String,
    env_template: Option<String>,
}

/// A Docker Compose application to create, with its versions and the customers it is
/// licensed to (every version on `stable`, no expiry).
#[derive(Clone, Debug)]
pub struct NewApplication {
    name: String,
    link_template: Option<String>,
    versions: Vec<NewAppVersion>,
    customers: Vec<CustomerOrganizationId>,
}

/// What [`NewApplication::create`] made.
#[derive(Clone, Debug)]
pub struct Application {
    /// The application.
    pub id: ApplicationId,
    /// Its versions, in the order they were added.
    pub versions: Vec<ApplicationVersionId>,
    /// Its licenses, in the order the customers were added.
    pub licenses: Vec<LicenseId>,
}

impl NewApplication {
    /// An application called `name`, without versions or licenses yet.
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_string(),
            link_template: None,
            versions: Vec::new(),
            customers: Vec::new(),
        }
    }

    /// Gives every version the "open application" URL template `template`.
    pub fn link_template(mut self, template: &str) -> Self {
        self.link_template = Some(template.to_string());
        self
    }

    /// Adds the version `name` on `stable` with `compose_file`.
    pub fn version(self, name: &str, compose_file: &str) -> Self {
        self.version_with(name, "stable", compose_file, None)
    }

    /// Adds the version `name` on `channel` with `compose_file` and an env-file template.
    pub fn version_with(
        mut self,
        name: &str,
        channel: &str,
        compose_file: &str,
        env_template: Option<&str>,
    ) -> Self {
        self.versions.push(NewAppVersion {
            name: name.to_string(),
            channel: channel.to_string(),
            compose_file: compose_file.to_string(),
            env_template: env_template.map(str::to_string),
        });
        self
    }

    /// Licenses every version on `stable` to `customer`.
    pub fn licensed_to(mut self, customer: CustomerOrganizationId) -> Self {
        self.customers.push(customer);
        self
    }

    /// Creates it all on `hub` as `vendor` (a vendor writer).
    pub async fn create(self, hub: &TestHub, vendor: &Actor) -> Application {
        let now = Utc::now();
        let id = service::applications::create(
            &hub.services,
            vendor,
            ApplicationName::parse(&self.name).unwrap(),
            ApplicationKind::Docker,
            now,
        )
        .await
        .unwrap()
        .id;
        let mut versions = Vec::new();
        for v in self.versions {
            let version = versions::create(
                &hub.services,
                vendor,
                id,
                NewVersion {
                    name: VersionName::parse(&v.name).unwrap(),
                    channel: ChannelName::parse(v.channel).unwrap(),
                    link_template: self.link_template.clone(),
                    package: Package::Compose {
                        compose_file: v.compose_file,
                        env_template: v.env_template,
                    },
                },
                now,
            )
            .await
            .unwrap();
            versions.push(version.id);
        }
        let mut licenses = Vec::new();
        for customer in self.customers {
            licenses.push(license(hub, vendor, customer, id).await);
        }
        Application {
            id,
            versions,
            licenses,
        }
    }
}

/// Licenses every version of `application` on `stable` to `customer`, without expiry or
/// entitlements.
pub async fn license(
    hub: &TestHub,
    vendor: &Actor,
    customer: CustomerOrganizationId,
    application: ApplicationId,
) -> LicenseId {
    licenses::create(
        &hub.services,
        vendor,
        NewLicense {
            name: None,
            customer_organization_id: customer,
            application_id: application,
            versions: None,
            channels: vec![ChannelName::stable()],
            expires_at: None,
            entitlements: BTreeMap::new(),
        },
        Utc::now(),
    )
    .await
    .unwrap()
    .id
}

/// Deploys `version` of `application` on `target` as `actor`, as the portal's form does by
/// default: the version's env template, no container logs, drift repaired.
pub async fn deploy(
    hub: &TestHub,
    actor: &Actor,
    target: DeploymentTargetId,
    application: ApplicationId,
    version: ApplicationVersionId,
) -> Deployment {
    deployments::create(
        &hub.services,
        actor,
        NewDeployment {
            target_id: target,
            application_id: application,
            version_id: version,
            env: None,
            logs_enabled: false,
            repair_drift: true,
        },
        Utc::now(),
    )
    .await
    .unwrap()
}
