//! Tests of [`FileJournal`]: round trips, torn tails, mid-file corruption, snapshots, group
//! commit, and a proptest feeding damaged files.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;

use super::format::{FRAME_OVERHEAD, HEADER_LEN};
use super::*;
use crate::Error;

/// A fresh directory under the system temp dir, removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new() -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "acikkapi-journal-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    pub(crate) fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn opts(fsync: FsyncPolicy) -> FileJournalOptions {
    FileJournalOptions {
        fsync,
        ..FileJournalOptions::default()
    }
}

fn payload(i: u64) -> Vec<u8> {
    format!(
        r#"{{"type":"t{}","i":{i},"pad":"{}"}}"#,
        i % 3,
        "x".repeat((i % 50) as usize)
    )
    .into_bytes()
}

fn all(j: &dyn Journal) -> Vec<Record> {
    JournalIter::new(j, Seq(1)).collect::<Result<_>>().unwrap()
}

fn write_batches(path: &Path, batches: &[usize]) -> Vec<Vec<u8>> {
    let j = FileJournal::open(path, opts(FsyncPolicy::Never)).unwrap();
    let mut out = Vec::new();
    for &n in batches {
        let batch: Vec<Vec<u8>> = (0..n).map(|k| payload((out.len() + k) as u64)).collect();
        j.append(&batch).unwrap();
        out.extend(batch);
    }
    out
}

#[test]
fn read_range_marked_gives_each_record_its_batch_mark() {
    let dir = TempDir::new();
    let path = dir.file("j");
    let payloads = write_batches(&path, &[2, 1, 3]);
    let j = FileJournal::open(&path, opts(FsyncPolicy::Never)).unwrap();
    let marked = j.read_range_marked(Seq(1), 100).unwrap();
    let marks: Vec<bool> = marked.iter().map(|(_, end)| *end).collect();
    assert_eq!(marks, [false, true, true, false, false, true]);
    let records: Vec<Record> = marked.into_iter().map(|(r, _)| r).collect();
    assert_eq!(records, j.read_range(Seq(1), 100).unwrap());
    assert_eq!(records[5].payload, payloads[5]);
    let page = j.read_range_marked(Seq(4), 2).unwrap();
    assert_eq!(
        page.iter().map(|(r, e)| (r.seq.0, *e)).collect::<Vec<_>>(),
        [(4, false), (5, false)]
    );
    assert!(j.read_range_marked(Seq(7), 10).unwrap().is_empty());
}

#[test]
fn round_trip_across_index_pages_and_reopen() {
    let dir = TempDir::new();
    let path = dir.file("j");
    let j = FileJournal::open(&path, opts(FsyncPolicy::EveryBatch)).unwrap();
    assert!(j.recovery().created);
    let mut expected = Vec::new();
    for b in 0..30u64 {
        let batch: Vec<_> = (0..100).map(|k| payload(b * 100 + k)).collect();
        let seqs = j.append(&batch).unwrap();
        assert_eq!(seqs.first(), Some(&Seq(b * 100 + 1)));
        expected.extend(batch);
    }
    assert_eq!(j.last_seq(), Seq(3000));
    drop(j);
    let j = FileJournal::open(&path, FileJournalOptions::default()).unwrap();
    let r = j.recovery();
    assert!(r.is_clean() && !r.created);
    assert_eq!((r.records, r.last_seq), (3000, Seq(3000)));
    assert_eq!(r.valid_bytes, std::fs::metadata(&path).unwrap().len());
    let got = all(&j);
    assert_eq!(got.len(), 3000);
    assert!(
        got.iter()
            .zip(&expected)
            .enumerate()
            .all(|(i, (r, e))| r.seq == Seq(i as u64 + 1) && &r.payload == e)
    );
    // Reads starting in the middle of an index page.
    for from in [1u64, 1024, 1025, 2047, 2999, 3000] {
        let page = j.read_range(Seq(from), 3).unwrap();
        assert_eq!(page[0].seq, Seq(from));
        assert_eq!(page[0].payload, expected[from as usize - 1]);
    }
    assert!(j.read_range(Seq(3001), 10).unwrap().is_empty());
    assert_eq!(j.append(&[b"more".to_vec()]).unwrap(), vec![Seq(3001)]);
}

