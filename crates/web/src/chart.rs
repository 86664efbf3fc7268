//! Charts drawn on the server as SVG, readable without JavaScript (UI.md "Charts"): line charts for
//! trends with a faint second line for comparison, bars for rankings. Every point and bar carries a
//! hover title with its exact value. Coordinates are floating point; the values behind them are shown
//! exactly in the titles and axis labels, never computed from the drawing.

use std::fmt::Write;

/// One point of a series: its label (a date), where it is drawn (`None`: not available, the line
/// breaks) and the exact value as shown in its hover title.
#[derive(Debug, Clone)]
pub struct Point {
    pub label: String,
    pub value: Option<f64>,
    pub text: String,
}

/// Escapes text for SVG (XML) content and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `v` (the top of an axis); 1 for nothing to draw.
pub fn nice_max(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if v <= step * magnitude + f64::EPSILON * magnitude {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

const W: f64 = 420.0;
const H: f64 = 180.0;
const LEFT: f64 = 58.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 26.0;

/// A line chart of `series` with `compare` (the same number of points, e.g. the same day a week
/// earlier) as a faint dashed line. `tick` writes an axis value ("1.2万", "3%"); `missing` says why
/// there is nothing to draw when no day has a value.
pub fn line_chart(
    id: &str,
    title: &str,
    series: &[Point],
    compare: &[Point],
    legend: (&str, &str),
    tick: &dyn Fn(f64) -> String,
    missing: &str,
) -> String {
    let max = series.iter().chain(compare).filter_map(|p| p.value).fold(0.0, f64::max);
    let top = nice_max(max);
    let n = series.len().max(2);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let x = |i: usize| LEFT + plot_w * i as f64 / (n - 1) as f64;
    let y = |v: f64| TOP + plot_h * (1.0 - (v / top).clamp(0.0, 1.0));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="{}" class="chart-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{}">"#,
        escape(id),
        escape(title)
    );
    let _ = write!(s, "<title>{}</title>", escape(title));
    // Grid lines and the value axis: 0, half, top.
    for (i, v) in [0.0, top / 2.0, top].into_iter().enumerate() {
        let yy = y(v);
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="{}" stroke-width="1"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end" fill="#888">{}</text>"##,
            W - RIGHT,
            if i == 0 { "#ccc" } else { "#f0f0f0" },
            LEFT - 4.0,
            yy + 3.5,
            escape(&tick(v))
        );
    }
    // Date labels: the first, every seventh and the last.
    for (i, p) in series.iter().enumerate() {
        let last = i + 1 == series.len();
        if (i % 7 == 0 && i + 4 < series.len()) || last {
            let anchor = if i == 0 {
                "start"
            } else if last {
                "end"
            } else {
                "middle"
            };
            let label = p.label.get(5..).unwrap_or(&p.label);
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="{anchor}" fill="#888">{}</text>"##,
                x(i),
                H - 8.0,
                escape(label)
            );
        }
    }
    let path = |points: &[Point]| {
        let mut d = String::new();
        let mut pen_down = false;
        for (i, p) in points.iter().enumerate() {
            match p.value {
                Some(v) => {
                    let _ = write!(d, "{}{:.1},{:.1} ", if pen_down { "L" } else { "M" }, x(i), y(v));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        d
    };
    let faint = path(compare);
    if !faint.is_empty() {
        let _ = write!(
            s,
            r##"<path class="compare" d="{}" fill="none" stroke="#f4a3a4" stroke-width="1.2" stroke-dasharray="4 3"><title>{}</title></path>"##,
            faint.trim_end(),
            escape(legend.1)
        );
    }
    let main = path(series);
    if !main.is_empty() {
        let _ = write!(
            s,
            r##"<path class="main" d="{}" fill="none" stroke="#e4393c" stroke-width="2"><title>{}</title></path>"##,
            main.trim_end(),
            escape(legend.0)
        );
    }
    let nothing = series.iter().all(|p| p.value.is_none());
    if nothing {
        let _ = write!(
            s,
            r##"<text class="missing" x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="#999">— {}</text>"##,
            LEFT + plot_w / 2.0,
            TOP + plot_h / 2.0,
            escape(missing)
        );
    }
    for (i, p) in series.iter().enumerate() {
        let prior = compare.get(i).map(|c| format!("\n{} {}: {}", legend.1, c.label, c.text)).unwrap_or_default();
        let tip = format!("{}: {}{prior}", p.label, p.text);
        match p.value {
            Some(v) => {
                let _ = write!(
                    s,
                    r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#e4393c" fill-opacity="0.15" stroke="none"><title>{}</title></circle>"##,
                    x(i),
                    y(v),
                    escape(&tip)
                );
            }
            None if !nothing => {
                let _ = write!(
                    s,
                    r##"<rect x="{:.1}" y="{TOP}" width="4" height="{plot_h:.1}" fill="#f7f7f7"><title>{}</title></rect>"##,
                    x(i) - 2.0,
                    escape(&tip)
                );
            }
            None => {}
        }
    }
    // The legend.
    let _ = write!(
        s,
        r##"<g font-size="10" fill="#666"><line x1="{LEFT}" y1="4" x2="{:.1}" y2="4" stroke="#e4393c" stroke-width="2"/><text x="{:.1}" y="7">{}</text><line x1="{:.1}" y1="4" x2="{:.1}" y2="4" stroke="#f4a3a4" stroke-dasharray="4 3"/><text x="{:.1}" y="7">{}</text></g>"##,
        LEFT + 14.0,
        LEFT + 18.0,
        escape(legend.0),
        LEFT + 130.0,
        LEFT + 144.0,
        LEFT + 148.0,
        escape(legend.1)
    );
    s.push_str("</svg>");
    s
}

/// One bar of a ranking: its label, its length and the exact value shown.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

/// Horizontal bars, longest first as given, each with its label and value.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    let row = 20.0;
    let label_w = 150.0;
    let value_w = 50.0;
    let height = (bars.len().max(1) as f64) * row + 4.0;
    let max = nice_max(bars.iter().map(|b| b.value).fold(0.0, f64::max));
    let room = W - label_w - value_w;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="{}" class="chart-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" height="{height}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(id),
        escape(title),
        escape(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let top = i as f64 * row + 2.0;
        let len = (room * (b.value / max).clamp(0.0, 1.0)).max(1.0);
        let label: String = b.label.chars().take(14).collect();
        let _ = write!(
            s,
            r##"<g><title>{}: {}</title><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#444">{}</text><rect x="{label_w}" y="{:.1}" width="{len:.1}" height="{:.1}" fill="#e4393c" fill-opacity="0.8"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#444">{}</text></g>"##,
            escape(&b.label),
            escape(&b.text),
            label_w - 6.0,
            top + 13.0,
            escape(&label),
            top + 3.0,
            row - 6.0,
            label_w + len + 4.0,
            top + 13.0,
            escape(&b.text)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(label: &str, value: Option<f64>) -> Point {
        Point { label: label.into(), value, text: value.map_or("—".into(), |v| v.to_string()) }
    }

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(12_345.0), 20_000.0);
        assert_eq!(nice_max(0.031), 0.05);
        assert_eq!(nice_max(200.0), 200.0);
    }

    #[test]
    fn a_line_breaks_where_a_value_is_missing_and_titles_are_escaped() {
        let series = vec![p("2024-11-01", Some(1.0)), p("2024-11-02", None), p("2024-11-03", Some(2.0))];
        let svg = line_chart("c", "支付金额 <b>", &series, &[], ("本期", "上周同日"), &|v| format!("{v}"), "");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("支付金额 &lt;b&gt;") && !svg.contains("<b>"));
        // Two moves: the line starts again after the missing day.
        let main = svg.split("class=\"main\" d=\"").nth(1).unwrap_or_default();
        let d = main.split('"').next().unwrap_or_default();
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert!(svg.contains("2024-11-02: —"), "the missing day says so on hover");
    }

    #[test]
    fn a_chart_with_no_values_says_why() {
        let series = vec![p("2024-11-01", None), p("2024-11-02", None)];
        let svg = line_chart("c", "访客数", &series, &[], ("本期", "上周同日"), &|v| format!("{v}"), "未导入店铺流量");
        assert!(svg.contains("— 未导入店铺流量") && !svg.contains("class=\"main\""));
    }

    #[test]
    fn bars_carry_their_exact_values() {
        let svg = bar_chart("b", "热卖", &[Bar { label: "TS-1 & co".into(), value: 12.0, text: "12".into() }]);
        assert!(svg.contains("TS-1 &amp; co: 12"));
    }
}
