//! Live pages: one `EventSource` on `/api/v1/events` per browser page (it sends the session
//! cookie), and a counter that goes up on every event. A page's resources read the counter, so
//! each event refetches them without a reload. On the server the counter never moves, so the
//! pages render fully without JavaScript.
//!
//! The stream opens only once the page's shell knows someone is signed in ([`follow_session`]):
//! the hub refuses it without a session, and the browser would log every refusal as an error.
//!
//! Metrics samples come every 30 s from every agent, too often to refetch whole pages: the hub
//! sends them only to a stream that names their target, so a page showing a target's charts
//! asks for that one ([`use_metrics_events`]) and gets a counter of its own.

use leptos::prelude::*;

/// The counter of events seen by this page, shared by every live component, and whether
/// someone is signed in (so the stream may open).
#[derive(Clone, Copy, Debug)]
pub struct LiveEvents {
    tick: RwSignal<u64>,
    signed_in: RwSignal<bool>,
    metrics_tick: RwSignal<u64>,
}

impl LiveEvents {
    fn new() -> Self {
        Self {
            tick: RwSignal::new(0),
            signed_in: RwSignal::new(false),
            metrics_tick: RwSignal::new(0),
        }
    }
}

/// Puts the counter into the app's context (once, at the root).
pub fn provide_live_events() {
    provide_context(LiveEvents::new());
}

/// Lets the page's event stream open once `signed_in` (read in the browser only) is true.
/// Called by the shells, which know who is signed in.
pub fn follow_session(signed_in: impl Fn() -> bool + 'static) {
    let live = use_context::<LiveEvents>();
    // Effects run only in the browser.
    Effect::new(move |_| {
        if let Some(live) = live
            && signed_in()
        {
            live.signed_in.set(true);
        }
    });
}

/// The counter: read it in a resource's source to refetch that resource on every event. In
/// the browser this opens the page's event stream once someone is signed in (later calls
/// share it).
pub fn use_live_events() -> Signal<u64> {
    let live = use_context::<LiveEvents>().unwrap_or_else(LiveEvents::new);
    // Effects run only in the browser.
    Effect::new(move |_| {
        if live.signed_in.get() {
            #[cfg(feature = "hydrate")]
            browser::ensure_open(live);
        }
    });
    live.tick.into()
}

