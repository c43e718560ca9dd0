//! Drawing charts with plotters' SVG backend into a string, on the server.
//!
//! Text needs no font: without plotters' `ttf` and `ab_glyph` features it estimates a label's
//! width from its length (its "naive" font backend), which is all an SVG needs, since the
//! browser lays out the `<text>` elements with its own fonts. So the features are
//! `svg_backend`, `line_series` and `chrono` (time axes), nothing more.

use chrono::{DateTime, NaiveDate, Utc};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{ChartView, Colour, LegendEntry};

/// The drawing's width; the page scales it to its column.
const WIDTH: u32 = 640;
const FONT: &str = "sans-serif";
/// Plotters writes a font size of this divided by 1.24: 15 px in the 640-wide drawing, still
/// about 11 px once two charts share a column.
const FONT_SIZE: u32 = 19;
/// slate-700: 10.3:1 on white, for every label.
const TEXT: RGBColor = RGBColor(0x33, 0x41, 0x55);
/// slate-400 axes and slate-200 grid lines: lines, not text, so no contrast minimum applies.
const AXIS: RGBColor = RGBColor(0x94, 0xa3, 0xb8);
const GRID: RGBColor = RGBColor(0xe2, 0xe8, 0xf0);
/// The longest category label drawn whole; longer ones end in `…`.
const LABEL_CHARS: usize = 28;
/// The most bars drawn; the rest are added up in one "others" bar.
pub const MAX_BARS: usize = 12;

fn rgb(colour: Colour) -> RGBColor {
    let (r, g, b) = colour.rgb();
    RGBColor(r, g, b)
}

/// What a time series' values are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// 0 to 100.
    Percent,
    /// Bytes, shown in binary units (KiB, MiB, GiB…).
    Bytes,
}

/// `7`, `12`, `3.5`: one decimal below ten, none above (a chart is read at a glance).
fn short(value: f64) -> String {
    let text = if value.abs() >= 10.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    };
    match text.strip_suffix(".0") {
        Some(whole) => whole.to_string(),
        None => text,
    }
}

const BINARY_UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/// The binary unit `bytes` reads best in: its index in [`BINARY_UNITS`] and its size.
fn binary_unit(bytes: f64) -> (usize, f64) {
    let mut index = 0;
    let mut size = 1.0;
    while bytes >= size * 1024.0 && index + 1 < BINARY_UNITS.len() {
        index += 1;
        size *= 1024.0;
    }
    (index, size)
}

/// `512 B`, `1.2 GiB`, `16 GiB`.
pub fn bytes(value: f64) -> String {
    let (index, size) = binary_unit(value);
    format!("{} {}", short(value / size), BINARY_UNITS[index])
}

/// A value in its unit: `12 %`, `1.2 GiB`.
pub fn format_value(unit: Unit, value: f64) -> String {
    match unit {
        Unit::Percent => format!("{} %", short(value)),
        Unit::Bytes => bytes(value),
    }
}

/// A label cut to [`LABEL_CHARS`] characters.
fn cut(label: &str) -> String {
    if label.chars().count() > LABEL_CHARS {
        let mut cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        label.to_string()
    }
}

/// Plotters writes a fixed `width` and `height`: the figure scales instead, keeping the
/// `viewBox`'s proportions.
fn scalable(svg: String, height: u32) -> String {
    let fixed = format!("<svg width=\"{WIDTH}\" height=\"{height}\" ");
    match svg.strip_prefix(&fixed) {
        Some(rest) => format!("<svg width=\"100%\" {rest}"),
        None => svg,
    }
}

/// The chart, or on a drawing error (none is expected when drawing into a string) a chart with
/// no drawing: the summary still says it all.
fn finish(
    drawn: Result<String, String>,
    height: u32,
    label: String,
    summary: String,
    legend: Vec<LegendEntry>,
    points: usize,
) -> ChartView {
    let svg = match drawn {
        Ok(svg) => scalable(svg, height),
        Err(err) => {
            tracing::warn!(chart = %label, error = %err, "a chart could not be drawn");
            String::new()
        }
    };
    ChartView {
        svg,
        label,
        summary,
        legend,
        points,
    }
}

