//! The authorization matrix through the hub's real HTTP surface: every portal server function
//! × (vendor admin / read_write / read_only, customer admin / read_write / read_only, a user of
//! another vendor, anonymous), each with a real session cookie.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use consign_server::testing::TestHub;
use service::auth::Actor;
use service::sessions;
use service::testing::world::World;

/// A server function, its form, and whether each of [`ACTORS`] may call it.
type Case = (&'static str, Vec<(&'static str, String)>, [bool; 8]);

const ACTORS: [&str; 8] = [
    "vendor admin",
    "vendor read_write",
    "vendor read_only",
    "customer admin",
    "customer read_write",
    "customer read_only",
    "other vendor",
    "anonymous",
];

async fn cookie_for(services: &service::Services, actor: &Actor) -> String {
    let token = service::testing::world::session(services, actor).await;
    format!("{}={token}", sessions::COOKIE_NAME)
}

/// Whether the server function answered with success, or with a refusal; anything else fails.
async fn allowed(
    client: &reqwest::Client,
    base: &str,
    cookie: Option<&str>,
    endpoint: &str,
    form: &[(&str, String)],
) -> bool {
    answered(client, base, cookie, endpoint, form, &[]).await
}

/// Like [`allowed`], but a refusal may also be a validation error naming a field (another
/// vendor's references are "no such customer in your organization", never a success).
async fn allowed_or_invalid(
    client: &reqwest::Client,
    base: &str,
    cookie: Option<&str>,
    endpoint: &str,
    form: &[(&str, String)],
) -> bool {
    answered(client, base, cookie, endpoint, form, &["Invalid"]).await
}