#[test]
fn torn_tail_is_cut_at_every_length() {
    let dir = TempDir::new();
    let path = dir.file("j");
    let payloads = write_batches(&path, &[1, 1, 1]);
    let full = std::fs::read(&path).unwrap();
    let last_len = (payloads[2].len() + FRAME_OVERHEAD) as u64;
    let cut_at = full.len() as u64 - last_len;
    for keep in 1..last_len {
        std::fs::write(&path, &full[..(cut_at + keep) as usize]).unwrap();
        let j = FileJournal::open(&path, FileJournalOptions::default()).unwrap();
        let t = j.recovery().torn_tail.clone().expect("torn tail reported");
        assert_eq!(
            (t.offset, t.bytes, t.cut, t.salvaged),
            (cut_at, keep, true, false)
        );
        assert_eq!(j.last_seq(), Seq(2));
        assert_eq!(std::fs::metadata(&path).unwrap().len(), cut_at);
        assert_eq!(j.append(&[b"next".to_vec()]).unwrap(), vec![Seq(3)]);
    }
}

#[test]
fn incomplete_batch_is_cut_whole() {
    let dir = TempDir::new();
    let path = dir.file("j");
    let payloads = write_batches(&path, &[2, 3]);
    let full = std::fs::read(&path).unwrap();
    // Remove exactly the last record: the file ends on a frame boundary, but batch 2 is incomplete.
    let last_len = payloads[4].len() + FRAME_OVERHEAD;
    std::fs::write(&path, &full[..full.len() - last_len]).unwrap();
    let j = FileJournal::open(&path, FileJournalOptions::default()).unwrap();
    let t = j.recovery().torn_tail.clone().unwrap();
    assert!(t.reason.contains("incomplete batch"), "{}", t.reason);
    assert_eq!(j.last_seq(), Seq(2));
    assert_eq!(all(&j).len(), 2);
}

/// Issue 12: a bit flip in the last record was taken for a torn tail, so the next writable open
/// cut an acknowledged record. A complete record (its full length present) that fails its CRC is
/// damage, whether or not records follow; so is a last record whose length field was damaged.
#[test]
fn damaged_last_record_is_corrupt_not_torn_and_only_salvage_cuts_it() {
    let dir = TempDir::new();
    let path = dir.file("j");
    let payloads = write_batches(&path, &[1, 1, 1]);
    let full = std::fs::read(&path).unwrap();
    let last = full.len() - (payloads[2].len() + FRAME_OVERHEAD);
    let salvage = FileJournalOptions {
        recovery: Recovery::Salvage,
        ..FileJournalOptions::default()
    };
    let grown = u32::from_le_bytes(full[last..last + 4].try_into().unwrap()) + 100;
    for (what, at, value) in [
        (
            "last payload byte",
            full.len() - 1,
            full[full.len() - 1] ^ 0x40,
        ),
        ("crc field", last + 5, full[last + 5] ^ 1),
        ("sequence number", last + 8, full[last + 8] ^ 2),
        ("length grown past the end", last, grown as u8),
        ("length shrunk", last, full[last] - 1),
        ("length below the minimum", last + 1, 0),
    ] {
        let mut bytes = full.clone();
        if what == "length below the minimum" {
            bytes[last..last + 4].copy_from_slice(&3u32.to_le_bytes());
        } else {
            bytes[at] = value;
        }
        if what == "length grown past the end" {
            bytes[last..last + 4].copy_from_slice(&grown.to_le_bytes());
        }
        std::fs::write(&path, &bytes).unwrap();
        for err in [
            FileJournal::open(&path, FileJournalOptions::default()).unwrap_err(),
            FileJournal::verify(&path).unwrap_err(),
        ] {
            match &err {
                Error::JournalCorrupt { offset, reason, .. } => {
                    assert_eq!(*offset, last as u64, "{what}: {reason}");
                    assert!(reason.contains("not a torn write"), "{what}: {reason}");
                }
                e => panic!("{what}: unexpected {e:?}"),
            }
        }
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{what}: nothing cut");
        let j = FileJournal::open(&path, salvage).unwrap();
        let t = j.recovery().torn_tail.clone().unwrap();
        assert!(t.salvaged && t.cut, "{what}: {t:?}");
        assert_eq!((t.offset, j.last_seq()), (last as u64, Seq(2)), "{what}");
        drop(j);
    }
    // The same record cut short (the file ends before its declared length) is a torn write.
    std::fs::write(&path, &full[..full.len() - 1]).unwrap();
    let j = FileJournal::open(&path, FileJournalOptions::default()).unwrap();
    let t = j.recovery().torn_tail.clone().unwrap();
    assert_eq!(t.reason, "record extends past the end of the file");
    assert!(!t.salvaged && t.cut);
    drop(j);
}

