//! The journal contract: one test suite that every [`Journal`] implementation passes — the
//! core's [`MemoryJournal`](super::MemoryJournal) and [`FileJournal`](super::FileJournal), and
//! `acikkapi-postgres`'s `PgJournal` — so they are interchangeable under the engine.
//!
//! Compiled for the core's own tests and, behind the `contract-tests` cargo feature, for other
//! crates' tests (`acikkapi-core = { features = ["contract-tests"] }` in their
//! `[dev-dependencies]`). It is test code: a broken contract panics with what was expected.
//!
//! An implementation describes how to make and reopen its journals with a [`Subject`]; [`run_all`]
//! runs every check, and each check is a public function too, so a test binary can run them one by
//! one as separate `#[test]`s (see [`contract_tests!`](crate::contract_tests)).

use std::collections::{BTreeMap, HashSet};

use super::{Journal, JournalIter, Record, Seq, Snapshot};
use crate::Error;

/// How the contract makes journals of one implementation.
pub trait Subject: Sync {
    /// The implementation under test.
    type J: Journal;

    /// A new, empty journal, and a name by which [`reopen`](Subject::reopen) finds it again.
    fn create(&self) -> (Self::J, String);

    /// Opens the journal `name` again, as a restarted process would, after the caller dropped its
    /// handle; `None` if the implementation keeps nothing past its handle (memory).
    fn reopen(&self, name: &str) -> Option<Self::J>;

    /// Makes the latest snapshot of journal `from` the latest snapshot of journal `to` as stored
    /// (a stale or foreign snapshot: a copied file, a copied row), so the contract can check that
    /// `to` refuses it. Returns false where a snapshot cannot be separated from its journal
    /// (memory), and the check is skipped for that implementation.
    fn transplant_snapshot(&self, from: &str, to: &str) -> bool;
}

