//! The REST API under `/api/v1`, authenticated by personal access token.
//!
//! Clients send `Authorization: Bearer consign_pat_…`; the [`Bearer`] extractor resolves it to
//! the token owner's `Actor`. Every failure is JSON, `{"error": {"code", "message", "field"?}}`,
//! and service errors become HTTP statuses in exactly one place, `ApiError::from`.
//!
//! Routes and the OpenAPI document come from the same `routes!` calls in [`api_router`], so a
//! route cannot exist without being documented, nor be documented without existing.

pub mod applications;
pub mod auth;
pub mod channels;
pub mod customers;
pub mod deployments;
mod docs_page;
pub mod error;
pub mod invitations;
pub mod json;
pub mod licenses;
pub mod me;
pub mod organization;
pub mod params;
pub mod secrets;
pub mod shapes;
pub mod targets;
pub mod tokens;
pub mod users;
pub mod versions;

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::any;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use auth::Bearer;
pub(crate) use auth::bearer_secret;
pub use error::ApiError;
pub use json::ApiJson;

use crate::state::AppState;

/// Where the API lives.
pub const PREFIX: &str = "/api/v1";

/// The document's fixed parts; the paths and schemas come from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Consign API",
        description = "The REST API of a Consign hub. Authenticate with a personal access token \
            (create one on the portal's Tokens page or with `POST /api/v1/settings/tokens`) sent \
            as `Authorization: Bearer consign_pat_…`. Every error is JSON \
            `{\"error\": {\"code\", \"message\", \"field\"}}`; `field` names the request field at \
            fault. Field and resource names follow Distr's API where they fit.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "/", description = "This hub")),
    modifiers(&AccessTokenScheme),
    // The string shapes are listed here because path parameters refer to them too, and only
    // request and response bodies bring their schemas along.
    components(schemas(
        error::ErrorBody,
        shapes::DisplayName,
        shapes::VersionName,
        shapes::ChannelName,
        shapes::SecretKey,
        shapes::EntitlementKey,
        shapes::EmailAddress,
        shapes::Entitlements,
    )),
    tags(
        (name = "organization", description = "The vendor organization the token acts in"),
        (name = "customers", description = "The vendor's customer organizations"),
        (name = "users", description = "Members of the vendor and of its customers"),
        (name = "invitations", description = "Links that make a person a member"),
        (name = "applications", description = "Applications, their immutable versions and release channels"),
        (name = "licenses", description = "Licenses, their signed files and the hub's license key"),
        (name = "deployments", description = "Deployment targets (the hosts agents run on), deployments, secrets, what agents report, and the live event stream"),
        (name = "agent", description = "What the agent itself calls: enrolment, its websocket, its binary and install script"),
        (name = "settings", description = "The caller's identity and access tokens"),
        (name = "meta", description = "This document, machine- and human-readable"),
    )
)]
struct ApiDoc;

/// Adds the security schemes the operations refer to: `accessToken` (people and scripts),
/// `agentCredential` (an enrolled agent) and `sessionCookie` (the portal's event stream).
struct AccessTokenScheme;

impl Modify for AccessTokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("consign_pat_<64 hex digits>".into());
        scheme.description =
            Some("A personal access token, sent as `Authorization: Bearer <token>`".into());
        components.add_security_scheme("accessToken", SecurityScheme::Http(scheme));
        let mut agent = Http::new(HttpAuthScheme::Bearer);
        agent.bearer_format = Some("consign_agent_<64 hex digits>".into());
        agent.description = Some(
            "The credential an agent got from `POST /api/v1/agent/enroll`, sent as \
             `Authorization: Bearer <credential>`"
                .into(),
        );
        components.add_security_scheme("agentCredential", SecurityScheme::Http(agent));
        components.add_security_scheme(
            "sessionCookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                service::sessions::COOKIE_NAME,
                "The portal's session cookie (set by signing in)",
            ))),
        );
    }
}

