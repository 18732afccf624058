//! [`FileJournal`]: the embedded append-only file journal.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::format::Frame;
use super::format::{self, Recovery, Scan};
pub use super::group_commit::{FsyncPolicy, JournalStats};
use super::group_commit::{INDEX_EVERY, IndexEntry, State, Writer};
use super::snapshot::Binding;
use super::{Journal, Record, Seq, Snapshot, check_snapshot, snapshot};
use crate::{Error, Result};

/// How to open a [`FileJournal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileJournalOptions {
    /// When appends are synced (default: group commit).
    pub fsync: FsyncPolicy,
    /// What to do with damage in the middle of the file (default: refuse to open).
    pub recovery: Recovery,
    /// Open without writing anything: no header is written, a torn tail is reported but not cut,
    /// appends fail with [`Error::JournalUnwritable`]. For inspection tools.
    pub read_only: bool,
    /// Create the file if it does not exist (default: true; ignored when read-only).
    pub create: bool,
}

impl Default for FileJournalOptions {
    fn default() -> Self {
        FileJournalOptions {
            fsync: FsyncPolicy::Group,
            recovery: Recovery::Strict,
            read_only: false,
            create: true,
        }
    }
}

/// The damage found at the end of a journal file when it was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TornTail {
    /// Offset where the valid data ends and the damage starts.
    pub offset: u64,
    /// How many bytes follow that offset (and were, or would be, cut).
    pub bytes: u64,
    /// What was found at the damage.
    pub reason: String,
    /// Not a torn write: damage was cut (only when opened with [`Recovery::Salvage`]): a damaged
    /// complete record, or valid records after a bad one.
    pub salvaged: bool,
    /// The file was truncated (false when opened read-only).
    pub cut: bool,
}

/// What opening a journal found: the open/recovery report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryReport {
    /// The journal file.
    pub path: PathBuf,
    /// The file was created (or had no complete header) and a new header was written.
    pub created: bool,
    /// The file had no complete journal header when opened: it was empty (0 bytes), or its header
    /// was torn while it was created (then `torn_tail` says so). That is what a journal whose
    /// creation was interrupted leaves, or any empty file: a writable open writes the header (and
    /// sets `created`); a read-only open reports it as not clean.
    pub header_missing: bool,
    /// The file's size before recovery.
    pub file_bytes: u64,
    /// Valid records read.
    pub records: u64,
    /// Bytes of valid data, header included (the file's size after recovery).
    pub valid_bytes: u64,
    /// Sequence number of the last valid record.
    pub last_seq: Seq,
    /// The damaged tail, if any.
    pub torn_tail: Option<TornTail>,
}

impl RecoveryReport {
    /// No damage was found, and the file is a journal (it has its header, or this open wrote it).
    pub fn is_clean(&self) -> bool {
        self.torn_tail.is_none() && (!self.header_missing || self.created)
    }
}

/// An append-only journal in one file, with group commit and snapshots; see the
/// [module documentation](super) for the format and the recovery rules.
///
/// Only one process may have a journal open for writing at a time (there is no file lock);
/// within that process, share one `FileJournal` (it is `Sync`) between threads.
#[derive(Debug)]
pub struct FileJournal {
    writer: Writer,
    read_only: bool,
    report: RecoveryReport,
    snapshot_lock: Mutex<()>,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::JournalIo {
        path: path.to_path_buf(),
        source,
    }
}

/// Takes the one-writer lock (an advisory `flock` on Unix, `LockFileEx` on Windows) before the
/// open scans the file and cuts a torn tail: a second writer would otherwise take the first one's
/// record in progress for a torn tail and cut it. The lock goes with the file handle, so it is
/// released when the journal is dropped or its process dies (a `kill -9` leaves no stale lock).
/// Readers (`read_only`, `verify`) take no lock: the file only grows, and a reader that meets a
/// record still being written reports it as a torn tail without touching it. A file system without
/// locks (some network mounts) opens unlocked, as before.
fn lock_for_writing(path: &Path, file: &File) -> Result<()> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::JournalLocked {
            path: path.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
            Ok(())
        }
        Err(std::fs::TryLockError::Error(source)) => Err(Error::JournalIo {
            path: path.to_path_buf(),
            source,
        }),
    }
}