fn p(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

fn payloads(j: &dyn Journal, from: Seq, limit: usize) -> Vec<Vec<u8>> {
    j.read_range(from, limit)
        .expect("read_range")
        .into_iter()
        .map(|r| r.payload)
        .collect()
}

fn all(j: &dyn Journal) -> Vec<Record> {
    JournalIter::new(j, Seq(1))
        .collect::<crate::Result<Vec<_>>>()
        .expect("iterate")
}

fn assert_gapless(records: &[Record]) {
    for (i, r) in records.iter().enumerate() {
        assert_eq!(
            r.seq,
            Seq(i as u64 + 1),
            "positions must be 1, 2, 3, … without gaps"
        );
    }
}

/// An empty journal: nothing to read, last sequence 0, no snapshot; an empty batch is a no-op.
pub fn empty<S: Subject>(s: &S) {
    let (j, _) = s.create();
    assert_eq!(j.last_seq(), Seq(0));
    assert!(j.read_range(Seq(0), 10).expect("read").is_empty());
    assert!(j.read_range(Seq(1), 10).expect("read").is_empty());
    assert!(j.read_snapshot().expect("read snapshot").is_none());
    assert_eq!(j.iter_from(Seq(1)).count(), 0);
    assert!(j.append(&[]).expect("empty append").is_empty());
    assert!(
        j.append_if(Some(Seq(0)), &[])
            .expect("empty append_if")
            .is_empty()
    );
    assert_eq!(j.last_seq(), Seq(0));
}

/// Appends get consecutive sequence numbers from 1; reads return the payloads in order, from any
/// position, bounded by the limit; bytes come back exactly (empty and binary payloads too).
pub fn append_and_read_in_order<S: Subject>(s: &S) {
    let (j, _) = s.create();
    assert_eq!(j.append(&[p("a")]).expect("append"), vec![Seq(1)]);
    assert_eq!(
        j.append(&[p("b"), Vec::new(), vec![0, 255, 0, 10, 13]])
            .expect("append"),
        vec![Seq(2), Seq(3), Seq(4)]
    );
    assert_eq!(j.last_seq(), Seq(4));
    let want = vec![p("a"), p("b"), Vec::new(), vec![0, 255, 0, 10, 13]];
    assert_eq!(payloads(&j, Seq(1), 100), want);
    assert_eq!(
        payloads(&j, Seq(0), 100),
        want,
        "from 0 reads from the start"
    );
    assert_eq!(payloads(&j, Seq(3), 100), want[2..].to_vec());
    assert_eq!(payloads(&j, Seq(2), 2), want[1..3].to_vec());
    assert!(payloads(&j, Seq(5), 100).is_empty());
    assert!(payloads(&j, Seq(u64::MAX), 100).is_empty());
    assert!(payloads(&j, Seq(1), 0).is_empty());
    let recs = j.read_range(Seq(1), 100).expect("read");
    assert_gapless(&recs);
}

/// A batch is all or nothing: consecutive numbers, and a batch with one invalid record (over the
/// payload limit) writes none of its records.
pub fn batches_are_atomic<S: Subject>(s: &S) {
    let (j, _) = s.create();
    j.append(&[p("x")]).expect("append");
    let big = vec![7u8; super::format::MAX_PAYLOAD + 1];
    let err = j
        .append(&[p("ok"), big])
        .expect_err("a payload over the limit is refused");
    assert!(matches!(err, Error::JournalInvalid(_)), "got {err:?}");
    assert_eq!(
        j.last_seq(),
        Seq(1),
        "nothing of the refused batch is written"
    );
    assert_eq!(payloads(&j, Seq(1), 10), vec![p("x")]);
    let batch: Vec<Vec<u8>> = (0..50).map(|i| format!("r{i}").into_bytes()).collect();
    let seqs = j.append(&batch).expect("append batch");
    assert_eq!(seqs, (2..=51).map(Seq).collect::<Vec<_>>());
    assert_eq!(payloads(&j, Seq(2), 100), batch);
}

/// `append_if` writes only when the expected last sequence is the journal's; otherwise
/// `ConcurrencyConflict` with both numbers, and nothing is written (also when the caller expects
/// more records than there are, which must never leave a gap).
pub fn append_if_conflict_writes_nothing<S: Subject>(s: &S) {
    let (j, _) = s.create();
    assert_eq!(
        j.append_if(Some(Seq(0)), &[p("1")]).expect("first"),
        vec![Seq(1)]
    );
    assert_eq!(
        j.append_if(Some(Seq(1)), &[p("2"), p("3")])
            .expect("second"),
        vec![Seq(2), Seq(3)]
    );
    for stale in [0u64, 1, 2] {
        let err = j
            .append_if(Some(Seq(stale)), &[p("late")])
            .expect_err("stale");
        assert!(
            matches!(err, Error::ConcurrencyConflict { expected, actual: 3 } if expected == stale),
            "expected {stale}: got {err:?}"
        );
    }
    for ahead in [4u64, 10, u64::MAX - 1] {
        let err = j
            .append_if(Some(Seq(ahead)), &[p("gap")])
            .expect_err("ahead");
        assert!(
            matches!(err, Error::ConcurrencyConflict { expected, actual: 3 } if expected == ahead),
            "expected {ahead}: got {err:?}"
        );
    }
    assert_eq!(j.last_seq(), Seq(3));
    assert_eq!(payloads(&j, Seq(1), 10), vec![p("1"), p("2"), p("3")]);
    assert_eq!(
        j.append_if(None, &[p("4")]).expect("unconditional"),
        vec![Seq(4)]
    );
    assert_eq!(
        j.append_if(Some(Seq(4)), &[p("5")]).expect("after"),
        vec![Seq(5)]
    );
    assert_gapless(&all(&j));
}

/// Paging through `read_range` with any page size sees every record once, in order.
pub fn read_range_pagination<S: Subject>(s: &S) {
    let (j, _) = s.create();
    let batch: Vec<Vec<u8>> = (0..97).map(|i| format!("p{i}").into_bytes()).collect();
    j.append(&batch[..40]).expect("append");
    j.append(&batch[40..]).expect("append");
    for page in [1usize, 3, 40, 96, 97, 1000] {
        let mut got = Vec::new();
        let mut from = Seq(1);
        loop {
            let recs = j.read_range(from, page).expect("read");
            assert!(recs.len() <= page);
            let Some(last) = recs.last() else { break };
            assert_eq!(recs[0].seq, from);
            from = last.seq.next();
            got.extend(recs.into_iter().map(|r| r.payload));
        }
        assert_eq!(got, batch, "page size {page}");
    }
}

/// `iter_from` crosses page boundaries ([`JournalIter::PAGE`]) and starts anywhere.
pub fn iter_from_crosses_pages<S: Subject>(s: &S) {
    let (j, _) = s.create();
    let n = JournalIter::PAGE + 7;
    let batch: Vec<Vec<u8>> = (0..n).map(|i| (i as u32).to_le_bytes().to_vec()).collect();
    for chunk in batch.chunks(1000) {
        j.append(chunk).expect("append");
    }
    let recs = all(&j);
    assert_eq!(recs.len(), n);
    assert_gapless(&recs);
    assert!(recs.iter().map(|r| &r.payload).eq(batch.iter()));
    let tail: Vec<_> = j
        .iter_from(Seq(n as u64 - 2))
        .map(|r| r.expect("iterate").seq)
        .collect();
    assert_eq!(
        tail,
        vec![Seq(n as u64 - 2), Seq(n as u64 - 1), Seq(n as u64)]
    );
    assert_eq!(j.iter_from(Seq(n as u64 + 1)).count(), 0);
}

/// Snapshots: written, read back, replaced; one past the last record is refused and keeps the
/// previous; a snapshot of another journal (or of records that were replaced) is refused with
/// `SnapshotMismatch`.
pub fn snapshots_write_read_and_binding<S: Subject>(s: &S) {
    let (j, name) = s.create();
    j.append(&[p("a"), p("b")]).expect("append");
    let first = Snapshot {
        seq: Seq(2),
        data: p("state at 2"),
    };
    j.write_snapshot(&first).expect("write");
    assert_eq!(j.read_snapshot().expect("read"), Some(first.clone()));
    let err = j
        .write_snapshot(&Snapshot {
            seq: Seq(3),
            data: p("future"),
        })
        .expect_err("past the last record");
    assert!(matches!(err, Error::JournalInvalid(_)), "got {err:?}");
    assert_eq!(j.read_snapshot().expect("read"), Some(first));
    j.append(&[p("c")]).expect("append");
    let second = Snapshot {
        seq: Seq(1),
        data: vec![0, 1, 2, 255],
    };
    j.write_snapshot(&second)
        .expect("replace with an older position");
    assert_eq!(j.read_snapshot().expect("read"), Some(second));
    let third = Snapshot {
        seq: Seq(3),
        data: Vec::new(),
    };
    j.write_snapshot(&third).expect("replace");
    assert_eq!(j.read_snapshot().expect("read"), Some(third));

    // A snapshot carried over to a journal with other records at those positions.
    let (other, other_name) = s.create();
    other.append(&[p("x"), p("y"), p("z")]).expect("append");
    other
        .write_snapshot(&Snapshot {
            seq: Seq(0),
            data: p("empty"),
        })
        .expect("snapshot at 0");
    drop(other);
    if s.transplant_snapshot(&name, &other_name) {
        let other = s
            .reopen(&other_name)
            .expect("a journal that takes snapshots reopens");
        let err = other.read_snapshot().expect_err("foreign snapshot");
        assert!(
            matches!(err, Error::SnapshotMismatch { seq: 3, .. }),
            "got {err:?}"
        );
        // Its records are untouched.
        assert_eq!(payloads(&other, Seq(1), 10), vec![p("x"), p("y"), p("z")]);
    }
}

/// Threads appending to one journal: plain appends keep each batch contiguous, and racing
/// `append_if` writers get exactly one winner per position (the losers see
/// `ConcurrencyConflict`, read the new last sequence and retry); every acknowledged append is there
/// exactly once, at its acknowledged position.
pub fn concurrent_appenders<S: Subject>(s: &S) {
    const THREADS: usize = 4;
    const EACH: usize = 60;
    let (j, _) = s.create();
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let j = &j;
            scope.spawn(move || {
                for i in 0..EACH / 2 {
                    let tag = format!("b{t}-{i}");
                    j.append(&[p(&tag), p(&tag)]).expect("append");
                }
            });
        }
    });
    let recs = all(&j);
    assert_eq!(recs.len(), THREADS * EACH);
    assert_gapless(&recs);
    for pair in recs.chunks(2) {
        assert_eq!(pair[0].payload, pair[1].payload, "a batch is contiguous");
    }

    let (j, _) = s.create();
    let acked: Vec<Vec<(Seq, Vec<u8>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            (0..THREADS)
                .map(|t| {
                    let j = &j;
                    scope.spawn(move || {
                    let mut acked = Vec::new();
                    let mut conflicts = 0usize;
                    for i in 0..EACH {
                        let payload = format!("c{t}-{i}").into_bytes();
                        loop {
                            let expected = j.last_seq();
                            match j.append_if(Some(expected), std::slice::from_ref(&payload)) {
                                Ok(seqs) => {
                                    assert_eq!(seqs, vec![expected.next()]);
                                    acked.push((seqs[0], payload));
                                    break;
                                }
                                Err(Error::ConcurrencyConflict { expected: e, actual }) => {
                                    assert_eq!(e, expected.0);
                                    assert_ne!(actual, e, "a conflict means the journal moved");
                                    assert!(
                                        j.last_seq().0 >= actual,
                                        "after a conflict the records the loser missed are visible"
                                    );
                                    conflicts += 1;
                                    assert!(conflicts < 100_000, "livelock");
                                }
                                Err(e) => panic!("append_if: {e}"),
                            }
                        }
                    }
                    acked
                })
                })
                .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let recs = all(&j);
    assert_eq!(recs.len(), THREADS * EACH);
    assert_gapless(&recs);
    let by_seq: BTreeMap<Seq, &Vec<u8>> = recs.iter().map(|r| (r.seq, &r.payload)).collect();
    let mut seen = HashSet::new();
    for (seq, payload) in acked.iter().flatten() {
        assert_eq!(by_seq.get(seq), Some(&payload), "acknowledged at {seq}");
        assert!(seen.insert(payload.clone()), "acknowledged twice");
    }
    assert_eq!(seen.len(), THREADS * EACH);
}

