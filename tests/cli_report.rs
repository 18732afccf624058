//! `acikkapi report` through the real binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use acikkapi::core::stats::format::{format_int_tr, parse_int_tr};
use acikkapi::core::stats::{
    self, ApplicationRecord, Dimension, Outcome, Report, ReportOptions, Status,
};
use common::{acikkapi, acikkapi_with_stdin};

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("acikkapi-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn jsonl(records: &[ApplicationRecord]) -> String {
    records
        .iter()
        .map(|r| serde_json::to_string(r).expect("record serializes") + "\n")
        .collect()
}

fn write_records(dir: &Path, records: &[ApplicationRecord]) -> PathBuf {
    let path = dir.join("records.jsonl");
    std::fs::write(&path, jsonl(records)).expect("write records");
    path
}

/// Seven records with one of each status (and each outcome).
fn one_of_each() -> Vec<ApplicationRecord> {
    let statuses = [
        Status::Answered {
            outcome: Outcome::Positive,
        },
        Status::Answered {
            outcome: Outcome::Negative,
        },
        Status::Answered {
            outcome: Outcome::PartlyPositive,
        },
        Status::Pending,
        Status::Closed,
        Status::NotProcessed {
            reasons: vec!["Yargı konusu".into()],
            problems: Vec::new(),
        },
        Status::Redirected,
    ];
    let mut g = stats::synth::Generator::new(99);
    statuses
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let mut r = g.record(i);
            r.status = s;
            r
        })
        .collect()
}

/// Splits one RFC 4180 CSV line (quoted fields with doubled quotes).
fn split_csv(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(String::new()),
            (c, _) => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}

/// The value printed after a label in the text table.
fn table_value(text: &str, label: &str) -> i128 {
    let line = text
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no line {label:?} in\n{text}"));
    parse_int_tr(line[label.len()..].trim()).expect("a Turkish-formatted integer")
}

