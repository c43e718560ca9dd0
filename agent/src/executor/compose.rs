//! The Docker Compose executor: `docker compose` (v2 plugin) or `docker-compose` (v1 or a
//! standalone v2), one directory per deployment under `<state>/deployments/<id>/` holding
//! `compose.yaml`, `.env` (0600), `applied.json` and, when the deployment has registry
//! credentials, a private `docker-config/`. Images from the hub's own registry are pulled with
//! the agent's credential, logged in to a private `<state>/docker-config/` (or into the
//! deployment's own folder when it has one).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::process::Command;
use types::protocol::{DesiredDeployment, Undeploy, is_valid_project_name};
use types::{DeploymentId, RevisionId};

use super::hub_registry::{self, HubRegistry};
use super::inspect::{self, PROJECT_LABEL};
use super::{Applied, Executor, LogTarget, Observation, RunningContainer, logs, process};
use crate::credential::write_private;
use crate::error::{Error, Result};
use crate::mask::Masker;

/// Which Compose command line to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComposeCli {
    /// `docker compose …` (the v2 plugin).
    Plugin,
    /// A standalone program, `docker-compose` (v1, or v2 installed standalone).
    Standalone(PathBuf),
}

impl ComposeCli {
    /// `docker compose` when the plugin works, else `docker-compose` from `PATH`.
    pub async fn detect() -> Result<Self> {
        let quiet = Masker::default();
        if process::run(
            Command::new("docker").args(["compose", "version"]),
            None,
            &quiet,
        )
        .await
        .is_ok()
        {
            return Ok(Self::Plugin);
        }
        let standalone = Self::Standalone(PathBuf::from("docker-compose"));
        if standalone.works().await {
            return Ok(standalone);
        }
        Err(Error::NoCompose)
    }

    /// Whether `<cli> version` runs.
    pub async fn works(&self) -> bool {
        let mut c = self.base();
        c.arg("version");
        process::run(&mut c, None, &Masker::default()).await.is_ok()
    }

    /// Which Compose this is, for messages: `Docker Compose 1.29.2 (docker-compose)`.
    pub async fn describe(&self) -> String {
        let mut c = self.base();
        c.args(["version", "--short"]);
        let version = process::run(&mut c, None, &Masker::default())
            .await
            .map(|v| v.trim().trim_start_matches('v').to_string())
            .unwrap_or_else(|_| "of unknown version".into());
        let program = match self {
            Self::Plugin => "docker compose".to_string(),
            Self::Standalone(path) => path.display().to_string(),
        };
        format!("Docker Compose {version} ({program})")
    }

    fn base(&self) -> Command {
        match self {
            Self::Plugin => {
                let mut c = Command::new("docker");
                c.arg("compose");
                c
            }
            Self::Standalone(path) => Command::new(path),
        }
    }
}

/// What the agent remembers of an applied deployment (`applied.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct AppliedRecord {
    deployment_id: DeploymentId,
    revision_id: RevisionId,
    restart_generation: u64,
    project_name: String,
}

/// The Docker Compose executor.
#[derive(Debug, Clone)]
pub struct ComposeExecutor {
    cli: ComposeCli,
    state_dir: PathBuf,
    hub_registry: Option<HubRegistry>,
}

impl ComposeExecutor {
    /// An executor using `cli` and keeping its files under `state_dir/deployments`.
    pub fn new(cli: ComposeCli, state_dir: &Path) -> Self {
        Self {
            cli,
            state_dir: state_dir.to_path_buf(),
            hub_registry: None,
        }
    }

    /// Also logs in to the hub's registry (with the agent's credential) before starting a
    /// deployment whose images come from there.
    pub fn with_hub_registry(mut self, registry: Option<HubRegistry>) -> Self {
        self.hub_registry = registry;
        self
    }

    fn dir(&self, id: DeploymentId) -> PathBuf {
        self.state_dir.join("deployments").join(id.to_string())
    }

