//! The on-disk format of [`FileJournal`](super::FileJournal): header, record frames, and the
//! scanner that validates a file and finds its torn tail.
//!
//! ```text
//! file   := header record*
//! header := magic "ACIKJRNL" (8 bytes) | version u32 LE (= 1) | flags u32 LE (= 0)      16 bytes
//! record := len u32 LE | crc u32 LE | body                                        8 + len bytes
//! body   := seq u64 LE | rflags u8 | payload (len - 9 bytes)
//! ```
//!
//! * `crc` is CRC-32 (IEEE, as computed by `crc32fast`) of `body`, so it covers the sequence number,
//!   the flags and the payload.
//! * `seq` starts at 1 and increases by exactly 1 from record to record.
//! * `rflags` bit 0 (`BATCH_END`) marks the last record of an appended batch; other bits are 0.
//!   A batch is only ever acknowledged after all of its records are written, so trailing records
//!   without a `BATCH_END` belong to a batch that was never acknowledged and are cut with the tail:
//!   a batch is on disk all or nothing.
//! * `len` is at least 9 and at most 9 + [`MAX_PAYLOAD`].

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::{Error, Result};

/// The first 8 bytes of every journal file.
pub const MAGIC: [u8; 8] = *b"ACIKJRNL";
/// The format version this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Length of the file header in bytes; the first record starts here.
pub const HEADER_LEN: u64 = 16;
/// Bytes of a record that are not payload: len, crc, seq, flags.
pub const FRAME_OVERHEAD: usize = 4 + 4 + 8 + 1;
/// Largest payload of one record (64 MiB). Larger records are refused on append and treated as
/// damage when read.
pub const MAX_PAYLOAD: usize = 64 << 20;
/// Record flag: last record of a batch.
pub const BATCH_END: u8 = 1;

const BODY_MIN: usize = 9;

/// The 16-byte file header.
pub fn header() -> [u8; HEADER_LEN as usize] {
    let mut h = [0u8; HEADER_LEN as usize];
    h[..8].copy_from_slice(&MAGIC);
    h[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h
}

/// Appends the frames of a batch (sequence numbers `first_seq..`) to `out`.
pub fn encode_batch<P: AsRef<[u8]>>(first_seq: u64, payloads: &[P], out: &mut Vec<u8>) {
    let n = payloads.len();
    for (i, p) in payloads.iter().enumerate() {
        let p = p.as_ref();
        let seq = first_seq + i as u64;
        let flags = if i + 1 == n { BATCH_END } else { 0 };
        // The caller checked p.len() <= MAX_PAYLOAD, so the body length fits in u32.
        let body_len = (BODY_MIN + p.len()) as u32;
        let mut crc = crc32fast::Hasher::new();
        crc.update(&seq.to_le_bytes());
        crc.update(&[flags]);
        crc.update(p);
        out.extend_from_slice(&body_len.to_le_bytes());
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        out.extend_from_slice(&seq.to_le_bytes());
        out.push(flags);
        out.extend_from_slice(p);
    }
}

/// A frame that passed every check.
#[derive(Debug)]
pub struct Frame<'a> {
    /// Sequence number.
    pub seq: u64,
    /// Record flags.
    pub flags: u8,
    /// The payload.
    pub payload: &'a [u8],
}

/// Checks a frame's 8-byte prefix; returns the body length when plausible.
fn body_len(prefix: &[u8; 8]) -> std::result::Result<usize, &'static str> {
    let len = u32::from_le_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]) as usize;
    if len < BODY_MIN {
        return Err("record length smaller than the minimum of 9");
    }
    if len > BODY_MIN + MAX_PAYLOAD {
        return Err("record length larger than the maximum");
    }
    Ok(len)
}

/// Checks a body against the CRC from the prefix.
fn check_body<'a>(
    prefix: &[u8; 8],
    body: &'a [u8],
) -> std::result::Result<Frame<'a>, &'static str> {
    let crc = u32::from_le_bytes([prefix[4], prefix[5], prefix[6], prefix[7]]);
    if crc32fast::hash(body) != crc {
        return Err("CRC mismatch");
    }
    let mut seq = [0u8; 8];
    seq.copy_from_slice(&body[..8]);
    let flags = body[8];
    if flags & !BATCH_END != 0 {
        return Err("unknown record flags");
    }
    Ok(Frame {
        seq: u64::from_le_bytes(seq),
        flags,
        payload: &body[BODY_MIN..],
    })
}

/// Parses the frame at the start of `bytes`, if a complete valid one is there.
pub fn parse_frame(bytes: &[u8]) -> Option<(Frame<'_>, usize)> {
    let prefix: &[u8; 8] = bytes.get(..8)?.try_into().ok()?;
    let len = body_len(prefix).ok()?;
    let body = bytes.get(8..8 + len)?;
    check_body(prefix, body).ok().map(|f| (f, 8 + len))
}

