//! [`FileJournal`]: the embedded append-only file journal.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::format::{self, Recovery, Scan};
pub use super::group_commit::{FsyncPolicy, JournalStats};
use super::group_commit::{INDEX_EVERY, State, Writer};
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
    /// Valid records followed the damage and were cut too (only when opened with [`Recovery::Salvage`]).
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
    /// No damage was found.
    pub fn is_clean(&self) -> bool {
        self.torn_tail.is_none()
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
        let mut index = Vec::new();
        let scan = format::scan(path, &mut file, options.recovery, &mut |seq, offset, _| {
            if seq % INDEX_EVERY == 1 {
                index.push((seq, offset));
            }
        })?;
        index.retain(|&(s, _)| s <= scan.last_seq);
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
            file_bytes: file_len,
            records,
            valid_bytes,
            last_seq: Seq(last_seq),
            torn_tail,
        };
        let broken = options.read_only.then(|| "opened read-only".to_string());
        let state = State::new(last_seq, valid_bytes, index, broken);
        Ok(FileJournal {
            writer: Writer::new(path.to_path_buf(), file, options.fsync, state),
            read_only: options.read_only,
            report,
            snapshot_lock: Mutex::new(()),
        })
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

    /// Where the snapshot of this journal is kept (`<journal>.snapshot`).
    pub fn snapshot_path(&self) -> PathBuf {
        snapshot::snapshot_path(&self.writer.path)
    }
}

impl Journal for FileJournal {
    fn append_if(&self, expected: Option<Seq>, payloads: &[Vec<u8>]) -> Result<Vec<Seq>> {
        self.writer.append_if(expected, payloads)
    }

    fn read_range(&self, from: Seq, limit: usize) -> Result<Vec<Record>> {
        let from = from.0.max(1);
        let (last, end, hint) = {
            let st = self.writer.lock();
            (st.durable_seq, st.durable_end, st.seek_hint(from))
        };
        if from > last || limit == 0 {
            return Ok(Vec::new());
        }
        let path = &self.writer.path;
        let (mut seq, mut offset) = hint.map_or((1, format::HEADER_LEN), |(s, o)| (s, o));
        let mut file = File::open(path).map_err(io(path))?;
        file.seek(SeekFrom::Start(offset)).map_err(io(path))?;
        let mut r = BufReader::with_capacity(256 << 10, file);
        let remaining = usize::try_from(last - from + 1).unwrap_or(usize::MAX);
        let mut out = Vec::with_capacity(limit.min(remaining).min(1 << 16));
        let mut buf = Vec::new();
        while offset < end && out.len() < limit {
            let corrupt = |reason: &str| Error::JournalCorrupt {
                path: path.clone(),
                offset,
                reason: format!("{reason} (file changed since it was opened?)"),
            };
            buf.resize(8, 0);
            r.read_exact(&mut buf[..8])
                .map_err(|_| corrupt("cannot read record"))?;
            let len = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
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
            if seq >= from {
                out.push(Record {
                    seq: Seq(seq),
                    payload: frame.payload.to_vec(),
                });
            }
            seq += 1;
            offset += n as u64;
        }
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
        let _one_at_a_time = self.snapshot_lock.lock().unwrap_or_else(|e| e.into_inner());
        snapshot::write(&self.writer.path, snap)
    }

    fn read_snapshot(&self) -> Result<Option<Snapshot>> {
        snapshot::read(&self.writer.path)
    }
}