#[test]
fn crc_flip_in_middle_is_corrupt() {
    let dir = TempDir::new();
    let path = dir.file("j");
    let payloads = write_batches(&path, &[1, 1, 1]);
    let full = std::fs::read(&path).unwrap();
    // A byte of the second record's payload: record 3 is valid after it.
    let second = HEADER_LEN as usize + payloads[0].len() + FRAME_OVERHEAD;
    let mut mid = full.clone();
    mid[second + FRAME_OVERHEAD + 2] ^= 1;
    std::fs::write(&path, &mid).unwrap();
    let err = FileJournal::open(&path, FileJournalOptions::default()).unwrap_err();
    match &err {
        Error::JournalCorrupt { offset, reason, .. } => {
            assert_eq!(*offset, second as u64);
            assert!(reason.contains("CRC mismatch"), "{reason}");
        }
        e => panic!("unexpected {e:?}"),
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        mid,
        "strict open must not modify the file"
    );
    assert!(matches!(
        FileJournal::verify(&path),
        Err(Error::JournalCorrupt { .. })
    ));

    let salvage = FileJournalOptions {
        recovery: Recovery::Salvage,
        ..FileJournalOptions::default()
    };
    let j = FileJournal::open(&path, salvage).unwrap();
    let t = j.recovery().torn_tail.clone().unwrap();
    assert!(t.salvaged && t.cut);
    assert_eq!((t.offset, j.last_seq()), (second as u64, Seq(1)));
}

#[test]
fn headers_wrong_magic_torn_and_empty() {
    let dir = TempDir::new();
    let path = dir.file("j");
    std::fs::write(&path, b"PK\x03\x04 this is a zip file, not a journal").unwrap();
    assert!(matches!(
        FileJournal::open(&path, FileJournalOptions::default()),
        Err(Error::JournalFormat { .. })
    ));
    std::fs::write(&path, b"ACIKJ").unwrap();
    let j = FileJournal::open(&path, FileJournalOptions::default()).unwrap();
    assert!(j.recovery().created);
    assert_eq!(j.recovery().torn_tail.as_ref().unwrap().bytes, 5);
    drop(j);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), HEADER_LEN);
    let mut h = format::header();
    h[8] = 2;
    std::fs::write(&path, h).unwrap();
    let err = FileJournal::open(&path, FileJournalOptions::default()).unwrap_err();
    assert!(err.to_string().contains("format version 2"), "{err}");
    let missing = dir.file("missing");
    let no_create = FileJournalOptions {
        create: false,
        ..FileJournalOptions::default()
    };
    assert!(matches!(
        FileJournal::open(&missing, no_create),
        Err(Error::JournalIo { .. })
    ));
}