/// Every `/api/v1` route, with its documentation.
pub fn api_router() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .routes(routes!(me::me))
        .routes(routes!(organization::get, organization::update))
        .routes(routes!(customers::list, customers::create))
        .routes(routes!(
            customers::get,
            customers::update,
            customers::delete
        ))
        .routes(routes!(users::list))
        .routes(routes!(users::get, users::update, users::delete))
        .routes(routes!(invitations::list, invitations::create))
        .routes(routes!(invitations::get, invitations::revoke))
        .routes(routes!(invitations::resend))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(applications::list, applications::create))
        .routes(routes!(
            applications::get,
            applications::update,
            applications::archive
        ))
        .routes(routes!(versions::list, versions::create))
        .routes(routes!(versions::get, versions::archive))
        .routes(routes!(channels::list))
        .routes(routes!(channels::get, channels::update))
        .routes(routes!(licenses::list, licenses::create))
        .routes(routes!(licenses::get, licenses::update, licenses::revoke))
        .routes(routes!(licenses::file))
        .routes(routes!(licenses::key))
        .routes(routes!(targets::list, targets::create))
        .routes(routes!(targets::get, targets::delete))
        .routes(routes!(targets::rotate_secret))
        .routes(routes!(targets::request_agent_update))
        .routes(routes!(targets::metrics))
        .routes(routes!(deployments::list, deployments::create))
        .routes(routes!(
            deployments::get,
            deployments::update,
            deployments::replace,
            deployments::undeploy
        ))
        .routes(routes!(deployments::restart))
        .routes(routes!(deployments::status_history))
        .routes(routes!(deployments::logs))
        .routes(routes!(secrets::list))
        .routes(routes!(secrets::set))
        .routes(routes!(secrets::delete))
        .routes(routes!(crate::routes::events::events))
        .routes(routes!(crate::routes::agent::enroll))
        .routes(routes!(crate::routes::agent_ws::upgrade))
        .routes(routes!(crate::routes::agent::download_authenticated))
        .routes(routes!(openapi_json))
        .routes(routes!(docs));
    // What the install command fetches lives outside the versioned API (the command must stay
    // short and stable), but is documented with it.
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(PREFIX, v1)
        .routes(routes!(crate::routes::agent::install_script))
        .routes(routes!(crate::routes::agent::download))
}

/// The OpenAPI document of every `/api/v1` route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().into_openapi()
}

/// The document, rendered once: as JSON and as the browsable page.
struct Published {
    json: String,
    html: String,
    /// The page's policy, allowing its inline style by hash.
    policy: String,
}

static PUBLISHED: LazyLock<Published> = LazyLock::new(|| {
    let doc = openapi();
    let value = serde_json::to_value(&doc).unwrap_or_default();
    Published {
        json: serde_json::to_string_pretty(&value).unwrap_or_default(),
        html: docs_page::render(&value, None),
        policy: crate::security_headers::content_security_policy(Some(&docs_page::style_source())),
    }
});

/// The REST API routes.
pub fn router() -> Router<AppState> {
    let (routes, _) = api_router().split_for_parts();
    routes
        .route("/api/v1/{*rest}", any(unknown_route))
        .method_not_allowed_fallback(method_not_allowed)
}

/// The OpenAPI document (3.1) of this API.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    operation_id = "getOpenApiDocument",
    summary = "This API's OpenAPI 3.1 document (no token needed)",
    responses((status = 200, description = "The document", content_type = "application/json", body = Object))
)]
pub async fn openapi_json() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        PUBLISHED.json.as_str(),
    )
}

/// The same document as a page to read, rendered on the hub (no scripts, works offline).
#[utoipa::path(
    get,
    path = "/docs",
    tag = "meta",
    params(DocsSearch),
    operation_id = "getApiDocs",
    summary = "This API's reference as an HTML page (no token needed)",
    responses((status = 200, description = "The page", content_type = "text/html", body = String))
)]
pub async fn docs(Query(search): Query<DocsSearch>) -> impl IntoResponse {
    let html = match search.q.as_deref().map(str::trim) {
        Some(q) if !q.is_empty() => {
            let doc = serde_json::from_str(&PUBLISHED.json).unwrap_or_default();
            std::borrow::Cow::Owned(docs_page::render(&doc, Some(q)))
        }
        _ => std::borrow::Cow::Borrowed(PUBLISHED.html.as_str()),
    };
    (
        [(header::CONTENT_SECURITY_POLICY, PUBLISHED.policy.as_str())],
        Html(html),
    )
}

/// The reference page's search.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocsSearch {
    /// Only the operations whose method, path, summary, description, id or tag contain this
    /// (case-insensitive; cut at 100 characters).
    q: Option<String>,
}

/// A known path with a method it does not have: JSON, like every other API answer.
async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{method} is not allowed on {}: see /api/v1/docs for its operations",
            uri.path()
        ),
    )
}

