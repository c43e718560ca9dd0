//! Live pages: one `EventSource` on `/api/v1/events` per browser page (it sends the session
//! cookie), and a counter that goes up on every event. A page's resources read the counter, so
//! each event refetches them without a reload. On the server the counter never moves, so the
//! pages render fully without JavaScript.
//!
//! The stream opens only once the page's shell knows someone is signed in ([`follow_session`]):
//! the hub refuses it without a session, and the browser would log every refusal as an error.

use leptos::prelude::*;

/// The counter of events seen by this page, shared by every live component, and whether
/// someone is signed in (so the stream may open).
#[derive(Clone, Copy, Debug)]
pub struct LiveEvents {
    tick: RwSignal<u64>,
    signed_in: RwSignal<bool>,
}

impl LiveEvents {
    fn new() -> Self {
        Self {
            tick: RwSignal::new(0),
            signed_in: RwSignal::new(false),
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
            browser::ensure_open(live.tick);
        }
    });
    live.tick.into()
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::{Cell, RefCell};
    use std::time::Duration;

    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    thread_local! {
        static OPEN: Cell<bool> = const { Cell::new(false) };
        static SOURCE: RefCell<Option<web_sys::EventSource>> = const { RefCell::new(None) };
        static WATCHING_PAGE: Cell<bool> = const { Cell::new(false) };
    }

    /// How long to wait before opening the stream again after the hub refused it (a network
    /// error is retried by the browser itself).
    const RETRY: Duration = Duration::from_secs(3);

    pub(super) fn ensure_open(tick: RwSignal<u64>) {
        watch_page(tick);
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
        SOURCE.with(|current| *current.borrow_mut() = Some(source));
        // The listeners live as long as the page (one stream per page).
        on_event.forget();
        on_open.forget();
        on_error.forget();
    }

    /// A page the browser keeps for its Back button (the back/forward cache) would keep its
    /// stream open, and with it one of the few connections a browser allows per host: after a
    /// handful of live pages, the next page waited a minute for a connection. So the stream
    /// closes when the page is hidden, and opens again, refetching what may have changed
    /// meanwhile, when the page is shown again.
    fn watch_page(tick: RwSignal<u64>) {
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
                ensure_open(tick);
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