/// A journal opened again has every record, the same last sequence and its snapshot, and goes on
/// appending after them.
pub fn reopen_keeps_everything<S: Subject>(s: &S) {
    let (j, name) = s.create();
    j.append(&[p("one"), p("two")]).expect("append");
    j.append(&[p("three")]).expect("append");
    let snap = Snapshot {
        seq: Seq(2),
        data: p("snap"),
    };
    j.write_snapshot(&snap).expect("snapshot");
    drop(j);
    let Some(j) = s.reopen(&name) else {
        return;
    };
    assert_eq!(j.last_seq(), Seq(3));
    assert_eq!(
        payloads(&j, Seq(1), 10),
        vec![p("one"), p("two"), p("three")]
    );
    assert_eq!(j.read_snapshot().expect("snapshot"), Some(snap));
    assert_eq!(
        j.append_if(Some(Seq(3)), &[p("four")]).expect("append"),
        vec![Seq(4)]
    );
    drop(j);
    let j = s.reopen(&name).expect("reopen twice");
    assert_eq!(j.last_seq(), Seq(4));
    assert_gapless(&all(&j));
}

/// Every check of the contract, in order.
pub fn run_all<S: Subject>(s: &S) {
    empty(s);
    append_and_read_in_order(s);
    batches_are_atomic(s);
    append_if_conflict_writes_nothing(s);
    read_range_pagination(s);
    iter_from_crosses_pages(s);
    snapshots_write_read_and_binding(s);
    concurrent_appenders(s);
    reopen_keeps_everything(s);
}

/// Declares one `#[test]` per contract check for a subject: `contract_tests!(make_subject)`,
/// where `make_subject()` returns a [`Subject`]. Use inside a test module.
#[macro_export]
macro_rules! contract_tests {
    ($make:expr) => {
        $crate::contract_tests!(@each $make;
            empty, append_and_read_in_order, batches_are_atomic,
            append_if_conflict_writes_nothing, read_range_pagination, iter_from_crosses_pages,
            snapshots_write_read_and_binding, concurrent_appenders, reopen_keeps_everything);
    };
    (@each $make:expr; $($check:ident),*) => {
        $(
            #[test]
            fn $check() {
                $crate::journal::contract::$check(&$make());
            }
        )*
    };
}
