//! Journal (*olay günlüğü*): the crash-safe, append-only event store the workflow engine keeps every
//! application's history in.
//!
//! * [`Journal`] is the trait an integrator implements to keep events in their own database.
//!   Records are opaque bytes; [`TypedJournal`] layers any `E: Serialize + DeserializeOwned` over
//!   it, encoded as JSON (serde_json).
//! * [`MemoryJournal`]: in memory, for tests and demos.
//! * [`FileJournal`]: an embedded append-only file with CRC-framed records, group commit and
//!   snapshots. An append returns only once its batch is durable under the configured
//!   [`FsyncPolicy`]; an acknowledged record survives `kill -9` (tested in
//!   `tests/journal_kill9.rs`) and, with fsync on, power loss.
//!
//! # On-disk format
//!
//! The journal file (`events.journal`, any name):
//!
//! ```text
//! file   := header record*
//! header := magic "ACIKJRNL" (8 bytes) | version u32 LE (= 1) | flags u32 LE (= 0)      16 bytes
//! record := len u32 LE | crc u32 LE | body                                        8 + len bytes
//! body   := seq u64 LE | rflags u8 | payload (len - 9 bytes)
//! ```
//!
//! `crc` is the CRC-32 (IEEE) of `body`; `seq` starts at 1 and grows by exactly 1; `rflags` bit 0
//! marks the last record of a batch; a payload is at most 64 MiB. See [`format`](mod@format) for details.
//!
//! The snapshot sits next to the journal as `<journal file name>.snapshot`:
//!
//! ```text
//! snapshot := magic "ACIKSNAP" (8) | version u32 LE (= 2) | flags u32 LE (= 0)
//!             | seq u64 LE | end u64 LE | digest u32 LE | len u64 LE
//!             | crc u32 LE (CRC-32 of the 44 bytes before it, then of data) | data (len bytes)
//! ```
//!
//! `end` is the journal offset just after record `seq`; `digest` is the running digest of records
//! `1..=seq`: CRC-32 continued over each record's `crc` field (4 bytes LE) in order, 0 for no
//! records ([`format::digest_step`]). Together they bind the snapshot to the records it was made
//! from: [`Journal::read_snapshot`] refuses a snapshot whose `end` or `digest` differs from the
//! journal's, that covers records past the last one, or of version 1 (which had neither field) with
//! [`Error::SnapshotMismatch`](crate::Error::SnapshotMismatch); the engine then replays every record
//! (see [`Engine::snapshot_status`](crate::workflow::Engine::snapshot_status)). The digest protects
//! against a stale or foreign snapshot, not against someone who can write the journal's folder
//! (they could rewrite the journal as well).
//!
//! It is written to `<name>.snapshot.tmp`, fsynced, renamed over the old snapshot, and the
//! directory is fsynced, so a crash leaves either the old or the new snapshot, never a mix.
//!
//! # Recovery on open
//!
//! A journal is a regular file (anything else is [`Error::JournalFormat`](crate::Error::JournalFormat)).
//! The file is scanned from the start. Where the valid records end, the rest is examined:
//! * nothing left: clean;
//! * no header at all (0 bytes) or a torn header: a journal whose creation was interrupted (or an
//!   empty file). A writable open writes the header; a read-only open reports
//!   [`RecoveryReport::header_missing`] and is not [clean](RecoveryReport::is_clean);
//! * a **torn write** — the file ends before the last record's declared length (or inside its
//!   8-byte prefix), or its length is impossible (zeros) and no complete record hides behind it —
//!   or trailing records of a batch without its end marker, and no valid record anywhere after
//!   it: a **torn tail** from a crash during a write. It is cut off (the file is truncated and
//!   synced) and reported in the [`RecoveryReport`]. Such records were never acknowledged: an
//!   append returns only after its whole batch is written and synced;
//! * a **damaged record** (its full length is present but it fails its CRC, or only its length
//!   field is wrong: the rest of the file is exactly one record under its CRC), or damage followed
//!   by valid records: [`Error::JournalCorrupt`](crate::Error::JournalCorrupt) with the offset,
//!   unless the caller opens with [`Recovery::Salvage`], which keeps the valid prefix and cuts the
//!   rest. A damaged last record may have been acknowledged, so it is never cut silently.
//!
//! Recovery is linear in the file's size: the valid records are read once, and the search for a
//! valid record after damage keeps one running CRC over the rest of the file instead of hashing
//! each candidate (see [`format`](mod@format)).
//!
//! # Example
//!
//! ```
//! use acikkapi_core::journal::{FileJournal, FileJournalOptions, FsyncPolicy, Journal, Seq};
//!
//! let dir = std::env::temp_dir().join(format!("acikkapi-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("events.journal");
//! # let _ = std::fs::remove_file(&path);
//! let journal = FileJournal::open(&path, FileJournalOptions::default())?;
//! let seqs = journal.append(&[br#"{"type":"registered"}"#.to_vec(), br#"{"type":"routed"}"#.to_vec()])?;
//! assert_eq!(seqs, vec![Seq(1), Seq(2)]);
//! drop(journal);
//!
//! let journal = FileJournal::open(&path, FileJournalOptions { fsync: FsyncPolicy::Group, ..Default::default() })?;
//! assert_eq!(journal.recovery().records, 2);
//! let records = journal.read_range(Seq(2), 10)?;
//! assert_eq!(records[0].payload, br#"{"type":"routed"}"#);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(any(test, feature = "contract-tests"))]
pub mod contract;
#[cfg(test)]
mod contract_tests;
pub mod format;

