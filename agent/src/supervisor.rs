//! The supervisor converges the host to the latest desired state and watches every deployment,
//! reporting a status the moment it changes. It runs apart from the connection, so a long
//! `docker compose up` never delays heartbeats, and it keeps running while the hub is away.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use types::protocol::{
    AgentMessage, DeploymentState, DesiredDeployment, DesiredState, StatusReport, Undeploy,
};
use types::{DeploymentId, RevisionId};

use crate::drift::{self, RepairSchedule};
use crate::executor::{Applied, Executor, LogTarget, Observation};
use crate::mask::Masker;
use crate::outbox::Outbox;

/// How often the supervisor looks at the containers.
pub const DEFAULT_POLL: Duration = Duration::from_secs(3);
/// How long before a container's recorded start its logs are read from (see `follow`).
const START_MARGIN_SECS: i64 = 2;
/// How long after a failed apply the supervisor tries the same revision again.
const RETRY_AFTER: Duration = Duration::from_secs(60);

/// The latest status of every deployment, re-sent after each `Welcome` so a restarted hub
/// learns the current state even when nothing changes.
#[derive(Debug, Default)]
pub struct StatusBoard {
    latest: Mutex<HashMap<DeploymentId, StatusReport>>,
}

impl StatusBoard {
    /// The latest statuses.
    pub fn snapshot(&self) -> Vec<StatusReport> {
        self.lock().values().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<DeploymentId, StatusReport>> {
        self.latest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

struct Tracked {
    project_name: String,
    revision_id: Option<RevisionId>,
    desired: Option<DesiredDeployment>,
    masker: Masker,
    last: Option<(DeploymentState, String)>,
    /// The apply error of the current revision and when it happened.
    failed: Option<(String, Instant)>,
    followers: HashMap<String, JoinHandle<()>>,
    /// When drift may be repaired next.
    repair: RepairSchedule,
    /// The services the desired compose file starts, read once per desired state rather than
    /// on every observation.
    expected: Option<std::collections::BTreeSet<String>>,
}

impl Tracked {
    fn new(project_name: String, revision_id: Option<RevisionId>) -> Self {
        Self {
            project_name,
            revision_id,
            desired: None,
            masker: Masker::default(),
            last: None,
            failed: None,
            followers: HashMap::new(),
            repair: RepairSchedule::default(),
            expected: None,
        }
    }

    fn stop_followers(&mut self) {
        for (_, handle) in self.followers.drain() {
            handle.abort();
        }
    }
}

/// The supervisor; see the module docs.
pub struct Supervisor<E> {
    executor: Arc<E>,
    outbox: Arc<Outbox>,
    board: Arc<StatusBoard>,
    poll: Duration,
    tracked: HashMap<DeploymentId, Tracked>,
    undeployed: HashSet<DeploymentId>,
    /// Undeploys that failed, retried after [`RETRY_AFTER`] even if no new desired state comes.
    failed_undeploys: HashMap<DeploymentId, (Undeploy, Instant)>,
    started: chrono::DateTime<Utc>,
}

impl<E> std::fmt::Debug for Supervisor<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supervisor")
            .field("tracked", &self.tracked.len())
            .finish_non_exhaustive()
    }
}

impl<E: Executor> Supervisor<E> {
    /// A supervisor that already watches the deployments applied before a restart.
    pub fn new(
        executor: Arc<E>,
        outbox: Arc<Outbox>,
        board: Arc<StatusBoard>,
        poll: Duration,
    ) -> Self {
        let tracked = executor
            .applied()
            .into_iter()
            .map(|(id, project, revision)| (id, Tracked::new(project, Some(revision))))
            .collect();
        Self {
            executor,
            outbox,
            board,
            poll,
            tracked,
            undeployed: HashSet::new(),
            failed_undeploys: HashMap::new(),
            started: Utc::now(),
        }
    }

