//! The bounded queue of frames waiting for the hub. Producers (the supervisor, log followers,
//! the metrics sampler) push at any time; the connection drains it while connected, so frames
//! produced while offline are delivered on reconnect.
//!
//! When full it drops, in this order: the oldest log batch, the oldest metrics sample, the
//! oldest status that a newer status of the same deployment supersedes. The latest status of
//! each deployment is never dropped (so the queue may exceed its capacity by at most one frame
//! per deployment).

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use tokio::sync::Notify;
use types::protocol::AgentMessage;

/// The default capacity, in frames.
pub const DEFAULT_CAPACITY: usize = 1024;

/// The frames themselves; pure logic, no locking.
#[derive(Debug)]
pub struct Buffer {
    frames: VecDeque<AgentMessage>,
    capacity: usize,
    dropped: u64,
}

impl Buffer {
    /// An empty buffer holding up to `capacity` frames.
    pub fn new(capacity: usize) -> Self {
        Self {
            frames: VecDeque::new(),
            capacity: capacity.max(1),
            dropped: 0,
        }
    }

    /// Appends a frame, evicting older ones when over capacity.
    pub fn push(&mut self, frame: AgentMessage) {
        self.frames.push_back(frame);
        while self.frames.len() > self.capacity && self.evict_one() {
            self.dropped += 1;
        }
    }

    /// Puts a frame that could not be sent back at the front.
    pub fn push_front(&mut self, frame: AgentMessage) {
        self.frames.push_front(frame);
        while self.frames.len() > self.capacity && self.evict_one() {
            self.dropped += 1;
        }
    }

    /// The oldest frame.
    pub fn pop(&mut self) -> Option<AgentMessage> {
        self.frames.pop_front()
    }

    /// How many frames wait.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// How many frames were dropped since the start.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The waiting frames, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &AgentMessage> {
        self.frames.iter()
    }

    fn evict_one(&mut self) -> bool {
        let position = self
            .frames
            .iter()
            .position(|f| matches!(f, AgentMessage::Logs(_)))
            .or_else(|| {
                self.frames
                    .iter()
                    .position(|f| matches!(f, AgentMessage::Metrics(_)))
            })
            .or_else(|| self.oldest_superseded_status())
            .or_else(|| {
                self.frames.iter().position(|f| {
                    matches!(
                        f,
                        AgentMessage::Heartbeat { .. } | AgentMessage::Error { .. }
                    )
                })
            });
        position.and_then(|i| self.frames.remove(i)).is_some()
    }

    /// The oldest status with a newer status of the same deployment behind it.
    fn oldest_superseded_status(&self) -> Option<usize> {
        let mut seen = HashSet::new();
        let mut oldest = None;
        for (i, frame) in self.frames.iter().enumerate().rev() {
            if let AgentMessage::Status(s) = frame
                && !seen.insert(s.deployment_id)
            {
                oldest = Some(i);
            }
        }
        oldest
    }
}

/// The shared outbox: a locked [`Buffer`] plus a wake-up for the connection.
#[derive(Debug)]
pub struct Outbox {
    buffer: Mutex<Buffer>,
    notify: Notify,
}

impl Outbox {
    /// An empty outbox of `capacity` frames.
    pub fn new(capacity: usize) -> Self {
        Self {
            buffer: Mutex::new(Buffer::new(capacity)),
            notify: Notify::new(),
        }
    }

    /// Queues a frame and wakes the connection.
    pub fn push(&self, frame: AgentMessage) {
        self.with(|b| b.push(frame));
        self.notify.notify_one();
    }

    /// Takes the oldest frame.
    pub fn pop(&self) -> Option<AgentMessage> {
        self.with(Buffer::pop)
    }

    /// Returns a frame that could not be sent to the front of the queue.
    pub fn requeue(&self, frame: AgentMessage) {
        self.with(|b| b.push_front(frame));
    }

