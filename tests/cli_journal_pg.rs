//! `acikkapi journal verify|replay|copy` and `acikkapi report` on PostgreSQL streams, through the
//! real binary, on a throwaway database per test (skipped loudly without a server, failing under
//! `CI=true`; see `acikkapi-postgres/tests/support/mod.rs`).

mod common;
#[path = "../acikkapi-postgres/tests/support/mod.rs"]
mod pg_support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use acikkapi::core::journal::{FileJournal, FileJournalOptions};
use acikkapi::core::workflow::application::ApplicationWorkflow;
use acikkapi::core::workflow::ports::NullSink;
use acikkapi::core::workflow::{Engine, EngineOptions};
use common::{Output, acikkapi};
use pg_support::TestDb;

/// The committed journal of an older schema (see acikkapi-core/tests/old_journal.rs).
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("acikkapi-core/tests/fixtures/journal-v1")
        .join(name)
}

struct Dir(PathBuf);
impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!(
            "acikkapi-cli-journal-pg-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn run(args: &[&str]) -> Output {
    acikkapi(args)
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.code, 0, "{args:?}\n{}\n{}", out.stdout, out.stderr);
    out.stdout
}

/// A report without its first line (`journal: <where>`), which names the location.
fn without_location(report: &str) -> &str {
    let first = report.lines().next().unwrap_or("");
    assert!(first.starts_with("journal: "), "{report}");
    &report[first.len()..]
}

fn stream(db: &TestDb, name: &str) -> String {
    format!("{}?stream={name}", db.url)
}

#[test]
fn fixture_round_trips_through_postgres_and_replays_and_reports_the_same() {
    let Some(db) = TestDb::create() else { return };
    let dir = Dir::new("roundtrip");
    let original = fixture("basvuru.journal");
    let pg = stream(&db, "20");
    let back = dir.file("back.journal");

    let to_pg = ok(&["journal", "copy", s(&original), &pg]);
    assert!(to_pg.contains("records: 768 in 761 batches"), "{to_pg}");
    assert!(
        to_pg.contains("both replay to the same states (150 instances) and statistics block"),
        "{to_pg}"
    );
    assert!(to_pg.ends_with("status: copied\n"), "{to_pg}");
    // The destination is shown with its stream (and no password or other parameters).
    assert!(to_pg.contains("?stream=20"), "{to_pg}");

    let verify = ok(&["journal", "verify", &pg]);
    assert!(
        verify.contains("records: 768\n")
            && verify.contains("last sequence: 768\nsnapshot: none\nstatus: clean"),
        "{verify}"
    );

    ok(&["journal", "copy", &pg, s(&back)]);
    // Lossless: the same bytes (records, positions and batch marks).
    assert_eq!(
        std::fs::read(&back).unwrap(),
        std::fs::read(&original).unwrap()
    );
    assert!(!dir.file(".back.journal.copying").exists());

    let expected = ok(&["journal", "replay", s(&original)]);
    assert!(expected.contains("workflow: basvuru (150 instances)"));
    assert!(expected.contains("Toplam Başvuru Sayısı"), "{expected}");
    for other in [s(&back), pg.as_str()] {
        let replay = ok(&["journal", "replay", other]);
        assert_eq!(without_location(&replay), without_location(&expected));
    }
    for format in ["table", "json"] {
        let expected = ok(&["report", s(&original), "--format", format]);
        assert_eq!(ok(&["report", &pg, "--format", format]), expected);
        assert_eq!(ok(&["report", s(&back), "--format", format]), expected);
        // The whole database: its only application stream.
        assert_eq!(ok(&["report", &db.url, "--format", format]), expected);
    }
}