impl FileJournal {
    /// Opens (or creates) the journal at `path`, recovering from a torn tail. A writable open
    /// takes the file's one-writer lock: [`Error::JournalLocked`] while another writer has it.
    pub fn open(path: impl AsRef<Path>, options: FileJournalOptions) -> Result<FileJournal> {
        let path = path.as_ref();
        let io = io(path);
        // A journal is a regular file: it is truncated, locked and synced, and its length is what
        // the scan trusts. Checked before opening (opening a FIFO would block).
        match std::fs::metadata(path) {
            Ok(m) if !m.is_file() => return Err(not_a_file(path, &m)),
            _ => {}
        }
        let mut file = if options.read_only {
            File::open(path).map_err(&io)?
        } else {
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(options.create)
                .truncate(false)
                .open(path)
                .map_err(&io)?
        };
        if !options.read_only {
            lock_for_writing(path, &file)?;
        }
        let meta = file.metadata().map_err(&io)?;
        if !meta.is_file() {
            return Err(not_a_file(path, &meta));
        }
        let mut index = Vec::new();
        let mut digest = 0u32;
        let scan = format::scan(
            path,
            &mut file,
            options.recovery,
            &mut |frame: &Frame<'_>, offset| {
                if frame.seq % INDEX_EVERY == 1 {
                    index.push(IndexEntry {
                        seq: frame.seq,
                        offset,
                        digest,
                    });
                }
                digest = format::digest_step(digest, frame.crc);
            },
        )?;
        index.retain(|e| e.seq <= scan.last_seq);
        let Scan {
            file_len,
            needs_header,
            records,
            last_seq,
            valid_end,
            damage,
        } = scan;
        let cut = !options.read_only && (damage.is_some() || needs_header);
        let torn_tail = damage.map(|d| TornTail {
            offset: d.offset,
            bytes: file_len - d.offset,
            reason: d.reason,
            salvaged: d.mid_file,
            cut,
        });
        let mut valid_bytes = valid_end;
        if !options.read_only {
            if needs_header {
                file.set_len(0).map_err(&io)?;
                file.seek(SeekFrom::Start(0)).map_err(&io)?;
                file.write_all(&format::header()).map_err(&io)?;
                file.sync_all().map_err(&io)?;
                snapshot::sync_dir(path)?;
                valid_bytes = format::HEADER_LEN;
            } else if torn_tail.is_some() {
                file.set_len(valid_end).map_err(&io)?;
                file.sync_all().map_err(&io)?;
            }
            file.seek(SeekFrom::Start(valid_bytes)).map_err(&io)?;
        }
        let report = RecoveryReport {
            path: path.to_path_buf(),
            created: needs_header && !options.read_only,
            header_missing: needs_header,
            file_bytes: file_len,
            records,
            valid_bytes,
            last_seq: Seq(last_seq),
            torn_tail,
        };
        let broken = options.read_only.then(|| "opened read-only".to_string());
        // The running digest up to the last record: from the last index point on (the scan's
        // digest may include records of an incomplete batch that were cut).
        let start = index.last().copied();
        let mut digest = start.map_or(0, |e| e.digest);
        let to = Seq(last_seq);
        if let Some(e) = start {
            walk(path, e, valid_bytes, last_seq, &mut |frame, _| {
                digest = format::digest_step(digest, frame.crc);
                Seq(frame.seq) < to
            })?;
        }
        let state = State::new(last_seq, valid_bytes, digest, index, broken);
        Ok(FileJournal {
            writer: Writer::new(path.to_path_buf(), file, options.fsync, state),
            read_only: options.read_only,
            report,
            snapshot_lock: Mutex::new(()),
        })
    }

    /// What binds a snapshot of the records `1..=seq` to this journal: where record `seq` ends
    /// and the running digest of the records up to it. `seq` must be durable.
    fn binding(&self, seq: u64) -> Result<Binding> {
        let (hint, end) = {
            let st = self.writer.lock();
            (st.seek_hint(seq), st.durable_end)
        };
        let mut binding = Binding {
            end: format::HEADER_LEN,
            digest: 0,
        };
        let Some(start) = hint.filter(|_| seq > 0) else {
            return Ok(binding);
        };
        binding.digest = start.digest;
        walk(
            &self.writer.path,
            start,
            end,
            seq,
            &mut |frame, frame_end| {
                binding.digest = format::digest_step(binding.digest, frame.crc);
                binding.end = frame_end;
                frame.seq < seq
            },
        )?;
        Ok(binding)
    }

    /// Checks a journal file without changing it: the report of a read-only open. A torn tail is
    /// reported (not cut); corruption in the middle is [`Error::JournalCorrupt`].
    pub fn verify(path: impl AsRef<Path>) -> Result<RecoveryReport> {
        let options = FileJournalOptions {
            read_only: true,
            ..FileJournalOptions::default()
        };
        Ok(FileJournal::open(path, options)?.report)
    }

    /// What opening the file found.
    pub fn recovery(&self) -> &RecoveryReport {
        &self.report
    }

    /// Appends and fsyncs since the journal was opened.
    pub fn stats(&self) -> JournalStats {
        self.writer.lock().stats
    }

    /// The journal file's path.
    pub fn path(&self) -> &Path {
        &self.writer.path
    }

    /// [`Journal::read_range`], each record with its batch mark: `true` for the last record of
    /// an appended batch (the frame's `BATCH_END` flag). For tools that copy a journal with its
    /// batches (appending each batch again keeps the marks).
    pub fn read_range_marked(&self, from: Seq, limit: usize) -> Result<Vec<(Record, bool)>> {
        let mut out = Vec::new();
        self.walk_range(from, limit, &mut |frame| {
            let record = Record {
                seq: Seq(frame.seq),
                payload: frame.payload.to_vec(),
            };
            out.push((record, frame.flags & format::BATCH_END != 0));
        })?;
        Ok(out)
    }

    /// Calls `visit` for up to `limit` acknowledged records from `from` on, in order.
    fn walk_range(&self, from: Seq, limit: usize, visit: &mut dyn FnMut(&Frame<'_>)) -> Result<()> {
        let from = from.0.max(1);
        let (last, end, hint) = {
            let st = self.writer.lock();
            (st.durable_seq, st.durable_end, st.seek_hint(from))
        };
        if from > last || limit == 0 {
            return Ok(());
        }
        let start = hint.unwrap_or(IndexEntry {
            seq: 1,
            offset: format::HEADER_LEN,
            digest: 0,
        });
        let mut seen = 0usize;
        walk(&self.writer.path, start, end, last, &mut |frame, _| {
            if frame.seq >= from {
                visit(frame);
                seen += 1;
            }
            seen < limit
        })
    }

    /// Where the snapshot of this journal is kept (`<journal>.snapshot`).
    pub fn snapshot_path(&self) -> PathBuf {
        snapshot::snapshot_path(&self.writer.path)
    }

    /// Where the snapshot of the journal file at `journal` is kept (`<journal>.snapshot`),
    /// without opening it.
    pub fn snapshot_path_of(journal: &Path) -> PathBuf {
        snapshot::snapshot_path(journal)
    }
}