/// How to treat damage that is not a torn tail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recovery {
    /// Valid records after a bad one are an error ([`Error::JournalCorrupt`]); nothing is cut.
    #[default]
    Strict,
    /// Keep the valid prefix and cut everything from the first bad record on, even if valid
    /// records follow (they are lost; the report says how many bytes were cut).
    Salvage,
}

/// Where the valid part of a file ends and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// Byte offset of the first byte that is not part of the valid, complete-batch prefix.
    pub offset: u64,
    /// What was found there.
    pub reason: String,
    /// Valid records follow the damage (salvage mode only; in strict mode that is an error).
    pub mid_file: bool,
}

/// The result of scanning a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// The file's length when scanned.
    pub file_len: u64,
    /// The file has no complete header (empty, or a header torn while the file was created).
    pub needs_header: bool,
    /// Records in the valid prefix.
    pub records: u64,
    /// Sequence number of the last record in the valid prefix (0 if none).
    pub last_seq: u64,
    /// End offset of the valid prefix.
    pub valid_end: u64,
    /// The damage after the valid prefix, if any.
    pub damage: Option<Damage>,
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::JournalIo {
        path: path.to_path_buf(),
        source,
    }
}

/// Scans a journal file from the start. Calls `on_record(seq, offset, payload)` for every valid
/// record in order; records of an incomplete trailing batch are reported too and then excluded
/// from the result (`last_seq`, `records`, `valid_end`), so callers must drop anything past `last_seq`.
pub fn scan(
    path: &Path,
    file: &mut File,
    mode: Recovery,
    on_record: &mut dyn FnMut(u64, u64, &[u8]),
) -> Result<Scan> {
    let io = io_err(path);
    let file_len = file.metadata().map_err(&io)?.len();
    file.seek(SeekFrom::Start(0)).map_err(&io)?;
    let mut r = BufReader::with_capacity(256 << 10, &mut *file);
    let mut head = Vec::with_capacity(HEADER_LEN as usize);
    (&mut r)
        .take(HEADER_LEN)
        .read_to_end(&mut head)
        .map_err(&io)?;
    let expected = header();
    if (head.len() as u64) < HEADER_LEN {
        // A header torn at creation (a prefix of what we write) means a new, empty journal.
        if expected.starts_with(&head) {
            let damage = (!head.is_empty()).then(|| Damage {
                offset: 0,
                reason: format!("torn file header ({} of 16 bytes)", head.len()),
                mid_file: false,
            });
            return Ok(Scan {
                file_len,
                needs_header: true,
                records: 0,
                last_seq: 0,
                valid_end: 0,
                damage,
            });
        }
        return Err(format_err(
            path,
            "file shorter than the header and not a journal".into(),
        ));
    }
    if head[..8] != MAGIC {
        return Err(format_err(
            path,
            "wrong magic (not an acikkapi journal)".into(),
        ));
    }
    let version = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
    if version != FORMAT_VERSION {
        return Err(format_err(
            path,
            format!("format version {version}, this code reads {FORMAT_VERSION}"),
        ));
    }
    if head[12..16] != [0, 0, 0, 0] {
        return Err(format_err(path, "unknown header flags".into()));
    }

    let mut offset = HEADER_LEN;
    let mut seq = 0u64;
    let mut records = 0u64;
    // The prefix that ends with a complete batch.
    let (mut batch_end, mut batch_seq, mut batch_records) = (HEADER_LEN, 0u64, 0u64);
    let mut body = Vec::new();
    // (reason, certainly mid-file)
    let bad: Option<(&'static str, bool)> = loop {
        let mut prefix = [0u8; 8];
        let got = read_full(&mut r, &mut prefix).map_err(&io)?;
        if got == 0 {
            break None;
        }
        if got < 8 {
            break Some(("partial record header", false));
        }
        let len = match body_len(&prefix) {
            Ok(len) => len,
            Err(reason) => break Some((reason, false)),
        };
        if offset + 8 + len as u64 > file_len {
            break Some(("record extends past the end of the file", false));
        }
        body.resize(len, 0);
        if read_full(&mut r, &mut body).map_err(&io)? < len {
            break Some(("record extends past the end of the file", false));
        }
        let frame = match check_body(&prefix, &body) {
            Ok(f) => f,
            Err(reason) => break Some((reason, false)),
        };
        if frame.seq != seq + 1 {
            // A valid frame in the wrong place is never a torn write.
            break Some(("sequence number out of order", true));
        }
        on_record(frame.seq, offset, frame.payload);
        seq = frame.seq;
        records += 1;
        offset += 8 + len as u64;
        if frame.flags & BATCH_END != 0 {
            (batch_end, batch_seq, batch_records) = (offset, seq, records);
        }
    };
    drop(r);

    let damage = match bad {
        None if batch_end == offset => None,
        None => Some(Damage {
            offset: batch_end,
            reason: format!(
                "incomplete batch ({} records without batch end)",
                records - batch_records
            ),
            mid_file: false,
        }),
        Some((reason, certain)) => {
            let mid_file = certain || valid_frame_after(path, file, offset, file_len, seq)?;
            if mid_file && mode == Recovery::Strict {
                return Err(Error::JournalCorrupt {
                    path: path.to_path_buf(),
                    offset,
                    reason: format!("{reason}; valid records follow (use salvage to cut them off)"),
                });
            }
            let reason = if batch_end < offset {
                format!("{reason} at offset {offset}, after an incomplete batch")
            } else {
                reason.to_string()
            };
            Some(Damage {
                offset: batch_end,
                reason,
                mid_file,
            })
        }
    };
    Ok(Scan {
        file_len,
        needs_header: false,
        records: batch_records,
        last_seq: batch_seq,
        valid_end: batch_end,
        damage,
    })
}

