//! The browsable API reference at `/api/v1/docs`: plain HTML rendered on the hub from the same
//! OpenAPI document as `/api/v1/openapi.json`, operations grouped by tag, descriptions rendered
//! from markdown, and a search (`?q=`) answered on the hub. No scripts and nothing fetched from
//! elsewhere, so it works on an air-gapped hub. Its one inline style sheet is allowed by its hash
//! ([`style_source`]), so the page needs no `'unsafe-inline'`.

use std::fmt::Write as _;

use serde_json::Value;
use service::html::escape;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;\
padding:0 1rem;color:#1f2937;line-height:1.5}h1,h2{border-bottom:1px solid #e5e7eb}\
code{font-family:ui-monospace,monospace;background:#f3f4f6;padding:0 .25rem;border-radius:.25rem}\
section.op{border:1px solid #e5e7eb;border-radius:.5rem;padding:.5rem 1rem;margin:1rem 0}\
section.op h3 code{font-size:1.05rem}table{border-collapse:collapse;margin:.5rem 0}\
td,th{border:1px solid #e5e7eb;padding:.25rem .5rem;text-align:left;vertical-align:top}\
nav ul{columns:2}nav h3{margin:.75rem 0 .25rem}form[role=search]{margin:1rem 0}\
input[type=search]{padding:.35rem .5rem;min-width:18rem;border:1px solid #6b7280;border-radius:.25rem}\
button{padding:.35rem .75rem}a{color:#1d4ed8}.md p{margin:.4rem 0}";

/// The Content-Security-Policy source (`'sha256-…'`) that allows the page's inline style.
pub fn style_source() -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(STYLE.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The longest search accepted; longer ones are cut.
pub const MAX_QUERY_CHARS: usize = 100;

/// The page for `doc` (an OpenAPI document as JSON), showing only the operations that match
/// `query` (case-insensitive, in the method, path, summary, description or operation id) when
/// one is given. The search is a plain GET form, so it needs no script either.
pub fn render(doc: &Value, query: Option<&str>) -> String {
    let query = query
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| q.chars().take(MAX_QUERY_CHARS).collect::<String>());
    let title = doc["info"]["title"].as_str().unwrap_or("API");
    let version = doc["info"]["version"].as_str().unwrap_or("");
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title><style>{STYLE}</style></head><body><main>\
         <h1>{t} <small>{v}</small></h1><div class=\"md\">{d}</div>\
         <p>Machine-readable: <a href=\"/api/v1/openapi.json\"><code>/api/v1/openapi.json</code></a> \
         (OpenAPI {o}).</p>\
         <form method=\"get\" action=\"/api/v1/docs\" role=\"search\">\
         <label for=\"q\">Search the operations</label> \
         <input type=\"search\" id=\"q\" name=\"q\" value=\"{q}\" maxlength=\"{MAX_QUERY_CHARS}\" \
         placeholder=\"deployments, POST, license…\"> <button type=\"submit\">Search</button></form>",
        t = escape(title),
        v = escape(version),
        d = markdown(doc["info"]["description"].as_str().unwrap_or("")),
        o = escape(doc["openapi"].as_str().unwrap_or("")),
        q = escape(query.as_deref().unwrap_or("")),
    );
    let all = operations(doc);
    let operations: Vec<&Operation<'_>> = all
        .iter()
        .filter(|op| query.as_deref().is_none_or(|q| op.matches(q)))
        .collect();
    if let Some(q) = &query {
        let _ = write!(
            html,
            "<p id=\"matches\">{n} of {total} operations match “{q}”. <a href=\"/api/v1/docs\">Show all</a></p>",
            n = operations.len(),
            total = all.len(),
            q = escape(q),
        );
    }
    let tags: Vec<(&str, &str)> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            (
                t["name"].as_str().unwrap_or(""),
                t["description"].as_str().unwrap_or(""),
            )
        })
        .filter(|(name, _)| operations.iter().any(|op| op.tags.contains(name)))
        .collect();
    html.push_str("<nav aria-label=\"Operations\"><h2>Operations</h2>");
    for (tag, _) in &tags {
        let _ = write!(
            html,
            "<h3><a href=\"#tag-{n}\">{n}</a></h3><ul>",
            n = escape(tag)
        );
        for op in operations.iter().filter(|op| op.tags.contains(tag)) {
            let _ = write!(
                html,
                "<li><a href=\"#{id}\"><code>{m} {p}</code></a> {s}</li>",
                id = escape(&op.id),
                m = op.method.to_uppercase(),
                p = escape(op.path),
                s = escape(op.value["summary"].as_str().unwrap_or("")),
            );
        }
        html.push_str("</ul>");
    }
    html.push_str("</nav>");
    for (tag, description) in &tags {
        let _ = write!(
            html,
            "<h2 id=\"tag-{n}\">{n}</h2><div class=\"md\">{d}</div>",
            n = escape(tag),
            d = markdown(description)
        );
        for op in operations.iter().filter(|op| op.tags.contains(tag)) {
            render_operation(&mut html, op);
        }
    }
    if query.is_none() {
        html.push_str("<h2 id=\"schemas\">Schemas</h2>");
        for (name, schema) in doc["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let _ = write!(
                html,
                "<section class=\"op\"><h3 id=\"schema-{n}\">{n}</h3>",
                n = escape(name)
            );
            render_schema(&mut html, schema);
            html.push_str("</section>");
        }
    }
    html.push_str("</main></body></html>");
    html
}

/// Descriptions are markdown: rendered as the customer portal's home page is (raw HTML stays
/// text, only safe link targets).
fn markdown(text: &str) -> String {
    service::branding::render_markdown(text)
}

struct Operation<'a> {
    id: String,
    method: &'a str,
    path: &'a str,
    tags: Vec<&'a str>,
    value: &'a Value,
}