mod file;
#[cfg(test)]
mod file_tests;
mod group_commit;
mod lookahead;
mod memory;
mod snapshot;
mod typed;

use serde::{Deserialize, Serialize};

pub use file::{
    FileJournal, FileJournalOptions, FsyncPolicy, JournalStats, RecoveryReport, TornTail,
};
pub use format::Recovery;
pub use memory::MemoryJournal;
pub use typed::TypedJournal;

use crate::Result;

/// Sequence number of a record (*sıra numarası*): 1 for the first record, then +1 per record.
/// `Seq(0)` stands for "before the first record" (an empty journal's last sequence).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Seq(pub u64);

impl Seq {
    /// The sequence number after this one.
    pub fn next(self) -> Seq {
        Seq(self.0 + 1)
    }
}

impl std::fmt::Display for Seq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// One stored record: its sequence number and opaque payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Sequence number.
    pub seq: Seq,
    /// The payload as appended.
    pub payload: Vec<u8>,
}

/// A snapshot (*anlık görüntü*): state derived from the records up to and including `seq`, as opaque
/// bytes. Replaying from `seq + 1` on top of it gives the current state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The last record the snapshot covers.
    pub seq: Seq,
    /// The encoded state.
    pub data: Vec<u8>,
}

/// An append-only store of records with sequence numbers and one latest snapshot.
///
/// Implementations are `Send + Sync` and used from several threads at once. Appends are atomic
/// per batch (all records or none are ever visible, also after a crash) and return only when the
/// batch is durable under the implementation's policy. Readers see acknowledged records only.
pub trait Journal: Send + Sync {
    /// Appends a batch; returns the sequence numbers assigned, in order. An empty batch is a no-op.
    fn append(&self, payloads: &[Vec<u8>]) -> Result<Vec<Seq>> {
        self.append_if(None, payloads)
    }

    /// Appends a batch only if the journal's last sequence number is `expected` (optimistic
    /// concurrency); otherwise [`Error::ConcurrencyConflict`](crate::Error::ConcurrencyConflict)
    /// and nothing is written. `None` appends unconditionally.
    fn append_if(&self, expected: Option<Seq>, payloads: &[Vec<u8>]) -> Result<Vec<Seq>>;

    /// Up to `limit` acknowledged records with sequence numbers `>= from`, in order.
    fn read_range(&self, from: Seq, limit: usize) -> Result<Vec<Record>>;

    /// The last acknowledged sequence number (`Seq(0)` when empty).
    fn last_seq(&self) -> Seq;

    /// Stores `snapshot` as the latest one, replacing the previous. Its `seq` must not be past
    /// [`last_seq`](Journal::last_seq).
    fn write_snapshot(&self, snapshot: &Snapshot) -> Result<()>;

    /// The latest snapshot, if any. Implementations return only a snapshot made from their own
    /// records ([`FileJournal`] checks its position and record digest); one that is not is
    /// [`Error::SnapshotMismatch`](crate::Error::SnapshotMismatch).
    fn read_snapshot(&self) -> Result<Option<Snapshot>>;

    /// Iterates over the records from `from` on, reading in pages.
    fn iter_from(&self, from: Seq) -> JournalIter<'_>
    where
        Self: Sized,
    {
        JournalIter::new(self, from)
    }
}

/// Iterator over a journal's records, reading pages of [`JournalIter::PAGE`] records. It stops at
/// the last record acknowledged when a page is read; an error ends the iteration.
pub struct JournalIter<'a> {
    journal: &'a dyn Journal,
    next: Seq,
    page: std::vec::IntoIter<Record>,
    done: bool,
}

impl<'a> JournalIter<'a> {
    /// Records read per call to [`Journal::read_range`].
    pub const PAGE: usize = 4096;

    /// Iterates over `journal` from `from` on (works for `dyn Journal` too).
    pub fn new(journal: &'a dyn Journal, from: Seq) -> Self {
        JournalIter {
            journal,
            next: Seq(from.0.max(1)),
            page: Vec::new().into_iter(),
            done: false,
        }
    }
}

impl Iterator for JournalIter<'_> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(r) = self.page.next() {
            return Some(Ok(r));
        }
        if self.done {
            return None;
        }
        match self.journal.read_range(self.next, Self::PAGE) {
            Ok(page) => {
                if page.len() < Self::PAGE {
                    self.done = true;
                }
                if let Some(last) = page.last() {
                    self.next = last.seq.next();
                }
                self.page = page.into_iter();
                self.page.next().map(Ok)
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Checks a batch before it is appended.
fn check_batch(payloads: &[Vec<u8>]) -> Result<()> {
    if let Some(p) = payloads.iter().find(|p| p.len() > format::MAX_PAYLOAD) {
        return Err(crate::Error::JournalInvalid(format!(
            "payload of {} bytes exceeds the maximum of {} bytes",
            p.len(),
            format::MAX_PAYLOAD
        )));
    }
    Ok(())
}

/// Checks a conditional append's expectation.
fn check_expected(expected: Option<Seq>, actual: Seq) -> Result<()> {
    match expected {
        Some(e) if e != actual => Err(crate::Error::ConcurrencyConflict {
            expected: e.0,
            actual: actual.0,
        }),
        _ => Ok(()),
    }
}

/// Checks that a snapshot does not claim records the journal does not have.
fn check_snapshot(snapshot: &Snapshot, last: Seq) -> Result<()> {
    if snapshot.seq > last {
        return Err(crate::Error::JournalInvalid(format!(
            "snapshot at sequence {} is past the last record {}",
            snapshot.seq, last
        )));
    }
    Ok(())
}
