//! The connected agents of this hub process: per target a command channel (the connection
//! task listens to it, so a change pushes a new desired state at once and deleting a target
//! closes its socket at once), presence and last-seen times; and one broadcast of domain events
//! for the portals' live pages.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{broadcast, mpsc, watch};
use types::{CustomerOrganizationId, DeploymentId, DeploymentTargetId, OrganizationId};

/// What the hub tells one agent's connection task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AgentCommand {
    /// The desired state changed: send it again.
    DesiredStateChanged,
    /// Tell the agent to update itself to the hub's release.
    UpdateAgent,
    /// Close the connection (the target was deleted or its credential revoked).
    Disconnect,
}

/// What happened, for the portals' live pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// An agent connected.
    TargetOnline {
        /// The target.
        target_id: DeploymentTargetId,
    },
    /// An agent went away or was timed out.
    TargetOffline {
        /// The target.
        target_id: DeploymentTargetId,
    },
    /// A target was created, renamed or deleted.
    TargetChanged {
        /// The target.
        target_id: DeploymentTargetId,
    },
    /// A deployment was created, updated, restarted or undeployed.
    DeploymentChanged {
        /// The deployment.
        deployment_id: DeploymentId,
    },
    /// An agent reported a new status.
    StatusChanged {
        /// The deployment.
        deployment_id: DeploymentId,
        /// The new state.
        state: String,
    },
}

/// A domain event with the tenant it belongs to, so each page sees only its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HubEvent {
    /// The vendor.
    pub organization_id: OrganizationId,
    /// The customer the event concerns; `None` for a vendor-managed target.
    pub customer_organization_id: Option<CustomerOrganizationId>,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

struct Connected {
    ticket: u64,
    commands: mpsc::UnboundedSender<AgentCommand>,
    last_seen: DateTime<Utc>,
}

#[derive(Default)]
struct Inner {
    agents: HashMap<DeploymentTargetId, Connected>,
    next_ticket: u64,
    // Per target that a live page shows the charts of: a counter of the metrics samples recorded
    // since. Samples are too frequent (every 30 s per agent) for the tenant-wide broadcast, so
    // only pages watching that target hear of them.
    metrics_watchers: HashMap<DeploymentTargetId, watch::Sender<u64>>,
}

/// The registry of connected agents and the event broadcast; cheap to clone.
#[derive(Clone)]
pub struct AgentHub {
    inner: Arc<Mutex<Inner>>,
    events: broadcast::Sender<HubEvent>,
    // Turns true when the hub shuts down, so live pages' event streams end and do not hold
    // the graceful shutdown open (the browser reconnects to the next hub by itself).
    stopping: watch::Sender<bool>,
}

impl std::fmt::Debug for AgentHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AgentHub({} connected)", self.connected_count())
    }
}

impl Default for AgentHub {
    fn default() -> Self {
        Self {
            inner: Arc::default(),
            events: broadcast::channel(1024).0,
            stopping: watch::channel(false).0,
        }
    }
}

/// One registered connection; pass it back to [`AgentHub::unregister`].
#[derive(Debug)]
pub struct Registration {
    /// The target.
    pub target_id: DeploymentTargetId,
    ticket: u64,
    /// Commands for this connection.
    pub commands: mpsc::UnboundedReceiver<AgentCommand>,
}

impl AgentHub {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The map stays consistent whatever panicked while holding it.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a new connection for `target`; an older one of the same target is told to
    /// disconnect (one agent per target).
    pub fn register(&self, target: DeploymentTargetId, now: DateTime<Utc>) -> Registration {
        let (commands, receiver) = mpsc::unbounded_channel();
        let mut inner = self.lock();
        inner.next_ticket += 1;
        let ticket = inner.next_ticket;
        if let Some(old) = inner.agents.insert(
            target,
            Connected {
                ticket,
                commands,
                last_seen: now,
            },
        ) {
            let _ = old.commands.send(AgentCommand::Disconnect);
        }
        Registration {
            target_id: target,
            ticket,
            commands: receiver,
        }
    }

    /// Removes a connection; returns whether it was still the target's current one.
    pub fn unregister(&self, registration: &Registration) -> bool {
        let mut inner = self.lock();
        match inner.agents.get(&registration.target_id) {
            Some(current) if current.ticket == registration.ticket => {
                inner.agents.remove(&registration.target_id);
                true
            }
            _ => false,
        }
    }