#[test]
fn read_only_changes_nothing() {
    let dir = TempDir::new();
    let path = dir.file("j");
    write_batches(&path, &[2]);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(&[7, 0, 0]);
    std::fs::write(&path, &bytes).unwrap();
    let report = FileJournal::verify(&path).unwrap();
    let t = report.torn_tail.clone().unwrap();
    assert_eq!((t.bytes, t.cut, report.records), (3, false, 2));
    let ro = FileJournal::open(
        &path,
        FileJournalOptions {
            read_only: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(all(&ro).len(), 2);
    assert!(matches!(
        ro.append(&[vec![1]]),
        Err(Error::JournalUnwritable { .. })
    ));
    assert!(
        ro.write_snapshot(&Snapshot {
            seq: Seq(1),
            data: vec![]
        })
        .is_err()
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

/// One writer at a time: a second writable open of a file in use is refused and changes nothing,
/// readers still read it, and the lock goes with the first journal.
#[test]
fn a_second_writer_is_refused_while_readers_read() {
    let dir = TempDir::new();
    let path = dir.file("j");
    let first = FileJournal::open(&path, opts(FsyncPolicy::Never)).unwrap();
    first.append(&[payload(1), payload(2)]).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    match FileJournal::open(&path, opts(FsyncPolicy::Never)) {
        Err(Error::JournalLocked { path: p }) => assert_eq!(p, path),
        other => panic!("expected JournalLocked, got {:?}", other.err()),
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the refused open cut nothing"
    );
    assert_eq!(FileJournal::verify(&path).unwrap().records, 2);
    let reader = FileJournal::open(
        &path,
        FileJournalOptions {
            read_only: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(all(&reader).len(), 2);
    first.append(&[payload(3)]).unwrap();
    drop(first);
    let second = FileJournal::open(&path, opts(FsyncPolicy::Never)).unwrap();
    assert_eq!(all(&second).len(), 3);
    assert_eq!(second.append(&[payload(4)]).unwrap(), vec![Seq(4)]);
}

#[test]
fn snapshots_atomic_validated_and_damage_detected() {
    let dir = TempDir::new();
    let path = dir.file("j");
    let j = FileJournal::open(&path, opts(FsyncPolicy::Group)).unwrap();
    assert_eq!(j.read_snapshot().unwrap(), None);
    j.append(&[b"a".to_vec(), b"b".to_vec()]).unwrap();
    assert!(matches!(
        j.write_snapshot(&Snapshot {
            seq: Seq(3),
            data: vec![]
        }),
        Err(Error::JournalInvalid(_))
    ));
    j.write_snapshot(&Snapshot {
        seq: Seq(1),
        data: b"one".to_vec(),
    })
    .unwrap();
    j.write_snapshot(&Snapshot {
        seq: Seq(2),
        data: b"two".to_vec(),
    })
    .unwrap();
    assert_eq!(
        j.read_snapshot().unwrap(),
        Some(Snapshot {
            seq: Seq(2),
            data: b"two".to_vec()
        })
    );
    let names: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names.len(),
        2,
        "journal and snapshot, no temp file: {names:?}"
    );
    let snap = j.snapshot_path();
    let mut bytes = std::fs::read(&snap).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    std::fs::write(&snap, &bytes).unwrap();
    assert!(matches!(
        j.read_snapshot(),
        Err(Error::JournalCorrupt { .. })
    ));
    std::fs::write(&snap, &bytes[..10]).unwrap();
    assert!(matches!(
        j.read_snapshot(),
        Err(Error::JournalCorrupt { offset: 0, .. })
    ));
    // Replay from the snapshot: only the records after it.
    assert_eq!(j.iter_from(Seq(2).next()).count(), 0);
}

#[test]
fn group_commit_many_threads_conditional_appends() {
    let dir = TempDir::new();
    let path = dir.file("j");
    let j = FileJournal::open(&path, opts(FsyncPolicy::Group)).unwrap();
    std::thread::scope(|s| {
        for t in 0..4u8 {
            let j = &j;
            s.spawn(move || {
                for i in 0..50u8 {
                    let seqs = j.append(&[vec![t, i], vec![t, i]]).unwrap();
                    assert_eq!(seqs[1].0, seqs[0].0 + 1);
                    assert!(j.last_seq() >= seqs[1], "acknowledged records are readable");
                }
            });
        }
    });
    let stats = j.stats();
    assert_eq!((stats.batches, stats.records), (200, 400));
    // Every batch waited for a sync, and no sync happened without a batch to cover.
    assert!(stats.fsyncs >= 1 && stats.fsyncs <= 200, "{stats:?}");
    let err = j.append_if(Some(Seq(5)), &[vec![0]]).unwrap_err();
    assert!(matches!(
        err,
        Error::ConcurrencyConflict {
            expected: 5,
            actual: 400
        }
    ));
    assert_eq!(
        j.append_if(Some(Seq(400)), &[vec![0]]).unwrap(),
        vec![Seq(401)]
    );
    drop(j);
    let j = FileJournal::open(&path, FileJournalOptions::default()).unwrap();
    let recs = all(&j);
    assert_eq!(recs.len(), 401);
    for pair in recs[..400].chunks(2) {
        assert_eq!(pair[0].payload, pair[1].payload, "batches stay contiguous");
    }
}

#[test]
fn oversized_payload_is_refused() {
    let dir = TempDir::new();
    let j = FileJournal::open(dir.file("j"), opts(FsyncPolicy::Never)).unwrap();
    let big = vec![0u8; format::MAX_PAYLOAD + 1];
    assert!(matches!(j.append(&[big]), Err(Error::JournalInvalid(_))));
    assert_eq!(j.last_seq(), Seq(0));
}

/// One way to damage a file.
#[derive(Debug, Clone)]
enum Damage {
    Truncate(usize),
    FlipBit(usize, u8),
    Overwrite(usize, Vec<u8>),
    AppendGarbage(Vec<u8>),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), 0u8..8).prop_map(|(i, b)| Damage::FlipBit(i, b)),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..40)
        )
            .prop_map(|(i, v)| Damage::Overwrite(i, v)),
        proptest::collection::vec(any::<u8>(), 1..60).prop_map(Damage::AppendGarbage),
    ]
}

