//! The old-journal contract: journals written by earlier code open, replay and report exactly as
//! they did when they were written.
//!
//! `tests/fixtures/journal-v1/` holds the files of `acikkapi demo --journal-dir DIR --count 150`
//! as written by the code of 4 December 2026, before event schema versions existed (every record
//! is schema 1): the application journal `basvuru.journal` and the SMS outbox `sms.journal`. Next
//! to them, what that same code produced from them (see the fixture's `README.md`):
//!
//! * `expected-block.json`: the statistics block counted from the replayed states;
//! * `expected-report.json`: `acikkapi report basvuru.journal --format json` (the statistics
//!   report over `records_from_engine`, default options);
//! * `expected-track.json`: the citizen's view (`track`) of every application, by tracking number;
//! * `expected-outbox.json`: every message of the outbox, by idempotency key.
//!
//! Never regenerate these files with newer code: they are the contract the upcasters
//! (`WorkflowDefinition::upcast`) are checked against. A change of event shape that breaks this
//! test needs an upcast, not new expected files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use acikkapi_core::journal::{FileJournal, FileJournalOptions, JournalIter, Seq};
use acikkapi_core::notify::RetryPolicy;
use acikkapi_core::stats::{self, ReportOptions, records_from_engine};
use acikkapi_core::workflow::application::ApplicationWorkflow;
use acikkapi_core::workflow::ports::NullSink;
use acikkapi_core::workflow::{DurableOutbox, Engine, EngineOptions, WorkflowDefinition};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/journal-v1")
        .join(name)
}

fn read_only(name: &str) -> FileJournal {
    read_only_at(&fixture(name))
}

fn expected(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

/// A value as JSON, read back the way the expected files are read (so floats compare equal
/// whatever the parser's rounding).
fn as_json(value: &impl serde::Serialize) -> Value {
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

/// The first difference between two JSON values, as a path, for a readable failure.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let p = format!("{path}.{k}");
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => {
                        if let Some(d) = first_difference(u, v, &p) {
                            return Some(d);
                        }
                    }
                    (u, v) => return Some(format!("{p}: {u:?} vs {v:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                if let Some(d) = first_difference(u, v, &format!("{path}[{i}]")) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{path}: {} vs {} items", x.len(), y.len()))
        }
        _ => (a != b).then(|| format!("{path}: {a} vs {b}")),
    }
}

fn assert_same(actual: &Value, expected: &Value, what: &str) {
    if let Some(d) = first_difference(actual, expected, "") {
        panic!("{what} differs from the fixture (actual vs expected) at {d}");
    }
}

fn open_engine() -> Engine<ApplicationWorkflow> {
    Engine::open(
        ApplicationWorkflow::default(),
        Arc::new(read_only("basvuru.journal")),
        NullSink,
        EngineOptions {
            use_snapshot: false,
            ..EngineOptions::default()
        },
    )
    .unwrap()
}

#[test]
fn every_record_of_the_old_journal_replays() {
    let before = std::fs::read(fixture("basvuru.journal")).unwrap();
    let journal = read_only("basvuru.journal");
    assert!(journal.recovery().torn_tail.is_none());
    let records = JournalIter::new(&journal, Seq(1))
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert_eq!(records.len(), 768);
    let engine = open_engine();
    assert_eq!(engine.last_seq(), records.len() as u64);
    assert_eq!(engine.len(), 150);
    let events: usize = engine.instances().map(|(_, i)| i.history.len()).sum();
    assert_eq!(events, records.len());
    // Opened read-only: not a byte of the fixture changed.
    assert_eq!(std::fs::read(fixture("basvuru.journal")).unwrap(), before);
}

#[test]
fn the_old_journal_gives_the_same_statistics_block() {
    let engine = open_engine();
    assert_same(
        &as_json(&engine.statistics()),
        &expected("expected-block.json"),
        "statistics block",
    );
}

#[test]
fn the_old_journal_gives_the_same_report() {
    let engine = open_engine();
    let records = records_from_engine(&engine).unwrap();
    let report = stats::report(&records, &ReportOptions::default());
    let want = expected("expected-report.json");
    assert_same(&as_json(&report), &want, "report");
    assert_same(
        &as_json(&report.block),
        &expected("expected-block.json"),
        "report block",
    );
    // The path `acikkapi report` takes (read-only open with the snapshot, if any).
    let read = stats::read_journal_records(&fixture("basvuru.journal")).unwrap();
    assert!(read.warnings().is_empty(), "{:?}", read.warnings());
    let report = stats::report(&read.records, &ReportOptions::default());
    assert_same(&as_json(&report), &want, "report from the journal file");
}

#[test]
fn the_old_journal_gives_the_same_citizen_views() {
    let engine = open_engine();
    let Value::Array(want) = expected("expected-track.json") else {
        panic!("expected-track.json is not a list");
    };
    assert_eq!(want.len(), engine.len());
    for view in &want {
        let tracking = view["tracking"].as_str().unwrap();
        let got = engine.track(tracking).unwrap();
        assert_same(&as_json(&got), view, &format!("track {tracking}"));
    }
}

#[test]
fn the_old_outbox_reopens_with_every_message() {
    let outbox =
        DurableOutbox::open(Arc::new(read_only("sms.journal")), RetryPolicy::default()).unwrap();
    let mut got: Vec<Value> = outbox
        .outbox()
        .statuses()
        .map(|s| {
            serde_json::json!({
                "key": s.notification.key.0,
                "channel": s.notification.channel,
                "recipient": s.notification.recipient.expose(),
                "body": s.notification.body,
                "state": s.state,
                "attempts": s.attempts,
                "enqueued_at": s.enqueued_at,
                "sent_at": s.sent_at,
            })
        })
        .collect();
    got.sort_by(|a, b| a["key"].as_str().cmp(&b["key"].as_str()));
    assert_same(
        &Value::Array(got),
        &expected("expected-outbox.json"),
        "outbox",
    );
}

