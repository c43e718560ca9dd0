//! `cargo xtask sample [--hub URL] --token TOKEN`: a demo setup on a running hub, for a
//! newcomer's first deployment. It builds a small web server image locally (`docker import` of
//! Debian's busybox, no registry pull), pushes it to the hub's registry as
//! `<vendor-slug>/sample-web:1.0.0`, and through the REST API creates the application
//! "Sample web app", its version 1.0.0 on `stable` running that image with a healthcheck, the
//! customer "Sample customer" and a license granting it. A second run reuses what exists.

mod api;
mod image;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

/// The hub `--hub` defaults to: what `cargo xtask run` serves.
pub const DEFAULT_HUB: &str = "http://127.0.0.1:8080";
/// The application's name.
pub const APPLICATION: &str = "Sample web app";
/// The customer's name.
pub const CUSTOMER: &str = "Sample customer";
/// The version's name, also the image tag.
pub const VERSION: &str = "1.0.0";
/// The repository inside the vendor's namespace.
pub const REPOSITORY: &str = "sample-web";
/// The host port the sample publishes unless the deployment's env file sets `SAMPLE_PORT`.
pub const DEFAULT_PORT: u16 = 18080;

/// What the command was asked to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The hub's base URL.
    pub hub: String,
    /// A vendor member's personal access token (write access).
    pub token: String,
}

impl Options {
    /// Reads `--hub URL` and `--token TOKEN` (or `CONSIGN_TOKEN`, which keeps the token out
    /// of the process list).
    pub fn parse(flags: &[String], env_token: Option<String>) -> Result<Self> {
        let mut hub = DEFAULT_HUB.to_string();
        let mut token = env_token.filter(|t| !t.trim().is_empty());
        let mut it = flags.iter();
        while let Some(flag) = it.next() {
            match flag.as_str() {
                "--hub" => hub = it.next().context("--hub takes the hub's URL")?.clone(),
                "--token" => {
                    token = Some(
                        it.next()
                            .context("--token takes a personal access token")?
                            .clone(),
                    );
                }
                other => {
                    bail!("sample: unknown option {other:?} (it takes --hub URL --token TOKEN)")
                }
            }
        }
        let token = token.context(
            "sample needs a personal access token: create one on the vendor portal's Tokens page \
             (/tokens) and pass it with --token (or CONSIGN_TOKEN)",
        )?;
        registry_host(&hub)?;
        Ok(Self {
            hub: hub.trim_end_matches('/').to_string(),
            token: token.trim().to_string(),
        })
    }
}

/// The registry host of a hub URL: its host and port, as image references and `docker login`
/// name it.
pub fn registry_host(hub: &str) -> Result<String> {
    let rest = hub
        .strip_prefix("http://")
        .or_else(|| hub.strip_prefix("https://"))
        .with_context(|| format!("the hub URL {hub:?} must start with http:// or https://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.contains('@') {
        bail!("the hub URL {hub:?} names no host");
    }
    Ok(host.to_ascii_lowercase())
}

/// `<host>/<slug>/sample-web:1.0.0`.
pub fn image_reference(host: &str, slug: &str) -> String {
    format!("{host}/{slug}/{REPOSITORY}:{VERSION}")
}

/// The version's compose file: the image, its port published on the host (`SAMPLE_PORT`,
/// default [`DEFAULT_PORT`]), and a healthcheck so the deployment can turn `healthy`.
pub fn compose_file(image: &str) -> String {
    format!(
        r#"services:
  web:
    image: {image}
    ports:
      - "${{SAMPLE_PORT:-{DEFAULT_PORT}}}:8080"
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 5s
      timeout: 3s
      retries: 5
    restart: unless-stopped
"#
    )
}

/// The env file template that pre-fills the deployment form.
pub fn env_template() -> String {
    format!("# The host port the sample answers on.\nSAMPLE_PORT={DEFAULT_PORT}\n")
}

/// The first item of a JSON list whose `field` equals `value`.
pub fn find_by<'a>(list: &'a Value, field: &str, value: &str) -> Option<&'a Value> {
    list.as_array()?
        .iter()
        .find(|item| item.get(field).and_then(Value::as_str) == Some(value))
}

/// Whether a step made something new or found it.
fn said(created: bool) -> &'static str {
    if created { "created" } else { "already there" }
}

/// Runs the whole sample setup against `options.hub`.
pub fn run(options: &Options) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start an async runtime")?;
    runtime.block_on(run_async(options))
}