    /// How many frames wait.
    pub fn len(&self) -> usize {
        self.with(|b| b.len())
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Resolves when a frame was pushed since the last call.
    pub async fn notified(&self) {
        self.notify.notified().await;
    }

    fn with<T>(&self, f: impl FnOnce(&mut Buffer) -> T) -> T {
        // A panic while holding this lock cannot leave the queue inconsistent, so a poisoned
        // lock is still usable.
        let mut guard = self
            .buffer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use types::DeploymentId;
    use types::protocol::{DeploymentState, HostMetrics, LogBatch, StatusReport};

    fn status(id: DeploymentId, state: DeploymentState) -> AgentMessage {
        AgentMessage::Status(StatusReport {
            deployment_id: id,
            revision_id: None,
            state,
            message: String::new(),
            observed_at: Utc::now(),
        })
    }

    fn logs(id: DeploymentId) -> AgentMessage {
        AgentMessage::Logs(LogBatch {
            deployment_id: id,
            revision_id: None,
            lines: vec![],
        })
    }

    fn metrics() -> AgentMessage {
        AgentMessage::Metrics(HostMetrics {
            cpu_percent: 1.0,
            cpu_cores: 1,
            memory_used_bytes: 1,
            memory_total_bytes: 2,
            at: Utc::now(),
        })
    }

    #[test]
    fn the_buffer_never_grows_past_its_capacity_with_logs_and_metrics() {
        let id = DeploymentId::new();
        let mut b = Buffer::new(10);
        for i in 0..1000 {
            b.push(if i % 3 == 0 { metrics() } else { logs(id) });
            assert!(b.len() <= 10);
        }
        assert_eq!(b.dropped(), 990);
    }

    #[test]
    fn logs_go_first_then_metrics_then_superseded_statuses() {
        let id = DeploymentId::new();
        let mut b = Buffer::new(3);
        b.push(status(id, DeploymentState::Progressing));
        b.push(logs(id));
        b.push(metrics());
        b.push(status(id, DeploymentState::Running));
        // The log batch went first.
        assert!(!b.iter().any(|f| matches!(f, AgentMessage::Logs(_))));
        b.push(status(id, DeploymentState::Healthy));
        // Then the metrics.
        assert!(!b.iter().any(|f| matches!(f, AgentMessage::Metrics(_))));
        b.push(status(id, DeploymentState::Error));
        // Then the oldest superseded status: progressing.
        let states: Vec<_> = b
            .iter()
            .filter_map(|f| match f {
                AgentMessage::Status(s) => Some(s.state),
                _ => None,
            })
            .collect();
        assert_eq!(
            states,
            [
                DeploymentState::Running,
                DeploymentState::Healthy,
                DeploymentState::Error
            ]
        );
    }

    #[test]
    fn the_latest_status_of_every_deployment_survives_a_full_buffer() {
        let ids: Vec<_> = (0..5).map(|_| DeploymentId::new()).collect();
        let mut b = Buffer::new(2);
        for round in 0..50 {
            for id in &ids {
                b.push(status(*id, DeploymentState::Running));
                b.push(logs(*id));
            }
            let _ = round;
        }
        // One status per deployment is kept even though the capacity is 2.
        assert_eq!(b.len(), 5);
        let kept: HashSet<_> = b
            .iter()
            .filter_map(|f| match f {
                AgentMessage::Status(s) => Some(s.deployment_id),
                _ => None,
            })
            .collect();
        assert_eq!(kept.len(), 5);
    }

    #[test]
    fn a_requeued_frame_is_sent_first() {
        let outbox = Outbox::new(8);
        outbox.push(metrics());
        let first = outbox.pop().unwrap();
        outbox.push(logs(DeploymentId::new()));
        outbox.requeue(first);
        assert!(matches!(outbox.pop(), Some(AgentMessage::Metrics(_))));
        assert!(matches!(outbox.pop(), Some(AgentMessage::Logs(_))));
        assert!(outbox.is_empty());
    }
}
