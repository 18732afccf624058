//! The write path of [`FileJournal`](super::FileJournal): ordering, fsync policy and group commit.
//!
//! Appenders take the state lock, write their batch with one `write` call (so batches never
//! interleave) and then wait for durability. Under [`FsyncPolicy::Group`] the first waiter that
//! finds no sync running becomes the *leader*: it notes how far the file is written, releases the
//! lock, calls `fdatasync`, and on success marks everything up to that point durable and wakes
//! the others. Appenders that wrote while the leader was syncing wait for the next sync, which one
//! of them leads. So with many threads one fsync covers many batches, and an append still returns
//! only after its own batch is on stable storage.
//!
//! A failed write or sync leaves the file in an unknown state (after a failed fsync the kernel may
//! have dropped dirty pages), so the writer refuses all further appends; reopening the journal
//! recovers from what is really on disk.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Condvar, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use super::format::{BATCH_END, FRAME_OVERHEAD, digest_step, encode_record};
use super::{Seq, check_batch, check_expected};
use crate::{Error, Result};

/// When [`FileJournal`](super::FileJournal) makes appends durable before acknowledging them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FsyncPolicy {
    /// `fdatasync` after every batch, while holding the write lock (simple, slowest under load).
    EveryBatch,
    /// Group commit: concurrent appenders share one `fdatasync` (default).
    #[default]
    Group,
    /// Never sync: acknowledged records survive a process crash (they are in the OS page cache)
    /// but not a power loss. For tests and benchmarks only.
    Never,
}

/// Counters of a [`FileJournal`](super::FileJournal) since it was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalStats {
    /// Batches appended.
    pub batches: u64,
    /// Records appended.
    pub records: u64,
    /// `fdatasync` calls made for appends (with group commit, fewer than `batches` under load).
    pub fsyncs: u64,
}

/// Every how many records the sparse in-memory index keeps a (sequence, offset) pair.
pub(super) const INDEX_EVERY: u64 = 1024;

/// A point of the sparse index: where record `seq` starts, and the digest of the records before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct IndexEntry {
    pub seq: u64,
    pub offset: u64,
    pub digest: u32,
}

/// Mutable state behind the writer's lock.
#[derive(Debug)]
pub(super) struct State {
    /// Last sequence number written to the file.
    pub written_seq: u64,
    /// End offset of the written data.
    pub written_end: u64,
    /// Last sequence number known durable (acknowledged).
    pub durable_seq: u64,
    /// End offset of the durable data.
    pub durable_end: u64,
    /// A leader is syncing right now.
    syncing: bool,
    /// Counters.
    pub stats: JournalStats,
    /// Why the writer refuses appends, if it does.
    pub broken: Option<String>,
    /// Sparse index: `(seq, offset, digest of the records before seq)` for seq 1,
    /// 1 + INDEX_EVERY, ….
    pub index: Vec<IndexEntry>,
    /// The running digest of records `1..=written_seq` ([`digest_step`]).
    pub digest: u32,
    buf: Vec<u8>,
}

impl State {
    /// State after recovery: `last_seq` records ending at `end` with running digest `digest`,
    /// all durable.
    pub fn new(
        last_seq: u64,
        end: u64,
        digest: u32,
        index: Vec<IndexEntry>,
        broken: Option<String>,
    ) -> Self {
        State {
            written_seq: last_seq,
            written_end: end,
            durable_seq: last_seq,
            durable_end: end,
            syncing: false,
            stats: JournalStats::default(),
            broken,
            index,
            digest,
            buf: Vec::new(),
        }
    }

    /// The index point to start reading at to find `seq` (at or before it).
    pub fn seek_hint(&self, seq: u64) -> Option<IndexEntry> {
        let i = self.index.partition_point(|e| e.seq <= seq);
        i.checked_sub(1).map(|i| self.index[i])
    }
}

/// The write side of a file journal.
#[derive(Debug)]
pub(super) struct Writer {
    pub path: PathBuf,
    file: File,
    policy: FsyncPolicy,
    state: Mutex<State>,
    synced: Condvar,
}

impl Writer {
    pub fn new(path: PathBuf, file: File, policy: FsyncPolicy, state: State) -> Self {
        Writer {
            path,
            file,
            policy,
            state: Mutex::new(state),
            synced: Condvar::new(),
        }
    }

