//! Shared by the REST API tests: a hub on SQLite or PostgreSQL, the tenant world of
//! `service::testing::world` with one access token per actor, and a small JSON client.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use consign_server::testing::TestHub;
use serde_json::Value;
use service::auth::Actor;
use service::testing::world::World;

/// Runs each named `async fn(&TestHub)` as two tests, `sqlite` and `postgres`, each on a hub of
/// its own. The PostgreSQL half needs `CONSIGN_TEST_POSTGRES_URL` and fails without it.
#[macro_export]
macro_rules! on_both_hubs {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let hub = consign_server::testing::TestHub::start(None, None).await;
                super::$name(&hub).await;
                hub.stop().await;
            }

            #[tokio::test]
            async fn postgres() {
                let db = service::testing::TestDb::new(service::testing::Backend::Postgres).await;
                let hub = consign_server::testing::TestHub::start(Some(db.url.clone()), None).await;
                super::$name(&hub).await;
                hub.stop().await;
                db.close().await;
            }
        }
    )*};
}

/// An API client acting as one person, with an access token of theirs.
#[derive(Clone, Debug)]
pub struct Caller {
    base: String,
    secret: String,
    http: reqwest::Client,
}

/// What the API answered.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body (`Null` when empty).
    pub body: Value,
}

impl Answer {
    /// Asserts an error answer: its status, its `error.code` and, if given, its `error.field`.
    pub fn assert_error(&self, status: u16, code: &str, field: Option<&str>) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.body["error"]["code"], code, "{}", self.body);
        match field {
            Some(f) => assert_eq!(self.body["error"]["field"], f, "{}", self.body),
            None => assert!(self.body["error"]["field"].is_null(), "{}", self.body),
        }
        assert!(
            self.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{}",
            self.body
        );
    }

    /// Asserts a success status and returns the body.
    pub fn ok(self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}", self.body);
        self.body
    }
}

impl Caller {
    /// A caller with a fresh token of `actor`'s, on `hub`.
    pub async fn new(hub: &TestHub, actor: &Actor) -> Self {
        let (_, secret) =
            service::access_tokens::create(&hub.services, actor, "tests".into(), None)
                .await
                .unwrap();
        Self {
            base: hub.url(""),
            secret,
            http: reqwest::Client::new(),
        }
    }

    /// This caller's token secret.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Sends `method path` with an optional JSON body.
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.secret);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
        };
        Answer { status, body }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Answer {
        self.send("GET", path, None).await
    }

    /// `POST path` with `body`.
    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send("POST", path, Some(body)).await
    }

    /// `PUT path` with `body`.
    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.send("PUT", path, Some(body)).await
    }

    /// `PATCH path` with `body`.
    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send("PATCH", path, Some(body)).await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> Answer {
        self.send("DELETE", path, None).await
    }

    /// Sends a raw body with the given content type.
    pub async fn send_raw(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.secret)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        Answer {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }
}

/// The tenant world and a caller per actor.
#[derive(Debug)]
pub struct Callers {
    /// The tenants and actors.
    pub world: World,
    /// The vendor admin.
    pub vendor_admin: Caller,
    /// A vendor read_write member.
    pub vendor_rw: Caller,
    /// A vendor read_only member.
    pub vendor_ro: Caller,
    /// The admin of customer `world.customer`.
    pub customer_admin: Caller,
    /// A read_write member of `world.customer`.
    pub customer_rw: Caller,
    /// A read_only member of `world.customer`.
    pub customer_ro: Caller,
    /// The admin of another vendor.
    pub other_vendor: Caller,
}

impl Callers {
    /// Builds the world on `hub` and a token for everyone in it.
    pub async fn build(hub: &TestHub) -> Self {
        let world = World::build(&hub.services).await;
        Self {
            vendor_admin: Caller::new(hub, &world.vendor_admin).await,
            vendor_rw: Caller::new(hub, &world.vendor_rw).await,
            vendor_ro: Caller::new(hub, &world.vendor_ro).await,
            customer_admin: Caller::new(hub, &world.customer_admin).await,
            customer_rw: Caller::new(hub, &world.customer_rw).await,
            customer_ro: Caller::new(hub, &world.customer_ro).await,
            other_vendor: Caller::new(hub, &world.other_vendor).await,
            world,
        }
    }
}

/// The `field` values of a list answer's items, sorted.
pub fn sorted(list: &Value, field: &str) -> Vec<String> {
    let mut values: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|item| item[field].as_str().unwrap_or_default().to_string())
        .collect();
    values.sort();
    values
}