#[test]
fn statistics_block_counts_each_status_once() {
    let dir = scratch("block");
    let path = write_records(&dir, &one_of_each());
    let out = acikkapi(&["report", path.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let t = &out.stdout;
    assert_eq!(table_value(t, "Toplam Başvuru Sayısı"), 7);
    assert_eq!(table_value(t, "Sonuçlandırılan"), 4);
    assert_eq!(table_value(t, "Olumlu Sonuçlanan"), 1);
    assert_eq!(table_value(t, "Olumsuz Sonuçlanan"), 1);
    assert_eq!(table_value(t, "Kısmen Olumlu Sonuçlanan"), 1);
    assert_eq!(table_value(t, "İşlem Yapılmayı Bekleyen"), 1);
    assert_eq!(table_value(t, "Sonuçsuz Kapatılan"), 1);
    assert_eq!(table_value(t, "İşleme Alınmayan"), 1);
    assert_eq!(table_value(t, "Başka Mercie Yönlendirilen"), 1);
    assert!(t.contains("Süre Performansı"));
}

#[test]
fn large_numbers_use_turkish_grouping_and_match_the_library() {
    let dir = scratch("grouping");
    let records = stats::synth::records(3_000, 17);
    let path = write_records(&dir, &records);
    let out = acikkapi(&["report", path.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lib = stats::report(&records, &ReportOptions::default());
    assert_eq!(lib.block.received, 3_000);
    assert!(out.stdout.contains(&format_int_tr(3_000)));
    for (label, v) in lib.block.lines() {
        assert_eq!(table_value(&out.stdout, label), i128::from(v), "{label}");
    }
}

#[test]
fn json_output_is_the_library_report() {
    let dir = scratch("json");
    let records = stats::synth::records(800, 4);
    let path = write_records(&dir, &records);
    let out = acikkapi(&["report", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let parsed: Report = serde_json::from_str(&out.stdout).expect("JSON report");
    let lib = stats::report(&records, &ReportOptions::default());
    assert_eq!(parsed.block, lib.block);
    assert_eq!(parsed.breakdowns.len(), lib.breakdowns.len());
    for (a, b) in parsed.breakdowns.iter().zip(&lib.breakdowns) {
        assert_eq!(a.dimension, b.dimension);
        let ka: Vec<_> = a.rows.iter().map(|r| (&r.key, r.block)).collect();
        let kb: Vec<_> = b.rows.iter().map(|r| (&r.key, r.block)).collect();
        assert_eq!(ka, kb);
    }
    assert_eq!(parsed.rates.len(), 81);

    let one = acikkapi(&[
        "report",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--by",
        "kind",
    ]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    let v: serde_json::Value = serde_json::from_str(&one.stdout).expect("JSON");
    assert_eq!(v["breakdown"]["dimension"], "kind");
    assert_eq!(v["block"]["received"], 800);
}

#[test]
fn csv_breakdowns_add_up_for_every_dimension() {
    let dir = scratch("csv");
    let records = stats::synth::records(1_500, 8);
    let path = write_records(&dir, &records);
    for d in Dimension::ALL {
        let out = acikkapi(&[
            "report",
            path.to_str().unwrap(),
            "--by",
            d.as_str(),
            "--format",
            "csv",
        ]);
        assert_eq!(out.code, 0, "{d}: {}", out.stderr);
        let mut lines = out.stdout.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let (rec, conc, pend, np, red) = (
            col("received"),
            col("concluded"),
            col("pending"),
            col("not_processed"),
            col("redirected"),
        );
        let mut total = 0u64;
        for line in lines {
            let cells = split_csv(line);
            assert_eq!(cells.len(), header.len(), "{d}: {line}");
            let n = |i: usize| cells[i].parse::<u64>().unwrap();
            assert_eq!(n(rec), n(conc) + n(pend) + n(np) + n(red), "{d}: {line}");
            total += n(rec);
        }
        assert_eq!(total, 1_500, "{d}");
    }
}

#[test]
fn later_line_replaces_earlier_and_stdin_works() {
    let mut records = one_of_each();
    let mut changed = records[3].clone();
    assert_eq!(changed.status, Status::Pending);
    changed.status = Status::Answered {
        outcome: Outcome::Positive,
    };
    records.push(changed);
    let out = acikkapi_with_stdin(&["report", "-", "--format", "csv"], &jsonl(&records));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("received,Toplam Başvuru Sayısı,7\n"));
    assert!(out.stdout.contains("positive,Olumlu Sonuçlanan,2\n"));
    assert!(out.stdout.contains("pending,İşlem Yapılmayı Bekleyen,0\n"));
}

#[test]
fn invalid_lines_are_listed_and_exit_1() {
    let records = one_of_each();
    let mut text = jsonl(&records[..2]);
    text.push_str("{\"tracking_number\": 5}\n\n");
    let mut wrong = records[2].clone();
    wrong.category = Some("SAGLIK.DIGER".parse().unwrap());
    wrong.heading = Some("EGITIM".parse().unwrap());
    text.push_str(&serde_json::to_string(&wrong).unwrap());
    text.push('\n');
    let out = acikkapi_with_stdin(&["report", "-"], &text);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("satır 3"), "{}", out.stderr);
    assert!(out.stderr.contains("satır 5"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(!out.stderr.contains("panicked"));
}

#[test]
fn bad_arguments_and_missing_files() {
    let out = acikkapi(&["report", "-", "--by", "planet"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("bilinmeyen kırılım"), "{}", out.stderr);
    let out = acikkapi(&["report", "-", "--format", "pdf"]);
    assert_eq!(out.code, 2);
    let out = acikkapi(&["report", "/nonexistent/records.jsonl"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("/nonexistent/records.jsonl"),
        "{}",
        out.stderr
    );
}

/// The HTML page for the tests below, written with `--out`.
fn html_report(name: &str, records: &[ApplicationRecord]) -> (PathBuf, String) {
    let dir = scratch(name);
    let path = write_records(&dir, records);
    let html = dir.join("rapor.html");
    let out = acikkapi(&[
        "report",
        path.to_str().unwrap(),
        "--format",
        "html",
        "--out",
        html.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(&html).expect("HTML written");
    (html, text)
}

#[test]
fn html_is_self_contained_and_escaped() {
    let mut records = stats::synth::records(400, 21);
    // Half the records go to a unit with markup in its id, so it heads the scorecards.
    for r in &mut records[..200] {
        r.unit_id = Some("<script>alert(1)</script> & \"birim\"".into());
    }
    let (_, html) = html_report("html-static", &records);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"tr\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.trim_end().ends_with("</html>"));
    assert!(!html.contains("<script"), "no scripts at all");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;birim&quot;"));
    for external in ["src=", "href=", "@import", "url(", "<link"] {
        assert!(!html.contains(external), "external reference {external}");
    }
    // The only URL is the SVG namespace.
    assert_eq!(
        html.matches("http").count(),
        html.matches("http://www.w3.org/2000/svg").count()
    );
    assert_eq!(html.matches("<svg").count(), 4);
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    assert!(html.contains("Toplam Başvuru Sayısı"));
    assert!(html.contains("İşlem Yapılmayı Bekleyen"));
}

/// Renders the page in headless Chromium where it is installed; skipped (with a note) otherwise.
#[test]
fn html_renders_in_headless_chromium() {
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        eprintln!("note: /usr/bin/chromium not installed; skipping the headless rendering test");
        return;
    }
    let records = stats::synth::records(2_500, 33);
    let lib = stats::report(&records, &ReportOptions::default());
    let (html, _) = html_report("html-chromium", &records);
    let profile = html.parent().unwrap().join("profile");
    let shot = html.parent().unwrap().join("rapor.png");
    let url = format!("file://{}", html.display());
    let base = |extra: &[&str]| {
        let mut c = Command::new("timeout");
        c.arg("120").arg(chromium).args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ]);
        c.arg(format!("--user-data-dir={}", profile.display()));
        c.args(extra).arg(&url);
        c.output().expect("chromium runs")
    };
    let dom = base(&["--dump-dom"]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8(dom.stdout).expect("UTF-8 DOM");
    for (label, v) in lib.block.seed_lines() {
        let row = format!("<td>{label}</td><td class=\"n\">{}</td>", format_int_tr(v));
        assert!(dom.contains(&row), "rendered page lacks {row}");
    }
    let shot_arg = format!("--screenshot={}", shot.display());
    let out = base(&[&shot_arg, "--window-size=1200,1800"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(
        png.len() > 10_000,
        "a blank page would be tiny: {} bytes",
        png.len()
    );
}

/// A journal written by the real engine is read by `acikkapi report` (detected by its header).
#[test]
fn journal_file_input() {
    use acikkapi::core::application::{ApplicationInput, TextOrNumber};
    use acikkapi::core::journal::{FileJournal, FileJournalOptions};
    use acikkapi::core::workflow::application::{
        ApplicationCommand, ApplicationWorkflow, Assignment, Outcome as WfOutcome,
    };
    use acikkapi::core::workflow::ports::{MemorySink, local_time};
    use acikkapi::core::workflow::{Actor, CommandId, Engine, EngineOptions, InstanceId};
    use std::sync::Arc;

    let dir = scratch("journal");
    let path = dir.join("basvurular.journal");
    let expected = {
        let journal = FileJournal::open(&path, FileJournalOptions::default()).unwrap();
        let mut engine = Engine::open(
            ApplicationWorkflow::default(),
            Arc::new(journal),
            MemorySink::new(),
            EngineOptions::default(),
        )
        .unwrap();
        let bureau = Actor::clerk(
            "b1",
            acikkapi_core::org::UnitId::parse("20.ACIK_KAPI").unwrap(),
        );
        let officer = Actor::officer(
            acikkapi_core::org::OfficerId::parse("20.SAGLIK_MUDURLUGU.YETKILI").unwrap(),
            acikkapi_core::org::Role::Yetkili,
        );
        let now = local_time(
            chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            10,
            0,
        );
        let mut n = 0;
        let mut run = |engine: &mut Engine<ApplicationWorkflow>, id: &str, actor: &Actor, cmd| {
            n += 1;
            engine
                .execute(
                    &InstanceId::new(id),
                    CommandId::new(format!("c{n}")),
                    None,
                    actor,
                    now,
                    cmd,
                )
                .unwrap();
        };
        for i in 0..5 {
            let id = format!("2026-20-{i:06}");
            let input = ApplicationInput {
                tckn: Some("10000000146".into()),
                name: Some("Mehmet".into()),
                surname: Some("Demir".into()),
                mother_maiden_initials: Some("AK".into()),
                phone: Some("0532 123 45 67".into()),
                birth_year: Some(TextOrNumber::Number(1990)),
                gender: Some("erkek".into()),
                kind: Some("talep".into()),
                channel: Some("banko_sozlu".into()),
                subject: Some("Aile hekimime randevu alamıyorum, yardım istiyorum.".into()),
                category: Some("SAGLIK.DIGER".into()),
                province: Some(TextOrNumber::Number(20)),
                district: Some("Pamukkale".into()),
                ..ApplicationInput::default()
            };
            run(
                &mut engine,
                &id,
                &bureau,
                ApplicationCommand::Receive {
                    input: Box::new(input),
                },
            );
            run(&mut engine, &id, &bureau, ApplicationCommand::Register);
            if i == 4 {
                continue; // registered, not routed: pending
            }
            let assignment = Assignment {
                unit: acikkapi_core::org::UnitId::parse("20.SAGLIK_MUDURLUGU").unwrap(),
                unit_name: "Denizli İl Sağlık Müdürlüğü".into(),
                officer: acikkapi_core::org::OfficerId::parse("20.SAGLIK_MUDURLUGU.YETKILI")
                    .unwrap(),
                escalation: Vec::new(),
                escalation_names: Vec::new(),
                deadline_days: None,
            };
            run(
                &mut engine,
                &id,
                &bureau,
                ApplicationCommand::Route { assignment },
            );
            if i < 3 {
                let outcome = [
                    WfOutcome::Positive,
                    WfOutcome::Negative,
                    WfOutcome::Positive,
                ][i];
                let text = "Randevunuz oluşturuldu.".into();
                run(
                    &mut engine,
                    &id,
                    &officer,
                    ApplicationCommand::Answer { outcome, text },
                );
            }
        }
        engine.statistics()
    };
    assert_eq!(expected.received, 5);
    let out = acikkapi(&["report", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rep: Report = serde_json::from_str(&out.stdout).unwrap();
    // The engine's own count and the report over the journal: one block type, equal.
    assert_eq!(rep.block, expected);
    assert_eq!(expected.pending, 2);
    let units = rep.breakdown(Dimension::Unit).unwrap();
    assert!(
        units
            .rows
            .iter()
            .any(|r| r.key == "Denizli İl Sağlık Müdürlüğü" && r.block.received == 4)
    );
    assert!(
        units
            .rows
            .iter()
            .any(|r| r.key.is_empty() && r.block.received == 1)
    );
    let age = rep.breakdown(Dimension::Age).unwrap();
    assert_eq!(age.rows.len(), 1);
    assert_eq!(
        (age.rows[0].key.as_str(), age.rows[0].block.received),
        ("30-44", 5)
    );
    // The journal was opened read-only: the file is unchanged by the report.
    let before = std::fs::read(&path).unwrap();
    let table = acikkapi(&["report", path.to_str().unwrap()]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(table.stdout.contains("Toplam Başvuru Sayısı"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

/// `acikkapi demo` keeps its journal; `acikkapi report` over it gives the same statistics block as
/// the demo prints from the engine's own count.
#[test]
fn report_over_the_demo_journal_matches_the_demo() {
    let dir = scratch("demo");
    let demo = acikkapi(&[
        "demo",
        "--count",
        "300",
        "--journal-dir",
        dir.to_str().unwrap(),
        "--sms-sample",
        "0",
    ]);
    assert_eq!(demo.code, 0, "{}", demo.stderr);
    // The demo keeps the application workflow's journal (and the SMS outbox's, sms.journal).
    let journal = dir.join("basvuru.journal");
    assert!(journal.is_file(), "the demo leaves its journal");
    let out = acikkapi(&["report", journal.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for label in [
        "Toplam Başvuru Sayısı",
        "Sonuçlandırılan",
        "Olumlu Sonuçlanan",
        "Olumsuz Sonuçlanan",
        "Kısmen Olumlu Sonuçlanan",
        "İşlem Yapılmayı Bekleyen",
        "İşleme Alınmayan",
    ] {
        assert_eq!(
            table_value(&out.stdout, label),
            table_value(&demo.stdout, label),
            "{label}"
        );
    }
    assert_eq!(table_value(&out.stdout, "Toplam Başvuru Sayısı"), 300);
    // The SMS outbox's journal next to it is a journal, but not of applications.
    let sms = dir.join("sms.journal");
    if sms.is_file() {
        let out = acikkapi(&["report", sms.to_str().unwrap()]);
        assert_eq!(out.code, 2);
        assert!(
            out.stderr.contains("başvuru süreci günlüğü değil"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn record_errors_do_not_echo_identifiers() {
    let text =
        "{\"tracking_number\": 10000000146}\n{\"tracking_number\": \"0532 123 45 67\", \"x\": 1}\n";
    let out = acikkapi_with_stdin(&["report", "-"], text);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("satır 1") && out.stderr.contains("satır 2"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("0000001"), "{}", out.stderr);
    assert!(!out.stderr.contains("123 45"), "{}", out.stderr);
}

#[test]
fn csv_cells_cannot_start_a_formula() {
    let mut records = one_of_each();
    let cells = [
        "=HYPERLINK(\"http://x\",\"y\")",
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\tx",
        "\rx",
    ];
    for (r, cell) in records.iter_mut().zip(cells) {
        r.unit_id = Some(cell.to_string());
    }
    let out = acikkapi_with_stdin(
        &["report", "-", "--by", "unit", "--format", "csv"],
        &jsonl(&records),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut seen = 0;
    for row in out.stdout.lines().skip(1).map(split_csv) {
        for cell in &row[1..3] {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} in {}",
                out.stdout
            );
        }
        if cells.iter().any(|c| row[1] == format!("'{c}")) {
            seen += 1;
        }
        // The numbers stay numbers.
        assert!(row[3].parse::<u64>().is_ok(), "{row:?}");
    }
    assert_eq!(seen, cells.len(), "{}", out.stdout);
}

#[test]
fn endless_or_oversized_lines_end_with_a_clear_error() {
    let start = std::time::Instant::now();
    let out = acikkapi(&["report", "/dev/zero"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("satır 1") && out.stderr.contains("MiB"),
        "{}",
        out.stderr
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    // A long line after good ones: named by its number, its content not echoed.
    let dir = scratch("longline");
    let mut text = jsonl(&one_of_each());
    text.push_str(&format!(
        "{{\"tracking_number\": \"{}\"}}\n",
        "7".repeat(2 << 20)
    ));
    let path = dir.join("long.jsonl");
    std::fs::write(&path, text).unwrap();
    let out = acikkapi(&["report", path.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("satır 8"), "{}", out.stderr);
    assert!(out.stderr.len() < 1000, "{}", out.stderr.len());
}
