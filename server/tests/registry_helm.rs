//! Helm's own registry client against a real hub on 127.0.0.1:0 (SQLite): Helm 4's Go library,
//! through its Python binding `helm-python-sdk` (there is no `helm` CLI on the test machines),
//! logs in with a vendor's personal access token, packages a chart, pushes it, pulls it back
//! byte for byte and shows its `Chart.yaml` from the registry. The hub stores it as Helm does
//! (a manifest over the Helm config and the chart archive as its one layer) and lists it as a
//! Helm chart; a wrong token fails at login and stores no credentials.
//! `cargo xtask setup --test` installs the pinned `helm-python-sdk`.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use consign_server::testing::TestHub;
use consign_test_support::hub::with_hub;
use consign_test_support::registry::{OCI_MANIFEST, Registry, access_token, digest};
use reqwest::Method;
use serde_json::Value;
use service::testing::Backend;
use service::testing::world::World;

/// The media type of a Helm chart's config blob.
const HELM_CONFIG: &str = "application/vnd.cncf.helm.config.v1+json";
/// The media type of a Helm chart's archive layer.
const HELM_CHART: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/// What `python3 -c` runs: `HOST TOKEN REMOTE CHART_DIR DIST_DIR PULL_DIR CREDENTIALS`. Logs in
/// to `HOST` with `TOKEN`, packages the chart at `CHART_DIR` into `DIST_DIR`, pushes it under
/// `REMOTE` (`oci://HOST/<slug>/<path>`), pulls it back into `PULL_DIR`, shows its `Chart.yaml`
/// from the registry and prints a JSON summary. Every registry call asks for plain HTTP itself:
/// the client's own `plain_http` does not reach login, push or pull. The login is kept in
/// `CREDENTIALS` (never Helm's file under the home directory).
const HELM_SCRIPT: &str = r#"
import json, sys
import helm_python as helm

host, token, remote, chart, dist, pulled, credentials = sys.argv[1:8]
with helm.RegistryClient(credentials_file=credentials) as client:
    client.login(host, "ci", token, plain_http=True)
    archive = helm.package(chart, destination=dist)
    client.push(archive, remote, plain_http=True)
    with helm.Chart.load(archive) as packaged:
        ref = f"{remote}/{packaged.name}"
        version = packaged.version
    client.pull(ref, version=version, destination=pulled, plain_http=True)
    # The version goes in the reference: this binding's `version=` is refused by `show`.
    shown = client.show(f"{ref}:{version}", output_format="chart", plain_http=True)
    shown = helm.values_from_yaml(shown)
    print(json.dumps({
        "archive": archive,
        "tags": client.tags(ref),
        "manifest": client.resolve(f"{ref}:{version}"),
        "name": shown["name"],
        "version": shown["version"],
    }))
"#;

/// `HELM_SCRIPT` with `args`, Helm's configuration, cache and data homes inside `work`; run on a
/// blocking thread.
async fn helm_sdk(work: &Path, args: Vec<String>) -> Output {
    let home = work.join("helm-home");
    let mut command = Command::new("python3");
    command
        .arg("-c")
        .arg(HELM_SCRIPT)
        .args(args)
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"));
    tokio::task::spawn_blocking(move || {
        command.output().unwrap_or_else(|e| {
            panic!("cannot run python3 (cargo xtask setup --test installs helm-python-sdk): {e}")
        })
    })
    .await
    .unwrap()
}

/// A chart `hello` 0.1.0 with default values and one template.
fn write_chart(dir: &Path) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: hello\nversion: 0.1.0\ndescription: A chart pushed by Helm\n",
    )
    .unwrap();
    std::fs::write(dir.join("values.yaml"), "greeting: hello\n").unwrap();
    std::fs::write(
        dir.join("templates/configmap.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n\
         data:\n  greeting: {{ .Values.greeting | quote }}\n",
    )
    .unwrap();
}

