//! The paged lists, on SQLite and PostgreSQL: search (case-insensitive substring, wildcards
//! taken literally), sort and pages applied in SQL with a total, every list scoped to the
//! actor's tenant; and a page of the fleet, the targets or the deployments costs the same
//! number of queries whatever how many rows it shows.

// A panic is how a test reports failure; unwrapping is the point here.
// The query counts are printed for the record (`--nocapture`).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use chrono::Utc;
use consign_service::auth::Actor;
use consign_service::deployments;
use consign_service::licenses::{self, NewLicense};
use consign_service::listing::{
    self, CustomerSort, DeploymentSort, FleetSort, LicenseSort, ListQuery, SortKey, TargetSort,
};
use consign_service::testing::world::{World, new_deployment};
use consign_service::versions::{self, NewVersion, Package};
use consign_service::{
    Services, applications, customers, deployment_list, fleet, on_both_databases, targets,
};
use types::{
    ApplicationId, ApplicationKind, ApplicationName, ApplicationVersionId, ChannelName,
    CustomerOrganizationId, DeploymentTargetId, OrganizationName, VersionName,
};

const COMPOSE: &str = "services:\n  web:\n    image: registry.example.com/shop:1\n";

fn q<S: SortKey>(q: &str, sort: &str, dir: &str, page: &str) -> ListQuery<S> {
    ListQuery::parse(Some(q), Some(sort), Some(dir), Some(page))
}

fn names(page: &listing::Page<fleet::FleetTarget>) -> Vec<String> {
    page.items.iter().map(|t| t.target.name.clone()).collect()
}

async fn target(
    s: &Services,
    by: &Actor,
    name: &str,
    customer: Option<CustomerOrganizationId>,
) -> DeploymentTargetId {
    targets::create(s, by, name, customer, Utc::now())
        .await
        .unwrap()
        .target
        .id
}

async fn targets_are_searched_sorted_and_paged_within_the_tenant(s: &Services) {
    let w = World::build(s).await;
    let now = Utc::now();
    for i in 0..60 {
        target(s, &w.vendor_rw, &format!("Edge-{i:03}"), Some(w.customer)).await;
    }
    for i in 0..3 {
        target(s, &w.vendor_rw, &format!("lab-{i}"), None).await;
    }
    target(s, &w.vendor_rw, "50%_off", Some(w.second_customer)).await;
    target(s, &w.other_vendor, "edge-elsewhere", None).await;

    // Page 1 and 2 by name; the other vendor's target is never counted.
    let first = fleet::targets(s, &w.vendor_ro, &ListQuery::default(), now)
        .await
        .unwrap();
    assert_eq!((first.total, first.items.len(), first.page), (64, 50, 1));
    assert_eq!(names(&first)[0], "50%_off");
    assert_eq!(names(&first)[1], "Edge-000");
    let second = fleet::targets(s, &w.vendor_ro, &q("", "name", "asc", "2"), now)
        .await
        .unwrap();
    assert_eq!(second.items.len(), 14);
    assert_eq!(names(&second).last().unwrap(), "lab-2");
    let backwards = fleet::targets(s, &w.vendor_ro, &q("", "name", "desc", "1"), now)
        .await
        .unwrap();
    assert_eq!(names(&backwards)[..2], ["lab-2", "lab-1"]);
    // Past the end: an empty page, the total still right.
    let beyond = fleet::targets(s, &w.vendor_ro, &q("", "name", "asc", "9"), now)
        .await
        .unwrap();
    assert_eq!((beyond.items.len(), beyond.total), (0, 64));

    // Case-insensitive substring, on the target's or the customer's name.
    let found = fleet::targets(s, &w.vendor_ro, &q("EDGE-01", "", "", ""), now)
        .await
        .unwrap();
    assert_eq!(found.total, 10);
    assert!(names(&found).iter().all(|n| n.starts_with("Edge-01")));
    let by_customer = fleet::targets(s, &w.vendor_ro, &q("initech", "", "", ""), now)
        .await
        .unwrap();
    assert_eq!(names(&by_customer), ["50%_off"]);
    // Wildcards are literal: `%` matches only a `%`.
    let literal = fleet::targets(s, &w.vendor_ro, &q("0%", "", "", ""), now)
        .await
        .unwrap();
    assert_eq!(names(&literal), ["50%_off"]);
    let underscore = fleet::targets(s, &w.vendor_ro, &q("e_0", "", "", ""), now)
        .await
        .unwrap();
    assert_eq!(underscore.total, 0);

    // By customer: vendor-managed first ascending, last descending.
    let by_owner = fleet::targets(s, &w.vendor_ro, &q("", "customer", "asc", "1"), now)
        .await
        .unwrap();
    assert_eq!(by_owner.items[0].customer, None);
    assert_eq!(by_owner.items[3].customer.as_deref(), Some("Globex"));
    let by_owner = fleet::targets(s, &w.vendor_ro, &q("", "customer", "desc", "2"), now)
        .await
        .unwrap();
    assert_eq!(by_owner.items.last().unwrap().customer, None);

    // A customer member sees their own only; the other vendor its own.
    let own = fleet::targets(s, &w.customer_ro, &q("", "", "", ""), now)
        .await
        .unwrap();
    assert_eq!(own.total, 60);
    assert!(
        own.items
            .iter()
            .all(|t| t.customer.as_deref() == Some("Globex"))
    );
    let theirs = fleet::targets(s, &w.customer_ro, &q("lab", "", "", ""), now)
        .await
        .unwrap();
    assert_eq!(theirs.total, 0);
    let other = fleet::targets(s, &w.other_vendor, &q("edge", "", "", ""), now)
        .await
        .unwrap();
    assert_eq!(names(&other), ["edge-elsewhere"]);

    // The fleet: grouped by customer, customers without targets named.
    let overview = fleet::overview(s, &w.vendor_ro, &ListQuery::<FleetSort>::default(), now)
        .await
        .unwrap();
    assert_eq!(overview.total, 64);
    let groups: Vec<_> = overview
        .groups
        .iter()
        .map(|g| (g.customer.as_ref().map(|c| c.name.clone()), g.targets.len()))
        .collect();
    assert_eq!(
        groups,
        [(None, 3), (Some("Globex".into()), 47)],
        "vendor-managed first, then Globex going on over the next page"
    );
    let rest = fleet::overview(s, &w.vendor_ro, &q("", "customer", "asc", "2"), now)
        .await
        .unwrap();
    assert_eq!(rest.groups.len(), 2);
    assert_eq!(rest.groups[1].customer.as_ref().unwrap().name, "Initech");
    assert!(overview.without_targets.is_empty());
}

