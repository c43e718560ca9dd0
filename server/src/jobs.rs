//! Background jobs of the hub.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::AppState;

/// Runs the registry's garbage collector every `minutes` (none when 0). The first run waits
/// one interval, so a restart loop never turns into a collection loop.
pub fn spawn_registry_gc(state: &AppState, minutes: u32) -> Option<JoinHandle<()>> {
    if minutes == 0 {
        return None;
    }
    let services = state.services.clone();
    let registry = state.registry.clone();
    let period = Duration::from_secs(u64::from(minutes) * 60);
    Some(tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            ticks.tick().await;
            if let Err(error) = service::registry::gc::run(
                &services,
                &registry,
                service::registry::gc::Policy::default(),
            )
            .await
            {
                tracing::error!(%error, "registry garbage collection failed");
            }
        }
    }))
}