async fn helm_round_trip(hub: TestHub) -> TestHub {
    let world = World::build(&hub.services).await;
    let token = access_token(&hub, &world.vendor_rw).await;
    let host = hub.address.to_string();
    let remote = format!("oci://{host}/acme/charts");
    let work = tempfile::tempdir().unwrap();
    let chart = work.path().join("hello");
    let dist = work.path().join("dist");
    let pulled = work.path().join("pulled");
    let credentials = work.path().join("registry.json");
    write_chart(&chart);
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::create_dir_all(&pulled).unwrap();
    let args = |token: &str, credentials: &Path| -> Vec<String> {
        let path = |p: &Path| p.to_str().unwrap().to_string();
        vec![
            host.clone(),
            token.to_string(),
            remote.clone(),
            path(&chart),
            path(&dist),
            path(&pulled),
            path(credentials),
        ]
    };

    let output = helm_sdk(work.path(), args(&token, &credentials)).await;
    assert!(
        output.status.success(),
        "helm-python-sdk failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["name"], "hello", "{summary}");
    assert_eq!(summary["version"], "0.1.0", "{summary}");
    assert_eq!(summary["tags"], serde_json::json!(["0.1.0"]), "{summary}");
    assert!(
        credentials.exists(),
        "the login was not kept where it was told"
    );

    // Helm packaged `<name>-<version>.tgz`, and the pull brought the same file back byte for
    // byte.
    let packaged = dist.join("hello-0.1.0.tgz");
    assert_eq!(summary["archive"].as_str(), packaged.to_str(), "{summary}");
    let files = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect()
    };
    assert_eq!(files(&pulled), ["hello-0.1.0.tgz"]);
    let archive = std::fs::read(&packaged).unwrap();
    assert!(
        std::fs::read(pulled.join("hello-0.1.0.tgz")).unwrap() == archive,
        "the pulled chart differs from the pushed one"
    );

    // The hub holds what Helm pushed: its config type, the archive as the one layer, under the
    // digest Helm resolved.
    let registry = Registry::with_secret(&hub, &token);
    let response = registry
        .send(Method::GET, "/v2/acme/charts/hello/manifests/0.1.0")
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], OCI_MANIFEST);
    let body = response.bytes().await.unwrap();
    assert_eq!(summary["manifest"]["media_type"], OCI_MANIFEST, "{summary}");
    assert_eq!(
        summary["manifest"]["digest"].as_str(),
        Some(digest(&body).as_str())
    );
    let manifest: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(manifest["config"]["mediaType"], HELM_CONFIG, "{manifest}");
    assert_eq!(
        manifest["layers"].as_array().unwrap().len(),
        1,
        "{manifest}"
    );
    assert_eq!(manifest["layers"][0]["mediaType"], HELM_CHART, "{manifest}");
    assert_eq!(
        manifest["layers"][0]["digest"].as_str(),
        Some(digest(&archive).as_str())
    );
    let artifacts = service::registry::listing::artifacts(&hub.services, &world.vendor_admin)
        .await
        .unwrap();
    let listed = artifacts
        .iter()
        .find(|a| a.repository == "acme/charts/hello")
        .unwrap();
    assert!(listed.is_helm_chart(), "{listed:?}");

    // A wrong token: the login is refused, and nothing is stored for it.
    let last = if token.ends_with('0') { "1" } else { "0" };
    let wrong = format!("{}{last}", &token[..token.len() - 1]);
    let refused_credentials = work.path().join("refused.json");
    let refused = helm_sdk(work.path(), args(&wrong, &refused_credentials)).await;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success(),
        "a wrong token logged in: {stderr}"
    );
    assert!(
        stderr.contains("HelmRegistryError") && stderr.contains("authenticating to"),
        "{stderr}"
    );
    assert!(stderr.contains("401"), "{stderr}");
    assert!(!refused_credentials.exists(), "a refused login was stored");
    hub
}

#[tokio::test]
async fn helm_logs_in_with_an_access_token_pushes_pulls_and_shows_a_chart() {
    with_hub(Backend::Sqlite, helm_round_trip).await;
}
