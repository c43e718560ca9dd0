//! The browsable API reference at `/api/v1/docs`: plain HTML rendered on the hub from the same
//! OpenAPI document as `/api/v1/openapi.json`. No scripts and nothing fetched from elsewhere, so
//! it works on an air-gapped hub. Its one inline style sheet is allowed by its hash
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
nav ul{columns:2}";

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

/// The page for `doc` (an OpenAPI document as JSON).
pub fn render(doc: &Value) -> String {
    let title = doc["info"]["title"].as_str().unwrap_or("API");
    let version = doc["info"]["version"].as_str().unwrap_or("");
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title><style>{STYLE}</style></head><body>\
         <h1>{t} <small>{v}</small></h1><p>{d}</p>\
         <p>Machine-readable: <a href=\"/api/v1/openapi.json\"><code>/api/v1/openapi.json</code></a> \
         (OpenAPI {o}).</p>",
        t = escape(title),
        v = escape(version),
        d = escape(doc["info"]["description"].as_str().unwrap_or("")),
        o = escape(doc["openapi"].as_str().unwrap_or("")),
    );
    let operations = operations(doc);
    html.push_str("<nav><h2>Operations</h2><ul>");
    for op in &operations {
        let _ = write!(
            html,
            "<li><a href=\"#{id}\"><code>{m} {p}</code></a> {s}</li>",
            id = escape(&op.id),
            m = op.method.to_uppercase(),
            p = escape(op.path),
            s = escape(op.value["summary"].as_str().unwrap_or("")),
        );
    }
    html.push_str("</ul></nav>");
    for tag in doc["tags"].as_array().into_iter().flatten() {
        let name = tag["name"].as_str().unwrap_or("");
        let _ = write!(
            html,
            "<h2 id=\"tag-{n}\">{n}</h2><p>{d}</p>",
            n = escape(name),
            d = escape(tag["description"].as_str().unwrap_or(""))
        );
        for op in operations.iter().filter(|op| op.tags.contains(&name)) {
            render_operation(&mut html, op);
        }
    }
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
    html.push_str("</body></html>");
    html
}

struct Operation<'a> {
    id: String,
    method: &'a str,
    path: &'a str,
    tags: Vec<&'a str>,
    value: &'a Value,
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
        let _ = write!(html, "<p>{}</p>", escape(d));
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
        let _ = write!(html, "<p>{}</p>", escape(d));
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
