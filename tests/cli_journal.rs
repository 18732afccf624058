//! `acikkapi journal verify|replay` through the real binary.

mod common;
use common::acikkapi;

use std::path::{Path, PathBuf};

use acikkapi::core::journal::{
    FileJournal, FileJournalOptions, FsyncPolicy, Journal, Seq, Snapshot,
};

struct Dir(PathBuf);
impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!(
            "acikkapi-cli-journal-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
}
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const EVENTS: [&str; 6] = [
    r#"{"type":"registered","tracking":"2026-000001"}"#,
    r#"{"type":"routed","to":"Denizli Valiliği"}"#,
    r#"{"type":"registered","tracking":"2026-000002"}"#,
    r#"{"kind":"sms_sent"}"#,
    r#"{"type":"answered","outcome":"olumlu"}"#,
    r#"{"type":"registered","tracking":"2026-000003"}"#,
];

/// A new journal `events.journal` in `dir`, without fsync.
fn new_journal(dir: &Dir) -> (PathBuf, FileJournal) {
    let path = dir.0.join("events.journal");
    let options = FileJournalOptions {
        fsync: FsyncPolicy::Never,
        ..Default::default()
    };
    let j = FileJournal::open(&path, options).unwrap();
    (path, j)
}

/// A journal with the six events in three batches; returns its path and the offset of record 2.
fn journal(dir: &Dir) -> (PathBuf, u64) {
    let (path, j) = new_journal(dir);
    let ev: Vec<Vec<u8>> = EVENTS.iter().map(|e| e.as_bytes().to_vec()).collect();
    j.append(&ev[..1]).unwrap();
    j.append(&ev[1..4]).unwrap();
    j.append(&ev[4..]).unwrap();
    (path, 16 + 17 + EVENTS[0].len() as u64)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn verify_clean_journal() {
    let dir = Dir::new("clean");
    let (path, _) = journal(&dir);
    let out = acikkapi(&["journal", "verify", s(&path)]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(out.stdout.contains("records: 6\n"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains(&format!("bytes: {size} valid of {size}\n")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("last sequence: 6\nsnapshot: none\nstatus: clean\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn replay_counts_types_and_starts_after_the_snapshot() {
    let dir = Dir::new("replay");
    let (path, _) = journal(&dir);
    let out = acikkapi(&["journal", "replay", s(&path)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let bytes: usize = EVENTS.iter().map(|e| e.len()).sum();
    assert!(
        out.stdout
            .contains(&format!("records: 6\nbytes: {bytes}\n")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .ends_with("types:\n  registered: 3\n  answered: 1\n  routed: 1\n  sms_sent: 1\n"),
        "{}",
        out.stdout
    );

    let j = FileJournal::open(&path, FileJournalOptions::default()).unwrap();
    j.write_snapshot(&Snapshot {
        seq: Seq(4),
        data: b"{}".to_vec(),
    })
    .unwrap();
    drop(j);
    let out = acikkapi(&["journal", "replay", s(&path)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("snapshot: sequence 4 (2 bytes)\nreplayed from sequence: 5\nrecords: 2\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .ends_with("types:\n  answered: 1\n  registered: 1\n"),
        "{}",
        out.stdout
    );
    let out = acikkapi(&["journal", "replay", "--ignore-snapshot", s(&path)]);
    assert!(out.stdout.contains("records: 6\n"), "{}", out.stdout);
    let out = acikkapi(&["journal", "verify", s(&path)]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("snapshot: sequence 4 (2 bytes), matches the journal\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn torn_tail_exits_1_with_offset_and_leaves_the_file_alone() {
    let dir = Dir::new("torn");
    let (path, _) = journal(&dir);
    let mut bytes = std::fs::read(&path).unwrap();
    let full = bytes.len();
    bytes.truncate(full - 5);
    std::fs::write(&path, &bytes).unwrap();
    let last_record = 17 + EVENTS[5].len();
    let batch_start = full - last_record - (17 + EVENTS[4].len());
    let out = acikkapi(&["journal", "verify", s(&path)]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("records: 4\n"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains(&format!("status: TORN TAIL at offset {batch_start}: ")),
        "the whole incomplete batch is the tail: {}",
        out.stdout
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "verify must not modify the file"
    );
    let out = acikkapi(&["journal", "replay", s(&path)]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("records: 4\n") && out.stderr.contains("torn tail"),
        "{}",
        out.stderr
    );
}

#[test]
fn corruption_in_the_middle_exits_1_with_offset() {
    let dir = Dir::new("corrupt");
    let (path, second) = journal(&dir);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[second as usize + 20] ^= 0x20;
    std::fs::write(&path, &bytes).unwrap();
    for cmd in ["verify", "replay"] {
        let out = acikkapi(&["journal", cmd, s(&path)]);
        assert_eq!(out.code, 1, "{cmd}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stdout
                .contains(&format!("status: CORRUPT at offset {second}: CRC mismatch")),
            "{cmd}: {}",
            out.stdout
        );
    }
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn not_a_journal_and_missing_file() {
    let dir = Dir::new("other");
    let path = dir.0.join("notes.txt");
    std::fs::write(&path, "Açık Kapı: bu bir günlük dosyası değil.\n").unwrap();
    let out = acikkapi(&["journal", "verify", s(&path)]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("NOT A JOURNAL at offset 0: wrong magic"),
        "{}",
        out.stdout
    );
    let out = acikkapi(&["journal", "verify", s(&dir.0.join("missing"))]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with("acikkapi: journal "),
        "{}",
        out.stderr
    );
}

#[test]
fn undecodable_events_do_not_echo_identifiers() {
    let dir = Dir::new("payload");
    let (path, j) = new_journal(&dir);
    // A workflow journal whose first event carries a TCKN where the instance id belongs.
    j.append(&[br#"{"workflow":"basvuru","seq":1,"instance":10000000146,"version":1,"command":"c","at":"2026-11-23T07:30:00Z","event":{}}"#.to_vec()])
        .unwrap();
    drop(j);
    let out = acikkapi(&["journal", "replay", s(&path)]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("record 1"), "{}", out.stderr);
    assert!(!out.stderr.contains("0000001"), "{}", out.stderr);
    let out = acikkapi(&["report", s(&path)]);
    assert_ne!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(!out.stderr.contains("0000001"), "{}", out.stderr);
}

/// A snapshot file in format 1 with a valid CRC: bound to no journal.
fn forged_snapshot(journal: &Path, seq: u64, data: &[u8]) {
    let mut bytes = b"ACIKSNAP".to_vec();
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&seq.to_le_bytes());
    bytes.extend_from_slice(&(data.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    bytes.extend_from_slice(data);
    let mut name = journal.as_os_str().to_os_string();
    name.push(".snapshot");
    std::fs::write(PathBuf::from(name), bytes).unwrap();
}

/// Issue 12: a valid-CRC snapshot claiming an empty state made `verify` say clean. A snapshot not
/// made from the journal's records is refused (exit 1) and replay starts from the first record.
#[test]
fn a_snapshot_not_made_from_the_journal_is_refused() {
    let dir = Dir::new("forged");
    let (path, _) = journal(&dir);
    forged_snapshot(&path, 6, b"{}");
    let out = acikkapi(&["journal", "verify", s(&path)]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("snapshot: REFUSED: does not match the journal: format 1 snapshot"),
        "{}",
        out.stdout
    );
    let out = acikkapi(&["journal", "replay", s(&path)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("replayed from sequence: 1\nrecords: 6\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("warning: snapshot REFUSED"),
        "{}",
        out.stderr
    );
}

/// Issue 12: a 0-byte file and `/dev/null` verified as clean journals.
#[test]
fn empty_file_and_dev_null_are_not_clean_journals() {
    let dir = Dir::new("empty");
    let path = dir.0.join("empty.journal");
    std::fs::write(&path, b"").unwrap();
    let out = acikkapi(&["journal", "verify", s(&path)]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("records: 0\nbytes: 0 valid of 0\n")
            && out
                .stdout
                .contains("status: EMPTY: 0 bytes, no journal header"),
        "{}",
        out.stdout
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        0,
        "verify wrote nothing"
    );
    let out = acikkapi(&["journal", "replay", s(&path)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("warning: EMPTY"), "{}", out.stderr);
    // A journal this code creates gets its header at once, and verifies clean.
    let fresh = dir.0.join("fresh.journal");
    drop(FileJournal::open(&fresh, FileJournalOptions::default()).unwrap());
    assert_eq!(acikkapi(&["journal", "verify", s(&fresh)]).code, 0);
    if Path::new("/dev/null").exists() {
        let out = acikkapi(&["journal", "verify", "/dev/null"]);
        assert_eq!(out.code, 1, "{}", out.stdout);
        assert!(
            out.stdout.contains("NOT A JOURNAL") && out.stdout.contains("not a regular file"),
            "{}",
            out.stdout
        );
    }
}

/// A month of the demo in `dir`; returns its application journal.
fn demo_journal(dir: &Dir) -> PathBuf {
    let d = dir.0.join("demo");
    let out = acikkapi(&[
        "demo",
        "--count",
        "30",
        "--seed",
        "5",
        "--journal-dir",
        s(&d),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    d.join("basvuru.journal")
}

/// Issue 12: `--ignore-snapshot` did nothing (a damaged snapshot failed the replay even with it),
/// a forged empty snapshot made `replay` and `report` show no applications, and `report` dropped
/// a torn tail without a word.
#[test]
fn replay_and_report_of_a_workflow_journal_warn_and_never_trust_a_foreign_snapshot() {
    let dir = Dir::new("workflow");
    let path = demo_journal(&dir);
    let last = FileJournal::verify(&path).unwrap().last_seq.0;
    let empty = format!(r#"{{"workflow":"basvuru","seq":{last},"instances":[],"commands":[]}}"#);
    forged_snapshot(&path, last, empty.as_bytes());
    for args in [vec!["replay"], vec!["replay", "--ignore-snapshot"]] {
        let mut a = vec!["journal"];
        a.extend(&args);
        a.push(s(&path));
        let out = acikkapi(&a);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(
            out.stdout.contains("workflow: basvuru (30 instances)"),
            "{args:?}: {}",
            out.stdout
        );
    }
    let out = acikkapi(&["report", s(&path)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("Toplam Başvuru Sayısı") && l.ends_with(" 30")),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("snapshot not used"), "{}", out.stderr);

    // A damaged snapshot: --ignore-snapshot does not read it.
    let mut name = path.as_os_str().to_os_string();
    name.push(".snapshot");
    std::fs::write(PathBuf::from(name), b"ACIKSNAP\x02\0\0\0garbage").unwrap();
    let out = acikkapi(&["journal", "replay", "--ignore-snapshot", s(&path)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("snapshot: not read (--ignore-snapshot)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("workflow: basvuru (30 instances)"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.is_empty(), "{}", out.stderr);

    // A torn tail: the report says what it left out.
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
    let out = acikkapi(&["report", s(&path)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("warning: ") && out.stderr.contains("torn tail at offset"),
        "{}",
        out.stderr
    );
}

/// A snapshot bound to the journal (right position and digest) but with a state that is not the
/// records' (written through the journal API, as someone who can compute the digest could): verify
/// rebuilds both states and refuses it; the engine's own snapshot verifies clean.
#[test]
fn verify_rebuilds_the_state_behind_a_bound_snapshot() {
    use acikkapi::core::workflow::application::ApplicationWorkflow;
    use acikkapi::core::workflow::ports::NullSink;
    use acikkapi::core::workflow::{Engine, EngineOptions, WorkflowDefinition};
    use std::sync::Arc;

    let dir = Dir::new("bound");
    let path = demo_journal(&dir);
    let j = FileJournal::open(&path, FileJournalOptions::default()).unwrap();
    let last = j.last_seq();
    // Of the current schema (a snapshot of another schema is refused for that alone).
    let schema = ApplicationWorkflow::default().schema_version();
    let empty = format!(
        r#"{{"workflow":"basvuru","schema":{schema},"seq":{last},"instances":[],"commands":[]}}"#
    );
    j.write_snapshot(&Snapshot {
        seq: last,
        data: empty.into_bytes(),
    })
    .unwrap();
    drop(j);
    let out = acikkapi(&["journal", "verify", s(&path)]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("snapshot: REFUSED: sequence")
            && out
                .stdout
                .contains("differs from the state rebuilt from every record"),
        "{}",
        out.stdout
    );

    let journal = FileJournal::open(&path, FileJournalOptions::default()).unwrap();
    let mut engine = Engine::open(
        ApplicationWorkflow::default(),
        Arc::new(journal),
        NullSink,
        EngineOptions {
            use_snapshot: false,
            ..EngineOptions::default()
        },
    )
    .unwrap();
    engine.snapshot().unwrap();
    drop(engine);
    let out = acikkapi(&["journal", "verify", s(&path)]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout.contains("matches the journal\nstatus: clean"),
        "{}",
        out.stdout
    );
}

/// `journal copy` between files (no database needed): the committed old-schema fixture comes out
/// byte for byte, checked by replaying both; a damaged source is refused and nothing is written.
#[test]
fn copy_between_files_is_lossless_and_refuses_a_damaged_source() {
    let dir = Dir::new("copy");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("acikkapi-core/tests/fixtures/journal-v1/basvuru.journal");
    let copy = dir.0.join("copy.journal");
    let out = acikkapi(&["journal", "copy", s(&fixture), s(&copy)]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("check: the same 768 records")
            && out
                .stdout
                .contains("both replay to the same states (150 instances) and statistics block"),
        "{}",
        out.stdout
    );
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(&fixture).unwrap()
    );
    let again = acikkapi(&["journal", "copy", s(&fixture), s(&copy)]);
    assert_eq!(again.code, 2, "a non-empty destination: {}", again.stdout);
    let same = acikkapi(&["journal", "copy", "--replace", s(&copy), s(&copy)]);
    assert_eq!(same.code, 2);
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(&fixture).unwrap()
    );

    let damaged = dir.0.join("damaged.journal");
    let mut bytes = std::fs::read(&fixture).unwrap();
    let at = bytes.len() / 3;
    bytes[at] ^= 0x01;
    std::fs::write(&damaged, &bytes).unwrap();
    let target = dir.0.join("target.journal");
    let out = acikkapi(&["journal", "copy", s(&damaged), s(&target)]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("copy: REFUSED"), "{}", out.stdout);
    assert!(!target.exists());
    // A torn tail is damage too: refused.
    let torn = dir.0.join("torn.journal");
    let whole = std::fs::read(&fixture).unwrap();
    std::fs::write(&torn, &whole[..whole.len() - 3]).unwrap();
    let out = acikkapi(&["journal", "copy", s(&torn), s(&target)]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("TORN TAIL"), "{}", out.stdout);
    assert!(!target.exists());
}

/// A PostgreSQL location that cannot be used is an error (exit 2) that never shows the password:
/// an unreachable server, a bad `stream` parameter, a parameter the driver does not know.
#[test]
fn postgres_locations_fail_with_exit_2_and_never_show_the_password() {
    for (args, expected) in [
        (
            vec![
                "journal",
                "verify",
                "postgres://nobody:secret@127.0.0.1:9/x?stream=1",
            ],
            "retryable",
        ),
        (
            vec![
                "journal",
                "replay",
                "postgres://nobody:secret@127.0.0.1:9/x",
            ],
            "retryable",
        ),
        (
            vec![
                "report",
                "postgres://nobody:secret@127.0.0.1:9/x?stream=%zz",
            ],
            "bad percent-encoding",
        ),
        (
            vec![
                "journal",
                "verify",
                "postgresql://nobody:secret@127.0.0.1:9/x?stream=1&bogus=2",
            ],
            "invalid PostgreSQL connection string",
        ),
    ] {
        let out = acikkapi(&args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stdout);
        assert!(out.stderr.contains(expected), "{args:?}: {}", out.stderr);
        assert!(
            !out.stdout.contains("secret") && !out.stderr.contains("secret"),
            "{args:?}"
        );
    }
}
