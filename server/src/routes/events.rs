//! `GET /api/v1/events`: server-sent events of the domain (targets online/offline or changed,
//! deployments changed, statuses reported) for live pages, from the agent hub's in-process
//! broadcast. Authenticated by the portal's session cookie or a personal access token; each
//! caller gets only their own tenant's events. A page showing a target's charts names it
//! (`?metricsOf=`) and also hears of each metrics sample of that target, and of no other.

use std::convert::Infallible;
use std::time::Duration;

use app::session::{NoSession, Session};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use service::agent_hub::HubEvent;
use service::auth::Actor;
use service::sessions::SessionInfo;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;
use types::DeploymentTargetId;
use utoipa::IntoParams;

use super::api::params::ApiQuery;
use super::api::{ApiError, Bearer};
use crate::state::AppState;

/// What else the stream should carry.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// A target whose new metrics samples to announce (a `metrics` event each); ignored unless
    /// the caller may see it.
    #[param(value_type = Option<String>, format = Uuid)]
    pub metrics_of: Option<DeploymentTargetId>,
}

/// Whether `actor` may see `event`: its vendor's, and for a customer member only their own
/// customer's.
pub fn visible_to(actor: &Actor, event: &HubEvent) -> bool {
    event.organization_id == actor.organization_id
        && actor
            .customer_organization_id
            .is_none_or(|own| event.customer_organization_id == Some(own))
}

/// The caller of the event stream: an access token when one is sent, else the portal's session.
#[derive(Clone, Debug)]
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if super::api::bearer_secret(&parts.headers).is_some() {
            let Bearer(actor) = Bearer::from_request_parts(parts, state).await?;
            return Ok(Caller(actor));
        }
        match Session::from_request_parts(parts, state).await {
            Ok(Session {
                info: SessionInfo {
                    actor: Some(actor), ..
                },
                ..
            }) => Ok(Caller(actor)),
            Err(NoSession::Lookup(err)) => Err(err.into()),
            Ok(_) | Err(NoSession::Missing) => Err(ApiError::unauthenticated(
                "sign in, or send a personal access token as `Authorization: Bearer <token>`",
            )),
        }
    }
}

/// The live event stream of the caller's tenant.
#[utoipa::path(
    get,
    path = "/events",
    tag = "deployments",
    operation_id = "streamEvents",
    summary = "Server-sent events: targets online or offline, deployments and statuses changing, live",
    description = "A `text/event-stream` of the caller's tenant only (a customer member sees their own \
        customer's). Each `change` event's data is JSON such as \
        `{\"organization_id\", \"customer_organization_id\", \"kind\": \"status_changed\", \
        \"deployment_id\", \"state\"}`; kinds are `target_online`, `target_offline`, \
        `target_changed`, `deployment_changed` and `status_changed`. A `resync` event means \
        the stream fell behind: reload what you show. With `metricsOf`, a `metrics` event \
        (`{\"target_id\"}`) follows each host-metrics sample of that target. Comments keep the \
        connection alive every 15 s. The portal authenticates with its session cookie.",
    params(EventsQuery),
    responses(
        (status = 200, description = "The event stream", content_type = "text/event-stream", body = String),
        (status = 401, description = "No access token or session, or an unusable one", body = super::api::error::ErrorBody),
    ),
    security(("accessToken" = []), ("sessionCookie" = []))
)]
pub async fn events(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Response {
    // A target the caller may not see (or that is gone) gets the same stream as none: nothing
    // tells it apart from one that exists.
    let mut metrics = None;
    if let Some(target) = query.metrics_of
        && service::targets::get(&state.services, &actor, target)
            .await
            .is_ok()
    {
        metrics = Some((target, state.services.agents.watch_metrics(target)));
    }
    Sse::new(stream_for(state, actor, metrics))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// `metrics` events for each change of `receiver` (a sample of `target` recorded).
fn metrics_events(
    target: DeploymentTargetId,
    receiver: watch::Receiver<u64>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let data = serde_json::json!({ "target_id": target }).to_string();
    stream::unfold(receiver, move |mut receiver| {
        let data = data.clone();
        async move {
            receiver.changed().await.ok()?;
            Some((Ok(Event::default().event("metrics").data(data)), receiver))
        }
    })
}

fn stream_for(
    state: AppState,
    actor: Actor,
    metrics: Option<(DeploymentTargetId, watch::Receiver<u64>)>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let receiver = state.services.agents.subscribe();
    let mut stopping = state.services.agents.stopping();
    let events = stream::unfold((receiver, actor), |(mut receiver, actor)| async move {
        loop {
            match receiver.recv().await {
                Ok(event) if visible_to(&actor, &event) => {
                    let data = serde_json::to_string(&event).unwrap_or_default();
                    return Some((
                        Ok(Event::default().event("change").data(data)),
                        (receiver, actor),
                    ));
                }
                Ok(_) => continue,
                // A slow page missed events: tell it to refetch everything.
                Err(RecvError::Lagged(_)) => {
                    return Some((
                        Ok(Event::default().event("resync").data("{}")),
                        (receiver, actor),
                    ));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    let metrics = match metrics {
        Some((target, receiver)) => metrics_events(target, receiver).left_stream(),
        None => stream::empty().right_stream(),
    };
    // The stream ends when the hub stops, so it does not hold the graceful shutdown open.
    stream::select(events, metrics).take_until(async move {
        let _ = stopping.wait_for(|stopping| *stopping).await;
    })
}
