//! Drawing each kind of chart: valid SVG, units, escaped labels.

use super::*;

const HOSTILE: [&str; 3] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "1.0' onmouseover='alert(1)",
];

fn at(minute: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_765_000_000 + minute * 60, 0).unwrap()
}

/// Well-formed enough for a browser: one root `<svg>` that closes, tags balanced.
fn assert_svg(svg: &str) {
    assert!(svg.starts_with("<svg width=\"100%\" viewBox=\""), "{svg}");
    assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.trim_end().ends_with("</svg>"), "{svg}");
    assert_eq!(svg.matches("<svg").count(), 1);
    for tag in ["text", "g"] {
        assert_eq!(
            svg.matches(&format!("<{tag} ")).count() + svg.matches(&format!("<{tag}>")).count(),
            svg.matches(&format!("</{tag}>")).count(),
            "<{tag}> balanced"
        );
    }
}

#[test]
fn values_read_in_readable_units() {
    assert_eq!(format_value(Unit::Percent, 12.34), "12 %");
    assert_eq!(format_value(Unit::Percent, 3.25), "3.2 %");
    assert_eq!(format_value(Unit::Percent, 0.0), "0 %");
    assert_eq!(bytes(512.0), "512 B");
    assert_eq!(bytes(1536.0), "1.5 KiB");
    assert_eq!(bytes(1.2 * 1024.0 * 1024.0 * 1024.0), "1.2 GiB");
    assert_eq!(bytes(4.0 * 1024.0 * 1024.0 * 1024.0), "4 GiB");
    assert_eq!(bytes(16.0 * 1024.0 * 1024.0 * 1024.0), "16 GiB");
}

#[test]
fn a_time_series_is_an_svg_with_times_and_units_on_its_axes() {
    let gib = 1024.0 * 1024.0 * 1024.0;
    let chart = time_series(
        "Memory".into(),
        "memory 1.5 GiB of 4 GiB".into(),
        Unit::Bytes,
        vec![
            Series {
                name: "used".into(),
                colour: Colour::Indigo,
                points: (0..10).map(|m| (at(m), 1.5 * gib)).collect(),
            },
            Series {
                name: "total".into(),
                colour: Colour::Slate,
                points: (0..10).map(|m| (at(m), 4.0 * gib)).collect(),
            },
        ],
    );
    assert_svg(chart.svg());
    assert_eq!(chart.points, 10);
    assert_eq!(chart.legend.len(), 2);
    assert!(chart.svg().contains("GiB</text>") || chart.svg().contains("GiB\n</text>"));
    assert!(chart.svg().contains("<polyline"), "a line is drawn");
    // 1_765_000_000 s is 2025-12-06 05:46:40 UTC: the axis says minutes of that hour.
    assert!(chart.svg().contains("05:4"), "{}", chart.svg());
    // The indigo line, a colour with AA contrast.
    assert!(chart.svg().contains("#4F46E5"), "{}", chart.svg());
}

#[test]
fn a_percent_series_with_one_sample_still_draws() {
    let chart = time_series(
        "CPU".into(),
        "CPU now 12 %".into(),
        Unit::Percent,
        vec![Series {
            name: "CPU".into(),
            colour: Colour::Indigo,
            points: vec![(at(0), 12.0)],
        }],
    );
    assert_svg(chart.svg());
    assert!(chart.svg().contains("100 %"), "{}", chart.svg());
    assert!(chart.legend.is_empty());
}

#[test]
fn hostile_labels_are_escaped_text_never_markup() {
    let chart = bars(
        "Versions".into(),
        String::new(),
        HOSTILE.iter().map(|l| (l.to_string(), 2)).collect(),
    );
    let svg = chart.svg();
    assert_svg(svg);
    assert!(!svg.contains("<script"), "{svg}");
    assert!(!svg.contains("<img"), "{svg}");
    assert!(!svg.contains("' onmouseover"), "{svg}");
    assert!(
        svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{svg}"
    );
    assert!(svg.contains("&quot;&gt;&lt;img src=x onerror="), "{svg}");
    assert!(
        svg.contains("1.0&apos; onmouseover=&apos;alert(1)"),
        "{svg}"
    );
    // Every attribute value is quoted and holds no raw quote: no attribute can be added.
    for tag in svg.split('<').skip(1) {
        let head = tag.split('>').next().unwrap_or_default();
        assert_eq!(head.matches('"').count() % 2, 0, "{head}");
        assert!(!head.contains('\''), "{head}");
    }
}

#[test]
fn bars_show_each_category_with_its_count_and_fold_the_rest() {
    let chart = bars(
        "Versions".into(),
        String::new(),
        vec![("2.0".into(), 7), ("1.0".into(), 3)],
    );
    assert_svg(chart.svg());
    assert_eq!(chart.points, 2);
    assert!(chart.svg().contains(">\n2.0\n</text>"), "{}", chart.svg());
    assert!(chart.svg().contains(">\n7\n</text>"), "{}", chart.svg());
    assert_eq!(
        chart.svg().matches("<rect").count(),
        3,
        "background and two bars"
    );

    let many = bars(
        "Versions".into(),
        String::new(),
        (0..20).map(|i| (format!("1.{i}"), 1)).collect(),
    );
    assert_eq!(many.points, MAX_BARS);
    assert!(
        many.svg().contains(">\n9 others\n</text>"),
        "{}",
        many.svg()
    );
    assert!(many.svg().contains(">\n9\n</text>"));
}

#[test]
fn a_long_label_is_cut() {
    let long = "x".repeat(60);
    let chart = bars("Versions".into(), String::new(), vec![(long, 1)]);
    assert!(
        chart
            .svg()
            .contains(&format!("{}…", "x".repeat(LABEL_CHARS - 1)))
    );
    assert!(!chart.svg().contains(&"x".repeat(LABEL_CHARS)));
}

#[test]
fn a_column_per_day_with_dates_under_them() {
    let first = NaiveDate::from_ymd_opt(2026, 11, 6).unwrap();
    let days: Vec<_> = first
        .iter_days()
        .take(30)
        .zip(0..)
        .map(|(d, i)| (d, i % 4))
        .collect();
    let chart = per_day("Deployments".into(), "12 in 30 days".into(), days);
    assert_svg(chart.svg());
    assert_eq!(chart.points, 30);
    assert!(chart.svg().contains("Nov 6"), "{}", chart.svg());
    // The background and one column per day (empty days draw an empty column).
    assert_eq!(chart.svg().matches("<rect").count(), 31);
}
