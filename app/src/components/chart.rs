//! Charts: SVG drawn on the server by [`draw`] (plotters), shown with an accessible name, a
//! legend and a one-line summary in words. The page works without JavaScript; once hydrated, a
//! chart is drawn again by the server function that fetched it whenever its resource refetches
//! (live events), and replaces the old one.
//!
//! Why plotters runs on the server only: its browser build measures every label by adding a
//! `<span>` to the document, so the same chart would lay out differently in the browser than
//! in the server's HTML, and the wasm bundle would carry a plotting library to redraw what the
//! server already drew. Server functions answer with the SVG instead (a few kilobytes).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod draw;

/// A chart's colours: each a Tailwind shade with at least 4.5:1 contrast on white (WCAG AA for
/// text), so a line, a bar and its legend read as well as the text beside them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Colour {
    /// indigo-600, `#4f46e5` (6.3:1 on white).
    Indigo,
    /// teal-700, `#0f766e` (5.5:1 on white).
    Teal,
    /// slate-600, `#475569` (7.6:1 on white).
    Slate,
}

impl Colour {
    /// Red, green and blue.
    pub const fn rgb(self) -> (u8, u8, u8) {
        match self {
            Self::Indigo => (0x4f, 0x46, 0xe5),
            Self::Teal => (0x0f, 0x76, 0x6e),
            Self::Slate => (0x47, 0x55, 0x69),
        }
    }

    /// The utility class that paints a legend swatch in it.
    pub const fn swatch_class(self) -> &'static str {
        match self {
            Self::Indigo => "inline-block h-2 w-4 rounded-sm bg-indigo-600",
            Self::Teal => "inline-block h-2 w-4 rounded-sm bg-teal-700",
            Self::Slate => "inline-block h-2 w-4 rounded-sm bg-slate-600",
        }
    }
}

/// One entry of a chart's legend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegendEntry {
    /// What the colour stands for.
    pub name: String,
    /// Its colour.
    pub colour: Colour,
}

/// A chart drawn on the server. Its SVG can only be made by [`draw`], which hands every label to
/// plotters' SVG backend, and that escapes text and attribute values (`<`, `>`, `&`, quotes):
/// so it is safe to insert as markup, and nothing else is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartView {
    svg: String,
    /// What it shows, for screen readers (its `aria-label`).
    pub label: String,
    /// The numbers people would read off it, in words.
    pub summary: String,
    /// Which colour is which series (none for a single series).
    pub legend: Vec<LegendEntry>,
    /// How many points or bars it draws (for tests and the curious: `data-points`).
    pub points: usize,
}

impl ChartView {
    /// The SVG markup.
    pub fn svg(&self) -> &str {
        &self.svg
    }
}

/// A chart with its legend and summary, as a `<figure>`: the drawing is one image to assistive
/// technology, named by its label; the summary under it says the same in words.
#[component]
pub fn Chart(
    /// The chart.
    chart: ChartView,
    /// The figure's id.
    #[prop(into)]
    id: String,
) -> impl IntoView {
    let ChartView {
        svg,
        label,
        summary,
        legend,
        points,
    } = chart;
    view! {
        <figure class="mt-3" id=id data-chart="true" data-points=points.to_string()>
            // The SVG comes from `draw` (see `ChartView`): escaped by plotters, never user markup.
            <div role="img" aria-label=label class="w-full max-w-3xl text-slate-700" inner_html=svg></div>
            <figcaption class="mt-1 flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-slate-600">
                {legend.into_iter().map(|entry| view! {
                    <span class="inline-flex items-center gap-1">
                        <span class=entry.colour.swatch_class() aria-hidden="true"></span>
                        {entry.name}
                    </span>
                }).collect_view()}
                <span data-role="summary">{summary}</span>
            </figcaption>
        </figure>
    }
}