/// One line of a time series chart.
#[derive(Clone, Debug)]
pub struct Series {
    /// What it is, for the legend.
    pub name: String,
    /// Its colour.
    pub colour: Colour,
    /// Its samples, in any order.
    pub points: Vec<(DateTime<Utc>, f64)>,
}

/// A line chart of one or more series over time (UTC on the x axis), with `unit` on the y axis
/// (0–100 for percentages, from 0 to just above the largest value for bytes). `label` names it
/// for screen readers, `summary` is shown under it.
pub fn time_series(label: String, summary: String, unit: Unit, series: Vec<Series>) -> ChartView {
    const HEIGHT: u32 = 220;
    let legend = if series.len() > 1 {
        series
            .iter()
            .map(|s| LegendEntry {
                name: s.name.clone(),
                colour: s.colour,
            })
            .collect()
    } else {
        Vec::new()
    };
    let points = series.iter().map(|s| s.points.len()).max().unwrap_or(0);
    let drawn = draw_time_series(&series, unit, HEIGHT);
    finish(drawn, HEIGHT, label, summary, legend, points)
}

fn draw_time_series(series: &[Series], unit: Unit, height: u32) -> Result<String, String> {
    let times = series.iter().flat_map(|s| s.points.iter().map(|(t, _)| *t));
    let now = Utc::now();
    let (mut from, to) = times.fold((None, None), |(lo, hi): (Option<DateTime<Utc>>, _), t| {
        (
            Some(lo.map_or(t, |lo| lo.min(t))),
            Some(hi.map_or(t, |hi: DateTime<Utc>| hi.max(t))),
        )
    });
    let to = to.unwrap_or(now);
    // One sample still spans a minute, so the axis has a width.
    if from.is_none_or(|from| to - from < chrono::TimeDelta::minutes(1)) {
        from = Some(to - chrono::TimeDelta::minutes(1));
    }
    let from = from.unwrap_or(to);
    let largest = series
        .iter()
        .flat_map(|s| s.points.iter().map(|(_, v)| *v))
        .fold(0.0_f64, f64::max);
    // Bytes are drawn in the unit the largest value reads best in, so the axis's round numbers
    // are round in that unit (0.5 GiB, 1 GiB…), not in bytes.
    let (top, scale, unit_name) = match unit {
        Unit::Percent => (100.0, 1.0, "%"),
        Unit::Bytes => {
            let (index, size) = binary_unit(largest);
            ((largest / size * 1.1).max(1.0), size, BINARY_UNITS[index])
        }
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .margin_right(20)
            .x_label_area_size(28)
            .y_label_area_size(64)
            .build_cartesian_2d(from..to, 0.0..top)
            .map_err(|e| e.to_string())?;
        // Seconds only when the whole axis spans a few minutes (the first samples).
        let time_format = if to - from < chrono::TimeDelta::minutes(10) {
            "%H:%M:%S"
        } else {
            "%H:%M"
        };
        let time_label = |t: &DateTime<Utc>| t.format(time_format).to_string();
        let value_label = |v: &f64| format!("{} {unit_name}", short(*v));
        chart
            .configure_mesh()
            .x_labels(6)
            .y_labels(5)
            .x_label_formatter(&time_label)
            .y_label_formatter(&value_label)
            .label_style((FONT, FONT_SIZE).into_font().color(&TEXT))
            .axis_style(AXIS)
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(|e| e.to_string())?;
        for s in series {
            let mut line = s.points.clone();
            line.sort_by_key(|(t, _)| *t);
            chart
                .draw_series(LineSeries::new(
                    line.into_iter().map(|(t, v)| (t, v / scale)),
                    rgb(s.colour).stroke_width(2),
                ))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// A horizontal bar chart, one bar per `(category, count)` in the order given (top to
/// bottom), each with its count at its end; past [`MAX_BARS`] the rest are added up in one
/// "others" bar. Categories are user input (version names): plotters escapes them.
pub fn bars(label: String, summary: String, items: Vec<(String, u64)>) -> ChartView {
    let mut items = items;
    if items.len() > MAX_BARS {
        let rest = items.split_off(MAX_BARS - 1);
        let others: u64 = rest.iter().map(|(_, n)| n).sum();
        items.push((format!("{} others", rest.len()), others));
    }
    // Plotters gives a segmented axis one segment more than it has values (an empty one at
    // the top): it is the chart's top padding.
    let rows = u32::try_from(items.len()).unwrap_or(1).max(1);
    let height = 16 + 28 * (rows + 1);
    let points = items.len();
    let drawn = draw_bars(&items, height);
    finish(drawn, height, label, summary, Vec::new(), points)
}

fn draw_bars(items: &[(String, u64)], height: u32) -> Result<String, String> {
    let labels: Vec<String> = items.iter().map(|(name, _)| cut(name)).collect();
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let label_width = u32::try_from(longest * 8 + 16)
        .unwrap_or(240)
        .clamp(40, 240);
    let largest = items.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let rows = i32::try_from(items.len()).unwrap_or(1).max(1);
    // Bottom to top in plotters' coordinates: the first item is drawn at the top.
    let row_of = |index: usize| rows - 1 - i32::try_from(index).unwrap_or(0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .margin_right(48)
            .y_label_area_size(label_width)
            .build_cartesian_2d(0.0..(largest as f64).max(1.0), (0..rows).into_segmented())
            .map_err(|e| e.to_string())?;
        let category = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(row) => usize::try_from(rows - 1 - row)
                .ok()
                .and_then(|i| labels.get(i).cloned())
                .unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(usize::try_from(rows).unwrap_or(1))
            .y_label_formatter(&category)
            .label_style((FONT, FONT_SIZE).into_font().color(&TEXT))
            .axis_style(AXIS)
            .draw()
            .map_err(|e| e.to_string())?;
        let fill = rgb(Colour::Indigo).filled();
        chart
            .draw_series(items.iter().enumerate().map(|(i, (_, n))| {
                let row = row_of(i);
                let mut bar = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(row)),
                        (*n as f64, SegmentValue::Exact(row + 1)),
                    ],
                    fill,
                );
                bar.set_margin(5, 5, 0, 0);
                bar
            }))
            .map_err(|e| e.to_string())?;
        let count_style = (FONT, FONT_SIZE)
            .into_font()
            .color(&TEXT)
            .pos(Pos::new(HPos::Left, VPos::Center));
        chart
            .draw_series(items.iter().enumerate().map(|(i, (_, n))| {
                EmptyElement::at((*n as f64, SegmentValue::CenterOf(row_of(i))))
                    + Text::new(n.to_string(), (6, 0), count_style.clone())
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// A column per day, oldest on the left, dates under every few columns and the count on the
/// y axis.
pub fn per_day(label: String, summary: String, days: Vec<(NaiveDate, u64)>) -> ChartView {
    const HEIGHT: u32 = 200;
    let points = days.len();
    let drawn = draw_per_day(&days, HEIGHT);
    finish(drawn, HEIGHT, label, summary, Vec::new(), points)
}

fn draw_per_day(days: &[(NaiveDate, u64)], height: u32) -> Result<String, String> {
    let columns = i32::try_from(days.len()).unwrap_or(1).max(1);
    let largest = days.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .margin_right(20)
            .x_label_area_size(28)
            .y_label_area_size(40)
            .build_cartesian_2d((0..columns).into_segmented(), 0..(largest + 1))
            .map_err(|e| e.to_string())?;
        let date = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(column) => usize::try_from(*column)
                .ok()
                .and_then(|i| days.get(i))
                .map(|(day, _)| day.format("%b %-d").to_string())
                .unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(6)
            .y_labels(5)
            .x_label_formatter(&date)
            .label_style((FONT, FONT_SIZE).into_font().color(&TEXT))
            .axis_style(AXIS)
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(|e| e.to_string())?;
        let fill = rgb(Colour::Indigo).filled();
        chart
            .draw_series(days.iter().zip(0..).map(|((_, n), column)| {
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(column), 0),
                        (SegmentValue::Exact(column + 1), *n),
                    ],
                    fill,
                );
                bar.set_margin(0, 0, 2, 2);
                bar
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests;