/// Any other path under `/api/v1`: a JSON 404, never the portal's HTML page.
async fn unknown_route(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!(
            "no API route {}: see /api/v1/openapi.json or /api/v1/docs",
            uri.path()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_lists_every_operation_with_an_id_a_tag_and_responses() {
        let doc = serde_json::to_value(openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        let mut operations = 0;
        for (path, item) in paths {
            assert!(
                path.starts_with("/api/v1/") || path.starts_with("/agent/"),
                "{path}"
            );
            for (method, op) in item.as_object().unwrap() {
                operations += 1;
                assert!(op["operationId"].is_string(), "{method} {path}");
                assert!(op["tags"][0].is_string(), "{method} {path}");
                assert!(op["summary"].is_string(), "{method} {path}");
                assert!(
                    ["200", "201", "202", "204", "101"]
                        .iter()
                        .any(|status| op["responses"][status].is_object()),
                    "{method} {path}"
                );
                // What anyone may fetch: this document, and what the install command and the
                // enrolling agent use before they hold a credential.
                let public = [
                    "/api/v1/openapi.json",
                    "/api/v1/docs",
                    "/api/v1/agent/enroll",
                    "/agent/install.sh",
                    "/agent/consign-agent",
                ]
                .contains(&path.as_str());
                if public {
                    assert!(op["security"].is_null(), "{method} {path}");
                } else {
                    let scheme = if path.starts_with("/api/v1/agent/") {
                        "agentCredential"
                    } else {
                        "accessToken"
                    };
                    assert_eq!(
                        op["security"][0][scheme],
                        serde_json::json!([]),
                        "{method} {path}"
                    );
                    assert!(op["responses"]["401"].is_object(), "{method} {path}");
                }
            }
        }
        assert!(operations >= 60, "{operations} operations");
        assert_eq!(doc["info"]["license"]["identifier"], "Apache-2.0");
        assert_eq!(
            doc["components"]["securitySchemes"]["accessToken"]["scheme"],
            "bearer"
        );
    }

    #[test]
    fn each_limit_has_the_range_its_handler_enforces() {
        let doc = serde_json::to_value(openapi()).unwrap();
        for (path, max) in [
            (
                "/api/v1/deployment-targets/{id}/metrics",
                service::deployments::KEEP_METRICS,
            ),
            (
                "/api/v1/deployments/{id}/status",
                service::deployments::KEEP_STATUSES,
            ),
            (
                "/api/v1/deployments/{id}/logs",
                service::deployments::KEEP_LOG_LINES,
            ),
        ] {
            let limit = doc["paths"][path]["get"]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "limit")
                .unwrap();
            assert_eq!(limit["schema"]["minimum"], 1, "{path}: {limit}");
            assert_eq!(limit["schema"]["maximum"], max, "{path}: {limit}");
            assert!(params::limit(Some(max), 1, max).is_ok());
            assert!(params::limit(Some(max + 1), 1, max).is_err());
            assert!(params::limit(Some(0), 1, max).is_err());
        }
    }

    #[test]
    fn the_browsable_page_shows_every_operation() {
        let doc = serde_json::to_value(openapi()).unwrap();
        let html = docs_page::render(&doc, None);
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                let line = format!("{} {}", method.to_uppercase(), service::html::escape(path));
                assert!(html.contains(&line), "{line} missing");
            }
        }
    }

    #[test]
    fn the_browsable_page_groups_by_tag_renders_markdown_and_searches() {
        let doc = serde_json::to_value(openapi()).unwrap();
        let html = docs_page::render(&doc, None);
        assert!(html.contains("<h3><a href=\"#tag-deployments\">deployments</a></h3>"));
        assert!(html.contains("role=\"search\""));
        let found = docs_page::render(&doc, Some("OpenAPI"));
        assert!(found.contains("id=\"matches\""), "{found}");
        assert!(found.contains("href=\"#tag-meta\""), "{found}");
        assert!(
            !found.contains("<h2 id=\"tag-deployments\">"),
            "unmatched tags are left out"
        );
        // The query is shown back escaped.
        let hostile = docs_page::render(&doc, Some("\"><script>alert(1)</script>"));
        assert!(!hostile.contains("<script>alert"), "{hostile}");
        assert!(hostile.contains("0 of"));
        // Markdown in a description becomes HTML, raw HTML in it stays text.
        let mut custom = doc.clone();
        custom["info"]["description"] = "Use **tokens**. <img src=x onerror=alert(1)>".into();
        let page = docs_page::render(&custom, None);
        assert!(page.contains("<strong>tokens</strong>"));
        assert!(page.contains("&lt;img"));
    }
}
