//! A list that grows, in a real browser: the vendor's targets fill two pages; searching (a plain
//! GET form), sorting by a column and paging (plain links, navigated client-side once hydrated)
//! put their state in the URL, and the same URL loaded fresh, rendered by the server, shows the
//! same rows.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_end2end::browser::{Browser, with_browser};
use consign_end2end::hub;
use service::testing::world::{PASSWORD, vendor};

/// The names of the listed targets, in order.
async fn listed(browser: &Browser) -> Vec<String> {
    let names = browser
        .client
        .execute(
            "return Array.from(document.querySelectorAll('#target-list > li')).map(e => e.dataset.target);",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(names).unwrap()
}

async fn location(browser: &Browser) -> String {
    browser.client.current_url().await.unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_are_searched_sorted_and_paged_with_the_state_in_the_url() {
    let hub = hub::start().await;
    let services = hub.services.clone();
    let admin = vendor(&services, "Acme Software", "ada@acme.test").await;
    let globex = service::customers::create(
        &services,
        &admin,
        types::OrganizationName::parse("Globex").unwrap(),
    )
    .await
    .unwrap();
    let now = chrono::Utc::now();
    for i in 0..60 {
        service::targets::create(
            &services,
            &admin,
            &format!("edge-{i:02}"),
            Some(globex.id),
            now,
        )
        .await
        .unwrap();
    }
    for i in 0..5 {
        service::targets::create(&services, &admin, &format!("lab-{i}"), None, now)
            .await
            .unwrap();
    }
    let base = hub.url("");

    with_browser(|browser| {
        let base = base.clone();
        async move {
            let c = &browser.client;
            c.goto(&format!("{base}/")).await.unwrap();
            browser.wait_hydrated().await;
            browser.fill("#email", "ada@acme.test").await;
            browser.fill("#password", PASSWORD).await;
            browser.click("#sign-in").await;
            browser.wait_for("#welcome").await;

            // Page 1 of 2, by name.
            let errors = browser.open_hydrated(&format!("{base}/targets")).await;
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(browser.text("[data-range]").await, "1–50 of 65");
            let first = listed(&browser).await;
            assert_eq!(first.len(), 50);
            assert_eq!(first[0], "edge-00");

            // Search: a GET form, so the URL carries it.
            browser.fill("input[name='q']", "LAB").await;
            browser.click("[data-list-search] button[type='submit']").await;
            browser
                .wait_until("location.search.includes('q=LAB') && document.querySelectorAll('#target-list > li').length === 5")
                .await;
            browser.wait_hydrated().await;
            assert_eq!(browser.text("[data-range]").await, "1–5 of 5");
            assert_eq!(listed(&browser).await[0], "lab-0");

            // A search with no match says so and offers to clear it.
            browser.fill("input[name='q']", "nothing-like-this").await;
            browser.click("[data-list-search] button[type='submit']").await;
            let empty = browser.text("#no-targets").await;
            assert!(empty.contains("No targets match “nothing-like-this”"), "{empty}");
            browser.click("#no-targets a[data-clear-search]").await;
            browser
                .wait_until("!location.search && document.querySelectorAll('#target-list > li').length === 50")
                .await;
            browser.wait_hydrated().await;

            // Sort by name again: descending. Hydrated, the link navigates client-side (the
            // page's window survives), and the list follows the URL.
            c.execute("window.__sameDocument = true;", vec![]).await.unwrap();
            browser.click("a[data-sort='name']").await;
            browser
                .wait_until("location.search.includes('sort=name') && location.search.includes('dir=desc') && document.querySelector('#target-list > li').dataset.target === 'lab-4'")
                .await;
            let descending = listed(&browser).await;
            assert_eq!(descending[..6], ["lab-4", "lab-3", "lab-2", "lab-1", "lab-0", "edge-59"]);

            // The next page.
            browser.click("a[data-page='next']").await;
            browser
                .wait_until("location.search.includes('page=2') && document.querySelector('#target-list > li').dataset.target === 'edge-14'")
                .await;
            assert_eq!(browser.text("[data-range]").await, "51–65 of 65");
            let second = listed(&browser).await;
            assert_eq!(second.len(), 15);
            assert_eq!(second.last().unwrap(), "edge-00");
            let same_document = c
                .execute("return window.__sameDocument === true;", vec![])
                .await
                .unwrap();
            assert_eq!(same_document, serde_json::Value::Bool(true), "sorting and paging stayed client-side");
            let url = location(&browser).await;
            assert!(url.ends_with("/targets?sort=name&dir=desc&page=2"), "{url}");

            // The same URL loaded fresh: the server renders the same rows, before any script.
            let cookie = c.get_named_cookie("consign_session").await.unwrap();
            let html = reqwest::Client::new()
                .get(&url)
                .header("cookie", format!("consign_session={}", cookie.value()))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let rendered: Vec<&str> = html
                .split("data-target=\"")
                .skip(1)
                .filter_map(|rest| rest.split('"').next())
                .collect();
            assert_eq!(rendered, second);
            let errors = browser.open_hydrated(&url).await;
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(listed(&browser).await, second);
            assert_eq!(browser.text("[data-range]").await, "51–65 of 65");
        }
    })
    .await;
}