    fn record(&self, id: DeploymentId) -> Option<AppliedRecord> {
        let text = std::fs::read_to_string(self.dir(id).join("applied.json")).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn compose(&self, project: &str, dir: &Path) -> Command {
        let mut c = self.cli.base();
        c.current_dir(dir)
            .args(["-p", project, "-f", "compose.yaml"]);
        if dir.join(".env").exists() {
            c.args(["--env-file", ".env"]);
        }
        let config = dir.join("docker-config");
        if config.exists() {
            c.env("DOCKER_CONFIG", config);
        }
        c
    }

    /// Writes the deployment's files; the env file and registry config stay private.
    fn write_files(&self, d: &DesiredDeployment, dir: &Path) -> Result<()> {
        let io = |path: PathBuf| move |source| Error::StateFile { path, source };
        std::fs::create_dir_all(dir).map_err(io(dir.to_path_buf()))?;
        let compose = dir.join("compose.yaml");
        write_private(&compose, d.compose_file.as_bytes()).map_err(io(compose))?;
        let env = dir.join(".env");
        write_private(&env, d.env_file.expose().as_bytes()).map_err(io(env))?;
        Ok(())
    }

    async fn login(&self, d: &DesiredDeployment, dir: &Path, masker: &Masker) -> Result<()> {
        let config = dir.join("docker-config");
        let Some(auth) = &d.registry_auth else {
            // Credentials were removed from the deployment: forget the old ones.
            let _ = std::fs::remove_dir_all(&config);
            return Ok(());
        };
        std::fs::create_dir_all(&config).map_err(|source| Error::StateFile {
            path: config.clone(),
            source,
        })?;
        hub_registry::link_cli_plugins(&config);
        let mut c = Command::new("docker");
        c.arg("--config")
            .arg(&config)
            .args(["login", "--username", &auth.username, "--password-stdin"])
            .arg(&auth.registry);
        process::run(&mut c, Some(auth.password.expose()), masker).await?;
        Ok(())
    }

    /// Logs in to the hub's registry when an image of the deployment comes from there, and
    /// returns the Docker config folder compose must use then.
    async fn hub_login(
        &self,
        d: &DesiredDeployment,
        dir: &Path,
        masker: &Masker,
    ) -> Result<Option<PathBuf>> {
        let Some(hub) = &self.hub_registry else {
            return Ok(None);
        };
        let images = match hub_registry::images_as_written(&d.compose_file) {
            Some(images) => images,
            None => {
                // Only Compose can fill in the env file's variables (or follow `extends` and
                // `include`); the file as written is the fallback.
                let mut config = self.compose(&d.project_name, dir);
                config.arg("config");
                let rendered = process::run(&mut config, None, masker)
                    .await
                    .unwrap_or_else(|_| d.compose_file.clone());
                hub_registry::images(&rendered)
            }
        };
        if !hub.serves_any(images.iter().map(String::as_str)) {
            return Ok(None);
        }
        // With registry credentials of its own, the deployment has its own Docker config:
        // log in there too, as compose reads a single one.
        let folder = if d.registry_auth.is_some() {
            dir.join("docker-config")
        } else {
            hub_registry::agent_config_dir(&self.state_dir)
        };
        hub.login(&folder, masker).await?;
        Ok(Some(folder))
    }

    /// `compose up -d` of the deployment's files (written afresh), logged in to the registries
    /// its images come from.
    async fn up(&self, d: &DesiredDeployment, recreate: bool) -> Result<()> {
        let mut masker = Masker::for_deployment(d);
        if let Some(hub) = &self.hub_registry {
            masker = hub.masking(&masker);
        }
        let dir = self.dir(d.deployment_id);
        self.write_files(d, &dir)?;
        self.login(d, &dir, &masker).await?;
        let hub_config = self.hub_login(d, &dir, &masker).await?;
        let mut up = self.compose(&d.project_name, &dir);
        if let Some(folder) = hub_config {
            up.env("DOCKER_CONFIG", folder);
        }
        up.args(["up", "-d", "--remove-orphans"]);
        if recreate {
            up.arg("--force-recreate");
        }
        match process::run(&mut up, None, &masker).await {
            Ok(_) => Ok(()),
            Err(Error::Command { command, output }) => Err(Error::ComposeUp {
                tool: self.cli.describe().await,
                command,
                missing: missing_images(&d.compose_file).await,
                output,
            }),
            Err(other) => Err(other),
        }
    }

    async fn container_ids(&self, project: &str) -> Result<Vec<String>> {
        let out = process::run(
            Command::new("docker").args([
                "ps",
                "-aq",
                "--no-trunc",
                "--filter",
                &format!("label={PROJECT_LABEL}={project}"),
            ]),
            None,
            &Masker::default(),
        )
        .await?;
        Ok(out.split_whitespace().map(String::from).collect())
    }

    /// `docker inspect` of the project's containers. A container removed between `ps` and
    /// `inspect` makes `inspect` fail, so it retries a couple of times.
    async fn inspect_project(&self, project: &str) -> Result<Vec<inspect::Container>> {
        let mut attempt = 0;
        loop {
            let ids = self.container_ids(project).await?;
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let mut c = Command::new("docker");
            c.arg("inspect").args(&ids);
            match process::run(&mut c, None, &Masker::default()).await {
                Ok(out) => {
                    return inspect::parse(&out).map_err(|e| Error::DockerOutput(e.to_string()));
                }
                Err(e) if attempt >= 2 => return Err(e),
                Err(_) => attempt += 1,
            }
        }
    }

    /// Removes whatever still carries the project's label: containers, networks and, with
    /// `delete_data`, volumes. This also cleans up a project whose files were lost.
    async fn sweep(&self, project: &str, delete_data: bool) -> Result<()> {
        let quiet = Masker::default();
        let ids = self.container_ids(project).await?;
        if !ids.is_empty() {
            process::run(
                Command::new("docker").args(["rm", "-f", "-v"]).args(&ids),
                None,
                &quiet,
            )
            .await?;
        }
        let filter = format!("label={PROJECT_LABEL}={project}");
        let mut kinds = vec!["network"];
        if delete_data {
            kinds.push("volume");
        }
        for kind in kinds {
            let out = process::run(
                Command::new("docker").args([kind, "ls", "-q", "--filter", &filter]),
                None,
                &quiet,
            )
            .await?;
            let names: Vec<&str> = out.split_whitespace().collect();
            if !names.is_empty() {
                process::run(
                    Command::new("docker").args([kind, "rm"]).args(&names),
                    None,
                    &quiet,
                )
                .await?;
            }
        }
        Ok(())
    }
}

/// The images of a compose file that are not on this host, as a message part: compose v1
/// reports an unpullable image as a registry or DNS failure that never names it.
async fn missing_images(compose_yaml: &str) -> String {
    let mut missing = Vec::new();
    // An image named through a variable cannot be checked without compose's substitution.
    for image in hub_registry::images(compose_yaml)
        .into_iter()
        .filter(|i| !i.contains('$'))
    {
        let present = process::run(
            Command::new("docker").args(["image", "inspect", "--format", "{{.Id}}", &image]),
            None,
            &Masker::default(),
        )
        .await
        .is_ok();
        if !present && !missing.contains(&image) {
            missing.push(image);
        }
    }
    match missing.as_slice() {
        [] => String::new(),
        [one] => format!(": image {one} is not on this host and could not be pulled"),
        many => format!(
            ": images {} are not on this host and could not be pulled",
            many.join(", ")
        ),
    }
}

fn check_project(name: &str) -> Result<()> {
    if is_valid_project_name(name) {
        Ok(())
    } else {
        Err(Error::BadProjectName(name.to_string()))
    }
}

impl Executor for ComposeExecutor {
    fn capability(&self) -> &'static str {
        "docker-compose"
    }