async fn answered(
    client: &reqwest::Client,
    base: &str,
    cookie: Option<&str>,
    endpoint: &str,
    form: &[(&str, String)],
    more_refusals: &[&str],
) -> bool {
    let mut request = client.post(format!("{base}/_fn/{endpoint}")).form(form);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    if status.is_success() || status.is_redirection() {
        return true;
    }
    let refused = ["Forbidden", "NotFound", "Unauthenticated"]
        .iter()
        .chain(more_refusals)
        .any(|k| body.contains(k));
    assert!(refused, "{endpoint}: unexpected answer {status}: {body}");
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_enforces_roles_and_tenants() {
    let hub = TestHub::start(None, None).await;
    let services = hub.services.clone();
    let world = World::build(&services).await;
    let base = hub.url("");

    let mut cookies = Vec::new();
    for (_, actor) in world.actors() {
        cookies.push(Some(cookie_for(&services, actor).await));
    }
    cookies.push(None);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let customer = world.customer.to_string();
    let second = world.second_customer.to_string();
    let mut n = 0;

    // (endpoint, form, expected for each actor in ACTORS order)
    let cases: Vec<Case> = vec![
        (
            "list_customers",
            vec![],
            [true, true, true, true, true, true, true, false],
        ),
        (
            "get_customer",
            vec![("id", customer.clone())],
            [true, true, true, true, true, true, false, false],
        ),
        (
            "get_customer",
            vec![("id", second.clone())],
            [true, true, true, false, false, false, false, false],
        ),
        (
            "list_members",
            vec![("customer", customer.clone()), ("query[page]", "1".into())],
            [true, true, true, true, true, true, false, false],
        ),
        (
            "list_members",
            vec![("customer", String::new()), ("query[page]", "1".into())],
            [true, true, true, false, false, false, true, false],
        ),
        (
            "list_invitations",
            vec![("customer", customer.clone())],
            [true, true, false, true, false, false, false, false],
        ),
        (
            "my_branding",
            vec![],
            [true, true, true, false, false, false, true, false],
        ),
        (
            "preview_markdown",
            vec![("markdown", "# x".into())],
            [true, true, true, false, false, false, true, false],
        ),
        (
            "list_tokens",
            vec![],
            [true, true, true, true, true, true, true, false],
        ),
        (
            "my_account",
            vec![],
            [true, true, true, true, true, true, true, false],
        ),
        (
            "save_branding",
            vec![
                ("title", "T".into()),
                ("primary_color", "#123456".into()),
                ("home_markdown", String::new()),
                ("custom_host", String::new()),
            ],
            [true, false, false, false, false, false, true, false],
        ),
        (
            "list_upstreams",
            vec![],
            [true, true, true, false, false, false, true, false],
        ),
        (
            // Linking again replaces the link: only authorization decides.
            "link_upstream",
            vec![
                ("artifact", "mirror".into()),
                ("url", "https://registry.example.com".into()),
                ("repository", "acme/web".into()),
                ("username", "bot".into()),
                ("password", "pw".into()),
            ],
            [true, true, false, false, false, false, true, false],
        ),
        (
            "change_role",
            vec![
                ("user", world.customer_ro.user_id.to_string()),
                ("role", "read_only".into()),
                ("customer", customer.clone()),
            ],
            [true, true, false, true, false, false, false, false],
        ),
    ];
    for (endpoint, form, expected) in cases {
        for (i, cookie) in cookies.iter().enumerate() {
            let got = allowed(&client, &base, cookie.as_deref(), endpoint, &form).await;
            assert_eq!(got, expected[i], "{endpoint} {form:?} as {}", ACTORS[i]);
        }
    }

    // Creating things: fresh names so that only authorization decides.
    let creates: [(&str, [bool; 8]); 3] = [
        (
            "create_customer",
            [true, true, false, false, false, false, true, false],
        ),
        (
            "invite_customer",
            [true, true, false, true, false, false, false, false],
        ),
        (
            "invite_vendor",
            [true, false, false, false, false, false, true, false],
        ),
    ];
    for (what, expected) in creates {
        for (i, cookie) in cookies.iter().enumerate() {
            n += 1;
            let (endpoint, form) = match what {
                "create_customer" => ("create_customer", vec![("name", format!("Customer {n}"))]),
                "invite_customer" => (
                    "invite",
                    vec![
                        ("email", format!("guest{n}@globex.test")),
                        ("role", "read_only".into()),
                        ("customer", customer.clone()),
                    ],
                ),
                _ => (
                    "invite",
                    vec![
                        ("email", format!("staff{n}@acme.test")),
                        ("role", "read_only".into()),
                        ("customer", String::new()),
                    ],
                ),
            };
            let got = allowed(&client, &base, cookie.as_deref(), endpoint, &form).await;
            assert_eq!(got, expected[i], "{what} as {}", ACTORS[i]);
        }
    }

    // Acting on one invitation or member: a fresh one for every caller, so only authorization
    // decides. Customer-scope management: vendor admins and writers, and the customer's admin.
    let manage = [true, true, false, true, false, false, false, false];
    for (i, cookie) in cookies.iter().enumerate() {
        for endpoint in ["resend_invitation", "revoke_invitation"] {
            n += 1;
            let issued = service::invitations::create(
                &services,
                &world.vendor_admin,
                service::invitations::NewInvitation {
                    email: types::Email::parse(format!("pending{n}@globex.test")).unwrap(),
                    role: types::Role::ReadOnly,
                    customer: Some(world.customer),
                },
                chrono::Duration::hours(1),
            )
            .await
            .unwrap();
            let form = [("id", issued.invitation.id.to_string())];
            let got = allowed(&client, &base, cookie.as_deref(), endpoint, &form).await;
            assert_eq!(got, manage[i], "{endpoint} as {}", ACTORS[i]);
        }
        n += 1;
        let target = service::testing::world::member(
            &services,
            &world.vendor_admin,
            &format!("member{n}@globex.test"),
            types::Role::ReadOnly,
            Some(world.customer),
        )
        .await;
        let form = [
            ("user", target.user_id.to_string()),
            ("customer", customer.clone()),
        ];
        let got = allowed(&client, &base, cookie.as_deref(), "remove_member", &form).await;
        assert_eq!(got, manage[i], "remove_member as {}", ACTORS[i]);
    }

    // A personal access token can be revoked by its owner only.
    let (token, _) =
        service::access_tokens::create(&services, &world.vendor_admin, "ci".into(), None)
            .await
            .unwrap();
    for i in (0..cookies.len()).rev() {
        let got = allowed(
            &client,
            &base,
            cookies[i].as_deref(),
            "revoke_token",
            &[("id", token.id.to_string())],
        )
        .await;
        assert_eq!(got, i == 0, "revoke_token as {}", ACTORS[i]);
    }

    // Deleting: everyone but the vendor admin is refused, and the admin goes last.
    for i in (0..cookies.len()).rev() {
        let got = allowed(
            &client,
            &base,
            cookies[i].as_deref(),
            "delete_customer",
            &[("id", second.clone())],
        )
        .await;
        assert_eq!(got, i == 0, "delete_customer as {}", ACTORS[i]);
    }

    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_catalogue_server_function_enforces_roles_and_tenants() {
    let hub = TestHub::start(None, None).await;
    let services = hub.services.clone();
    let world = World::build(&services).await;
    let base = hub.url("");
    let now = chrono::Utc::now();
    let mut cookies = Vec::new();
    for (_, actor) in world.actors() {
        cookies.push(Some(cookie_for(&services, actor).await));
    }
    cookies.push(None);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let vendor = &world.vendor_admin;
    let app = service::applications::create(
        &services,
        vendor,
        types::ApplicationName::parse("Shop").unwrap(),
        types::ApplicationKind::Docker,
        now,
    )
    .await
    .unwrap();
    let version = service::versions::create(
        &services,
        vendor,
        app.id,
        service::versions::NewVersion {
            name: types::VersionName::parse("1.0").unwrap(),
            channel: types::ChannelName::stable(),
            link_template: None,
            package: service::versions::Package::Compose {
                compose_file: "services:\n  web:\n    image: shop:1\n".into(),
                env_template: None,
            },
        },
        now,
    )
    .await
    .unwrap();
    let new_license = |name: String| service::licenses::NewLicense {
        name: Some(name),
        customer_organization_id: world.customer,
        application_id: app.id,
        versions: None,
        channels: vec![types::ChannelName::stable()],
        expires_at: None,
        entitlements: Default::default(),
    };
    service::licenses::create(&services, vendor, new_license("Main".into()), now)
        .await
        .unwrap();
    let app_id = app.id.to_string();
    let version_id = version.id.to_string();

    let cases: Vec<Case> = vec![
        (
            "list_applications",
            vec![],
            [true, true, true, true, true, true, true, false],
        ),
        (
            "get_application",
            vec![("id", app_id.clone())],
            [true, true, true, true, true, true, false, false],
        ),
        (
            "list_licenses",
            // The first page, as the licenses page asks for it.
            vec![("query[page]", "1".into())],
            [true, true, true, false, false, false, true, false],
        ),
        (
            "customer_catalog",
            vec![],
            [false, false, false, true, true, true, false, false],
        ),
        (
            "archive_version",
            vec![
                ("application", app_id.clone()),
                ("version", version_id.clone()),
                ("archived", "false".into()),
            ],
            [true, true, false, false, false, false, false, false],
        ),
        (
            "set_channel_minimum",
            vec![
                ("application", app_id.clone()),
                ("channel", "stable".into()),
                ("version", String::new()),
            ],
            [true, true, false, false, false, false, false, false],
        ),
        (
            "archive_application",
            vec![
                ("application", app_id.clone()),
                ("archived", "false".into()),
            ],
            [true, true, false, false, false, false, false, false],
        ),
    ];
    for (endpoint, form, expected) in cases {
        for (i, cookie) in cookies.iter().enumerate() {
            let got = allowed(&client, &base, cookie.as_deref(), endpoint, &form).await;
            assert_eq!(got, expected[i], "{endpoint} {form:?} as {}", ACTORS[i]);
        }
    }

    // Creating: fresh names, so only authorization decides.
    let writers = [true, true, false, false, false, false, false, false];
    for (i, cookie) in cookies.iter().enumerate() {
        let cookie = cookie.as_deref();
        let form = [("name", format!("App {i}")), ("kind", "docker".into())];
        let got = allowed(&client, &base, cookie, "create_application", &form).await;
        // Another vendor creates in its own organization.
        assert_eq!(
            got,
            writers[i] || i == 6,
            "create_application as {}",
            ACTORS[i]
        );
        let form = [
            ("application", app_id.clone()),
            ("name", format!("2.{i}")),
            ("channel", "stable".into()),
            (
                "compose_file",
                "services:\n  web:\n    image: shop:2\n".into(),
            ),
        ];
        let got = allowed(&client, &base, cookie, "publish_version", &form).await;
        assert_eq!(got, writers[i], "publish_version as {}", ACTORS[i]);
        let form = [
            ("customer", world.customer.to_string()),
            ("application", app_id.clone()),
            ("name", format!("License {i}")),
        ];
        let got = allowed_or_invalid(&client, &base, cookie, "grant_license", &form).await;
        assert_eq!(got, writers[i], "grant_license as {}", ACTORS[i]);
        let target = service::licenses::create(
            &services,
            vendor,
            new_license(format!("Revocable {i}")),
            now,
        )
        .await
        .unwrap();
        let form = [("id", target.id.to_string())];
        let got = allowed(&client, &base, cookie, "revoke_license", &form).await;
        assert_eq!(got, writers[i], "revoke_license as {}", ACTORS[i]);
    }

    // The signed license file: the vendor's members and the licensed customer's, nobody else.
    let license = service::licenses::list(&services, vendor).await.unwrap();
    let main = license.iter().find(|l| l.name == "Main").unwrap();
    let expected = [true, true, true, true, true, true, false, false];
    for (i, cookie) in cookies.iter().enumerate() {
        let mut request = client.get(format!("{base}/licenses/{}/file", main.id));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status() == 200,
            expected[i],
            "license file as {}",
            ACTORS[i]
        );
        if expected[i] {
            let file =
                types::license_file::LicenseFile::parse(&response.text().await.unwrap()).unwrap();
            file.verify(&hub.services.signer.public_key()).unwrap();
        }
    }
    hub.stop().await;
}
