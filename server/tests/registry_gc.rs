//! The garbage collector running while pushes and mounts are in flight, over real HTTP on
//! SQLite and PostgreSQL: with no grace period at all (the worst case: anything not yet named by
//! a manifest is fair game), a push may be refused and retried, but every push that finished
//! (its manifest committed) keeps every blob it names, whole.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use consign_server::testing::TestHub;
use consign_test_support::hub::with_hub;
use consign_test_support::registry::{Registry, digest, image_manifest};
use reqwest::Method;
use service::registry::gc::{self, Policy};
use service::testing::Backend;
use service::testing::world::World;

/// Pushers working at once, and pushes each.
const PUSHERS: usize = 4;
const PUSHES: usize = 12;
/// Attempts at each push, each refused one pushed again whole.
const ATTEMPTS: usize = 3;

/// One push: a config and a layer (the layer mounted from the shared repository every other
/// time, so mounts race the collector too), then the manifest; `None` when the registry
/// refused a step, as it may when the collector took an unreferenced blob first.
async fn push(
    vendor: &Registry,
    pusher: usize,
    round: usize,
) -> Option<(String, Vec<(String, Vec<u8>)>)> {
    let repo = format!("acme/gc-{pusher}");
    let config = format!("{{\"pusher\":{pusher},\"round\":{round}}}").into_bytes();
    let layer = format!("layer of pusher {pusher}, round {round}").into_bytes();
    let mut blobs = Vec::new();
    for (bytes, mount) in [(&config, false), (&layer, round.is_multiple_of(2))] {
        let d = digest(bytes);
        if mount {
            // Put it in the shared repository, then mount it from there.
            let shared = vendor
                .request(
                    Method::POST,
                    &format!("/v2/acme/gc-shared/blobs/uploads/?digest={d}"),
                )
                .body(bytes.clone())
                .send()
                .await
                .unwrap();
            if shared.status() != 201 {
                return None;
            }
            let mounted = vendor
                .send(
                    Method::POST,
                    &format!("/v2/{repo}/blobs/uploads/?mount={d}&from=acme/gc-shared"),
                )
                .await;
            if mounted.status() != 201 {
                return None;
            }
        } else {
            let pushed = vendor
                .request(
                    Method::POST,
                    &format!("/v2/{repo}/blobs/uploads/?digest={d}"),
                )
                .body(bytes.clone())
                .send()
                .await
                .unwrap();
            if pushed.status() != 201 {
                return None;
            }
        }
        blobs.push((d, bytes.clone()));
    }
    let manifest = image_manifest(&blobs[0].0, config.len(), &blobs[1].0, layer.len());
    let response = vendor
        .put_manifest(&repo, &format!("r{round}"), &manifest)
        .await;
    match response.status().as_u16() {
        201 => Some((format!("/v2/{repo}/manifests/r{round}"), blobs)),
        // The collector unlinked a blob before the manifest named it: the client pushes again.
        400 => None,
        other => panic!("push {repo}:r{round} answered {other}"),
    }
}

async fn finished_pushes_keep_their_blobs_while_the_collector_runs(hub: TestHub) -> TestHub {
    let world = World::build(&hub.services).await;
    let vendor = Registry::signed_in(&hub, &world.vendor_rw).await;
    let hub = Arc::new(hub);
    let stop = Arc::new(AtomicBool::new(false));
    let collector = {
        let hub = Arc::clone(&hub);
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            let policy = Policy {
                upload_ttl: Duration::from_secs(3600),
                grace: Duration::ZERO,
            };
            let mut runs = 0u32;
            while !stop.load(Ordering::SeqCst) {
                gc::run(&hub.services, &hub.registry, policy).await.unwrap();
                runs += 1;
                // A breath between runs: back to back on a loaded machine, every push could
                // be refused, and the test would prove nothing about finished ones.
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            runs
        })
    };
    let mut pushers = Vec::new();
    for pusher in 0..PUSHERS {
        let vendor = vendor.clone();
        pushers.push(tokio::spawn(async move {
            let mut finished = Vec::new();
            for round in 0..PUSHES {
                // As a client would: pushed again when refused, a few times.
                for _ in 0..ATTEMPTS {
                    if let Some(done) = push(&vendor, pusher, round).await {
                        finished.push(done);
                        break;
                    }
                }
            }
            finished
        }));
    }
    let mut finished = Vec::new();
    for p in pushers {
        finished.extend(p.await.unwrap());
    }
    stop.store(true, Ordering::SeqCst);
    let runs = collector.await.unwrap();
    assert!(runs > 1, "the collector ran {runs} times");
    assert!(
        !finished.is_empty(),
        "none of {} pushes finished while the collector ran {runs} times",
        PUSHERS * PUSHES
    );
    // One more collection, now with nothing in flight: still nothing a manifest names goes.
    gc::run(
        &hub.services,
        &hub.registry,
        Policy {
            upload_ttl: Duration::from_secs(3600),
            grace: Duration::ZERO,
        },
    )
    .await
    .unwrap();
    for (manifest, blobs) in &finished {
        assert_eq!(vendor.status(manifest).await, 200, "{manifest}");
        let repo = manifest.split("/manifests/").next().unwrap();
        for (d, bytes) in blobs {
            let got = vendor.send(Method::GET, &format!("{repo}/blobs/{d}")).await;
            assert_eq!(got.status(), 200, "{manifest} lost {d}");
            assert_eq!(got.bytes().await.unwrap().as_ref(), bytes.as_slice());
        }
    }
    match Arc::try_unwrap(hub) {
        Ok(hub) => hub,
        Err(_) => panic!("the hub is still shared"),
    }
}

