//! Aligned plain-text tables with Turkish headers and Turkish number formatting.

use super::super::format::{format_decimal_tr, format_int_tr, format_percent_tr};
use super::super::{
    BacklogItem, Breakdown, Dimension, ProvinceRate, ProvinceTopCategories, Report, Sla,
    StatisticsBlock, UNASSIGNED, UNCLASSIFIED, UnitScorecard,
};

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text columns.
    Left,
    /// Number columns.
    Right,
}

/// A text table: headers, alignments and rows of already formatted cells.
#[derive(Debug, Clone, Default)]
pub struct TextTable {
    /// Optional title printed above the table.
    pub title: Option<String>,
    /// Column headers.
    pub headers: Vec<String>,
    /// Alignment per column (missing entries are left-aligned).
    pub align: Vec<Align>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

impl TextTable {
    /// A table with these headers; the first column left-aligned, the others right-aligned.
    pub fn new(title: Option<&str>, headers: &[&str]) -> Self {
        let align = (0..headers.len())
            .map(|i| if i == 0 { Align::Left } else { Align::Right })
            .collect();
        TextTable {
            title: title.map(str::to_string),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            align,
            rows: Vec::new(),
        }
    }

    /// Appends a row.
    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// Renders the table: a title line, the header, a rule, the rows; columns separated by two
    /// spaces and padded by character count.
    pub fn render(&self) -> String {
        let ncol = self.headers.len();
        let mut width: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, c) in row.iter().enumerate().take(ncol) {
                width[i] = width[i].max(c.chars().count());
            }
        }
        let mut out = String::new();
        if let Some(t) = &self.title {
            out.push_str(t);
            out.push('\n');
        }
        let line = |cells: &mut dyn Iterator<Item = &String>, out: &mut String| {
            let mut parts = Vec::with_capacity(ncol);
            for (i, c) in cells.enumerate().take(ncol) {
                let pad = width[i].saturating_sub(c.chars().count());
                let cell = match self.align.get(i).copied().unwrap_or(Align::Left) {
                    Align::Left => format!("{c}{}", " ".repeat(pad)),
                    Align::Right => format!("{}{c}", " ".repeat(pad)),
                };
                parts.push(cell);
            }
            out.push_str(parts.join("  ").trim_end());
            out.push('\n');
        };
        line(&mut self.headers.iter(), &mut out);
        let total: usize = width.iter().sum::<usize>() + 2 * ncol.saturating_sub(1);
        out.push_str(&"-".repeat(total));
        out.push('\n');
        for row in &self.rows {
            line(&mut row.iter(), &mut out);
        }
        out
    }
}

fn opt_days(d: Option<u32>) -> String {
    d.map_or_else(|| "—".to_string(), format_int_tr)
}

fn opt_pct(s: Option<f64>) -> String {
    s.map_or_else(|| "—".to_string(), format_percent_tr)
}

/// The statistics block: the six seed lines and the three that make it add up.
pub fn block_table(b: &StatisticsBlock) -> TextTable {
    let mut t = TextTable::new(Some("İstatistik Tablosu"), &["Gösterge", "Sayı"]);
    for (label, v) in b.lines() {
        t.push(vec![label.to_string(), format_int_tr(v)]);
    }
    t
}

/// The SLA summary.
pub fn sla_table(s: &Sla) -> TextTable {
    let mut t = TextTable::new(Some("Süre Performansı"), &["Gösterge", "Değer"]);
    let rows = [
        ("Cevaplanan", format_int_tr(s.answered)),
        ("Süresinde cevaplanan", format_int_tr(s.on_time)),
        ("Süresinde cevaplanma oranı", opt_pct(s.on_time_share)),
        ("Cevap süresi, medyan (iş günü)", opt_days(s.median_days)),
        (
            "Cevap süresi, %90'lık dilim (iş günü)",
            opt_days(s.p90_days),
        ),
        ("Bekleyen (birikmiş iş)", format_int_tr(s.backlog)),
        ("Süresi geçmiş bekleyen", format_int_tr(s.overdue_pending)),
        ("Süresi geçmiş (toplam)", format_int_tr(s.overdue)),
    ];
    for (l, v) in rows {
        t.push(vec![l.to_string(), v]);
    }
    t
}

/// Column headers of a breakdown table after the dimension's own column.
const BREAKDOWN_HEADERS: [&str; 13] = [
    "Toplam",
    "Sonuçlandırılan",
    "Olumlu",
    "Olumsuz",
    "Kısmen Olumlu",
    "Bekleyen",
    "Kapatılan",
    "İşleme Alınmayan",
    "Yönlendirilen",
    "Süresinde",
    "Medyan Gün",
    "P90 Gün",
    "Gecikmiş Bekleyen",
];

/// A breakdown: one row per group, with a total row at the bottom; for provinces, a column of
/// applications per 100,000 inhabitants from `rates`.
pub fn breakdown_table(
    b: &Breakdown,
    rates: &[ProvinceRate],
    total: &StatisticsBlock,
) -> TextTable {
    let mut headers = vec![b.dimension.header_tr()];
    headers.extend(BREAKDOWN_HEADERS);
    let with_rate = b.dimension == Dimension::Province;
    if with_rate {
        headers.push("100 Bin Kişide");
    }
    let title = format!("{} Kırılımı", b.dimension.header_tr());
    let mut t = TextTable::new(Some(&title), &headers);
    for r in &b.rows {
        let mut cells = vec![
            r.label.clone(),
            format_int_tr(r.block.received),
            format_int_tr(r.block.concluded),
            format_int_tr(r.block.positive),
            format_int_tr(r.block.negative),
            format_int_tr(r.block.partly_positive),
            format_int_tr(r.block.pending),
            format_int_tr(r.block.closed),
            format_int_tr(r.block.not_processed),
            format_int_tr(r.block.redirected),
            opt_pct(r.on_time_share),
            opt_days(r.median_days),
            opt_days(r.p90_days),
            format_int_tr(r.overdue_pending),
        ];
        if with_rate {
            let rate = rates
                .iter()
                .find(|p| p.plate.to_string() == r.key)
                .map_or_else(|| "—".to_string(), |p| format_decimal_tr(p.per_100k, 1));
            cells.push(rate);
        }
        t.push(cells);
    }
    let mut cells = vec![
        "TOPLAM".to_string(),
        format_int_tr(total.received),
        format_int_tr(total.concluded),
        format_int_tr(total.positive),
        format_int_tr(total.negative),
        format_int_tr(total.partly_positive),
        format_int_tr(total.pending),
        format_int_tr(total.closed),
        format_int_tr(total.not_processed),
        format_int_tr(total.redirected),
    ];
    cells.resize(headers.len(), String::new());
    t.push(cells);
    t
}