fn apply(bytes: &mut Vec<u8>, d: &Damage) {
    match d {
        Damage::Truncate(i) => bytes.truncate(i % (bytes.len() + 1)),
        Damage::FlipBit(i, b) if !bytes.is_empty() => {
            let n = bytes.len();
            bytes[i % n] ^= 1 << b;
        }
        Damage::Overwrite(i, v) if !bytes.is_empty() => {
            let start = i % bytes.len();
            for (k, x) in v.iter().enumerate() {
                if let Some(b) = bytes.get_mut(start + k) {
                    *b = *x;
                }
            }
        }
        Damage::AppendGarbage(v) => bytes.extend_from_slice(v),
        _ => {}
    }
}

/// Opens `bytes` as a journal in every mode; checks no panic and that every record returned is one
/// that was written, at its sequence number.
fn check_open(path: &Path, bytes: &[u8], written: &[Vec<u8>]) {
    for options in [
        FileJournalOptions {
            read_only: true,
            ..Default::default()
        },
        FileJournalOptions::default(),
        FileJournalOptions {
            recovery: Recovery::Salvage,
            ..Default::default()
        },
    ] {
        std::fs::write(path, bytes).unwrap();
        match FileJournal::open(path, options) {
            Err(Error::JournalCorrupt { offset, .. }) => assert!(offset <= bytes.len() as u64),
            Err(Error::JournalFormat { .. }) => {}
            Err(e) => panic!("unexpected error {e:?}"),
            Ok(j) => {
                let r = j.recovery();
                assert!(r.valid_bytes <= bytes.len().max(HEADER_LEN as usize) as u64);
                let recs = all(&j);
                assert_eq!(recs.len() as u64, r.records);
                for (i, rec) in recs.iter().enumerate() {
                    assert_eq!(rec.seq, Seq(i as u64 + 1));
                    assert_eq!(
                        Some(&rec.payload),
                        written.get(i),
                        "record {} is not what was written",
                        rec.seq
                    );
                }
                if !options.read_only {
                    assert_eq!(std::fs::metadata(path).unwrap().len(), r.valid_bytes);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn damaged_journals_never_panic_nor_return_bad_records(
        batches in proptest::collection::vec(1usize..4, 0..6),
        damages in proptest::collection::vec(damage(), 1..4),
    ) {
        let dir = TempDir::new();
        let path = dir.file("j");
        let written = write_batches(&path, &batches);
        let mut bytes = std::fs::read(&path).unwrap();
        for d in &damages {
            apply(&mut bytes, d);
        }
        check_open(&path, &bytes, &written);
    }

    #[test]
    fn random_bytes_never_panic(garbage in proptest::collection::vec(any::<u8>(), 0..300), with_header: bool) {
        let dir = TempDir::new();
        let path = dir.file("j");
        let mut bytes = if with_header { format::header().to_vec() } else { Vec::new() };
        bytes.extend_from_slice(&garbage);
        check_open(&path, &bytes, &[]);
    }
}

#[test]
fn valid_record_far_behind_damage_is_found_across_chunk_boundaries() {
    let dir = TempDir::new();
    let path = dir.file("j");
    let payloads = write_batches(&path, &[1, 1]);
    let full = std::fs::read(&path).unwrap();
    let first_end = HEADER_LEN as usize + payloads[0].len() + FRAME_OVERHEAD;
    // Garbage (zeros: length 0 is invalid) between record 1 and record 2, of sizes that put
    // record 2 before, across and after the scanner's 1 MiB chunk boundary.
    for gap in [
        10usize,
        (1 << 20) - 30,
        (1 << 20) - 1,
        (1 << 20) + 3,
        (3 << 20) + 7,
    ] {
        let mut bytes = full[..first_end].to_vec();
        bytes.resize(first_end + gap, 0);
        bytes.extend_from_slice(&full[first_end..]);
        std::fs::write(&path, &bytes).unwrap();
        match FileJournal::open(&path, FileJournalOptions::default()) {
            Err(Error::JournalCorrupt { offset, .. }) => {
                assert_eq!(offset, first_end as u64, "gap {gap}")
            }
            other => panic!("gap {gap}: expected corruption, got {other:?}"),
        }
        // The same garbage without a record after it is a torn tail.
        std::fs::write(&path, &bytes[..first_end + gap]).unwrap();
        let j = FileJournal::open(&path, FileJournalOptions::default()).unwrap();
        assert_eq!(
            (j.last_seq(), j.recovery().torn_tail.as_ref().unwrap().bytes),
            (Seq(1), gap as u64)
        );
    }
}

/// A header, then a 17-byte record prefix (length `first_len` for the first, half the file for
/// the others, crc 0, sequence 1) repeated to `size` bytes: every prefix is a plausible frame
/// whose CRC must be ruled out.
fn crafted(size: usize, first_len: u32) -> Vec<u8> {
    let mut prefix = Vec::with_capacity(FRAME_OVERHEAD);
    prefix.extend_from_slice(&((size / 2) as u32).to_le_bytes());
    prefix.extend_from_slice(&0u32.to_le_bytes());
    prefix.extend_from_slice(&1u64.to_le_bytes());
    prefix.push(0);
    let mut bytes = format::header().to_vec();
    while bytes.len() < size {
        bytes.extend_from_slice(&prefix);
    }
    bytes.truncate(size);
    bytes[16..20].copy_from_slice(&first_len.to_le_bytes());
    bytes
}

/// Issue 12: the look-ahead after damage hashed every plausible candidate's body (8 MB: 191 s).
/// Recovery hashes each byte a bounded number of times, whatever the file holds. (The 8 MB
/// timing in a release build: `tests/journal_linear.rs`.)
#[test]
fn crafted_candidates_are_ruled_out_in_linear_work() {
    let dir = TempDir::new();
    let path = dir.file("j");
    for size in [256usize << 10, 2 << 20] {
        // The first record complete and damaged; then one that claims more than the file holds
        // (what a torn write leaves, so the look-ahead decides).
        for first_len in [(size / 2) as u32, u32::MAX >> 6] {
            std::fs::write(&path, crafted(size, first_len)).unwrap();
            format::HASHED.with(|h| h.set(0));
            let verified = FileJournal::verify(&path);
            let hashed = format::HASHED.with(|h| h.get());
            assert!(
                hashed <= 3 * size as u64,
                "{size} bytes: {hashed} bytes hashed ({verified:?})"
            );
            match verified {
                Err(Error::JournalCorrupt { offset: 16, .. }) => {
                    assert_eq!(first_len, (size / 2) as u32)
                }
                Ok(r) => assert_eq!(r.torn_tail.unwrap().bytes, size as u64 - 16),
                other => panic!("{size}/{first_len}: {other:?}"),
            }
        }
    }
}

/// Issue 12: a 0-byte file and `/dev/null` verified as clean journals. An empty regular file is
/// what an interrupted creation leaves (a writable open writes the header); a device is no journal.
#[test]
fn empty_file_is_header_missing_and_a_device_is_not_a_journal() {
    let dir = TempDir::new();
    let path = dir.file("j");
    std::fs::write(&path, b"").unwrap();
    let r = FileJournal::verify(&path).unwrap();
    assert!(r.header_missing && !r.created && !r.is_clean(), "{r:?}");
    let j = FileJournal::open(&path, FileJournalOptions::default()).unwrap();
    let r = j.recovery();
    assert!(r.header_missing && r.created && r.is_clean(), "{r:?}");
    drop(j);
    assert!(FileJournal::verify(&path).unwrap().is_clean());
    for other in ["/dev/null", "/dev/zero"] {
        if Path::new(other).exists() {
            for options in [
                FileJournalOptions::default(),
                FileJournalOptions {
                    read_only: true,
                    ..Default::default()
                },
            ] {
                match FileJournal::open(other, options) {
                    Err(Error::JournalFormat { reason, .. }) => {
                        assert!(reason.contains("not a regular file"), "{reason}")
                    }
                    r => panic!("{other}: {:?}", r.map(|j| j.recovery().clone())),
                }
            }
        }
    }
    assert!(matches!(
        FileJournal::verify(&dir.0),
        Err(Error::JournalFormat { .. })
    ));
}
