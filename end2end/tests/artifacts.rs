//! The artifacts pages in a real browser: the vendor pushes an image and a Helm chart through
//! the registry's HTTP API and sees them on `/artifacts` with tag, size, digest, download count
//! and the copyable `docker pull` / `helm install` / `oras pull` lines; a customer with an
//! artifact license sees the image in their portal, a customer without one sees nothing; a
//! pull raises the download count.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_end2end::browser::{Browser, with_browser};
use consign_end2end::hub;
use consign_test_support::registry::{Artifact, Registry, access_token, license_artifact};
use fantoccini::Locator;
use service::testing::world::{PASSWORD, member, vendor};
use types::Role;

async fn sign_in(browser: &Browser, url: &str, email: &str) {
    browser.client.delete_all_cookies().await.unwrap();
    browser.client.goto(url).await.unwrap();
    browser
        .wait_for("#consign-root[data-hydrated='true']")
        .await;
    browser.fill("#email", email).await;
    browser.fill("#password", PASSWORD).await;
    browser.wait_for("#sign-in").await.click().await.unwrap();
    browser.wait_for("#welcome").await;
}

/// The values of the copyable command fields of an artifact.
async fn commands(browser: &Browser, repository: &str) -> Vec<String> {
    let mut found = Vec::new();
    for field in browser
        .client
        .find_all(Locator::Css(&format!(
            "article[data-repository='{repository}'] input[readonly]"
        )))
        .await
        .unwrap()
    {
        found.push(field.prop("value").await.unwrap().unwrap_or_default());
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendors_see_pushed_artifacts_and_licensed_customers_see_theirs() {
    let hub = hub::start().await;
    let services = hub.services.clone();
    let admin = vendor(&services, "Acme", "ada@acme.test").await;
    let mut customers = Vec::new();
    for (name, email) in [
        ("Globex", "bob@globex.test"),
        ("Initech", "carol@initech.test"),
    ] {
        let customer = service::customers::create(
            &services,
            &admin,
            types::OrganizationName::parse(name).unwrap(),
        )
        .await
        .unwrap();
        let person = member(&services, &admin, email, Role::ReadOnly, Some(customer.id)).await;
        customers.push((customer.id, person));
    }
    let base = hub.url("");
    let host = base.trim_start_matches("http://").to_string();
    let vendor = Registry::signed_in(&hub, &admin).await;
    let layer: Vec<u8> = (0..3000u32).map(|i| (i * 7) as u8).collect();
    let image = vendor
        .push(&Artifact::image("acme/web", "1.0").layer(&layer))
        .await
        .manifest;
    vendor
        .push(&Artifact::helm_chart("acme/charts/hello", "hello", "0.1.0"))
        .await;
    license_artifact(&hub, &admin, customers[0].0, "acme/web").await;
    let customer_secret = access_token(&hub, &customers[0].1).await;

    with_browser(|browser| {
        let base = base.clone();
        let host = host.clone();
        let image = image.clone();
        let customer_secret = customer_secret.clone();
        async move {
            let c = &browser.client;
            sign_in(&browser, &format!("{base}/"), "ada@acme.test").await;
            c.goto(&format!("{base}/artifacts")).await.unwrap();
            browser
                .wait_for("#consign-root[data-hydrated='true']")
                .await;
            let article = "#artifact-list article[data-repository='acme/web']";
            let heading = browser.text(article).await;
            assert!(heading.contains("0 downloads"), "{heading}");
            let row = browser
                .wait_for(&format!("{article} tr[data-tag='1.0']"))
                .await;
            let row_text = row.text().await.unwrap();
            assert!(row_text.contains("1.0"), "{row_text}");
            // A few thousand bytes, shown in kB.
            assert!(row_text.contains(" kB"), "{row_text}");
            let digest_cell = row.find(Locator::Css("td[title]")).await.unwrap();
            assert_eq!(
                digest_cell.attr("title").await.unwrap().as_deref(),
                Some(image.as_str())
            );
            assert!(digest_cell.text().await.unwrap().starts_with(&image[..19]));
            assert_eq!(
                commands(&browser, "acme/web").await,
                vec![
                    format!("docker pull {host}/acme/web:1.0"),
                    format!("oras pull {host}/acme/web:1.0"),
                ]
            );
            assert_eq!(
                commands(&browser, "acme/charts/hello").await,
                vec![
                    format!("helm install hello oci://{host}/acme/charts/hello --version 0.1.0"),
                    format!("oras pull {host}/acme/charts/hello:0.1.0"),
                ]
            );

            // The licensed customer's portal shows the image and not the chart.
            sign_in(&browser, &format!("{base}/portal"), "bob@globex.test").await;
            let portal = browser.text("#portal-artifacts #artifact-list").await;
            assert!(portal.contains("acme/web"), "{portal}");
            assert!(!portal.contains("acme/charts/hello"), "{portal}");
            assert_eq!(
                commands(&browser, "acme/web").await[0],
                format!("docker pull {host}/acme/web:1.0")
            );

            // A customer without a license sees none.
            sign_in(&browser, &format!("{base}/portal"), "carol@initech.test").await;
            browser.wait_for("#portal-artifacts #no-artifacts").await;
            assert!(
                c.find(Locator::Css("article[data-repository='acme/web']"))
                    .await
                    .is_err()
            );

            // The licensed customer pulls the manifest, as `docker pull` does: one download.
            let pulled = reqwest::Client::new()
                .get(format!("{base}/v2/acme/web/manifests/1.0"))
                .basic_auth("bob", Some(&customer_secret))
                .header("accept", "application/vnd.oci.image.manifest.v1+json")
                .send()
                .await
                .unwrap();
            assert_eq!(pulled.status(), 200);
            sign_in(&browser, &format!("{base}/"), "ada@acme.test").await;
            c.goto(&format!("{base}/artifacts")).await.unwrap();
            let heading = browser.text(article).await;
            assert!(heading.contains("1 downloads"), "{heading}");
        }
    })
    .await;
    hub.stop().await;
}
