//! The bounded queue of frames waiting for the hub. Producers (the supervisor, log followers,
//! the metrics sampler) push at any time; the connection drains it while connected, so frames
//! produced while offline are delivered on reconnect.
//!
//! It is bounded twice: by frames and by the bytes of log text (a chatty container must not
//! grow the agent's memory while the hub is away). When full it drops, in this order: the oldest log batch, the oldest metrics sample, the
//! oldest status that a newer status of the same deployment supersedes. The latest status of
//! each deployment is never dropped (so the queue may exceed its capacity by at most one frame
//! per deployment).

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use tokio::sync::Notify;
use types::protocol::AgentMessage;

/// The default capacity, in frames.
pub const DEFAULT_CAPACITY: usize = 1024;
/// The default budget for buffered log text, in bytes.
pub const DEFAULT_LOG_BYTES: usize = 2 * 1024 * 1024;

/// The log text a frame holds (lines plus a rough per-line overhead).
fn log_bytes(frame: &AgentMessage) -> usize {
    match frame {
        AgentMessage::Logs(batch) => batch
            .lines
            .iter()
            .map(|l| l.line.len() + l.service.len() + 48)
            .sum(),
        _ => 0,
    }
}

/// The frames themselves; pure logic, no locking.
#[derive(Debug)]
pub struct Buffer {
    frames: VecDeque<AgentMessage>,
    capacity: usize,
    log_budget: usize,
    log_bytes: usize,
    dropped: u64,
}

impl Buffer {
    /// An empty buffer holding up to `capacity` frames and [`DEFAULT_LOG_BYTES`] of logs.
    pub fn new(capacity: usize) -> Self {
        Self::with_log_budget(capacity, DEFAULT_LOG_BYTES)
    }

    /// An empty buffer holding up to `capacity` frames and `log_budget` bytes of log text.
    pub fn with_log_budget(capacity: usize, log_budget: usize) -> Self {
        Self {
            frames: VecDeque::new(),
            capacity: capacity.max(1),
            log_budget,
            log_bytes: 0,
            dropped: 0,
        }
    }

    /// Appends a frame, evicting older ones when over capacity.
    pub fn push(&mut self, frame: AgentMessage) {
        self.log_bytes += log_bytes(&frame);
        self.frames.push_back(frame);
        self.shrink();
    }

    /// Puts a frame that could not be sent back at the front.
    pub fn push_front(&mut self, frame: AgentMessage) {
        self.log_bytes += log_bytes(&frame);
        self.frames.push_front(frame);
        self.shrink();
    }

    /// The oldest frame.
    pub fn pop(&mut self) -> Option<AgentMessage> {
        let frame = self.frames.pop_front()?;
        self.log_bytes -= log_bytes(&frame);
        Some(frame)
    }

    /// Bytes of log text waiting.
    pub fn log_bytes(&self) -> usize {
        self.log_bytes
    }

    fn shrink(&mut self) {
        while (self.frames.len() > self.capacity || self.log_bytes > self.log_budget)
            && self.evict_one()
        {
            self.dropped += 1;
        }
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
        match position.and_then(|i| self.frames.remove(i)) {
            Some(frame) => {
                self.log_bytes -= log_bytes(&frame);
                true
            }
            None => false,
        }
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
    fn buffered_log_text_stays_within_its_byte_budget() {
        let id = DeploymentId::new();
        let mut b = Buffer::with_log_budget(10_000, 64 * 1024);
        let line = types::protocol::LogLine {
            service: "web".into(),
            stream: types::protocol::LogStream::Stdout,
            at: Utc::now(),
            line: "x".repeat(1000),
        };
        b.push(status(id, DeploymentState::Running));
        for _ in 0..1000 {
            b.push(AgentMessage::Logs(LogBatch {
                deployment_id: id,
                revision_id: None,
                lines: vec![line.clone(); 10],
            }));
            assert!(b.log_bytes() <= 64 * 1024, "{}", b.log_bytes());
        }
        assert!(b.len() < 10, "{}", b.len());
        // The status survived; popping everything brings the count back to zero.
        assert!(matches!(b.pop(), Some(AgentMessage::Status(_))));
        while b.pop().is_some() {}
        assert_eq!(b.log_bytes(), 0);
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