async fn customers_are_searched_sorted_and_paged_within_the_tenant(s: &Services) {
    let w = World::build(s).await;
    for i in 0..55 {
        let name = OrganizationName::parse(format!("Client {i:02}")).unwrap();
        customers::create(s, &w.vendor_admin, name).await.unwrap();
    }
    // Globex, Initech and 55 clients.
    let all = customers::page(s, &w.vendor_ro, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!((all.total, all.items.len()), (57, 50));
    assert_eq!(all.items[0].name, "Client 00");
    let second = customers::page(s, &w.vendor_ro, &q::<CustomerSort>("", "", "", "2"))
        .await
        .unwrap();
    assert_eq!(second.items.last().unwrap().name, "Initech");
    let found = customers::page(
        s,
        &w.vendor_ro,
        &q::<CustomerSort>("CLIENT 5", "name", "desc", ""),
    )
    .await
    .unwrap();
    let found: Vec<_> = found.items.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        found,
        [
            "Client 54",
            "Client 53",
            "Client 52",
            "Client 51",
            "Client 50"
        ]
    );
    let own = customers::page(s, &w.customer_ro, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(own.items.len(), 1);
    assert_eq!(own.items[0].id, w.customer);
    let other = customers::page(s, &w.other_vendor, &q::<CustomerSort>("client", "", "", ""))
        .await
        .unwrap();
    assert_eq!(other.total, 0);
}

async fn users_are_searched_sorted_and_paged_within_the_tenant(s: &Services) {
    use consign_service::listing::UserSort;
    use consign_service::members;
    let w = World::build(s).await;
    for email in ["zoe@acme.test", "bob@acme.test"] {
        consign_service::testing::world::member(
            s,
            &w.vendor_admin,
            email,
            types::Role::ReadOnly,
            None,
        )
        .await;
    }
    let emails = |page: &listing::Page<members::Member>| {
        page.items
            .iter()
            .map(|m| m.email.clone())
            .collect::<Vec<_>>()
    };
    let all = members::page(s, &w.vendor_ro, None, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(all.total as usize, all.items.len());
    let listed = emails(&all);
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "by email by default");
    assert!(
        listed.iter().all(|e| e.ends_with("@acme.test")),
        "{listed:?}"
    );
    let found = members::page(
        s,
        &w.vendor_ro,
        None,
        &q::<UserSort>("ZOE", "email", "desc", ""),
    )
    .await
    .unwrap();
    assert_eq!(emails(&found), ["zoe@acme.test"]);
    // A search for the pattern characters matches them literally.
    let none = members::page(s, &w.vendor_ro, None, &q::<UserSort>("%", "", "", ""))
        .await
        .unwrap();
    assert_eq!(none.total, 0);
    // A customer's people, to the vendor and to the customer; never another tenant's.
    let theirs = members::page(s, &w.vendor_ro, Some(w.customer), &ListQuery::default())
        .await
        .unwrap();
    assert!(theirs.total > 0 && emails(&theirs).iter().all(|e| e.ends_with("@globex.test")));
    let own = members::page(s, &w.customer_ro, Some(w.customer), &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(emails(&own), emails(&theirs));
    assert!(
        members::page(s, &w.other_vendor, Some(w.customer), &ListQuery::default())
            .await
            .is_err()
    );
    assert!(
        members::page(s, &w.customer_ro, None, &ListQuery::default())
            .await
            .is_err()
    );
}

/// An application with versions 1.0 and 2.0 on `stable`, licensed to the world's customer.
async fn catalogue(s: &Services, w: &World) -> (ApplicationId, Vec<ApplicationVersionId>) {
    let now = Utc::now();
    let app = applications::create(
        s,
        &w.vendor_rw,
        ApplicationName::parse("Shop").unwrap(),
        ApplicationKind::Docker,
        now,
    )
    .await
    .unwrap()
    .id;
    let mut ids = Vec::new();
    for name in ["1.0", "2.0"] {
        let v = versions::create(
            s,
            &w.vendor_rw,
            app,
            NewVersion {
                name: VersionName::parse(name).unwrap(),
                channel: ChannelName::stable(),
                link_template: None,
                package: Package::Compose {
                    compose_file: COMPOSE.into(),
                    env_template: None,
                },
            },
            now,
        )
        .await
        .unwrap();
        ids.push(v.id);
    }
    licenses::create(
        s,
        &w.vendor_rw,
        NewLicense {
            name: None,
            customer_organization_id: w.customer,
            application_id: app,
            versions: None,
            channels: vec![ChannelName::stable()],
            expires_at: None,
            entitlements: BTreeMap::new(),
        },
        now,
    )
    .await
    .unwrap();
    (app, ids)
}

async fn deploy(
    s: &Services,
    by: &Actor,
    target: DeploymentTargetId,
    app: ApplicationId,
    version: ApplicationVersionId,
) {
    deployments::create(s, by, new_deployment(target, app, version), Utc::now())
        .await
        .unwrap();
}

async fn a_page_costs_the_same_queries_whatever_its_rows(s: &Services) {
    let w = World::build(s).await;
    let (app, versions) = catalogue(s, &w).await;
    // 60 customer targets with two deployments each (1.0 and 2.0), 4 vendor-managed with one.
    for i in 0..60 {
        let t = target(s, &w.vendor_rw, &format!("edge-{i:03}"), Some(w.customer)).await;
        deploy(s, &w.vendor_rw, t, app, versions[0]).await;
        deploy(s, &w.customer_rw, t, app, versions[1]).await;
    }
    for i in 0..4 {
        let t = target(s, &w.vendor_rw, &format!("lab-{i}"), None).await;
        deploy(s, &w.vendor_rw, t, app, versions[0]).await;
    }
    let other = target(s, &w.other_vendor, "edge-elsewhere", None).await;
    let _ = other;
    let now = Utc::now();
    let (counted, queries) = listing::counting_queries(s);
    let cost = |label: &'static str| {
        let n = queries.swap(0, Ordering::SeqCst);
        println!("{label}: {n} queries");
        n
    };

    // Targets: 50 targets with 100 deployments cost what 1 target with 2 does.
    for actor in [&w.vendor_ro, &w.customer_ro] {
        cost("reset");
        let full = fleet::targets(&counted, actor, &ListQuery::default(), now)
            .await
            .unwrap();
        let full_cost = cost("targets, full page");
        let one = fleet::targets(
            &counted,
            actor,
            &q::<TargetSort>("edge-007", "", "", ""),
            now,
        )
        .await
        .unwrap();
        let one_cost = cost("targets, one row");
        assert_eq!(full.items.len(), 50);
        assert_eq!(one.items.len(), 1);
        assert_eq!(full_cost, one_cost);
        assert!(full_cost <= 12, "{full_cost} queries");
        let edge = &one.items[0];
        assert_eq!(edge.deployments.len(), 2);
        let (old, standing) = &edge.deployments[0];
        assert_eq!(old.version_id, versions[0]);
        assert_eq!(standing.version.name, "1.0");
        assert_eq!(standing.application, "Shop");
        assert!(standing.behind_latest);
        assert!(!edge.deployments[1].1.behind_latest);
    }

    // The fleet.
    let full = fleet::overview(&counted, &w.vendor_ro, &ListQuery::default(), now)
        .await
        .unwrap();
    let full_cost = cost("fleet, full page");
    let one = fleet::overview(
        &counted,
        &w.vendor_ro,
        &q::<FleetSort>("lab-3", "", "", ""),
        now,
    )
    .await
    .unwrap();
    assert_eq!(cost("fleet, one row"), full_cost);
    assert_eq!(full.total, 64);
    assert_eq!(one.groups[0].targets[0].deployments.len(), 1);

    // Deployments: 124 in all for the vendor, 120 for the customer, none of the other vendor.
    let all = deployment_list::page(&counted, &w.vendor_ro, &ListQuery::default())
        .await
        .unwrap();
    let full_cost = cost("deployments, full page");
    assert_eq!((all.total, all.items.len()), (124, 50));
    let few = deployment_list::page(
        &counted,
        &w.vendor_ro,
        &q::<DeploymentSort>("lab", "target", "desc", ""),
    )
    .await
    .unwrap();
    assert_eq!(cost("deployments, few rows"), full_cost);
    let targets: Vec<_> = few.items.iter().map(|d| d.target.as_str()).collect();
    assert_eq!(targets, ["lab-3", "lab-2", "lab-1", "lab-0"]);
    assert!(few.items.iter().all(|d| d.customer.is_none()));
    let by_customer = deployment_list::page(
        &counted,
        &w.vendor_ro,
        &q::<DeploymentSort>("globex", "customer", "asc", "3"),
    )
    .await
    .unwrap();
    assert_eq!((by_customer.total, by_customer.items.len()), (120, 20));
    let own = deployment_list::page(s, &w.customer_ro, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(own.total, 120);
    assert!(
        own.items
            .iter()
            .all(|d| d.customer.as_deref() == Some("Globex"))
    );
    let by_app = deployment_list::page(
        s,
        &w.customer_ro,
        &q::<DeploymentSort>("SHOP", "application", "", ""),
    )
    .await
    .unwrap();
    assert_eq!(by_app.total, 120);
    let none = deployment_list::page(s, &w.other_vendor, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(none.total, 0);

    // Licenses: searched by customer or application name, the vendor's only.
    let now = Utc::now();
    let page = licenses::overview(
        s,
        &w.vendor_ro,
        &q::<LicenseSort>("shop", "customer", "", ""),
        now,
    )
    .await
    .unwrap();
    assert_eq!(page.licenses.total, 1);
    assert_eq!(page.licenses.items[0].customer, "Globex");
    let nothing = licenses::overview(
        s,
        &w.vendor_ro,
        &q::<LicenseSort>("initech", "", "", ""),
        now,
    )
    .await
    .unwrap();
    assert_eq!(nothing.licenses.total, 0);
    let other = licenses::overview(s, &w.other_vendor, &ListQuery::default(), now)
        .await
        .unwrap();
    assert_eq!(other.licenses.total, 0);
}

on_both_databases!(
    targets_are_searched_sorted_and_paged_within_the_tenant,
    customers_are_searched_sorted_and_paged_within_the_tenant,
    users_are_searched_sorted_and_paged_within_the_tenant,
    a_page_costs_the_same_queries_whatever_its_rows,
);