    /// Sends `command` to the target's connection, if it is connected; returns whether it was.
    pub fn send(&self, target: DeploymentTargetId, command: AgentCommand) -> bool {
        match self.lock().agents.get(&target) {
            Some(agent) => agent.commands.send(command).is_ok(),
            None => false,
        }
    }

    /// Tells every connection to close and ends every event stream (the hub is shutting down:
    /// agents reconnect to the next hub within their backoff cap, pages' event sources retry).
    pub fn disconnect_all(&self) {
        self.stopping.send_replace(true);
        for agent in self.lock().agents.values() {
            let _ = agent.commands.send(AgentCommand::Disconnect);
        }
    }

    /// Notes that the target's agent sent a frame.
    pub fn seen(&self, target: DeploymentTargetId, at: DateTime<Utc>) {
        if let Some(agent) = self.lock().agents.get_mut(&target) {
            agent.last_seen = at;
        }
    }

    /// Whether the target's agent is connected to this hub, and when it last sent a frame.
    pub fn presence(&self, target: DeploymentTargetId) -> Option<DateTime<Utc>> {
        self.lock().agents.get(&target).map(|a| a.last_seen)
    }

    /// How many agents are connected.
    pub fn connected_count(&self) -> usize {
        self.lock().agents.len()
    }

    /// Publishes an event to every live page (dropped when nobody listens).
    pub fn publish(&self, event: HubEvent) {
        let _ = self.events.send(event);
    }

    /// Turns `true` once the hub shuts down (see [`AgentHub::disconnect_all`]).
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// A receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<HubEvent> {
        self.events.subscribe()
    }

    /// A receiver that changes each time a metrics sample of `target` is recorded (see
    /// [`AgentHub::metrics_recorded`]); check first that the caller may see the target.
    pub fn watch_metrics(&self, target: DeploymentTargetId) -> watch::Receiver<u64> {
        let mut inner = self.lock();
        // Forget the targets nobody watches any more (their pages closed).
        inner
            .metrics_watchers
            .retain(|_, sender| sender.receiver_count() > 0);
        inner
            .metrics_watchers
            .entry(target)
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    /// Tells the pages watching `target`'s metrics that a sample was recorded; costs a lookup
    /// when nobody watches.
    pub fn metrics_recorded(&self, target: DeploymentTargetId) {
        let mut inner = self.lock();
        if let Some(sender) = inner.metrics_watchers.get(&target) {
            if sender.receiver_count() == 0 {
                inner.metrics_watchers.remove(&target);
            } else {
                sender.send_modify(|n| *n = n.wrapping_add(1));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_connection_replaces_the_first_and_only_its_own_unregister_counts() {
        let hub = AgentHub::default();
        let target = DeploymentTargetId::new();
        let mut first = hub.register(target, Utc::now());
        let second = hub.register(target, Utc::now());
        assert_eq!(
            first.commands.try_recv().ok(),
            Some(AgentCommand::Disconnect)
        );
        assert!(!hub.unregister(&first));
        assert!(hub.presence(target).is_some());
        assert!(hub.unregister(&second));
        assert!(hub.presence(target).is_none());
    }

    #[test]
    fn a_metrics_sample_reaches_the_watchers_of_its_target_only() {
        let hub = AgentHub::default();
        let (a, b) = (DeploymentTargetId::new(), DeploymentTargetId::new());
        let mut watching_a = hub.watch_metrics(a);
        let watching_b = hub.watch_metrics(b);
        hub.metrics_recorded(a);
        assert!(watching_a.has_changed().unwrap());
        assert!(!watching_b.has_changed().unwrap());
        assert_eq!(*watching_a.borrow_and_update(), 1);
        // Nobody watching: nothing kept for the target once a sample comes.
        drop(watching_b);
        hub.metrics_recorded(b);
        assert!(!hub.lock().metrics_watchers.contains_key(&b));
    }

    #[test]
    fn commands_reach_the_connected_target_only() {
        let hub = AgentHub::default();
        let (a, b) = (DeploymentTargetId::new(), DeploymentTargetId::new());
        let mut ra = hub.register(a, Utc::now());
        let mut rb = hub.register(b, Utc::now());
        hub.send(a, AgentCommand::DesiredStateChanged);
        assert_eq!(
            ra.commands.try_recv().ok(),
            Some(AgentCommand::DesiredStateChanged)
        );
        assert!(rb.commands.try_recv().is_err());
    }
}