async fn run_async(options: &Options) -> Result<()> {
    let hub = api::Hub::new(&options.hub, &options.token)?;
    let me = hub.get("/me").await?;
    if !me.get("customerOrganizationId").is_none_or(Value::is_null) {
        bail!(
            "this token belongs to a customer's member: use a token of a vendor member with write access"
        );
    }
    if me.get("userRole").and_then(Value::as_str) == Some("read_only") {
        bail!(
            "this token's owner is a read-only member: use a token of a vendor member with write access"
        );
    }
    let organization = hub.get("/organization").await?;
    let slug = organization
        .get("slug")
        .and_then(Value::as_str)
        .context("the hub did not say the organization's slug")?
        .to_string();
    let host = registry_host(&options.hub)?;
    let reference = image_reference(&host, &slug);

    // The image: pushed once; a tag cannot be overwritten (tags are immutable by default), so
    // an image already there is kept.
    if hub
        .has_manifest(&format!("{slug}/{REPOSITORY}"), VERSION)
        .await?
    {
        println!("sample: image {reference}: already in the hub's registry");
    } else {
        image::build_and_push(&reference, &host, &options.token)?;
        println!("sample: image {reference}: built and pushed");
    }

    let (application, created) = hub
        .find_or_create(
            "/applications",
            "name",
            APPLICATION,
            json!({"name": APPLICATION, "type": "docker"}),
        )
        .await?;
    let application_id = api::id(&application)?;
    println!("sample: application {APPLICATION:?}: {}", said(created));

    let (version, created) = hub
        .find_or_create(
            &format!("/applications/{application_id}/versions"),
            "name",
            VERSION,
            json!({
                "name": VERSION,
                "channel": "stable",
                "composeFile": compose_file(&reference),
                "envTemplate": env_template(),
            }),
        )
        .await?;
    api::id(&version)?;
    println!("sample: version {VERSION} on stable: {}", said(created));

    let (customer, created) = hub
        .find_or_create(
            "/customer-organizations",
            "name",
            CUSTOMER,
            json!({"name": CUSTOMER}),
        )
        .await?;
    let customer_id = api::id(&customer)?;
    println!("sample: customer {CUSTOMER:?}: {}", said(created));

    let licenses = hub
        .get(&format!(
            "/application-licenses?applicationId={application_id}&customerOrganizationId={customer_id}"
        ))
        .await?;
    let active = find_by(&licenses, "status", "active").cloned();
    let (license, created) = match active {
        Some(license) => (license, false),
        None => (
            hub.post(
                "/application-licenses",
                &json!({
                    "customerOrganizationId": customer_id,
                    "applicationId": application_id,
                    "channels": ["stable"],
                }),
            )
            .await?,
            true,
        ),
    };
    api::id(&license)?;
    println!("sample: license for {CUSTOMER:?}: {}", said(created));

    println!(
        "\nThe sample is ready. Next:\n  \
         1. Open {hub}/targets, create a deployment target for \"{CUSTOMER}\", and run its install \
         command on the machine that should run the sample (this one will do).\n  \
         2. Open that target's page and deploy \"{APPLICATION}\" {VERSION} (customer \"{CUSTOMER}\", \
         license already granted).\n  \
         3. It turns healthy within a minute and answers on http://<that machine>:{DEFAULT_PORT}/ \
         (set SAMPLE_PORT in the deployment's env file to use another port).",
        hub = options.hub
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_default_the_hub_and_need_a_token() {
        let o = Options::parse(&flags(&["--token", "consign_pat_x"]), None).unwrap();
        assert_eq!(o.hub, DEFAULT_HUB);
        assert_eq!(o.token, "consign_pat_x");
        let o = Options::parse(
            &flags(&["--hub", "https://hub.example.com/"]),
            Some("consign_pat_y".into()),
        )
        .unwrap();
        assert_eq!(o.hub, "https://hub.example.com");
        assert_eq!(o.token, "consign_pat_y");
        let err = Options::parse(&[], None).unwrap_err().to_string();
        assert!(err.contains("Tokens page"), "{err}");
        assert!(Options::parse(&flags(&["--token", "t", "--port"]), None).is_err());
        assert!(Options::parse(&flags(&["--hub", "hub:8080", "--token", "t"]), None).is_err());
    }

    #[test]
    fn the_registry_host_is_the_hub_urls_host_and_port() {
        assert_eq!(
            registry_host("http://127.0.0.1:8080").unwrap(),
            "127.0.0.1:8080"
        );
        assert_eq!(
            registry_host("https://Hub.Example.com/x").unwrap(),
            "hub.example.com"
        );
        assert!(registry_host("http://").is_err());
        assert_eq!(
            image_reference("127.0.0.1:8080", "acme"),
            "127.0.0.1:8080/acme/sample-web:1.0.0"
        );
    }

    #[test]
    fn the_compose_file_runs_the_image_with_a_port_and_a_healthcheck() {
        let file = compose_file("h:1/acme/sample-web:1.0.0");
        assert!(
            file.contains("image: h:1/acme/sample-web:1.0.0\n"),
            "{file}"
        );
        assert!(file.contains("\"${SAMPLE_PORT:-18080}:8080\""), "{file}");
        assert!(file.contains("healthcheck:"), "{file}");
        assert!(env_template().contains("SAMPLE_PORT=18080"));
    }

    #[test]
    fn lists_are_searched_by_field() {
        let list = json!([{"name": "a", "id": "1"}, {"name": "b", "id": "2"}]);
        assert_eq!(find_by(&list, "name", "b").unwrap()["id"], "2");
        assert!(find_by(&list, "name", "c").is_none());
        assert!(find_by(&json!({}), "name", "a").is_none());
    }
}
