//! Body of the CLI fuzz target (see `acikkapi_core::fuzzing` for the pattern). Not part of the
//! public API: hidden from the documentation, may change without notice.

use acikkapi_core::calendar::Calendar;

use crate::cli::calendar::parse_add_line;

/// `calendar add --stdin` input: every line through the line parser and, when it parses, the
/// legal calendar. A result is a business day on the right side of the start date (N > 0: after,
/// N < 0: before, N = 0: on or after); anything else is a typed error, never a panic.
pub fn calendar_add_line(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let cal = Calendar::legal();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Ok((d, n)) = parse_add_line(line) else {
            continue;
        };
        let Ok(r) = cal.add_business_days(d, n) else {
            continue;
        };
        assert_eq!(cal.is_business_day(r).ok(), Some(true), "{d} {n} → {r}");
        match n.signum() {
            1 => assert!(r > d, "{d} + {n} → {r}"),
            -1 => assert!(r < d, "{d} + {n} → {r}"),
            _ => assert!(r >= d, "{d} + 0 → {r}"),
        }
    }
}

/// The user-supplied data and configuration files, chosen by the first byte: idari izin overlay
/// CSV, simulation policy and model TOML, SMS templates, rule test files, `acikkapi report` JSON
/// Lines records, Turkish-formatted numbers. Each either parses or is a typed error; what parses
/// keeps its promises (see the helpers).
pub fn config_files(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match which % 7 {
        0 => overlay_csv(&text),
        1 => policy_toml(&text),
        2 => {
            let _ = acikkapi_core::sim::Model::from_toml(&text);
        }
        3 => sms_templates(&text),
        4 => rule_tests(&text),
        5 => report_records(&text),
        _ => turkish_numbers(&text),
    }
}

/// A parsed overlay's full days are days off in a public-sector calendar built with it (within
/// the calendar's years; outside them the calendar answers with a typed error).
fn overlay_csv(text: &str) {
    use acikkapi_core::calendar::{CalendarKind, CalendarOptions, HolidayKind, Overlay};
    let Ok(overlay) = Overlay::parse("fuzz.csv", text) else {
        return;
    };
    let days: Vec<_> = overlay.days().to_vec();
    let cal = Calendar::new(CalendarOptions {
        kind: CalendarKind::PublicSector,
        overlays: vec![overlay],
        ..CalendarOptions::default()
    });
    for h in days.iter().take(64) {
        if let Ok(business) = cal.is_business_day(h.date)
            && h.kind == HolidayKind::Full
        {
            assert!(!business, "{} is a full overlay day", h.date);
        }
    }
}

/// A valid policy survives a TOML round trip unchanged.
fn policy_toml(text: &str) {
    use acikkapi_core::sim::Policy;
    let Ok(p) = Policy::from_toml(text) else {
        return;
    };
    let _ = (p.workflow_config(), p.deadline_policy());
    let again = toml::to_string(&p)
        .map_err(|e| e.to_string())
        .and_then(|t| Policy::from_toml(&t).map_err(|e| format!("{e}\n{t}")));
    match again {
        Ok(q) => assert_eq!(p, q, "policy round trip"),
        Err(e) => panic!("a valid policy does not round-trip: {e}"),
    }
}

/// Parsed templates render whenever every placeholder they name is given.
fn sms_templates(text: &str) {
    use acikkapi_core::notify::{SmsStage, SmsTemplates};
    let Ok(t) = SmsTemplates::parse(text) else {
        return;
    };
    for stage in [SmsStage::Registered, SmsStage::Routed, SmsStage::Answered] {
        let tpl = t.template(stage);
        let names: Vec<String> = tpl.placeholders().map(str::to_owned).collect();
        let values: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "x")).collect();
        assert!(
            tpl.render(&values).is_ok(),
            "{} does not render",
            tpl.name()
        );
    }
}

/// A parsed rule test file runs against the embedded Denizli rules: every case has a result.
fn rule_tests(text: &str) {
    use acikkapi_rules::testing::{TestFile, run};
    use std::sync::OnceLock;
    static RULES: OnceLock<Option<acikkapi_rules::RuleSet>> = OnceLock::new();
    let Ok(tests) = TestFile::parse("fuzz.toml", text) else {
        return;
    };
    let rules = RULES.get_or_init(|| {
        let (plate, name, source) = acikkapi_rules::router::EMBEDDED[0];
        let env = acikkapi_rules::OrgEnv::for_province(plate).ok()?;
        acikkapi_rules::RuleSet::compile(name, source, std::sync::Arc::new(env)).ok()
    });
    let Some(rules) = rules else {
        panic!("the embedded Denizli rules do not compile");
    };
    let report = run(rules, &tests);
    assert_eq!(report.cases.len(), tests.cases.len());
    assert_eq!(report.passed() + report.failed(), tests.cases.len());
}

/// `acikkapi report` input: JSON Lines records into the projection, then every format and
/// breakdown. The HTML escapes whatever the records say: no `<script` ever reaches it.
fn report_records(text: &str) {
    use acikkapi_core::stats::render::{Format, render};
    use acikkapi_core::stats::{Dimension, Projection, ReportOptions};
    let mut projection = Projection::new();
    let mut input = std::io::Cursor::new(text.as_bytes());
    if crate::cli::report::read_records(&mut input, "fuzz", &mut projection).is_err() {
        return;
    }
    let report = projection.report(&ReportOptions::default());
    // No text cell of a CSV export can start a spreadsheet formula.
    for b in &report.breakdowns {
        for row in &b.rows {
            for cell in [&row.key, &row.label] {
                let shown = acikkapi_core::stats::render::csv_field(cell);
                assert!(
                    !shown.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?} → {shown:?}"
                );
            }
        }
    }
    assert!(report.block.is_conserved(), "{:?}", report.block);
    for by in std::iter::once(None).chain(Dimension::ALL.into_iter().map(Some)) {
        for format in [Format::Table, Format::Csv, Format::Json] {
            let _ = render(&report, by, format);
        }
    }
    let html = render(&report, None, Format::Html).to_lowercase();
    assert!(!html.contains("<script"), "script in the HTML report");
}

/// Turkish-formatted integers: what parses formats back to the same value.
fn turkish_numbers(text: &str) {
    use acikkapi_core::stats::format::{format_int_tr, parse_int_tr};
    for line in text.lines().take(64) {
        if let Ok(n) = parse_int_tr(line) {
            assert_eq!(parse_int_tr(&format_int_tr(n)).ok(), Some(n), "{line:?}");
        }
    }
}
