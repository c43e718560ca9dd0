//! The vendor's licenses page in one call: each license with the names it is shown with, and
//! the choices of the grant form, read in a fixed number of queries whatever the catalogue's
//! size.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::Order;
use sea_orm::sea_query::{Expr, ExprTrait};
use types::{ApplicationId, ApplicationVersionId};

use super::{License, hydrate};
use crate::applications::{self, Application};
use crate::auth::Actor;
use crate::customers::{self, Customer};
use crate::entity::{application as app, customer_organization as customer, license as row};
use crate::listing::{self, LicenseSort, ListQuery, PAGE_SIZE, Page};
use crate::{Error, Result, Services, repo};

/// A license with its customer's, application's and granted versions' names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LicenseSummary {
    /// The license.
    pub license: License,
    /// Its customer's name.
    pub customer: String,
    /// Its application's name.
    pub application: String,
    /// The granted versions' names, newest first; `None` for every version.
    pub version_names: Option<Vec<String>>,
}

/// What the licenses page shows a vendor member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LicensesOverview {
    /// A page of the vendor's licenses.
    pub licenses: Page<LicenseSummary>,
    /// The customers a license may be granted to.
    pub customers: Vec<Customer>,
    /// The unarchived applications a license may grant.
    pub applications: Vec<Application>,
}

/// A page of the vendor's licenses with their names (searched by license, customer or
/// application name), and the grant form's choices (vendor members).
pub async fn overview(
    services: &Services,
    actor: &Actor,
    query: &ListQuery<LicenseSort>,
    now: DateTime<Utc>,
) -> Result<LicensesOverview> {
    actor.require_vendor_read("see licenses")?;
    let customers = customers::list(services, actor).await?;
    let applications = applications::list(services, actor, now).await?;
    let app_ids: Vec<_> = applications.iter().map(|a| a.id.0).collect();
    let versions = repo::versions::list_for(&services.db, &app_ids).await?;
    let customer_names: HashMap<_, _> = customers.iter().map(|c| (c.id, &c.name)).collect();
    let application_names: HashMap<_, _> = applications.iter().map(|a| (a.id, &a.name)).collect();
    let licenses = page(services, actor, query).await?;
    let licenses = licenses.map(|license| LicenseSummary {
        customer: customer_names
            .get(&license.customer_organization_id)
            .map(|n| n.to_string())
            .unwrap_or_default(),
        application: application_names
            .get(&license.application_id)
            .map(|n| n.to_string())
            .unwrap_or_default(),
        version_names: license.versions.as_ref().map(|granted| {
            versions
                .iter()
                .filter(|v| granted.contains(&ApplicationVersionId(v.id)))
                .map(|v| v.name.clone())
                .collect()
        }),
        license,
    });
    Ok(LicensesOverview {
        licenses,
        customers,
        applications: applications
            .into_iter()
            .filter(|a| a.archived_at.is_none())
            .collect(),
    })
}

/// A page of the licenses the actor may see (all of the vendor's, or the customer's own).
async fn page(
    services: &Services,
    actor: &Actor,
    query: &ListQuery<LicenseSort>,
) -> Result<Page<License>> {
    let dir = listing::order(query.dir);
    let name = listing::lower((row::Entity, row::Column::Name));
    let customer_name = listing::lower((customer::Entity, customer::Column::Name));
    let app_name = listing::lower((app::Entity, app::Column::Name));
    let order = match query.sort {
        LicenseSort::Created => vec![(Expr::col((row::Entity, row::Column::CreatedAt)), dir)],
        LicenseSort::Name => vec![(name.clone(), dir)],
        LicenseSort::Customer => vec![(customer_name.clone(), dir), (name.clone(), Order::Asc)],
        LicenseSort::Application => vec![(app_name.clone(), dir), (name.clone(), Order::Asc)],
        // Licenses that never expire last either way (the databases place NULLs differently).
        LicenseSort::Expires => {
            let expires = Expr::col((row::Entity, row::Column::ExpiresAt));
            vec![(expires.clone().is_null(), Order::Asc), (expires, dir)]
        }
    };
    let (rows, total) = repo::licenses::page(
        &services.db,
        actor.organization_id.0,
        actor.customer_organization_id.map(|c| c.0),
        listing::search(query, [name, customer_name, app_name]),
        order,
        query.offset(),
        PAGE_SIZE,
    )
    .await?;
    let licenses = hydrate(&services.db, rows).await?;
    Ok(listing::page(query, licenses, total))
}

/// The ids of `application`'s versions called `names`, in that order, for a form that names
/// versions instead of giving ids; an unknown name is refused on `versions`.
pub async fn version_ids(
    services: &Services,
    actor: &Actor,
    application: ApplicationId,
    names: &[String],
) -> Result<Vec<ApplicationVersionId>> {
    let known = crate::versions::list(services, actor, application).await?;
    names
        .iter()
        .map(|wanted| {
            known
                .iter()
                .find(|v| v.name == *wanted)
                .map(|v| v.id)
                .ok_or_else(|| {
                    Error::invalid(
                        "versions",
                        format!(
                            "this application has no version {wanted}: check the names on its page"
                        ),
                    )
                })
        })
        .collect()
}