#[test]
fn a_damaged_source_is_refused_and_nothing_is_written() {
    let Some(db) = TestDb::create() else { return };
    let dir = Dir::new("damaged");
    let damaged = dir.file("damaged.journal");
    let mut bytes = std::fs::read(fixture("basvuru.journal")).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&damaged, &bytes).unwrap();

    let out = run(&["journal", "copy", s(&damaged), &stream(&db, "20")]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("status: CORRUPT at offset"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("copy: REFUSED: the source does not verify"),
        "{}",
        out.stdout
    );
    let target = dir.file("copy.journal");
    let out = run(&["journal", "copy", s(&damaged), s(&target)]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(!target.exists());

    // Nothing reached the database: it was not even migrated.
    let status = run(&["db", "status", &db.url]);
    assert_eq!(status.code, 1, "{}", status.stdout);
    assert!(status.stdout.contains("pending"), "{}", status.stdout);
}

#[test]
fn a_damaged_stream_is_found_by_verify_and_refused_by_copy() {
    let Some(db) = TestDb::create() else { return };
    let dir = Dir::new("damaged-stream");
    let pg = stream(&db, "20");
    ok(&["journal", "copy", s(&fixture("basvuru.journal")), &pg]);

    pg_support::sql(
        &db.url,
        "UPDATE journal_records SET payload = payload || '\\x20'::bytea WHERE stream = '20' AND position = 300",
    )
    .unwrap();
    let verify = run(&["journal", "verify", &pg]);
    assert_eq!(verify.code, 1, "{}", verify.stdout);
    assert!(
        verify
            .stdout
            .contains("status: CORRUPT at position 300: record CRC mismatch"),
        "{}",
        verify.stdout
    );
    let replay = run(&["journal", "replay", &pg]);
    assert_eq!(replay.code, 1, "{}", replay.stdout);
    assert!(replay.stdout.contains("CORRUPT at position 300"));
    let target = dir.file("copy.journal");
    let copy = run(&["journal", "copy", &pg, s(&target)]);
    assert_eq!(copy.code, 1, "{}", copy.stdout);
    assert!(copy.stdout.contains("copy: REFUSED"), "{}", copy.stdout);
    assert!(!target.exists());

    pg_support::sql(
        &db.url,
        "DELETE FROM journal_records WHERE stream = '20' AND position = 300",
    )
    .unwrap();
    let verify = run(&["journal", "verify", &pg]);
    assert_eq!(verify.code, 1);
    assert!(
        verify
            .stdout
            .contains("status: CORRUPT at position 300: record 300 is missing (next is 301)"),
        "{}",
        verify.stdout
    );
}

#[test]
fn a_non_empty_destination_is_refused_unless_replaced() {
    let Some(db) = TestDb::create() else { return };
    let dir = Dir::new("replace");
    let pg = stream(&db, "20");
    let apps = fixture("basvuru.journal");
    let sms = fixture("sms.journal");
    ok(&["journal", "copy", s(&sms), &pg]);

    let out = run(&["journal", "copy", s(&apps), &pg]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.contains("not empty (--replace"),
        "{}",
        out.stderr
    );
    let replaced = ok(&["journal", "copy", "--replace", s(&apps), &pg]);
    // The same stream under another spelling of the URL is never replaced by itself.
    let other_spelling = format!("{pg}&application_name=acikkapi-copy");
    let out = run(&["journal", "copy", "--replace", &pg, &other_spelling]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("(the same stream?)"), "{}", out.stderr);
    assert!(
        replaced.contains("records: 768 in 761 batches"),
        "{replaced}"
    );
    assert!(ok(&["journal", "replay", &pg]).contains("workflow: basvuru (150 instances)"));

    let file = dir.file("x.journal");
    std::fs::write(&file, b"not a journal, but somebody's file").unwrap();
    let out = run(&["journal", "copy", &pg, s(&file)]);
    assert_eq!(out.code, 2);
    assert_eq!(
        std::fs::read(&file).unwrap(),
        b"not a journal, but somebody's file"
    );
    ok(&["journal", "copy", "--replace", &pg, s(&file)]);
    assert_eq!(std::fs::read(&file).unwrap(), std::fs::read(&apps).unwrap());

    // A file source to a database without a stream: which stream is not guessed.
    let out = run(&["journal", "copy", s(&apps), &db.url]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("?stream=NAME"), "{}", out.stderr);
}

#[test]
fn read_only_commands_refuse_an_unmigrated_database_and_leave_it_so() {
    let Some(db) = TestDb::create() else { return };
    for args in [
        vec!["journal", "verify", db.url.as_str()],
        vec!["journal", "replay", db.url.as_str()],
        vec!["report", db.url.as_str()],
    ] {
        let out = run(&args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stdout);
        assert!(
            out.stderr
                .contains("is pending (run `acikkapi db migrate URL` first)"),
            "{}",
            out.stderr
        );
    }
    let status = run(&["db", "status", &db.url]);
    assert_eq!(status.code, 1, "still unmigrated: {}", status.stdout);
    assert!(status.stdout.contains("pending"));

    // Migrated but empty: a named stream with no records is not clean for verify, a warning
    // for replay.
    ok(&["db", "migrate", &db.url]);
    let nothing = stream(&db, "81");
    let verify = run(&["journal", "verify", &nothing]);
    assert_eq!(verify.code, 1, "{}", verify.stdout);
    assert!(
        verify
            .stdout
            .contains("status: EMPTY: the stream has no records"),
        "{}",
        verify.stdout
    );
    let replay = run(&["journal", "replay", &nothing]);
    assert_eq!(replay.code, 0, "{}", replay.stderr);
    assert!(replay.stdout.contains("records: 0\n"), "{}", replay.stdout);
    assert!(
        replay.stderr.contains("the stream has no records"),
        "{}",
        replay.stderr
    );
}

#[test]
fn a_whole_database_with_a_snapshot_copies_to_another() {
    let Some(from) = TestDb::create() else { return };
    let Some(to) = TestDb::create() else { return };
    let dir = Dir::new("snapshot");
    // The fixture with a snapshot made by the engine.
    let apps = dir.file("basvuru.journal");
    std::fs::copy(fixture("basvuru.journal"), &apps).unwrap();
    let journal = FileJournal::open(&apps, FileJournalOptions::default()).unwrap();
    let mut engine = Engine::open(
        ApplicationWorkflow::default(),
        Arc::new(journal),
        NullSink,
        EngineOptions::default(),
    )
    .unwrap();
    engine.snapshot().unwrap();
    drop(engine);
    let expected = ok(&["journal", "replay", s(&apps)]);
    assert!(expected.contains("snapshot: sequence 768"), "{expected}");

    let copied = ok(&["journal", "copy", s(&apps), &stream(&from, "20")]);
    assert!(copied.contains("check: the same snapshot"), "{copied}");
    ok(&[
        "journal",
        "copy",
        s(&fixture("sms.journal")),
        &stream(&from, "sms/20"),
    ]);
    let verify = ok(&["journal", "verify", &from.url]);
    assert!(
        verify.contains("snapshot: sequence 768") && verify.contains("matches the journal"),
        "{verify}"
    );

    let all = ok(&["journal", "copy", &from.url, &to.url]);
    assert_eq!(all.matches("status: copied").count(), 2, "{all}");
    let verify_to = ok(&["journal", "verify", &to.url]);
    assert_eq!(
        verify_to.replace(&to.url, "URL"),
        verify.replace(&from.url, "URL")
    );
    let replay = ok(&["journal", "replay", &stream(&to, "20")]);
    assert_eq!(without_location(&replay), without_location(&expected));

    // And back to a file, snapshot included.
    let back = dir.file("back.journal");
    ok(&["journal", "copy", &stream(&to, "20"), s(&back)]);
    assert_eq!(std::fs::read(&back).unwrap(), std::fs::read(&apps).unwrap());
    let replay = ok(&["journal", "replay", s(&back)]);
    assert_eq!(without_location(&replay), without_location(&expected));
    // Several streams to one file: which one is not guessed.
    let out = run(&["journal", "copy", &to.url, s(&dir.file("one.journal"))]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("2 streams (20, sms/20)"),
        "{}",
        out.stderr
    );
}
