//! Hubs on either database, free ports for hubs restarted in place, and agent credentials
//! without an agent process.

use chrono::Utc;
use server::testing::TestHub;
use service::auth::Actor;
use service::testing::{Backend, TestDb};
use types::{CustomerOrganizationId, DeploymentTargetId};

/// Runs `test` on a fresh hub on `backend` (PostgreSQL: a database of its own, dropped
/// afterwards even if the test panics); `test` hands the hub back to be stopped.
pub async fn with_hub<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestHub) -> Fut,
    Fut: std::future::Future<Output = TestHub>,
{
    with_hub_adjusted(backend, |_| {}, test).await;
}

/// [`with_hub`] with the hub's settings changed by `adjust` first.
pub async fn with_hub_adjusted<F, Fut>(
    backend: Backend,
    adjust: impl FnOnce(&mut server::Settings),
    test: F,
) where
    F: FnOnce(TestHub) -> Fut,
    Fut: std::future::Future<Output = TestHub>,
{
    match backend {
        Backend::Sqlite => {
            let hub = TestHub::start_with(adjust).await;
            test(hub).await.stop().await;
        }
        Backend::Postgres => {
            let db = TestDb::new(Backend::Postgres).await;
            let url = db.url.clone();
            let hub = TestHub::start_with(|s| {
                adjust(s);
                s.database_url = Some(url.into());
            })
            .await;
            test(hub).await.stop().await;
            db.close().await;
        }
    }
}

/// A new target `edge` of `customer` (`None`: the actor's own organization's), created by
/// `actor` and enrolled with its one-time secret as an agent would: the target and the
/// agent credential it got.
pub async fn enrolled_target(
    hub: &TestHub,
    actor: &Actor,
    customer: Option<CustomerOrganizationId>,
) -> (DeploymentTargetId, String) {
    let issued = service::targets::create(&hub.services, actor, "edge", customer, Utc::now())
        .await
        .unwrap();
    let credential =
        service::targets::enroll(&hub.services, issued.target.id, &issued.secret, Utc::now())
            .await
            .unwrap()
            .unwrap();
    (issued.target.id, credential)
}

/// A port of 127.0.0.1 that was free a moment ago, for a server that must listen on a known
/// port (a hub restarted in place, a registry started as a process).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
