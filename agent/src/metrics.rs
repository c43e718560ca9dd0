//! Host CPU and memory from `/proc`, sent every 30 seconds.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use types::protocol::{AgentMessage, HostMetrics};

use crate::outbox::Outbox;

/// How often the agent samples the host.
pub const INTERVAL: Duration = Duration::from_secs(30);

/// Cumulative CPU time counters from `/proc/stat` (in clock ticks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuTimes {
    /// All time.
    pub total: u64,
    /// Idle and I/O wait.
    pub idle: u64,
    /// Logical CPUs.
    pub cores: u32,
}

/// Parses `/proc/stat`.
pub fn parse_stat(text: &str) -> Option<CpuTimes> {
    let first = text.lines().find(|l| l.starts_with("cpu "))?;
    let fields: Vec<u64> = first
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is already inside user).
    let total = fields.iter().take(8).sum();
    let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
    let cores = text
        .lines()
        .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
        .count();
    Some(CpuTimes {
        total,
        idle,
        cores: u32::try_from(cores).unwrap_or(u32::MAX).max(1),
    })
}

/// Busy share between two samples, 0–100.
pub fn cpu_percent(before: CpuTimes, after: CpuTimes) -> f32 {
    let total = after.total.saturating_sub(before.total);
    let idle = after.idle.saturating_sub(before.idle);
    if total == 0 {
        return 0.0;
    }
    (total.saturating_sub(idle) as f64 * 100.0 / total as f64) as f32
}

/// `(used, total)` bytes from `/proc/meminfo`; used is total minus available.
pub fn parse_meminfo(text: &str) -> Option<(u64, u64)> {
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    };
    let total = field("MemTotal:")?;
    let available = field("MemAvailable:")?;
    Some((total.saturating_sub(available), total))
}

/// Samples the host every `interval` and queues a `Metrics` frame, forever.
pub async fn run(outbox: Arc<Outbox>, interval: Duration) {
    let read_stat = || parse_stat(&std::fs::read_to_string("/proc/stat").ok()?);
    let mut before = read_stat();
    let mut tick = tokio::time::interval(interval);
    tick.tick().await;
    loop {
        tick.tick().await;
        let after = read_stat();
        let memory = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|t| parse_meminfo(&t));
        if let (Some(b), Some(a), Some((used, total))) = (before, after, memory) {
            outbox.push(AgentMessage::Metrics(HostMetrics {
                cpu_percent: cpu_percent(b, a),
                cpu_cores: a.cores,
                memory_used_bytes: used,
                memory_total_bytes: total,
                at: Utc::now(),
            }));
        }
        before = after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_share_comes_from_the_difference_of_two_samples() {
        let a =
            parse_stat("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3\ncpu1 1 2 3\nintr 5").unwrap();
        assert_eq!(a.cores, 2);
        assert_eq!((a.total, a.idle), (1000, 800));
        let b = parse_stat("cpu  200 0 200 1200 400 0 0 0 0 0\ncpu0 1\ncpu1 1\n").unwrap();
        assert!((cpu_percent(a, b) - 20.0).abs() < 0.01);
        assert_eq!(cpu_percent(a, a), 0.0);
    }

    #[test]
    fn memory_used_is_total_minus_available() {
        let text = "MemTotal:       4000 kB\nMemFree:  100 kB\nMemAvailable:   1000 kB\n";
        assert_eq!(parse_meminfo(text), Some((3000 * 1024, 4000 * 1024)));
        assert_eq!(parse_meminfo("garbage"), None);
    }

    #[test]
    fn this_hosts_proc_files_parse() {
        let stat = parse_stat(&std::fs::read_to_string("/proc/stat").unwrap()).unwrap();
        assert!(stat.cores >= 1 && stat.total > 0);
        let (used, total) =
            parse_meminfo(&std::fs::read_to_string("/proc/meminfo").unwrap()).unwrap();
        assert!(used <= total && total > 0);
    }
}
