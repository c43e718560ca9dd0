//! The event stream's `metrics` events, over real HTTP: a stream naming a target
//! (`?metricsOf=`) hears of each metrics sample of that target at once; one naming another
//! vendor's target hears nothing of it (the same answer as for a target that does not exist);
//! a malformed id is refused naming the parameter.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use chrono::Utc;
use consign_server::testing::TestHub;
use service::testing::world::World;
use types::DeploymentTargetId;
use types::protocol::HostMetrics;

async fn token(hub: &TestHub, actor: &service::auth::Actor) -> String {
    service::access_tokens::create(&hub.services, actor, "test".into(), None)
        .await
        .unwrap()
        .1
}

async fn stream(hub: &TestHub, token: &str, query: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(hub.url(&format!("/api/v1/events{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn sample(hub: &TestHub, target: DeploymentTargetId) {
    service::agent_session::record_metrics(
        &hub.services,
        target,
        HostMetrics {
            cpu_percent: 42.0,
            cpu_cores: 2,
            memory_used_bytes: 1 << 29,
            memory_total_bytes: 1 << 31,
            at: Utc::now(),
        },
    )
    .await
    .unwrap();
}

/// What arrives on `events` within `wait`.
async fn read_for(events: &mut reqwest::Response, wait: Duration) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, events.chunk()).await {
        seen.push_str(&String::from_utf8_lossy(&chunk));
        if seen.contains("event: metrics") {
            break;
        }
    }
    seen
}

#[tokio::test]
async fn a_stream_hears_the_metrics_of_the_target_it_names_and_may_see_only() {
    let hub = TestHub::start(None, None).await;
    let w = World::build(&hub.services).await;
    let ours = service::targets::create(&hub.services, &w.vendor_rw, "ours", None, Utc::now())
        .await
        .unwrap()
        .target
        .id;
    let theirs =
        service::targets::create(&hub.services, &w.other_vendor, "theirs", None, Utc::now())
            .await
            .unwrap()
            .target
            .id;
    let vendor = token(&hub, &w.vendor_ro).await;

    let mut watching = stream(&hub, &vendor, &format!("?metricsOf={ours}")).await;
    assert_eq!(watching.status(), 200);
    let mut plain = stream(&hub, &vendor, "").await;
    let mut prying = stream(&hub, &vendor, &format!("?metricsOf={theirs}")).await;
    assert_eq!(prying.status(), 200, "the same answer as for any target");
    let malformed = stream(&hub, &vendor, "?metricsOf=not-an-id").await;
    assert_eq!(malformed.status(), 400);

    sample(&hub, ours).await;
    sample(&hub, theirs).await;
    let seen = read_for(&mut watching, Duration::from_secs(5)).await;
    assert!(seen.contains("event: metrics"), "{seen}");
    assert!(
        seen.contains(&format!("\"target_id\":\"{ours}\"")),
        "{seen}"
    );
    for other in [&mut plain, &mut prying] {
        let seen = read_for(other, Duration::from_millis(500)).await;
        assert!(!seen.contains("metrics"), "{seen}");
    }
    hub.stop().await;
}