    /// Runs until the desired-state channel closes.
    pub async fn run(mut self, mut desired: watch::Receiver<Option<DesiredState>>) {
        let mut tick = tokio::time::interval(self.poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                changed = desired.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    let state = desired.borrow_and_update().clone();
                    if let Some(state) = state {
                        self.converge(&state).await;
                    }
                }
                _ = tick.tick() => {
                    self.retry_failed().await;
                    self.observe_all().await;
                }
            }
        }
        for tracked in self.tracked.values_mut() {
            tracked.stop_followers();
        }
    }

    /// Applies one desired state: undeploys first (they free names and ports), then deploys.
    pub async fn converge(&mut self, state: &DesiredState) {
        for u in &state.undeploy {
            self.undeploy(u).await;
        }
        for d in &state.deployments {
            self.undeployed.remove(&d.deployment_id);
            self.failed_undeploys.remove(&d.deployment_id);
            let tracked = self
                .tracked
                .entry(d.deployment_id)
                .or_insert_with(|| Tracked::new(d.project_name.clone(), None));
            tracked.masker = Masker::for_deployment(d);
            tracked.project_name = d.project_name.clone();
            if !d.logs_enabled {
                tracked.stop_followers();
            }
            let same_revision = tracked.desired.as_ref().is_some_and(|old| {
                old.revision_id == d.revision_id && old.restart_generation == d.restart_generation
            });
            tracked.expected = drift::expected_services(&d.compose_file);
            tracked.desired = Some(d.clone());
            if !same_revision {
                tracked.failed = None;
            }
            if tracked.failed.is_none() {
                self.apply(d.deployment_id, true).await;
            }
        }
        // The hub forgets an undeploy once it has seen `undeployed`; so can the snapshot.
        let pending: HashSet<DeploymentId> =
            state.undeploy.iter().map(|u| u.deployment_id).collect();
        self.board.lock().retain(|id, report| {
            report.state != DeploymentState::Undeployed || pending.contains(id)
        });
        self.observe_all().await;
    }

    /// Applies a deployment's desired revision. `announce` reports `progressing` when the work
    /// takes a while; a retry of a failed revision does not, so a deployment that keeps failing
    /// the same way reports the same `error` again, which the hub keeps as one entry with a
    /// count instead of two new rows a minute.
    async fn apply(&mut self, id: DeploymentId, announce: bool) {
        let Some(d) = self.tracked.get(&id).and_then(|t| t.desired.clone()) else {
            return;
        };
        let executor = Arc::clone(&self.executor);
        // Announce the work only when there is work: an unchanged revision runs nothing.
        let result = {
            let applying = executor.apply(&d);
            tokio::pin!(applying);
            match tokio::time::timeout(Duration::from_millis(200), &mut applying).await {
                Ok(result) => result,
                Err(_) if announce => {
                    self.report(
                        id,
                        Some(d.revision_id),
                        DeploymentState::Progressing,
                        format!("applying revision {}", d.revision_id),
                    );
                    applying.await
                }
                Err(_) => applying.await,
            }
        };
        let Some(tracked) = self.tracked.get_mut(&id) else {
            return;
        };
        match result {
            Ok(applied) => {
                tracked.failed = None;
                tracked.revision_id = Some(d.revision_id);
                if applied == Applied::Changed {
                    tracing::info!(deployment = %id, revision = %d.revision_id, "applied");
                    // Containers were recreated: follow the new ones.
                    tracked.stop_followers();
                }
            }
            Err(e) => {
                let message = tracked.masker.mask(&e.to_string());
                tracing::warn!(deployment = %id, error = %message, "apply failed");
                tracked.failed = Some((message.clone(), Instant::now()));
                self.report(id, Some(d.revision_id), DeploymentState::Error, message);
            }
        }
    }

    async fn retry_failed(&mut self) {
        let due: Vec<DeploymentId> = self
            .tracked
            .iter()
            .filter(|(_, t)| {
                t.failed
                    .as_ref()
                    .is_some_and(|(_, at)| at.elapsed() >= RETRY_AFTER)
            })
            .map(|(id, _)| *id)
            .collect();
        let undeploys: Vec<Undeploy> = self
            .failed_undeploys
            .values()
            .filter(|(_, at)| at.elapsed() >= RETRY_AFTER)
            .map(|(u, _)| u.clone())
            .collect();
        for u in undeploys {
            self.undeploy(&u).await;
        }
        for id in due {
            self.apply(id, false).await;
        }
    }

    async fn undeploy(&mut self, u: &Undeploy) {
        if self.undeployed.contains(&u.deployment_id)
            && !self.tracked.contains_key(&u.deployment_id)
        {
            // Done earlier; the hub has not seen the report yet, so say it again.
            self.report(
                u.deployment_id,
                None,
                DeploymentState::Undeployed,
                String::new(),
            );
            return;
        }
        let revision = self
            .tracked
            .get(&u.deployment_id)
            .and_then(|t| t.revision_id);
        if let Some(t) = self.tracked.get_mut(&u.deployment_id) {
            t.stop_followers();
        }
        match self.executor.undeploy(u).await {
            Ok(()) => {
                self.failed_undeploys.remove(&u.deployment_id);
                tracing::info!(deployment = %u.deployment_id, delete_data = u.delete_data, "undeployed");
                self.tracked.remove(&u.deployment_id);
                self.undeployed.insert(u.deployment_id);
                let message = if u.delete_data {
                    "removed with its data"
                } else {
                    "removed; volumes kept"
                };
                self.report(
                    u.deployment_id,
                    revision,
                    DeploymentState::Undeployed,
                    message.into(),
                );
            }
            Err(e) => {
                let message = e.to_string();
                tracing::warn!(deployment = %u.deployment_id, error = %message, "undeploy failed");
                self.failed_undeploys
                    .insert(u.deployment_id, (u.clone(), Instant::now()));
                self.report(u.deployment_id, revision, DeploymentState::Error, message);
            }
        }
    }

    /// Observes every deployment and reports the ones whose state or message changed.
    pub async fn observe_all(&mut self) {
        let ids: Vec<DeploymentId> = self.tracked.keys().copied().collect();
        for id in ids {
            let Some(project) = self.tracked.get(&id).map(|t| t.project_name.clone()) else {
                continue;
            };
            let observed = self.executor.observe(&project).await;
            let failed = self
                .tracked
                .get(&id)
                .and_then(|t| t.failed.as_ref().map(|(message, _)| message.clone()));
            let (state, message) = match (failed, observed) {
                (Some(message), _) => (DeploymentState::Error, message),
                (None, Ok(o)) => {
                    self.follow(id, &o.running);
                    self.check_drift(id, o).await
                }
                (None, Err(e)) => (DeploymentState::Error, e.to_string()),
            };
            let Some(tracked) = self.tracked.get_mut(&id) else {
                continue;
            };
            let message = tracked.masker.mask(&message);
            if tracked.last.as_ref() != Some(&(state, message.clone())) {
                let revision = tracked.revision_id;
                self.report(id, revision, state, message);
            }
        }
    }

    /// The state to report for an observation, after repairing drift when the deployment
    /// wants that and the wait since the last attempt is over. The repair itself shows in the
    /// history as a `progressing` entry naming what drifted and the attempt.
    async fn check_drift(&mut self, id: DeploymentId, o: Observation) -> (DeploymentState, String) {
        let now = Instant::now();
        let Some(tracked) = self.tracked.get_mut(&id) else {
            return (o.state, o.message);
        };
        // Only an applied revision can drift; its compose file says what should run.
        let Some(d) = tracked
            .desired
            .clone()
            .filter(|d| Some(d.revision_id) == tracked.revision_id)
        else {
            return (o.state, o.message);
        };
        let Some(drifted) = tracked
            .expected
            .as_ref()
            .and_then(|expected| drift::describe(expected, &o.settled))
        else {
            tracked.repair.clean(now);
            return (o.state, o.message);
        };
        tracked.repair.drifted();
        if !d.repair_drift {
            return (
                o.state,
                format!("drift: {drifted}; repair is off for this deployment"),
            );
        }
        if !tracked.repair.due(now) {
            let attempts = tracked.repair.attempts();
            return (
                o.state,
                format!(
                    "drift: {drifted}; repair attempt {attempts} did not hold, trying again later"
                ),
            );
        }
        let attempt = tracked.repair.attempt(now);
        tracing::warn!(deployment = %id, drift = %drifted, attempt, "repairing drift");
        self.report(
            id,
            Some(d.revision_id),
            DeploymentState::Progressing,
            format!("drift: {drifted}; repairing (attempt {attempt})"),
        );
        if let Err(e) = self.executor.repair(&d).await {
            return (
                DeploymentState::Error,
                format!("drift: {drifted}; repair failed: {e}"),
            );
        }
        match self.executor.observe(&d.project_name).await {
            Ok(after) => {
                self.follow(id, &after.running);
                (after.state, after.message)
            }
            Err(e) => (DeploymentState::Error, e.to_string()),
        }
    }

    fn follow(&mut self, id: DeploymentId, running: &[crate::executor::RunningContainer]) {
        let Some(tracked) = self.tracked.get_mut(&id) else {
            return;
        };
        tracked.followers.retain(|_, h| !h.is_finished());
        if !tracked.desired.as_ref().is_some_and(|d| d.logs_enabled) {
            return;
        }
        for container in running {
            if tracked.followers.contains_key(&container.id) {
                continue;
            }
            // A container that started while this agent runs is read from a little before its
            // start: docker stamps `StartedAt` after the process is already running, so its
            // first lines can carry an earlier time and `--since StartedAt` would drop them.
            // One that was already running (or whose start docker did not say) is read from
            // when this agent started, so an agent restart sends no duplicates. Always a time,
            // never "from now": lines written between seeing the container and attaching to it
            // would be lost otherwise.
            let since = Some(container.started_at.map_or(self.started, |at| {
                (at - chrono::TimeDelta::seconds(START_MARGIN_SECS)).max(self.started)
            }));
            let target = LogTarget {
                deployment_id: id,
                revision_id: tracked.revision_id,
                masker: tracked.masker.clone(),
                outbox: Arc::clone(&self.outbox),
            };
            let handle = self.executor.follow_logs(container, since, target);
            tracked.followers.insert(container.id.clone(), handle);
        }
    }

    fn report(
        &mut self,
        id: DeploymentId,
        revision_id: Option<RevisionId>,
        state: DeploymentState,
        message: String,
    ) {
        if let Some(t) = self.tracked.get_mut(&id) {
            t.last = Some((state, message.clone()));
        }
        let report = StatusReport {
            deployment_id: id,
            revision_id,
            state,
            message,
            observed_at: Utc::now(),
        };
        tracing::info!(deployment = %id, state = state.as_str(), message = %report.message, "status");
        self.board.lock().insert(id, report.clone());
        self.outbox.push(AgentMessage::Status(report));
    }
}
