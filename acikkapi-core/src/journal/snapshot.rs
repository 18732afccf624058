//! Snapshot files of [`FileJournal`](super::FileJournal), written atomically and bound to the
//! journal records they were made from.
//!
//! ```text
//! snapshot := magic "ACIKSNAP" (8) | version u32 LE (= 2) | flags u32 LE (= 0)
//!             | seq u64 LE | end u64 LE | digest u32 LE | len u64 LE
//!             | crc u32 LE (CRC-32 of the 44 bytes before it, then of data) | data (len bytes)
//! ```
//!
//! `end` is the journal offset just after record `seq`, `digest` the running digest of records
//! `1..=seq` ([`digest_step`](super::format::digest_step) over their CRCs). Version 1 (no `end`,
//! no `digest`, a CRC of `data` only) is still read, but it is bound to no journal, so it is never
//! used: the engine replays every record instead.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::{Seq, Snapshot};
use crate::{Error, Result};

const MAGIC: [u8; 8] = *b"ACIKSNAP";
const VERSION: u32 = 2;
const HEADER_V1: usize = 8 + 4 + 4 + 8 + 8 + 4;
const HEADER_V2: usize = 8 + 4 + 4 + 8 + 8 + 4 + 8 + 4;

/// What ties a snapshot to its journal: where record `seq` ends and the digest of records
/// `1..=seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Binding {
    /// Offset just after the snapshot's last record.
    pub end: u64,
    /// Running digest of the records up to it.
    pub digest: u32,
}

/// A snapshot as stored, with its binding (`None` for a version-1 file, which has none).
#[derive(Debug)]
pub(super) struct Stored {
    pub snapshot: Snapshot,
    pub binding: Option<Binding>,
}

/// `<journal>.snapshot` next to the journal file.
pub(super) fn snapshot_path(journal: &Path) -> PathBuf {
    with_suffix(journal, ".snapshot")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::JournalIo {
        path: path.to_path_buf(),
        source,
    }
}

/// Syncs the directory holding `path`, so a created or renamed entry survives a power loss.
pub(super) fn sync_dir(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // Directories cannot be opened for syncing on every platform; where they can (Unix), do it.
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Writes `snap`, bound to its journal by `binding`, to `<journal>.snapshot`: temp file, fsync,
/// rename, fsync of the directory.
pub(super) fn write(journal: &Path, snap: &Snapshot, binding: Binding) -> Result<()> {
    let target = snapshot_path(journal);
    let tmp = with_suffix(journal, ".snapshot.tmp");
    let mut bytes = Vec::with_capacity(HEADER_V2 + snap.data.len());
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&snap.seq.0.to_le_bytes());
    bytes.extend_from_slice(&binding.end.to_le_bytes());
    bytes.extend_from_slice(&binding.digest.to_le_bytes());
    bytes.extend_from_slice(&(snap.data.len() as u64).to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&bytes);
    crc.update(&snap.data);
    bytes.extend_from_slice(&crc.finalize().to_le_bytes());
    bytes.extend_from_slice(&snap.data);
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .map_err(io(&tmp))?;
    f.write_all(&bytes)
        .and_then(|()| f.sync_all())
        .map_err(io(&tmp))?;
    drop(f);
    std::fs::rename(&tmp, &target).map_err(io(&target))?;
    sync_dir(&target)
}

/// Reads `<journal>.snapshot`; `None` if there is none. A damaged snapshot is an error (the journal
/// itself still has every record, so a caller may choose to replay from the start instead). The
/// data is read only after its length is checked against the file's, so a claimed length never
/// allocates more than the file holds.
pub(super) fn read(journal: &Path) -> Result<Option<Stored>> {
    let path = snapshot_path(journal);
    let mut f = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(&path)(e)),
    };
    let meta = f.metadata().map_err(io(&path))?;
    if !meta.is_file() {
        return Err(Error::JournalFormat {
            path: path.clone(),
            reason: "the snapshot is not a regular file".into(),
        });
    }
    let corrupt = |offset: u64, reason: &str| Error::JournalCorrupt {
        path: path.clone(),
        offset,
        reason: format!("snapshot: {reason}"),
    };
    let mut head = Vec::with_capacity(HEADER_V2);
    (&mut f)
        .take(HEADER_V2 as u64)
        .read_to_end(&mut head)
        .map_err(io(&path))?;
    if head.len() < 16 {
        return Err(corrupt(0, "shorter than its header"));
    }
    if head[..8] != MAGIC {
        return Err(Error::JournalFormat {
            path: path.clone(),
            reason: "wrong snapshot magic".into(),
        });
    }
    let u32_at = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let u64_at = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&head[i..i + 8]);
        u64::from_le_bytes(b)
    };
    let (version, flags) = (u32_at(8), u32_at(12));
    let header_len = match (version, flags) {
        (1, 0) => HEADER_V1,
        (VERSION, 0) => HEADER_V2,
        _ => {
            return Err(Error::JournalFormat {
                path: path.clone(),
                reason: format!("snapshot version {version} / flags {flags}"),
            });
        }
    };
    if head.len() < header_len {
        return Err(corrupt(0, "shorter than its header"));
    }
    let seq = u64_at(16);
    let (len_at, binding) = match version {
        1 => (24, None),
        _ => (
            36,
            Some(Binding {
                end: u64_at(24),
                digest: u32_at(32),
            }),
        ),
    };
    let len = u64_at(len_at);
    let crc = u32_at(len_at + 8);
    let on_disk = meta.len().saturating_sub(header_len as u64);
    if on_disk != len {
        return Err(corrupt(
            len_at as u64,
            &format!("length field {len} but {on_disk} data bytes"),
        ));
    }
    let mut data = Vec::new();
    if head.len() > header_len {
        data.extend_from_slice(&head[header_len..]);
    }
    let have = data.len() as u64;
    (&mut f)
        .take(len - have.min(len))
        .read_to_end(&mut data)
        .map_err(io(&path))?;
    if data.len() as u64 != len {
        return Err(corrupt(
            len_at as u64,
            &format!("length field {len} but {} data bytes", data.len()),
        ));
    }
    let computed = match version {
        1 => crc32fast::hash(&data),
        _ => {
            let mut h = crc32fast::Hasher::new();
            h.update(&head[..len_at + 8]);
            h.update(&data);
            h.finalize()
        }
    };
    if computed != crc {
        return Err(corrupt(len_at as u64 + 8, "CRC mismatch"));
    }
    Ok(Some(Stored {
        snapshot: Snapshot {
            seq: Seq(seq),
            data,
        },
        binding,
    }))
}
