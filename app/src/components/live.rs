//! Live pages: one `EventSource` on `/api/v1/events` per browser page (it sends the session
//! cookie), and a counter that goes up on every event. A page's resources read the counter, so
//! each event refetches them without a reload. On the server the counter never moves, so the
//! pages render fully without JavaScript.

use leptos::prelude::*;

/// The counter of events seen by this page, shared by every live component.
#[derive(Clone, Copy, Debug)]
pub struct LiveEvents(RwSignal<u64>);

/// Puts the counter into the app's context (once, at the root).
pub fn provide_live_events() {
    provide_context(LiveEvents(RwSignal::new(0)));
}

/// The counter: read it in a resource's source to refetch that resource on every event. In
/// the browser this opens the page's event stream once (later calls share it).
pub fn use_live_events() -> Signal<u64> {
    let live = use_context::<LiveEvents>().unwrap_or_else(|| LiveEvents(RwSignal::new(0)));
    // Effects run only in the browser.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        browser::ensure_open(live.0);
    });
    live.0.into()
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;
    use std::time::Duration;

    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    thread_local! {
        static OPEN: Cell<bool> = const { Cell::new(false) };
    }

    /// How long to wait before opening the stream again after the hub refused it (a network
    /// error is retried by the browser itself).
    const RETRY: Duration = Duration::from_secs(3);

    pub(super) fn ensure_open(tick: RwSignal<u64>) {
        if OPEN.with(|open| open.replace(true)) {
            return;
        }
        let Ok(source) = web_sys::EventSource::new("/api/v1/events") else {
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
            // A stream the hub refused is closed for good by the browser: open a new one.
            if watched.ready_state() == web_sys::EventSource::CLOSED {
                OPEN.with(|open| open.set(false));
                set_timeout(move || ensure_open(tick), RETRY);
            }
        });
        let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        // The listeners live as long as the page (one stream per page).
        on_event.forget();
        on_open.forget();
        on_error.forget();
    }
}