    /// Locks the state. Every update of `State` happens in straight-line code that cannot panic
    /// half-way, so a lock poisoned by a panicking thread still guards consistent data.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn unwritable(&self, reason: String) -> Error {
        Error::JournalUnwritable {
            path: self.path.clone(),
            reason,
        }
    }

    /// Appends a batch and waits until it is durable under the policy.
    pub fn append_if(&self, expected: Option<Seq>, payloads: &[Vec<u8>]) -> Result<Vec<Seq>> {
        check_batch(payloads)?;
        if payloads.is_empty() {
            return Ok(Vec::new());
        }
        let mut st = self.lock();
        if let Some(reason) = &st.broken {
            return Err(self.unwritable(reason.clone()));
        }
        if let Err(conflict) = check_expected(expected, Seq(st.written_seq)) {
            // The records the caller has not seen may still be on their way to disk (group
            // commit): wait until they are durable, so that after a conflict `last_seq` and
            // `read_range` show them and the caller can read them, decide again and retry
            // (otherwise it would retry with the same stale expectation until the sync).
            let written = st.written_seq;
            if self.policy == FsyncPolicy::Group && st.durable_seq < written {
                self.wait_durable(st, written)?;
            }
            return Err(conflict);
        }
        let first = st.written_seq + 1;
        let mut buf = std::mem::take(&mut st.buf);
        buf.clear();
        buf.reserve(payloads.iter().map(|p| p.len() + FRAME_OVERHEAD).sum());
        let mut offset = st.written_end;
        let mut digest = st.digest;
        for (i, p) in payloads.iter().enumerate() {
            let seq = first + i as u64;
            if seq % INDEX_EVERY == 1 {
                st.index.push(IndexEntry {
                    seq,
                    offset,
                    digest,
                });
            }
            let flags = if i + 1 == payloads.len() {
                BATCH_END
            } else {
                0
            };
            digest = digest_step(digest, encode_record(seq, flags, p, &mut buf));
            offset += (p.len() + FRAME_OVERHEAD) as u64;
        }
        let written = (&self.file).write_all(&buf);
        st.buf = buf;
        if let Err(e) = written {
            let reason = format!("write failed: {e}");
            st.broken = Some(reason.clone());
            st.index.retain(|e| e.seq < first);
            return Err(Error::JournalIo {
                path: self.path.clone(),
                source: e,
            });
        }
        st.written_seq = first + payloads.len() as u64 - 1;
        st.written_end = offset;
        st.digest = digest;
        st.stats.batches += 1;
        st.stats.records += payloads.len() as u64;
        let mine = st.written_seq;
        let seqs = (first..=mine).map(Seq).collect();
        match self.policy {
            FsyncPolicy::Never => {
                st.durable_seq = st.written_seq;
                st.durable_end = st.written_end;
            }
            FsyncPolicy::EveryBatch => {
                st.stats.fsyncs += 1;
                if let Err(e) = self.file.sync_data() {
                    st.broken = Some(format!("fsync failed: {e}"));
                    return Err(Error::JournalIo {
                        path: self.path.clone(),
                        source: e,
                    });
                }
                st.durable_seq = st.written_seq;
                st.durable_end = st.written_end;
            }
            FsyncPolicy::Group => self.wait_durable(st, mine)?,
        }
        Ok(seqs)
    }

    /// Group commit: returns once `mine` is durable, leading a sync when none is running.
    fn wait_durable<'a>(&'a self, mut st: MutexGuard<'a, State>, mine: u64) -> Result<()> {
        loop {
            if st.durable_seq >= mine {
                return Ok(());
            }
            if let Some(reason) = &st.broken {
                return Err(self.unwritable(reason.clone()));
            }
            if st.syncing {
                st = self.synced.wait(st).unwrap_or_else(|e| e.into_inner());
                continue;
            }
            st.syncing = true;
            let (seq, end) = (st.written_seq, st.written_end);
            drop(st);
            let synced = self.file.sync_data();
            st = self.lock();
            st.stats.fsyncs += 1;
            st.syncing = false;
            let result = match synced {
                Ok(()) => {
                    st.durable_seq = st.durable_seq.max(seq);
                    st.durable_end = st.durable_end.max(end);
                    Ok(())
                }
                Err(e) => {
                    st.broken = Some(format!("fsync failed: {e}"));
                    Err(Error::JournalIo {
                        path: self.path.clone(),
                        source: e,
                    })
                }
            };
            self.synced.notify_all();
            result?;
        }
    }
}