/// A counter that goes up each time the agent of `target` (once known) reports a metrics
/// sample, for the component showing its charts; read [`use_live_events`] beside it for
/// reconnects. The page's stream is opened, or opened again, naming the target.
pub fn use_metrics_events(target: Signal<Option<types::DeploymentTargetId>>) -> Signal<u64> {
    let live = use_context::<LiveEvents>().unwrap_or_else(LiveEvents::new);
    // The target known now is named before the stream opens (effects run after the components
    // are built), so a page that opens with charts opens one stream, not two.
    #[cfg(feature = "hydrate")]
    browser::watch_metrics(live, target.get_untracked().map(|t| t.to_string()));
    let watched = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    let following = watched.clone();
    // Effects run only in the browser.
    Effect::new(move |_| {
        let target = target.get().map(|t| t.to_string());
        if let Ok(mut current) = following.lock() {
            current.clone_from(&target);
        }
        #[cfg(feature = "hydrate")]
        browser::watch_metrics(live, target);
    });
    on_cleanup(move || {
        let Ok(current) = watched.lock() else { return };
        #[cfg(feature = "hydrate")]
        if let Some(target) = current.as_deref() {
            browser::unwatch_metrics(target);
        }
        drop(current);
    });
    let _ = use_live_events();
    live.metrics_tick.into()
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::{Cell, RefCell};
    use std::time::Duration;

    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    use super::LiveEvents;

    thread_local! {
        static OPEN: Cell<bool> = const { Cell::new(false) };
        static SOURCE: RefCell<Option<web_sys::EventSource>> = const { RefCell::new(None) };
        static WATCHING_PAGE: Cell<bool> = const { Cell::new(false) };
        // The target whose metrics the page shows, and the one the open stream names.
        static METRICS_OF: RefCell<Option<String>> = const { RefCell::new(None) };
        static STREAM_METRICS_OF: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// Shows `target`'s metrics from now on (`None`: not known yet, nothing changes): an open
    /// stream naming another target (or none) is opened again naming this one.
    pub(super) fn watch_metrics(live: LiveEvents, target: Option<String>) {
        if target.is_none() {
            return;
        }
        METRICS_OF.with(|watched| *watched.borrow_mut() = target.clone());
        let stale = STREAM_METRICS_OF.with(|named| *named.borrow() != target);
        if OPEN.with(Cell::get) && stale {
            if let Some(source) = SOURCE.with(|current| current.borrow_mut().take()) {
                source.close();
            }
            OPEN.with(|open| open.set(false));
            ensure_open(live);
        }
    }

    /// The component showing `target`'s charts is gone. The stream stays as it is (its few
    /// metrics events are ignored) until a page names another target, so leaving a page costs
    /// no reconnect.
    pub(super) fn unwatch_metrics(target: &str) {
        METRICS_OF.with(|watched| {
            let mut watched = watched.borrow_mut();
            if watched.as_deref() == Some(target) {
                *watched = None;
            }
        });
    }

    fn stream_url() -> String {
        let target = METRICS_OF.with(|watched| watched.borrow().clone());
        STREAM_METRICS_OF.with(|named| *named.borrow_mut() = target.clone());
        match target {
            // A target id is a UUID: nothing in it needs escaping in a URL.
            Some(target) => format!("/api/v1/events?metricsOf={target}"),
            None => "/api/v1/events".into(),
        }
    }

    /// How long to wait before opening the stream again after the hub refused it (a network
    /// error is retried by the browser itself).
    const RETRY: Duration = Duration::from_secs(3);

    pub(super) fn ensure_open(live: LiveEvents) {
        let tick = live.tick;
        watch_page(live);
        if OPEN.with(|open| open.replace(true)) {
            return;
        }
        let Ok(source) = web_sys::EventSource::new(&stream_url()) else {
            OPEN.with(|open| open.set(false));
            return;
        };
        let bump = move || {
            tick.try_update(|n| *n += 1);
        };
        let on_event = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| bump());
        for name in ["change", "resync"] {
            let _ =
                source.add_event_listener_with_callback(name, on_event.as_ref().unchecked_ref());
        }
        let on_metrics = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            live.metrics_tick.try_update(|n| *n += 1);
        });
        let _ =
            source.add_event_listener_with_callback("metrics", on_metrics.as_ref().unchecked_ref());
        // After a reconnect (the hub restarted, the network dropped) events may have been
        // missed: refetch everything once.
        let opened = Cell::new(false);
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if opened.replace(true) {
                bump();
            }
        });
        let _ = source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
        let watched = source.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            // A stream the hub refused is closed for good by the browser: open a new one (unless
            // it was replaced meanwhile by one naming another target).
            let current = SOURCE.with(|s| s.borrow().as_ref() == Some(&watched));
            if current && watched.ready_state() == web_sys::EventSource::CLOSED {
                OPEN.with(|open| open.set(false));
                set_timeout(move || ensure_open(live), RETRY);
            }
        });
        let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        SOURCE.with(|current| *current.borrow_mut() = Some(source));
        // The listeners live as long as the page (one stream per page).
        on_event.forget();
        on_metrics.forget();
        on_open.forget();
        on_error.forget();
    }

    /// A page the browser keeps for its Back button (the back/forward cache) would keep its
    /// stream open, and with it one of the few connections a browser allows per host: after a
    /// handful of live pages, the next page waited a minute for a connection. So the stream
    /// closes when the page is hidden, and opens again, refetching what may have changed
    /// meanwhile, when the page is shown again.
    fn watch_page(live: LiveEvents) {
        let tick = live.tick;
        if WATCHING_PAGE.with(|watching| watching.replace(true)) {
            return;
        }
        let on_hide = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Some(source) = SOURCE.with(|current| current.borrow_mut().take()) {
                source.close();
            }
            OPEN.with(|open| open.set(false));
        });
        // `pageshow` also fires on the first load, when the stream is open already.
        let on_show = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if !OPEN.with(Cell::get) {
                ensure_open(live);
                tick.try_update(|n| *n += 1);
            }
        });
        let window = window();
        let _ =
            window.add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
        let _ =
            window.add_event_listener_with_callback("pageshow", on_show.as_ref().unchecked_ref());
        on_hide.forget();
        on_show.forget();
    }
}