/// The narrow case the exclusion is for, with the real grace period: blobs linked long ago and
/// named by no manifest (as after a manifest was deleted) are named again by a manifest pushed
/// at the very moment the collector judges them unreferenced. Either the push is refused (the
/// collector came first) or it finishes and keeps them; never a committed manifest without
/// its blobs.
async fn a_manifest_naming_old_unreferenced_blobs_races_the_collector(hub: TestHub) -> TestHub {
    use sea_orm::ConnectionTrait;
    let world = World::build(&hub.services).await;
    let vendor = Registry::signed_in(&hub, &world.vendor_rw).await;
    let (mut finished, mut refused) = (0, 0);
    for round in 0..30 {
        let repo = format!("acme/old-{round}");
        let config = format!("{{\"round\":{round}}}").into_bytes();
        let layer = format!("old layer {round}").into_bytes();
        let config_digest = vendor.push_blob(&repo, &config).await;
        let layer_digest = vendor.push_blob(&repo, &layer).await;
        // Linked two hours ago: past the grace period.
        service::testing::connection(&hub.services)
            .execute_unprepared(
                "UPDATE artifact_blob SET created_at = '2000-01-01T00:00:00Z' \
                 WHERE created_at > '2000-01-01T00:00:00Z'",
            )
            .await
            .unwrap();
        let manifest = image_manifest(&config_digest, config.len(), &layer_digest, layer.len());
        let (pushed, collected) = tokio::join!(
            vendor.put_manifest(&repo, "1.0", &manifest),
            gc::run(&hub.services, &hub.registry, Policy::default()),
        );
        collected.unwrap();
        match pushed.status().as_u16() {
            201 => {
                finished += 1;
                for (d, bytes) in [(&config_digest, &config), (&layer_digest, &layer)] {
                    let got = vendor
                        .send(Method::GET, &format!("/v2/{repo}/blobs/{d}"))
                        .await;
                    assert_eq!(got.status(), 200, "round {round} lost {d}");
                    assert_eq!(got.bytes().await.unwrap().as_ref(), bytes.as_slice());
                }
            }
            400 => refused += 1,
            other => panic!("round {round}: the push answered {other}"),
        }
    }
    assert_eq!(finished + refused, 30);
    hub
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manifest_naming_old_unreferenced_blobs_races_the_collector_on_sqlite() {
    with_hub(
        Backend::Sqlite,
        a_manifest_naming_old_unreferenced_blobs_races_the_collector,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manifest_naming_old_unreferenced_blobs_races_the_collector_on_postgresql() {
    with_hub(
        Backend::Postgres,
        a_manifest_naming_old_unreferenced_blobs_races_the_collector,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finished_pushes_keep_their_blobs_while_the_collector_runs_on_sqlite() {
    with_hub(
        Backend::Sqlite,
        finished_pushes_keep_their_blobs_while_the_collector_runs,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finished_pushes_keep_their_blobs_while_the_collector_runs_on_postgresql() {
    with_hub(
        Backend::Postgres,
        finished_pushes_keep_their_blobs_while_the_collector_runs,
    )
    .await;
}