/// Unit scorecards (at most `limit`, by volume).
pub fn scorecard_table(cards: &[UnitScorecard], limit: usize) -> TextTable {
    let mut t = TextTable::new(
        Some("Birim Karneleri"),
        &[
            "Birim",
            "Başvuru",
            "Cevaplanan",
            "Süresinde",
            "Medyan Gün",
            "Olumlu",
            "Olumsuz",
            "Kısmen",
            "Üst Makama",
            "Yeniden Yönl.",
            "Gecikmiş Bekleyen",
        ],
    );
    for c in cards.iter().take(limit) {
        t.push(vec![
            c.unit_id.clone(),
            format_int_tr(c.received),
            format_int_tr(c.answered),
            opt_pct(c.on_time_share),
            opt_days(c.median_days),
            opt_pct(c.positive_share),
            opt_pct(c.negative_share),
            opt_pct(c.partly_positive_share),
            format_int_tr(c.escalations),
            format_int_tr(c.reroutes),
            format_int_tr(c.overdue_pending),
        ]);
    }
    t
}

/// The most frequent categories per province.
pub fn top_categories_table(tops: &[ProvinceTopCategories]) -> TextTable {
    let mut t = TextTable::new(
        Some("İllere Göre En Sık Kategoriler"),
        &["İl", "Sıra", "Kategori", "Başvuru"],
    );
    t.align = vec![Align::Left, Align::Right, Align::Left, Align::Right];
    for p in tops {
        for (i, c) in p.top.iter().enumerate() {
            t.push(vec![
                if i == 0 {
                    p.province.clone()
                } else {
                    String::new()
                },
                format_int_tr(i as u64 + 1),
                c.name.clone(),
                format_int_tr(c.count),
            ]);
        }
    }
    t
}

/// Applications per 100,000 inhabitants, provinces with applications only.
pub fn rates_table(rates: &[ProvinceRate]) -> TextTable {
    let mut t = TextTable::new(
        Some("100 Bin Kişiye Düşen Başvuru (2023 nüfusu)"),
        &["İl", "Nüfus (2023)", "Başvuru", "100 Bin Kişide"],
    );
    for r in rates.iter().filter(|r| r.received > 0) {
        t.push(vec![
            r.province.clone(),
            format_int_tr(r.population_2023),
            format_int_tr(r.received),
            format_decimal_tr(r.per_100k, 1),
        ]);
    }
    t
}

/// A backlog or overdue list.
pub fn backlog_table(title: &str, items: &[BacklogItem]) -> TextTable {
    let mut t = TextTable::new(
        Some(title),
        &[
            "Takip No",
            "Birim",
            "Kategori",
            "Başvuru",
            "Son Gün",
            "Üst Makama",
        ],
    );
    t.align = vec![
        Align::Left,
        Align::Left,
        Align::Left,
        Align::Right,
        Align::Right,
        Align::Right,
    ];
    for i in items {
        t.push(vec![
            i.tracking_number.clone(),
            i.unit_id.clone().unwrap_or_else(|| UNASSIGNED.to_string()),
            i.category
                .clone()
                .unwrap_or_else(|| UNCLASSIFIED.to_string()),
            i.received.format("%d.%m.%Y").to_string(),
            i.deadline
                .map_or_else(|| "—".to_string(), |d| d.format("%d.%m.%Y").to_string()),
            format_int_tr(i.escalations),
        ]);
    }
    t
}

/// The text report: with a dimension, the block and that breakdown; without, the block, SLA,
/// unit scorecards (top 20), top categories per province, rates and the overdue list.
pub fn report_text(r: &Report, by: Option<Dimension>) -> String {
    let mut parts = vec![block_table(&r.block).render()];
    match by.and_then(|d| r.breakdown(d)) {
        Some(b) => parts.push(breakdown_table(b, &r.rates, &r.block).render()),
        None => {
            parts.push(sla_table(&r.sla).render());
            parts.push(scorecard_table(&r.scorecards, 20).render());
            parts.push(top_categories_table(&r.top_categories).render());
            parts.push(rates_table(&r.rates).render());
            parts.push(backlog_table("Süresi Geçmiş Bekleyen Başvurular", &r.overdue).render());
        }
    }
    parts.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_by_characters() {
        let mut t = TextTable::new(None, &["İl", "Sayı"]);
        t.push(vec!["Şanlıurfa".into(), "1.234".into()]);
        t.push(vec!["Van".into(), "5".into()]);
        let s = t.render();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines[0], "İl          Sayı");
        assert_eq!(lines[2], "Şanlıurfa  1.234");
        assert_eq!(lines[3], "Van            5");
        let w = lines[2].chars().count();
        assert_eq!(lines[3].chars().count(), w);
        assert_eq!(lines[1].chars().count(), w);
    }
}
