//! Output of `acikkapi simulate`: Turkish tables, CSV and JSON.

use std::io::Write;

use acikkapi_core::sim::{Policy, SimReport, Summary, figures};
use acikkapi_core::workflow::format_tr;

use super::{CliError, Format};
use crate::cli::csv_field;

fn n(v: u64) -> String {
    format_tr(i64::try_from(v).unwrap_or(i64::MAX))
}

/// A percentage with a decimal comma (`95,3`).
fn pct(x: f64) -> String {
    format!("{:.1}", x * 100.0).replace('.', ",")
}

fn days(x: Option<i64>) -> String {
    x.map_or_else(|| "-".to_owned(), format_tr)
}

/// A figure for the comparison table: whole numbers Turkish-formatted, others with one decimal.
fn fig(x: f64) -> String {
    if x.is_nan() {
        "-".to_owned()
    } else if x.fract() == 0.0 && x.abs() < 9e15 {
        format_tr(x as i64)
    } else {
        format!("{x:.1}").replace('.', ",")
    }
}

fn header(out: &mut dyn Write, r: &SimReport) -> Result<(), CliError> {
    writeln!(
        out,
        "Açık Kapı simülasyonu: {}, {} itibarıyla {} gün, tohum {}",
        r.province, r.start, r.days, r.seed
    )?;
    Ok(())
}

fn sla(out: &mut dyn Write, s: &Summary, deadline: u32) -> Result<(), CliError> {
    writeln!(out, "Hizmet düzeyi (cevap süresi {deadline} iş günü):")?;
    writeln!(
        out,
        "  Süresinde cevaplanan        %{} ({} / {})",
        pct(s.on_time_share),
        n(s.on_time),
        n(s.answered)
    )?;
    writeln!(
        out,
        "  Cevap süresi (iş günü)      medyan {}, p90 {}",
        days(s.median_days),
        days(s.p90_days)
    )?;
    writeln!(
        out,
        "  Süresi geçen                {} (bekleyenlerden {})",
        n(s.overdue),
        n(s.pending_overdue)
    )?;
    writeln!(out, "  Üst makama bildirim         {}", n(s.escalations))?;
    writeln!(out, "  İade (görev alanı dışı)     {}", n(s.returns))?;
    Ok(())
}

fn group_table<'a>(
    out: &mut dyn Write,
    title: &str,
    rows: impl Iterator<Item = (&'a String, &'a Summary)>,
) -> Result<(), CliError> {
    writeln!(out, "\n{title}")?;
    writeln!(
        out,
        "{:<44} {:>7} {:>8} {:>8} {:>8} {:>7} {:>7} {:>4}",
        "", "Toplam", "Sonuç.", "Bekleyen", "Alınmayan", "Süre.%", "Medyan", "p90"
    )?;
    for (k, s) in rows {
        let name: String = k.chars().take(44).collect();
        writeln!(
            out,
            "{:<44} {:>7} {:>8} {:>8} {:>8} {:>7} {:>7} {:>4}",
            name,
            n(s.received),
            n(s.answered),
            n(s.pending),
            n(s.not_processed + s.redirected),
            pct(s.on_time_share),
            days(s.median_days),
            days(s.p90_days)
        )?;
    }
    Ok(())
}

const CSV_HEADER: &str = "policy,scope,key,received,answered,positive,negative,partly_positive,pending,not_processed,redirected,on_time,on_time_share,median_days,p90_days,overdue,escalations,returns";

fn csv_rows(out: &mut dyn Write, r: &SimReport) -> Result<(), CliError> {
    let empty = String::new();
    let groups = std::iter::once(("total", &empty, &r.total))
        .chain(r.by_heading.iter().map(|(k, s)| ("heading", k, s)))
        .chain(r.by_district.iter().map(|(k, s)| ("district", k, s)))
        .chain(r.by_unit.iter().map(|(k, s)| ("unit", k, s)));
    let o = |x: Option<i64>| x.map_or_else(String::new, |v| v.to_string());
    for (scope, key, s) in groups {
        writeln!(
            out,
            "{},{scope},{},{},{},{},{},{},{},{},{},{},{:.4},{},{},{},{},{}",
            csv_field(&r.policy),
            csv_field(key),
            s.received,
            s.answered,
            s.positive,
            s.negative,
            s.partly_positive,
            s.pending,
            s.not_processed,
            s.redirected,
            s.on_time,
            s.on_time_share,
            o(s.median_days),
            o(s.p90_days),
            s.overdue,
            s.escalations,
            s.returns
        )?;
    }
    Ok(())
}

