//! The browser entry point: `hydrate()` takes over the page the hub rendered.
//! Built for `wasm32-unknown-unknown` and post-processed by `wasm-bindgen --target web`.

// The portals' view types nest deeply; the compiler needs room to lay them out.
#![recursion_limit = "512"]

use wasm_bindgen::prelude::wasm_bindgen;

/// Called by the hydration script that `leptos::HydrationScripts` puts into every page.
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