#[test]
fn old_not_processed_sentences_are_read_back_as_problems_with_their_fields() {
    use acikkapi_core::stats::Status;
    use acikkapi_core::validate::{Field, ProblemKind};
    let engine = open_engine();
    let records = records_from_engine(&engine).unwrap();
    let mut found: Vec<(Option<Field>, ProblemKind)> = records
        .iter()
        .filter_map(|r| match &r.status {
            Status::NotProcessed { problems, reasons } => {
                assert_eq!(problems.len(), reasons.len());
                Some(problems.iter().map(|p| (p.field, p.kind)))
            }
            _ => None,
        })
        .flatten()
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (Some(Field::Tckn), ProblemKind::InvalidTckn),
            (Some(Field::Name), ProblemKind::MissingField),
            (Some(Field::Phone), ProblemKind::MissingField),
            (Some(Field::Phone), ProblemKind::MissingField),
            (Some(Field::Subject), ProblemKind::SubjectTooShort),
        ]
    );
    let by_field = stats::rejections_by_field(&records);
    assert_eq!(
        by_field.into_iter().collect::<Vec<_>>(),
        [
            (Some(Field::Tckn), 1),
            (Some(Field::Name), 1),
            (Some(Field::Phone), 2),
            (Some(Field::Subject), 1),
        ]
    );
}

/// An old journal keeps working when new code appends to it: the new records are of the current
/// schema, the old ones are still upcast, and a snapshot taken then is used on the next open.
#[test]
fn an_old_journal_appended_to_by_new_code_reopens_with_both() {
    use acikkapi_core::application::{ApplicationInput, TextOrNumber};
    use acikkapi_core::journal::FsyncPolicy;
    use acikkapi_core::workflow::application::ApplicationCommand;
    use acikkapi_core::workflow::ports::local_time;
    use acikkapi_core::workflow::{Actor, CommandId, InstanceId, SnapshotStatus};

    let dir = std::env::temp_dir().join(format!("acikkapi-old-journal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("basvuru.journal");
    std::fs::copy(fixture("basvuru.journal"), &path).unwrap();
    let open = || -> Engine<ApplicationWorkflow> {
        let journal = FileJournal::open(
            &path,
            FileJournalOptions {
                fsync: FsyncPolicy::Never,
                ..FileJournalOptions::default()
            },
        )
        .unwrap();
        Engine::open(
            ApplicationWorkflow::default(),
            Arc::new(journal),
            NullSink,
            EngineOptions::default(),
        )
        .unwrap()
    };

    let mut engine = open();
    let denizli = acikkapi_core::geo::ProvincePlate::new(20).unwrap();
    let bureau = Actor::bureau_of(denizli).unwrap();
    // The next number after the fixture's (its numbers run from 1 to 150).
    let id = InstanceId::new(
        acikkapi_core::ids::TrackingNumber::new(denizli, 2026, 151)
            .unwrap()
            .to_string(),
    );
    let at = local_time(chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(), 10, 0);
    let input = ApplicationInput {
        tckn: Some("10000000146".into()),
        name: Some("Zeynep".into()),
        surname: Some("Kaya".into()),
        mother_maiden_initials: Some("MA".into()),
        phone: Some("0544 333 22 11".into()),
        kind: Some("şikayet".into()),
        channel: Some("banko yazılı".into()),
        subject: Some("Sokağımızda çöpler üç gündür toplanmıyor.".into()),
        category: Some("YEREL.DIGER".into()),
        province: Some(TextOrNumber::Number(20)),
        district: Some("Merkezefendi".into()),
        ..ApplicationInput::default()
    };
    let receive = ApplicationCommand::Receive {
        input: Box::new(input),
    };
    for (n, cmd) in [("al", receive), ("kaydet", ApplicationCommand::Register)] {
        engine
            .execute(
                &id,
                CommandId::new(format!("yeni-1:{n}")),
                None,
                &bureau,
                at,
                cmd,
            )
            .unwrap();
    }
    assert_eq!(engine.last_seq(), 770);
    drop(engine);

    // The file: old records without a schema, the two new ones with the current one.
    let journal = read_only_at(&path);
    let schemas: Vec<Option<u64>> = JournalIter::new(&journal, Seq(1))
        .map(|r| {
            let v: Value = serde_json::from_slice(&r.unwrap().payload).unwrap();
            v.get("schema").and_then(Value::as_u64)
        })
        .collect();
    assert!(schemas[..768].iter().all(Option::is_none));
    let current = Some(u64::from(ApplicationWorkflow::default().schema_version()));
    assert_eq!(schemas[768..], [current, current]);

    let mut want = expected("expected-block.json");
    want["received"] = (want["received"].as_u64().unwrap() + 1).into();
    want["pending"] = (want["pending"].as_u64().unwrap() + 1).into();
    let mut engine = open();
    assert_eq!(engine.len(), 151);
    assert_same(
        &as_json(&engine.statistics()),
        &want,
        "block after appending",
    );
    let states = engine.states();
    engine.snapshot().unwrap();
    drop(engine);
    let engine = open();
    assert_eq!(
        engine.snapshot_status(),
        &SnapshotStatus::Loaded { seq: 770 }
    );
    assert_eq!(engine.states(), states);
    let _ = std::fs::remove_dir_all(&dir);
}

fn read_only_at(path: &Path) -> FileJournal {
    FileJournal::open(
        path,
        FileJournalOptions {
            read_only: true,
            ..FileJournalOptions::default()
        },
    )
    .unwrap()
}
