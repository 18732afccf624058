//! Snapshot files of [`FileJournal`](super::FileJournal), written atomically.
//!
//! ```text
//! snapshot := magic "ACIKSNAP" (8) | version u32 LE (= 1) | flags u32 LE (= 0)
//!             | seq u64 LE | len u64 LE | crc u32 LE (CRC-32 of data) | data (len bytes)
//! ```

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::{Seq, Snapshot};
use crate::{Error, Result};

const MAGIC: [u8; 8] = *b"ACIKSNAP";
const VERSION: u32 = 1;
const HEADER_LEN: usize = 8 + 4 + 4 + 8 + 8 + 4;

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

/// Writes `snap` to `<journal>.snapshot`: temp file, fsync, rename, fsync of the directory.
pub(super) fn write(journal: &Path, snap: &Snapshot) -> Result<()> {
    let target = snapshot_path(journal);
    let tmp = with_suffix(journal, ".snapshot.tmp");
    let mut bytes = Vec::with_capacity(HEADER_LEN + snap.data.len());
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&snap.seq.0.to_le_bytes());
    bytes.extend_from_slice(&(snap.data.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(&snap.data).to_le_bytes());
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
/// itself still has every record, so a caller may choose to replay from the start instead).
pub(super) fn read(journal: &Path) -> Result<Option<Snapshot>> {
    let path = snapshot_path(journal);
    let mut bytes = Vec::new();
    match File::open(&path) {
        Ok(mut f) => f.read_to_end(&mut bytes).map_err(io(&path))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(&path)(e)),
    };
    let corrupt = |offset: u64, reason: &str| Error::JournalCorrupt {
        path: path.clone(),
        offset,
        reason: format!("snapshot: {reason}"),
    };
    if bytes.len() < HEADER_LEN {
        return Err(corrupt(0, "shorter than its header"));
    }
    if bytes[..8] != MAGIC {
        return Err(Error::JournalFormat {
            path: path.clone(),
            reason: "wrong snapshot magic".into(),
        });
    }
    let u32_at =
        |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let u64_at = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&bytes[i..i + 8]);
        u64::from_le_bytes(b)
    };
    if u32_at(8) != VERSION || u32_at(12) != 0 {
        return Err(Error::JournalFormat {
            path: path.clone(),
            reason: format!("snapshot version {} / flags {}", u32_at(8), u32_at(12)),
        });
    }
    let seq = u64_at(16);
    let len = u64_at(24);
    let crc = u32_at(32);
    let data = &bytes[HEADER_LEN..];
    if data.len() as u64 != len {
        return Err(corrupt(
            24,
            &format!("length field {len} but {} data bytes", data.len()),
        ));
    }
    if crc32fast::hash(data) != crc {
        return Err(corrupt(32, "CRC mismatch"));
    }
    Ok(Some(Snapshot {
        seq: Seq(seq),
        data: data.to_vec(),
    }))
}
