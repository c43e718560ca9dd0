//! A deployment's or a target's state as a coloured badge.

use leptos::prelude::*;

/// The badge's classes for a state.
fn colour(state: &str) -> &'static str {
    match state {
        "healthy" | "online" => "bg-emerald-100 text-emerald-800",
        "running" => "bg-sky-100 text-sky-800",
        "progressing" | "pending" | "undeploying" => "bg-amber-100 text-amber-800",
        "error" | "unhealthy" | "stale" => "bg-red-100 text-red-800",
        _ => "bg-slate-100 text-slate-700",
    }
}

/// A coloured badge; `data-state` carries the state for tests and scripts.
#[component]
pub fn StateBadge(
    #[prop(into)] state: String,
    #[prop(optional, into)] id: String,
) -> impl IntoView {
    view! {
        <span id=(!id.is_empty()).then_some(id) data-state=state.clone()
            class=format!("rounded px-2 py-0.5 text-xs font-medium {}", colour(&state))>
            {state.clone()}
        </span>
    }
}
