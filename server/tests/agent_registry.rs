//! The agent pulling its deployments' images from the hub's own registry with its own
//! credential: the vendor pushes an image to the hub with the real Docker engine and removes it
//! locally; a real `consign-agent` of a licensed customer logs in (private Docker config, the
//! credential on stdin) and deploys it, and the pull is audited with its target; an agent of a
//! customer holding only the application license deploys too (the license lets it pull the
//! images its versions reference). `docker login` with an agent credential is checked directly
//! too.

#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::Duration;

use consign_test_support::agents::{RunningAgent, hub_serving_the_agent};
use consign_test_support::apps::{NewApplication, deploy, web_compose};
use consign_test_support::docker::{self, ImagesGuard, login, run_blocking as run};
use consign_test_support::registry::{access_token, license_artifact};
use consign_test_support::wait_for;
use service::deployments;
use service::testing::world::World;
use types::protocol::DeploymentState;

#[tokio::test]
async fn an_agent_pulls_its_image_from_the_hub_registry_with_its_own_credential() {
    let hub = hub_serving_the_agent(2).await;
    let s = hub.services.clone();
    let w = World::build(&s).await;
    let host = hub.address.to_string();
    let image = format!("{host}/acme/web:1.0");
    // A second tag for the customer holding only the application license: the engine is shared, and compose pulls only
    // a reference it does not have locally.
    let other_tag = format!("{host}/acme/web:2.0");

    // The vendor pushes the image with the Docker engine, then removes it locally so the
    // agent's pull really reaches the hub.
    let vendor_secret = access_token(&hub, &w.vendor_rw).await;
    let work = tempfile::tempdir().unwrap();
    let vendor_config = work.path().join("vendor");
    assert!(login(&vendor_config, &host, "agent", &vendor_secret).await);
    // Two imports of the same files differ in their config (its creation time), so 2.0 has a
    // manifest of its own: an agent that already holds 1.0 still has to download it, and the
    // hub records that pull.
    let local = docker::TestImage::build();
    let local_two = docker::TestImage::build();
    for (reference, source) in [(&image, &local.tag), (&other_tag, &local_two.tag)] {
        let mut tag = Command::new("docker");
        tag.args(["tag", source, reference]);
        run(tag).await;
        let mut push = Command::new("docker");
        push.arg("--config")
            .arg(&vendor_config)
            .args(["push", reference]);
        run(push).await;
        let mut remove = Command::new("docker");
        remove.args(["rmi", reference]);
        run(remove).await;
    }
    drop(local);
    drop(local_two);

    let web_app = NewApplication::named("Web")
        .version("1.0", &web_compose(&image))
        .version("2.0", &web_compose(&other_tag))
        .licensed_to(w.customer)
        .licensed_to(w.second_customer)
        .create(&hub, &w.vendor_rw)
        .await;
    let (app, versions) = (web_app.id, web_app.versions);
    let web = license_artifact(&hub, &w.vendor_admin, w.customer, "acme/web").await;

    // The licensed customer's agent deploys it.
    let licensed = RunningAgent::enrol(&hub, &w.customer_rw, "edge", Some(w.customer)).await;
    let d = deploy(&hub, &w.customer_rw, licensed.target, app, versions[0]).await;
    let _guard = docker::ProjectGuard(d.project_name.clone());
    let _image_gone = ImagesGuard(vec![image.clone(), other_tag.clone()]);
    let status = wait_for("healthy", Duration::from_secs(180), async || {
        let now = deployments::get(&s, &w.customer_ro, d.id).await.unwrap();
        let status = now.status?;
        assert_ne!(status.state, DeploymentState::Error, "{}", status.message);
        (status.state == DeploymentState::Healthy).then_some(status)
    })
    .await;
    let pulls = service::registry::pulls::recent(&s, web, 10).await.unwrap();
    assert!(
        pulls
            .iter()
            .any(|p| p.deployment_target_id == Some(licensed.target)
                && p.customer_organization_id == Some(w.customer)
                && p.user_id.is_none()),
        "{pulls:?}"
    );
    // The login lives in the agent's private Docker config, and the credential shows nowhere.
    let config = licensed.state.path().join("docker-config");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&config).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o700);
    let config_json = std::fs::read_to_string(config.join("config.json")).unwrap();
    assert!(config_json.contains(&host), "{config_json}");
    let credential = std::fs::read_to_string(licensed.state.path().join("credential")).unwrap();
    assert!(credential.trim().starts_with("consign_agent_"));
    assert!(!status.message.contains(credential.trim()));

    // `docker login` takes the agent's credential directly; a wrong one is refused.
    let login_dir = work.path().join("agent-login");
    assert!(login(&login_dir, &host, "agent", credential.trim()).await);
    assert!(
        !login(
            &work.path().join("wrong"),
            &host,
            "agent",
            &format!("consign_agent_{}", "0".repeat(64))
        )
        .await
    );

    // A customer with the application license but no artifact license: the license lets its
    // agent pull the images of the versions it grants.
    let app_licensed =
        RunningAgent::enrol(&hub, &w.vendor_rw, "edge", Some(w.second_customer)).await;
    let second = deploy(&hub, &w.vendor_rw, app_licensed.target, app, versions[1]).await;
    let _second_guard = docker::ProjectGuard(second.project_name.clone());
    wait_for("healthy", Duration::from_secs(240), async || {
        let now = deployments::get(&s, &w.vendor_rw, second.id).await.unwrap();
        let status = now.status?;
        assert_ne!(status.state, DeploymentState::Error, "{}", status.message);
        assert!(
            !status.message.contains("consign_agent_"),
            "{}",
            status.message
        );
        (status.state == DeploymentState::Healthy).then_some(())
    })
    .await;
    let pulls = service::registry::pulls::recent(&s, web, 20).await.unwrap();
    assert!(
        pulls
            .iter()
            .any(|p| p.deployment_target_id == Some(app_licensed.target)
                && p.customer_organization_id == Some(w.second_customer)),
        "{pulls:?}"
    );

    licensed.stop().await;
    app_licensed.stop().await;
    hub.stop().await;
}
