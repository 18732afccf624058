//! Rendering a [`Report`]: aligned text tables, CSV, JSON and a self-contained HTML page.
//!
//! * **table**: Turkish headers and Turkish number formatting (`46.605`, `%87,3`).
//! * **csv**: machine-readable (RFC 4180, `.` as the decimal point, shares as fractions), English
//!   snake_case headers matching the JSON field names.
//! * **json**: the [`Report`] (or `{ "block", "breakdown" }` for one dimension) via serde.
//! * **html**: one file, no external assets: the statistics block, inline SVG charts and tables.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Breakdown, Dimension, Report, StatisticsBlock};
use crate::error::{Error, Result};

pub mod html;
pub mod table;
pub mod tiles;

/// Çıktı biçimi: an output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Aligned text tables.
    Table,
    /// CSV.
    Csv,
    /// JSON.
    Json,
    /// Self-contained HTML.
    Html,
}

impl FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "html" => Ok(Format::Html),
            _ => Err(Error::UnknownFormat(s.to_string())),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Html => "html",
        })
    }
}

/// Renders a report in a format; `by` selects one breakdown (table, CSV, JSON) or the breakdown
/// table shown in the HTML page (default there: by heading).
///
/// ```
/// use acikkapi_core::stats::{report, synth, ReportOptions, Dimension, render::{render, Format}};
/// let r = report(&synth::records(500, 3), &ReportOptions::default());
/// let text = render(&r, Some(Dimension::Kind), Format::Table);
/// assert!(text.contains("Toplam Başvuru Sayısı"));
/// assert!(text.contains("Şikâyet"));
/// ```
pub fn render(report: &Report, by: Option<Dimension>, format: Format) -> String {
    match format {
        Format::Table => table::report_text(report, by),
        Format::Csv => match by.and_then(|d| report.breakdown(d)) {
            Some(b) => breakdown_csv(b),
            None => block_csv(&report.block),
        },
        Format::Json => {
            #[derive(Serialize)]
            struct One<'a> {
                block: &'a StatisticsBlock,
                breakdown: &'a Breakdown,
            }
            let json = match by.and_then(|d| report.breakdown(d)) {
                Some(breakdown) => serde_json::to_string_pretty(&One {
                    block: &report.block,
                    breakdown,
                }),
                None => serde_json::to_string_pretty(report),
            };
            // Serializing plain structs of strings and numbers cannot fail (all map keys are
            // strings, all floats finite).
            let mut s = json.unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Html => html::report_html(report, by.unwrap_or(Dimension::Heading)),
    }
}

pub use crate::redact::csv_field;

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The statistics block as CSV: `field,label,value`.
pub fn block_csv(b: &StatisticsBlock) -> String {
    let fields = [
        "received",
        "concluded",
        "positive",
        "negative",
        "partly_positive",
        "pending",
        "closed",
        "not_processed",
        "redirected",
    ];
    let mut out = String::from("field,label,value\n");
    for (f, (label, v)) in fields.iter().zip(b.lines()) {
        out.push_str(&format!("{f},{},{v}\n", csv_field(label)));
    }
    out
}

/// The CSV header of a breakdown.
pub const BREAKDOWN_CSV_HEADER: &str = "dimension,key,label,received,concluded,positive,negative,partly_positive,pending,closed,not_processed,redirected,answered,on_time,on_time_share,median_days,p90_days,overdue,overdue_pending,escalations,reroutes";

/// A breakdown as CSV, one row per group.
pub fn breakdown_csv(b: &Breakdown) -> String {
    let mut out = String::from(BREAKDOWN_CSV_HEADER);
    out.push('\n');
    for r in &b.rows {
        let k = &r.block;
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            csv_field(b.dimension.as_str()),
            csv_field(&r.key),
            csv_field(&r.label),
            k.received,
            k.concluded,
            k.positive,
            k.negative,
            k.partly_positive,
            k.pending,
            k.closed,
            k.not_processed,
            k.redirected,
            r.answered,
            r.on_time,
            opt(r.on_time_share.map(|s| format!("{s:.6}"))),
            opt(r.median_days),
            opt(r.p90_days),
            r.overdue,
            r.overdue_pending,
            r.escalations,
            r.reroutes
        ));
    }
    out
}