/// One policy's report.
pub fn single(
    out: &mut dyn Write,
    format: Format,
    r: &SimReport,
    policy: &Policy,
    top: usize,
) -> Result<(), CliError> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, r)?;
            writeln!(out)?;
        }
        Format::Csv => {
            writeln!(out, "{CSV_HEADER}")?;
            csv_rows(out, r)?;
        }
        Format::Table => {
            header(out, r)?;
            let queue = serde_json::to_value(policy.queue)?;
            writeln!(out, "Günlük: {} olay", n(r.events))?;
            writeln!(
                out,
                "Politika: {} (yönlendirme: {}, sıra: {})\n",
                r.policy,
                r.router,
                queue.as_str().unwrap_or_default()
            )?;
            write!(out, "{}", r.total.statistics())?;
            writeln!(out)?;
            sla(out, &r.total, policy.deadline_days)?;
            group_table(out, "Hizmet başlıklarına göre:", r.by_heading.iter())?;
            let mut units: Vec<_> = r.by_unit.iter().collect();
            units.sort_by(|a, b| b.1.received.cmp(&a.1.received).then_with(|| a.0.cmp(b.0)));
            group_table(
                out,
                &format!("Kurumlara göre (en çok başvuru alan {top}):"),
                units.into_iter().take(top),
            )?;
        }
    }
    Ok(())
}

/// Two policies side by side, with B − A.
pub fn comparison(
    out: &mut dyn Write,
    format: Format,
    a: &SimReport,
    b: &SimReport,
    arrivals: usize,
) -> Result<(), CliError> {
    let rows: Vec<(&str, f64, f64)> = figures(&a.total)
        .into_iter()
        .zip(figures(&b.total))
        .map(|((label, x), (_, y))| (label, x, y))
        .collect();
    match format {
        Format::Json => {
            let delta: Vec<serde_json::Value> = rows
                .iter()
                .map(|(l, x, y)| serde_json::json!({"figure": l, "a": x, "b": y, "delta": y - x}))
                .collect();
            serde_json::to_writer_pretty(
                &mut *out,
                &serde_json::json!({"a": a, "b": b, "delta": delta}),
            )?;
            writeln!(out)?;
        }
        Format::Csv => {
            writeln!(
                out,
                "figure,{},{},delta",
                csv_field(&a.policy),
                csv_field(&b.policy)
            )?;
            for (l, x, y) in &rows {
                let cell = |v: f64| {
                    if v.is_nan() {
                        String::new()
                    } else {
                        format!("{v}")
                    }
                };
                writeln!(
                    out,
                    "{},{},{},{}",
                    csv_field(l),
                    cell(*x),
                    cell(*y),
                    cell(y - x)
                )?;
            }
        }
        Format::Table => {
            header(out, a)?;
            writeln!(
                out,
                "Aynı {} başvuru iki politikayla: A = {} ({}, {} olay), B = {} ({}, {} olay)\n",
                format_tr(arrivals as i64),
                a.policy,
                a.router,
                n(a.events),
                b.policy,
                b.router,
                n(b.events)
            )?;
            writeln!(out, "{:<32} {:>10} {:>10} {:>10}", "", "A", "B", "B − A")?;
            for (l, x, y) in &rows {
                let d = y - x;
                let delta = if d.is_nan() {
                    "-".to_owned()
                } else if d.abs() < 0.05 {
                    // Below the shown precision (no "-0,0").
                    "0".to_owned()
                } else if d > 0.0 {
                    format!("+{}", fig(d))
                } else {
                    fig(d)
                };
                writeln!(out, "{l:<32} {:>10} {:>10} {:>10}", fig(*x), fig(*y), delta)?;
            }
        }
    }
    Ok(())
}