    async fn apply(&self, d: &DesiredDeployment) -> Result<Applied> {
        check_project(&d.project_name)?;
        let previous = self.record(d.deployment_id);
        let wanted = AppliedRecord {
            deployment_id: d.deployment_id,
            revision_id: d.revision_id,
            restart_generation: d.restart_generation,
            project_name: d.project_name.clone(),
        };
        if previous.as_ref() == Some(&wanted) {
            return Ok(Applied::Unchanged);
        }
        // A higher restart generation is the hub's "force restart": recreate every container
        // even when nothing in the compose file changed.
        let recreate = previous.is_some_and(|p| d.restart_generation > p.restart_generation);
        self.up(d, recreate).await?;
        let dir = self.dir(d.deployment_id);
        let path = dir.join("applied.json");
        let json =
            serde_json::to_vec_pretty(&wanted).map_err(|e| Error::DockerOutput(e.to_string()))?;
        write_private(&path, &json).map_err(|source| Error::StateFile { path, source })?;
        Ok(Applied::Changed)
    }

    async fn repair(&self, d: &DesiredDeployment) -> Result<()> {
        check_project(&d.project_name)?;
        // `up -d` starts stopped containers and creates removed ones; running ones stay.
        self.up(d, false).await
    }

    async fn undeploy(&self, u: &Undeploy) -> Result<()> {
        check_project(&u.project_name)?;
        let dir = self.dir(u.deployment_id);
        if dir.join("compose.yaml").exists() {
            let mut down = self.compose(&u.project_name, &dir);
            down.args(["down", "--remove-orphans"]);
            if u.delete_data {
                down.arg("-v");
            }
            process::run(&mut down, None, &Masker::default()).await?;
        }
        self.sweep(&u.project_name, u.delete_data).await?;
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|source| Error::StateFile { path: dir, source })?;
        }
        Ok(())
    }

    async fn observe(&self, project: &str) -> Result<Observation> {
        check_project(project)?;
        let containers = self.inspect_project(project).await?;
        let (state, message) = inspect::derive_state(&containers);
        let settled = containers
            .iter()
            .filter(|c| c.is_settled())
            .map(|c| c.service().to_string())
            .collect();
        let running = containers
            .iter()
            .filter(|c| c.is_running())
            .map(|c| RunningContainer {
                id: c.id.clone(),
                service: c.service().to_string(),
                started_at: c.state.started_at,
            })
            .collect();
        Ok(Observation {
            state,
            message,
            running,
            settled,
        })
    }

    fn applied(&self) -> Vec<(DeploymentId, String, RevisionId)> {
        let Ok(entries) = std::fs::read_dir(self.state_dir.join("deployments")) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<DeploymentId>().ok())
            .filter_map(|id| self.record(id))
            .map(|r| (r.deployment_id, r.project_name, r.revision_id))
            .collect()
    }

    fn follow_logs(
        &self,
        container: &RunningContainer,
        since: Option<DateTime<Utc>>,
        target: LogTarget,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(logs::follow(container.clone(), since, target))
    }
}