impl Operation<'_> {
    fn matches(&self, query: &str) -> bool {
        let q = query.to_lowercase();
        let field = |name: &str| self.value[name].as_str().unwrap_or("").to_lowercase();
        [
            format!("{} {}", self.method, self.path).to_lowercase(),
            self.id.to_lowercase(),
            field("summary"),
            field("description"),
            self.tags.join(" ").to_lowercase(),
        ]
        .iter()
        .any(|f| f.contains(&q))
    }
}

fn operations(doc: &Value) -> Vec<Operation<'_>> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, value) in item.as_object().into_iter().flatten() {
            all.push(Operation {
                id: value["operationId"]
                    .as_str()
                    .map_or_else(|| format!("{method}-{path}"), String::from),
                method,
                path,
                tags: value["tags"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect(),
                value,
            });
        }
    }
    all
}

fn render_operation(html: &mut String, op: &Operation<'_>) {
    let v = op.value;
    let _ = write!(
        html,
        "<section class=\"op\"><h3 id=\"{id}\"><code>{m} {p}</code></h3><p><strong>{s}</strong></p>",
        id = escape(&op.id),
        m = op.method.to_uppercase(),
        p = escape(op.path),
        s = escape(v["summary"].as_str().unwrap_or("")),
    );
    if let Some(d) = v["description"].as_str() {
        let _ = write!(html, "<div class=\"md\">{}</div>", markdown(d));
    }
    let schemes: Vec<&str> = v["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|alternative| alternative.as_object()?.keys().next().map(String::as_str))
        .collect();
    html.push_str(match schemes.as_slice() {
        [] => "<p>No token needed.</p>",
        ["agentCredential"] => "<p>Needs the agent's credential.</p>",
        ["accessToken", "sessionCookie"] => "<p>Needs an access token or a portal session.</p>",
        _ => "<p>Needs an access token.</p>",
    });
    if let Some(params) = v["parameters"].as_array().filter(|p| !p.is_empty()) {
        html.push_str(
            "<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Type</th>\
             <th>Required</th><th>Description</th></tr>",
        );
        for p in params {
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(p["name"].as_str().unwrap_or("")),
                escape(p["in"].as_str().unwrap_or("")),
                type_of(&p["schema"]),
                if p["required"].as_bool() == Some(true) {
                    "yes"
                } else {
                    "no"
                },
                escape(p["description"].as_str().unwrap_or("")),
            );
        }
        html.push_str("</table>");
    }
    if let Some(content) = v["requestBody"]["content"].as_object() {
        html.push_str("<h4>Request body</h4>");
        for (media, body) in content {
            let _ = write!(
                html,
                "<p><code>{}</code>: {}</p>",
                escape(media),
                type_of(&body["schema"])
            );
        }
    }
    html.push_str(
        "<h4>Responses</h4><table><tr><th>Status</th><th>Description</th><th>Body</th></tr>",
    );
    for (status, response) in v["responses"].as_object().into_iter().flatten() {
        let body = response["content"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(media, c)| format!("<code>{}</code>: {}", escape(media), type_of(&c["schema"])))
            .collect::<Vec<_>>()
            .join("<br>");
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(status),
            escape(response["description"].as_str().unwrap_or("")),
            body
        );
    }
    html.push_str("</table></section>");
}

fn render_schema(html: &mut String, schema: &Value) {
    if let Some(d) = schema["description"].as_str() {
        let _ = write!(html, "<div class=\"md\">{}</div>", markdown(d));
    }
    if let Some(props) = schema["properties"].as_object() {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        html.push_str(
            "<table><tr><th>Field</th><th>Type</th><th>Required</th><th>Description</th></tr>",
        );
        for (name, prop) in props {
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(name),
                type_of(prop),
                if required.contains(&name.as_str()) {
                    "yes"
                } else {
                    "no"
                },
                escape(prop["description"].as_str().unwrap_or("")),
            );
        }
        html.push_str("</table>");
    } else {
        let _ = write!(html, "<p>{}</p>", type_of(schema));
    }
}

/// A schema's type in a few words, with links to named schemas (already escaped).
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("<a href=\"#schema-{n}\">{n}</a>", n = escape(name));
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = schema[combinator].as_array() {
            let joiner = if combinator == "allOf" {
                " and "
            } else {
                " | "
            };
            return parts.iter().map(type_of).collect::<Vec<_>>().join(joiner);
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        return values
            .iter()
            .map(|v| format!("<code>{}</code>", escape(&v.to_string())))
            .collect::<Vec<_>>()
            .join(" | ");
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.is_empty() {
        return "any".into();
    }
    types
        .iter()
        .map(|t| match *t {
            "array" => format!("array of {}", type_of(&schema["items"])),
            t => match schema["format"].as_str() {
                Some(f) => format!("{} ({})", escape(t), escape(f)),
                None => escape(t).into_owned(),
            },
        })
        .collect::<Vec<_>>()
        .join(" | ")
}
