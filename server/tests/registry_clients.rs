//! Real registry clients against a real hub on 127.0.0.1:0: the Docker engine logs in, pushes,
//! pulls and runs an image, and a licensed customer pulls it too; skopeo copies an OCI image and
//! a Helm chart (as an OCI artifact) in and out, with blobs on disk and again in S3-compatible
//! storage (moto); the `oras` Python client pushes and pulls an artifact with a chunked upload.
//! The tools come from Debian (`docker.io`, `skopeo`, `busybox-static`) and PyPI (`oras`,
//! `moto[server]`); `cargo xtask test` installs them.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use consign_server::testing::TestHub;
use consign_test_support::registry::access_token as secret;
use service::artifact_licenses::{self, NewArtifactLicense};
use service::testing::world::World;

fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// Runs a command; panics naming it and its output unless it succeeds.
fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?} (is it installed?): {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs a command that is expected to fail; returns its error output.
fn run_failing(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(
        !output.status.success(),
        "{command:?} unexpectedly succeeded"
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `mkimage.py` (kept beside this test) writing an OCI layout.
fn mkimage(args: &[&str]) {
    run(Command::new("python3")
        .arg(clients_dir().join("mkimage.py"))
        .args(args));
}

async fn run_blocking(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || run(&mut command))
        .await
        .unwrap()
}

async fn run_failing_blocking(mut command: Command) -> String {
    tokio::task::spawn_blocking(move || run_failing(&mut command))
        .await
        .unwrap()
}

fn docker(config: &Path) -> Command {
    let mut c = Command::new("docker");
    c.arg("--config").arg(config);
    c
}

#[tokio::test]
async fn docker_pushes_pulls_and_runs_an_image_and_a_licensed_customer_pulls_it() {
    let hub = TestHub::start(None, None).await;
    let world = World::build(&hub.services).await;
    let vendor_secret = secret(&hub, &world.vendor_rw).await;
    let customer_secret = secret(&hub, &world.customer_ro).await;
    let host = hub.address.to_string();
    let work = tempfile::tempdir().unwrap();
    let vendor_config = work.path().join("vendor");
    let customer_config = work.path().join("customer");
    let layout = work.path().join("bb");
    let rootfs = work.path().join("rootfs.tar");
    mkimage(&[
        "busybox",
        "--out",
        layout.to_str().unwrap(),
        "--tag",
        "1.0",
        "--rootfs-tar",
        rootfs.to_str().unwrap(),
    ]);
    let image = format!("{host}/acme/busybox:1.0");
    let newer = format!("{host}/acme/busybox:2.0");

    let mut login = docker(&vendor_config);
    login.args(["login", &host, "-u", "ci", "-p", &vendor_secret]);
    run_blocking(login).await;
    for tag in [&image, &newer] {
        let mut import = docker(&vendor_config);
        import
            .args(["import", "--change", r#"CMD ["/bin/sh"]"#])
            .arg(&rootfs)
            .arg(tag);
        run_blocking(import).await;
        let mut push = docker(&vendor_config);
        push.args(["push", tag]);
        run_blocking(push).await;
    }
    let mut remove = docker(&vendor_config);
    remove.args(["rmi", &image, &newer]);
    run_blocking(remove).await;

    let mut pull = docker(&vendor_config);
    pull.args(["pull", &image]);
    run_blocking(pull).await;
    let mut container = docker(&vendor_config);
    container.args(["run", "--rm", &image, "/bin/echo", "hello from the hub"]);
    let output = run_blocking(container).await;
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "hello from the hub"
    );
    let mut remove = docker(&vendor_config);
    remove.args(["rmi", &image]);
    run_blocking(remove).await;

    // The customer may pull 1.0 once licensed for it, and never 2.0.
    let artifacts = service::registry::listing::artifacts(&hub.services, &world.vendor_admin)
        .await
        .unwrap();
    artifact_licenses::create(
        &hub.services,
        &world.vendor_admin,
        NewArtifactLicense {
            name: "Busybox 1.0".into(),
            customer: world.customer,
            expires_at: None,
            items: vec![(artifacts[0].id, Some("1.0".into()))],
        },
    )
    .await
    .unwrap();
    let mut login = docker(&customer_config);
    login.args(["login", &host, "-u", "customer", "-p", &customer_secret]);
    run_blocking(login).await;
    let mut pull = docker(&customer_config);
    pull.args(["pull", &image]);
    run_blocking(pull).await;
    // Docker's containerd store may answer that pull from the content it already holds for the
    // vendor (asking the hub only to resolve the tag), so the audit is checked with skopeo,
    // which keeps no cache: the hub serves the customer's manifest for real.
    let copied = tempfile::tempdir().unwrap();
    let mut fetch = Command::new("skopeo");
    fetch
        .args([
            "copy",
            "--quiet",
            "--src-tls-verify=false",
            "--src-creds",
            &format!("customer:{customer_secret}"),
        ])
        .arg(format!("docker://{image}"))
        .arg(format!("dir:{}", copied.path().display()));
    run_blocking(fetch).await;
    let mut denied = docker(&customer_config);
    denied.args(["pull", &newer]);
    let error = run_failing_blocking(denied).await;
    assert!(
        error.contains("denied") || error.contains("DENIED"),
        "{error}"
    );
    let mut remove = docker(&customer_config);
    remove.args(["rmi", &image]);
    run_blocking(remove).await;

    let pulls = service::registry::pulls::recent(&hub.services, artifacts[0].id, 50)
        .await
        .unwrap();
    assert!(
        pulls
            .iter()
            .any(|p| p.customer_organization_id == Some(world.customer)),
        "{pulls:?}"
    );
    hub.stop().await;
}

async fn skopeo_round_trip(hub: TestHub) -> TestHub {
    let world = World::build(&hub.services).await;
    let vendor_secret = secret(&hub, &world.vendor_rw).await;
    let host = hub.address.to_string();
    let work = tempfile::tempdir().unwrap();
    let image = work.path().join("image");
    let chart = work.path().join("chart");
    mkimage(&[
        "payload",
        "--size-mb",
        "3",
        "--out",
        image.to_str().unwrap(),
        "--tag",
        "v1",
    ]);
    mkimage(&[
        "helm",
        "--chart",
        "hello",
        "--chart-version",
        "0.1.0",
        "--out",
        chart.to_str().unwrap(),
        "--tag",
        "0.1.0",
    ]);
    let creds = format!("ci:{vendor_secret}");
    let copy = |from: String, to: String| {
        let mut c = Command::new("skopeo");
        c.args([
            "copy",
            "--quiet",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            "--src-creds",
            &creds,
            "--dest-creds",
            &creds,
            "--preserve-digests",
        ])
        .arg(from)
        .arg(to);
        c
    };
    let cases = [
        (&image, "v1", "acme/payload:v1"),
        (&chart, "0.1.0", "acme/charts/hello:0.1.0"),
    ];
    for (layout, tag, target) in cases {
        run_blocking(copy(
            format!("oci:{}:{tag}", layout.display()),
            format!("docker://{host}/{target}"),
        ))
        .await;
        let back = work.path().join(format!("back-{tag}"));
        run_blocking(copy(
            format!("docker://{host}/{target}"),
            format!("oci:{}:{tag}", back.display()),
        ))
        .await;
        // The same manifest digest on the way back: every byte survived.
        let index = |dir: &Path| -> serde_json::Value {
            serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap()
        };
        let digest = |dir: &Path| {
            index(dir)["manifests"][0]["digest"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(digest(layout), digest(&back), "{target}");
    }
    let artifacts = service::registry::listing::artifacts(&hub.services, &world.vendor_admin)
        .await
        .unwrap();
    let chart = artifacts
        .iter()
        .find(|a| a.repository == "acme/charts/hello")
        .unwrap();
    assert!(chart.is_helm_chart(), "{chart:?}");
    assert_eq!(chart.tags[0].name, "0.1.0");
    hub
}

#[tokio::test]
async fn skopeo_copies_an_image_and_a_helm_chart_in_and_out_unchanged() {
    let hub = TestHub::start(None, None).await;
    skopeo_round_trip(hub).await.stop().await;
}

#[tokio::test]
async fn skopeo_copies_an_image_and_a_helm_chart_in_and_out_unchanged_on_s3() {
    let moto = consign_test_support::s3::Moto::start().await;
    let hub = TestHub::start_with(|s| moto.configure(s)).await;
    skopeo_round_trip(hub).await.stop().await;
    // The blobs went to the bucket (a 3 MiB layer, the configs, the chart), not to disk.
    let keys = moto.keys().await;
    assert!(keys.len() >= 4, "{keys:?}");
    assert_eq!(moto.open_multipart_uploads().await, 0);
}

#[tokio::test]
async fn the_oras_client_pushes_and_pulls_an_artifact_in_chunks() {
    let hub = TestHub::start(None, None).await;
    let world = World::build(&hub.services).await;
    let vendor_secret = secret(&hub, &world.vendor_rw).await;
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("artifact.bin");
    // 3.5 MiB in 1 MiB chunks: several PATCH requests and a partial last one.
    let content: Vec<u8> = (0..(3 * 1024 * 1024 + 512 * 1024))
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(&file, &content).unwrap();
    let mut oras = Command::new("python3");
    oras.arg(clients_dir().join("oras_roundtrip.py"))
        .arg(hub.address.to_string())
        .arg("acme/files:1.0")
        .arg(&vendor_secret)
        .arg(&file);
    let output = run_blocking(oras).await;
    assert_eq!(
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .lines()
            .last(),
        Some("ok")
    );
    hub.stop().await;
}
