//! A self-contained HTML5 report: inline CSS and SVG, no scripts, no fonts, no external assets.

use std::fmt::Write as _;

use super::super::format::{format_decimal_tr, format_int_tr, format_percent_tr};
use super::super::{Dimension, Report};
use super::table::{
    Align, TextTable, backlog_table, block_table, breakdown_table, scorecard_table, sla_table,
    top_categories_table,
};
use super::tiles::tile_map_svg;
use crate::geo::ProvincePlate;

/// Escapes text for HTML element content and attribute values.
///
/// ```
/// use acikkapi_core::stats::render::html::escape;
/// assert_eq!(escape(r#"<a href="x">Ş&Ç</a>"#), "&lt;a href=&quot;x&quot;&gt;Ş&amp;Ç&lt;/a&gt;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',Arial,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1d2733;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:2px solid #c8102e;padding-bottom:.2rem}
p.meta{color:#5a6672;margin-top:0}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{padding:.25rem .6rem;border-bottom:1px solid #dde3e8;text-align:left;vertical-align:top}
th{background:#f2f5f7}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
table.block td{font-size:1.05rem}table.block tr.seed td{font-weight:600}
.scroll{overflow-x:auto}svg{max-width:100%;height:auto}svg text{font-family:inherit}
";

/// A text table as an HTML table (cells escaped; right-aligned columns get class `n`).
pub fn table_html(t: &TextTable, class: Option<&str>) -> String {
    let mut out = String::from("<div class=\"scroll\"><table");
    if let Some(c) = class {
        let _ = write!(out, " class=\"{}\"", escape(c));
    }
    out.push('>');
    if let Some(title) = &t.title {
        let _ = write!(out, "<caption hidden>{}</caption>", escape(title));
    }
    let is_num = |i: usize| t.align.get(i) == Some(&Align::Right);
    out.push_str("<thead><tr>");
    for (i, h) in t.headers.iter().enumerate() {
        let cls = if is_num(i) { " class=\"n\"" } else { "" };
        let _ = write!(out, "<th scope=\"col\"{cls}>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            let cls = if is_num(i) { " class=\"n\"" } else { "" };
            let _ = write!(out, "<td{cls}>{}</td>", escape(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>\n");
    out
}

/// One bar of a horizontal bar chart.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Label left of the bar.
    pub label: String,
    /// Length (relative to the chart's maximum).
    pub value: f64,
    /// Text right of the bar.
    pub text: String,
    /// Fill colour (`#rrggbb`).
    pub color: &'static str,
}

/// A horizontal bar chart as inline SVG; `max` is the value of a full-length bar.
pub fn bar_chart(title: &str, bars: &[Bar], max: f64) -> String {
    const ROW: f64 = 22.0;
    const LABEL_W: f64 = 340.0;
    const BAR_W: f64 = 520.0;
    let width = LABEL_W + BAR_W + 110.0;
    let height = ROW * bars.len() as f64 + 10.0;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" aria-label=\"{t}\"><title>{t}</title>",
        t = escape(title)
    );
    let max = if max > 0.0 && max.is_finite() {
        max
    } else {
        1.0
    };
    for (i, b) in bars.iter().enumerate() {
        let y = 5.0 + ROW * i as f64;
        let w = (b.value / max).clamp(0.0, 1.0) * BAR_W;
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1d2733\">{}</text>\
             <rect x=\"{LABEL_W}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}: {}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#1d2733\">{}</text>",
            LABEL_W - 8.0,
            y + 15.0,
            escape(&shorten(&b.label, 48)),
            y + 3.0,
            ROW - 6.0,
            b.color,
            escape(&b.label),
            escape(&b.text),
            LABEL_W + w + 6.0,
            y + 15.0,
            escape(&b.text)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// `s` cut to at most `max` characters, with `…` when cut (chart labels; tooltips keep it whole).
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

const GREEN: &str = "#2e7d32";
const RED: &str = "#c62828";
const AMBER: &str = "#ef8f00";
const GREY: &str = "#78909c";
const BLUE: &str = "#1565c0";

fn outcome_chart(r: &Report) -> String {
    let b = &r.block;
    let items = [
        ("Olumlu Sonuçlanan", b.positive, GREEN),
        ("Olumsuz Sonuçlanan", b.negative, RED),
        ("Kısmen Olumlu Sonuçlanan", b.partly_positive, AMBER),
        ("Sonuçsuz Kapatılan", b.closed, GREY),
        ("İşlem Yapılmayı Bekleyen", b.pending, BLUE),
        ("İşleme Alınmayan", b.not_processed, GREY),
        ("Başka Mercie Yönlendirilen", b.redirected, GREY),
    ];
    let bars: Vec<Bar> = items
        .iter()
        .map(|(l, v, c)| Bar {
            label: (*l).to_string(),
            value: *v as f64,
            text: format!(
                "{} ({})",
                format_int_tr(*v),
                if b.received == 0 {
                    "—".to_string()
                } else {
                    format_percent_tr(*v as f64 / b.received as f64)
                }
            ),
            color: c,
        })
        .collect();
    let max = items.iter().map(|i| i.1).max().unwrap_or(0) as f64;
    bar_chart("Sonuç dağılımı", &bars, max)
}

fn sla_chart(r: &Report, limit: usize) -> String {
    let bars: Vec<Bar> = r
        .scorecards
        .iter()
        .filter(|c| c.answered > 0)
        .take(limit)
        .map(|c| {
            let s = c.on_time_share.unwrap_or(0.0);
            Bar {
                label: c.unit_id.clone(),
                value: s,
                text: format!("{} / {}", format_percent_tr(s), format_int_tr(c.answered)),
                color: if s >= 0.9 {
                    GREEN
                } else if s >= 0.75 {
                    AMBER
                } else {
                    RED
                },
            }
        })
        .collect();
    bar_chart("Birimlere göre süresinde cevaplanma oranı", &bars, 1.0)
}

fn rate_chart(r: &Report) -> String {
    let mut rates: Vec<_> = r.rates.iter().filter(|p| p.received > 0).collect();
    rates.sort_by(|a, b| {
        b.per_100k
            .total_cmp(&a.per_100k)
            .then(a.plate.cmp(&b.plate))
    });
    let max = rates.first().map_or(0.0, |p| p.per_100k);
    let bars: Vec<Bar> = rates
        .iter()
        .map(|p| Bar {
            label: format!("{} {}", p.plate, p.province),
            value: p.per_100k,
            text: format_decimal_tr(p.per_100k, 1),
            color: BLUE,
        })
        .collect();
    bar_chart("İllere göre 100 bin kişiye düşen başvuru", &bars, max)
}

fn rate_map(r: &Report) -> String {
    let rate = |p: ProvincePlate| r.rates.iter().find(|x| x.plate == p);
    tile_map_svg(
        "İllere göre 100 bin kişiye düşen başvuru (kare harita)",
        |p| rate(p).filter(|x| x.received > 0).map(|x| x.per_100k),
        |p| match rate(p) {
            Some(x) => format!(
                "{} {}: {} başvuru, 100 bin kişide {}",
                x.plate,
                x.province,
                format_int_tr(x.received),
                format_decimal_tr(x.per_100k, 1)
            ),
            None => p.to_string(),
        },
    )
}

/// The whole report as one HTML5 page, with the breakdown by `by` as a table.
pub fn report_html(r: &Report, by: Dimension) -> String {
    let mut h = String::with_capacity(64 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"tr\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str("<title>Açık Kapı İstatistik Raporu</title>\n<style>");
    h.push_str(STYLE);
    h.push_str("</style>\n</head>\n<body>\n<h1>Açık Kapı İstatistik Raporu</h1>\n");
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} başvuru kaydı üzerinden hesaplanmıştır.</p>",
        format_int_tr(r.block.received)
    );

    h.push_str("<section id=\"istatistik\">\n<h2>İstatistik Tablosu</h2>\n");
    let block = block_table(&r.block);
    // The six seed lines are marked so they stand out.
    let mut bt = table_html(&block, Some("block"));
    for (label, _) in r.block.seed_lines() {
        bt = bt.replacen(
            &format!("<tr><td>{}</td>", escape(label)),
            &format!("<tr class=\"seed\"><td>{}</td>", escape(label)),
            1,
        );
    }
    h.push_str(&bt);
    h.push_str("</section>\n");

    h.push_str("<section id=\"sonuclar\">\n<h2>Sonuç Dağılımı</h2>\n");
    h.push_str(&outcome_chart(r));
    h.push_str("</section>\n");

    h.push_str("<section id=\"sure\">\n<h2>Süre Performansı</h2>\n");
    h.push_str(&table_html(&sla_table(&r.sla), None));
    h.push_str("<h3>Birimlere göre süresinde cevaplanma (en çok başvuru alan 20 birim)</h3>\n");
    h.push_str(&sla_chart(r, 20));
    h.push_str("</section>\n");

    h.push_str("<section id=\"iller\">\n<h2>İllere Göre 100 Bin Kişiye Düşen Başvuru</h2>\n");
    h.push_str("<p class=\"meta\">Nüfus: TÜİK ADNKS, 2023 yıl sonu.</p>\n");
    h.push_str(&rate_map(r));
    h.push_str(&rate_chart(r));
    h.push_str("</section>\n");

    if let Some(b) = r.breakdown(by) {
        let _ = writeln!(
            h,
            "<section id=\"kirilim\">\n<h2>{} Kırılımı</h2>",
            escape(by.header_tr())
        );
        h.push_str(&table_html(&breakdown_table(b, &r.rates, &r.block), None));
        h.push_str("</section>\n");
    }

    h.push_str("<section id=\"karneler\">\n<h2>Birim Karneleri</h2>\n");
    h.push_str(&table_html(&scorecard_table(&r.scorecards, 30), None));
    h.push_str("</section>\n");

    h.push_str("<section id=\"kategoriler\">\n<h2>İllere Göre En Sık Kategoriler</h2>\n");
    h.push_str(&table_html(&top_categories_table(&r.top_categories), None));
    h.push_str("</section>\n");

    h.push_str("<section id=\"gecikmis\">\n<h2>Süresi Geçmiş Bekleyen Başvurular</h2>\n");
    h.push_str(&table_html(
        &backlog_table("Süresi Geçmiş Bekleyen Başvurular", &r.overdue),
        None,
    ));
    h.push_str("</section>\n</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_are_shortened_in_the_chart_but_whole_in_the_tooltip() {
        let label = "Denizli Aile ve Sosyal Hizmetler İl Müdürlüğü Sosyal Yardımlaşma Vakfı";
        assert_eq!(shorten(label, 48).chars().count(), 48);
        assert!(shorten(label, 48).ends_with('…'));
        assert_eq!(shorten("Kısa", 48), "Kısa");
        let svg = bar_chart(
            "t",
            &[Bar {
                label: label.into(),
                value: 1.0,
                text: "1".into(),
                color: GREEN,
            }],
            2.0,
        );
        assert!(svg.contains(&format!("<title>{label}: 1</title>")));
        assert!(svg.contains(&shorten(label, 48)));
        // Half of the bar area for half the maximum.
        assert!(svg.contains("width=\"260.0\""));
    }
}