/// The error for a path that is not a regular file.
fn not_a_file(path: &Path, meta: &std::fs::Metadata) -> Error {
    let what = if meta.is_dir() {
        "a directory"
    } else {
        "not a regular file (a device, pipe or socket)"
    };
    Error::JournalFormat {
        path: path.to_path_buf(),
        reason: format!("{what}: a journal is a regular file"),
    }
}

/// Reads the records from the index point `start` on, up to the durable end `end` and at most to
/// record `last`, calling `visit(frame, end offset of the frame)` until it returns false. The
/// records were checked when the journal was opened or written; a record that fails now means the
/// file changed underneath ([`Error::JournalCorrupt`]).
fn walk(
    path: &Path,
    start: IndexEntry,
    end: u64,
    last: u64,
    visit: &mut dyn FnMut(&Frame<'_>, u64) -> bool,
) -> Result<()> {
    let (mut seq, mut offset) = (start.seq, start.offset);
    let mut file = File::open(path).map_err(io(path))?;
    file.seek(SeekFrom::Start(offset)).map_err(io(path))?;
    let mut r = BufReader::with_capacity(256 << 10, file);
    let mut buf = Vec::new();
    while offset < end && seq <= last {
        let corrupt = |reason: &str| Error::JournalCorrupt {
            path: path.to_path_buf(),
            offset,
            reason: format!("{reason} (file changed since it was opened?)"),
        };
        buf.resize(8, 0);
        r.read_exact(&mut buf[..8])
            .map_err(|_| corrupt("cannot read record"))?;
        let len = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
        // Checked before allocating: a claimed length never allocates past the durable end.
        if len > 9 + format::MAX_PAYLOAD || offset + 8 + len as u64 > end {
            return Err(corrupt("bad record length"));
        }
        buf.resize(8 + len, 0);
        r.read_exact(&mut buf[8..])
            .map_err(|_| corrupt("cannot read record"))?;
        let (frame, n) = format::parse_frame(&buf).ok_or_else(|| corrupt("bad record"))?;
        if frame.seq != seq {
            return Err(corrupt("sequence number out of order"));
        }
        offset += n as u64;
        if !visit(&frame, offset) {
            break;
        }
        seq += 1;
    }
    Ok(())
}

impl Journal for FileJournal {
    fn append_if(&self, expected: Option<Seq>, payloads: &[Vec<u8>]) -> Result<Vec<Seq>> {
        self.writer.append_if(expected, payloads)
    }

    fn read_range(&self, from: Seq, limit: usize) -> Result<Vec<Record>> {
        let mut out = Vec::new();
        self.walk_range(from, limit, &mut |frame| {
            out.push(Record {
                seq: Seq(frame.seq),
                payload: frame.payload.to_vec(),
            });
        })?;
        Ok(out)
    }

    fn last_seq(&self) -> Seq {
        Seq(self.writer.lock().durable_seq)
    }

    fn write_snapshot(&self, snap: &Snapshot) -> Result<()> {
        if self.read_only {
            return Err(Error::JournalUnwritable {
                path: self.writer.path.clone(),
                reason: "opened read-only".into(),
            });
        }
        check_snapshot(snap, self.last_seq())?;
        let binding = self.binding(snap.seq.0)?;
        let _one_at_a_time = self.snapshot_lock.lock().unwrap_or_else(|e| e.into_inner());
        snapshot::write(&self.writer.path, snap, binding)
    }

    /// The snapshot, only if it was made from this journal's records: a snapshot whose position
    /// or record digest does not match, that covers records past the last one, or of format 1
    /// (no binding) is [`Error::SnapshotMismatch`].
    fn read_snapshot(&self) -> Result<Option<Snapshot>> {
        let Some(stored) = snapshot::read(&self.writer.path)? else {
            return Ok(None);
        };
        let seq = stored.snapshot.seq.0;
        let mismatch = |reason: String| Error::SnapshotMismatch {
            path: self.snapshot_path(),
            seq,
            reason,
        };
        let Some(claimed) = stored.binding else {
            return Err(mismatch(
                "format 1 snapshot: not bound to the journal's records".into(),
            ));
        };
        let last = self.last_seq().0;
        if seq > last {
            return Err(mismatch(format!(
                "covers records past the journal's last record {last}"
            )));
        }
        let actual = self.binding(seq)?;
        if actual != claimed {
            return Err(mismatch(format!(
                "made from other records (record {seq} ends at offset {} with digest {:08x} in the \
                 journal, at {} with digest {:08x} in the snapshot)",
                actual.end, actual.digest, claimed.end, claimed.digest
            )));
        }
        Ok(Some(stored.snapshot))
    }
}
