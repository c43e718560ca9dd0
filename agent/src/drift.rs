//! Drift: what runs on the host no longer matches the applied revision because someone stopped
//! or removed a container behind the agent's back. The supervisor detects it from each
//! observation and, unless the deployment opts out, repairs it with a growing delay between
//! attempts so a container that dies again at once does not keep the engine busy.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The first wait after a repair that did not hold.
const FIRST_WAIT: Duration = Duration::from_secs(5);
/// The longest wait between two repairs.
const LONGEST_WAIT: Duration = Duration::from_secs(300);
/// How long a repaired deployment must stay as its compose file says before the waits start
/// from the beginning again: a container that dies right after each repair keeps backing off.
const HELD_FOR: Duration = Duration::from_secs(60);

/// The services a compose file starts by default: every entry of `services:` except those
/// behind a profile or scaled to zero. `None` when the file cannot be read as YAML (the
/// agent then cannot tell drift, and does not try to repair).
pub fn expected_services(compose_yaml: &str) -> Option<BTreeSet<String>> {
    let doc: serde_yaml::Value = serde_yaml::from_str(compose_yaml).ok()?;
    let services = doc.get("services")?.as_mapping()?;
    let zero = |v: Option<&serde_yaml::Value>| v.and_then(serde_yaml::Value::as_u64) == Some(0);
    Some(
        services
            .iter()
            .filter(|(_, spec)| {
                let profiled = spec
                    .get("profiles")
                    .and_then(serde_yaml::Value::as_sequence)
                    .is_some_and(|p| !p.is_empty());
                let scaled_to_zero = zero(spec.get("scale"))
                    || zero(spec.get("deploy").and_then(|d| d.get("replicas")));
                !profiled && !scaled_to_zero
            })
            .filter_map(|(name, _)| name.as_str().map(String::from))
            .collect(),
    )
}

/// What drifted, for people: the expected services with no container where it should be, or
/// `None` when nothing did.
pub fn describe(expected: &BTreeSet<String>, settled: &[String]) -> Option<String> {
    let missing: Vec<&str> = expected
        .iter()
        .filter(|s| !settled.iter().any(|t| t == *s))
        .map(String::as_str)
        .collect();
    match missing.as_slice() {
        [] => None,
        [one] => Some(format!("service {one} is not running")),
        many => Some(format!("services {} are not running", many.join(", "))),
    }
}

/// When the next repair of one deployment may run.
#[derive(Debug, Clone, Default)]
pub struct RepairSchedule {
    attempts: u32,
    next_at: Option<Instant>,
    clean_since: Option<Instant>,
}

impl RepairSchedule {
    /// Whether a repair may run now.
    pub fn due(&self, now: Instant) -> bool {
        self.next_at.is_none_or(|at| now >= at)
    }

    /// Records an attempt at `now` and returns its number (1 for the first): the next one waits
    /// 5 s, then 10 s, 20 s… up to 5 minutes.
    pub fn attempt(&mut self, now: Instant) -> u32 {
        self.clean_since = None;
        let factor = 1u32.checked_shl(self.attempts.min(16)).unwrap_or(u32::MAX);
        let wait = FIRST_WAIT.saturating_mul(factor).min(LONGEST_WAIT);
        self.attempts = self.attempts.saturating_add(1);
        self.next_at = Some(now + wait);
        self.attempts
    }

    /// How many attempts ran since the deployment last held as its compose file says.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Records an observation without drift: after [`HELD_FOR`] of those in a row, the next
    /// drift starts again with an immediate repair.
    pub fn clean(&mut self, now: Instant) {
        if self.attempts == 0 {
            return;
        }
        match self.clean_since {
            None => self.clean_since = Some(now),
            Some(since) if now.duration_since(since) >= HELD_FOR => *self = Self::default(),
            Some(_) => {}
        }
    }

    /// Records an observation with drift.
    pub fn drifted(&mut self) {
        self.clean_since = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_behind_a_profile_or_scaled_to_zero_are_not_expected() {
        let compose = "
services:
  web:
    image: web
  db:
    image: db
  debug:
    image: tools
    profiles: [debug]
  spare:
    image: web
    deploy:
      replicas: 0
  off:
    image: web
    scale: 0
";
        let expected = expected_services(compose).unwrap();
        assert_eq!(
            expected.into_iter().collect::<Vec<_>>(),
            vec!["db".to_string(), "web".to_string()]
        );
        assert!(expected_services("not: [yaml").is_none());
        assert!(expected_services("version: '3'").is_none());
    }

    #[test]
    fn drift_names_the_services_that_are_not_where_they_should_be() {
        let expected: BTreeSet<String> = ["db", "web"].map(String::from).into();
        assert_eq!(describe(&expected, &["db".into(), "web".into()]), None);
        assert_eq!(
            describe(&expected, &["db".into()]).as_deref(),
            Some("service web is not running")
        );
        assert_eq!(
            describe(&expected, &[]).as_deref(),
            Some("services db, web are not running")
        );
    }

    #[test]
    fn repairs_wait_longer_each_time_up_to_five_minutes() {
        let start = Instant::now();
        let mut s = RepairSchedule::default();
        assert!(s.due(start));
        assert_eq!(s.attempt(start), 1);
        assert!(!s.due(start + Duration::from_secs(4)));
        assert!(s.due(start + Duration::from_secs(5)));
        let t = start + Duration::from_secs(5);
        assert_eq!(s.attempt(t), 2);
        assert!(!s.due(t + Duration::from_secs(9)));
        assert!(s.due(t + Duration::from_secs(10)));
        for _ in 0..20 {
            s.attempt(t);
        }
        assert!(s.due(t + LONGEST_WAIT));
        assert!(!s.due(t + LONGEST_WAIT - Duration::from_secs(1)));
    }

    #[test]
    fn a_repair_that_holds_for_a_minute_resets_the_waits_and_one_that_does_not_keeps_them() {
        let start = Instant::now();
        let mut s = RepairSchedule::default();
        s.attempt(start);
        s.attempt(start + Duration::from_secs(5));
        // Clean for a moment, then down again: the waits keep growing.
        s.clean(start + Duration::from_secs(6));
        s.drifted();
        s.clean(start + Duration::from_secs(100));
        assert_eq!(s.attempts(), 2);
        // Clean for a whole minute: back to the start.
        s.clean(start + Duration::from_secs(160));
        assert_eq!(s.attempts(), 0);
        assert!(s.due(start + Duration::from_secs(160)));
    }
}