fn format_err(path: &Path, reason: String) -> Error {
    Error::JournalFormat {
        path: path.to_path_buf(),
        reason,
    }
}

/// Reads until `buf` is full or end of file; returns how many bytes were read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Is there a complete, valid frame anywhere after the bad one at `bad`? Such a frame means the
/// damage is in the middle of the file rather than a torn tail. Candidates are pre-filtered on a
/// plausible sequence number before the CRC is computed, so the search is cheap on garbage.
fn valid_frame_after(
    path: &Path,
    file: &mut File,
    bad: u64,
    file_len: u64,
    last_seq: u64,
) -> Result<bool> {
    const CHUNK: usize = 1 << 20;
    const PREFIX: usize = FRAME_OVERHEAD; // len, crc, seq, flags
    let io = io_err(path);
    let max_seq = last_seq + 1 + file_len.saturating_sub(bad) / FRAME_OVERHEAD as u64;
    // Slide over the rest of the file in chunks (bounded memory), each overlapping the next by
    // PREFIX - 1 bytes so that no candidate prefix is missed.
    let mut buf = vec![0u8; CHUNK + PREFIX - 1];
    let mut pos = bad + 1;
    while pos + PREFIX as u64 <= file_len {
        let want = ((file_len - pos) as usize).min(buf.len());
        file.seek(SeekFrom::Start(pos)).map_err(&io)?;
        let n = read_full(file, &mut buf[..want]).map_err(&io)?;
        if n < PREFIX {
            break;
        }
        for start in 0..=n - PREFIX {
            let p = &buf[start..start + PREFIX];
            let seq = u64::from_le_bytes([p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]]);
            if seq <= last_seq || seq > max_seq || p[16] & !BATCH_END != 0 {
                continue;
            }
            let mut prefix = [0u8; 8];
            prefix.copy_from_slice(&p[..8]);
            let Ok(len) = body_len(&prefix) else { continue };
            let at = pos + start as u64;
            if at + 8 + len as u64 > file_len {
                continue;
            }
            let body = if start + 8 + len <= n {
                buf[start + 8..start + 8 + len].to_vec()
            } else {
                let mut body = vec![0u8; len];
                file.seek(SeekFrom::Start(at + 8)).map_err(&io)?;
                read_full(file, &mut body).map_err(&io)?;
                body
            };
            if check_body(&prefix, &body).is_ok() {
                return Ok(true);
            }
        }
        pos += (n - (PREFIX - 1)) as u64;
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_round_trip_and_crc_covers_seq() {
        let mut out = Vec::new();
        encode_batch(7, &[b"abc".as_slice(), b"".as_slice()], &mut out);
        assert_eq!(out.len(), 2 * FRAME_OVERHEAD + 3);
        let (f, n) = parse_frame(&out).unwrap();
        assert_eq!((f.seq, f.flags, f.payload), (7, 0, b"abc".as_slice()));
        let (g, m) = parse_frame(&out[n..]).unwrap();
        assert_eq!(
            (g.seq, g.flags, g.payload.len(), n + m),
            (8, BATCH_END, 0, out.len())
        );
        // Flip one bit of the sequence number: the CRC no longer matches.
        out[8] ^= 1;
        assert!(parse_frame(&out).is_none());
    }

    #[test]
    fn header_layout() {
        let h = header();
        assert_eq!(&h[..8], b"ACIKJRNL");
        assert_eq!(&h[8..], &[1, 0, 0, 0, 0, 0, 0, 0]);
    }
}
