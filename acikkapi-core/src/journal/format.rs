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
//! * A record is *torn* when the file ends before its declared length (or inside its 8-byte
//!   prefix), or its length is impossible and no complete record hides behind it: what a crash
//!   during a write leaves, cut on the next writable open. A record whose full length is present
//!   but fails its CRC is *damaged*: never cut in [`Recovery::Strict`] mode, since it may have been
//!   acknowledged.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::lookahead::{Ahead, frames_after};
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

#[cfg(test)]
thread_local! {
    /// Bytes hashed by the scanner on this thread (tests check that recovery is linear).
    pub(crate) static HASHED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts `n` bytes hashed (tests only).
#[inline]
pub(super) fn hashed(_n: usize) {
    #[cfg(test)]
    HASHED.with(|h| h.set(h.get() + _n as u64));
}

/// The 16-byte file header.
pub fn header() -> [u8; HEADER_LEN as usize] {
    let mut h = [0u8; HEADER_LEN as usize];
    h[..8].copy_from_slice(&MAGIC);
    h[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h
}

/// One step of the running record digest: `digest` continued over the 4 bytes (LE) of a record's
/// `crc`. The digest of records `1..=s` binds a snapshot to the journal it was made from; the
/// digest of no records is 0.
pub fn digest_step(digest: u32, crc: u32) -> u32 {
    let mut h = crc32fast::Hasher::new_with_initial(digest);
    h.update(&crc.to_le_bytes());
    h.finalize()
}

/// Appends the frame of one record to `out`; returns its CRC. The caller checked
/// `payload.len() <= MAX_PAYLOAD`.
pub fn encode_record(seq: u64, flags: u8, payload: &[u8], out: &mut Vec<u8>) -> u32 {
    // payload.len() <= MAX_PAYLOAD, so the body length fits in u32.
    let body_len = (BODY_MIN + payload.len()) as u32;
    let mut crc = crc32fast::Hasher::new();
    crc.update(&seq.to_le_bytes());
    crc.update(&[flags]);
    crc.update(payload);
    let crc = crc.finalize();
    out.extend_from_slice(&body_len.to_le_bytes());
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.push(flags);
    out.extend_from_slice(payload);
    crc
}

/// Appends the frames of a batch (sequence numbers `first_seq..`) to `out`.
pub fn encode_batch<P: AsRef<[u8]>>(first_seq: u64, payloads: &[P], out: &mut Vec<u8>) {
    let n = payloads.len();
    for (i, p) in payloads.iter().enumerate() {
        let flags = if i + 1 == n { BATCH_END } else { 0 };
        encode_record(first_seq + i as u64, flags, p.as_ref(), out);
    }
}

/// A frame that passed every check.
#[derive(Debug)]
pub struct Frame<'a> {
    /// Sequence number.
    pub seq: u64,
    /// Record flags.
    pub flags: u8,
    /// The CRC-32 of the body, as stored.
    pub crc: u32,
    /// The payload.
    pub payload: &'a [u8],
}

/// Checks a frame's 8-byte prefix; returns the body length when plausible.
pub(super) fn body_len(prefix: &[u8; 8]) -> std::result::Result<usize, &'static str> {
    let len = u32::from_le_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]) as usize;
    if len < BODY_MIN {
        return Err("record length smaller than the minimum of 9");
    }
    if len > BODY_MIN + MAX_PAYLOAD {
        return Err("record length larger than the maximum");
    }
    Ok(len)
}

pub(super) fn crc_of(prefix: &[u8; 8]) -> u32 {
    u32::from_le_bytes([prefix[4], prefix[5], prefix[6], prefix[7]])
}

/// Checks a body against the CRC from the prefix.
fn check_body<'a>(
    prefix: &[u8; 8],
    body: &'a [u8],
) -> std::result::Result<Frame<'a>, &'static str> {
    let crc = crc_of(prefix);
    hashed(body.len());
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
        crc,
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
    /// Damage ([`Error::JournalCorrupt`]): a complete record that fails its CRC, or valid records
    /// after a bad one. Nothing is cut.
    #[default]
    Strict,
    /// Keep the valid prefix and cut everything from the first bad record on, damaged records
    /// and valid records after them included (they are lost; the report says how many bytes
    /// were cut).
    Salvage,
}

/// Where the valid part of a file ends and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// Byte offset of the first byte that is not part of the valid, complete-batch prefix.
    pub offset: u64,
    /// What was found there.
    pub reason: String,
    /// Not a torn write: a damaged complete record, or valid records after the bad one (salvage
    /// mode only; in strict mode that is an error).
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

pub(super) fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::JournalIo {
        path: path.to_path_buf(),
        source,
    }
}

/// What stopped the scan of the valid records.
enum Bad {
    /// The file ends inside the record (or its 8-byte prefix): what a torn write leaves, unless
    /// the bytes after it prove otherwise.
    Short(&'static str),
    /// A length no record can have: a torn write that left garbage (zeros), unless the bytes
    /// after it prove otherwise.
    ImpossibleLength(&'static str),
    /// A complete record that fails its checks, or a valid one in the wrong place: damage.
    Damaged(&'static str),
}

/// Scans a journal file from the start. Calls `on_record(frame, offset)` for every valid record
/// in order; records of an incomplete trailing batch are reported too and then excluded from the
/// result (`last_seq`, `records`, `valid_end`), so callers must drop anything past `last_seq`.
///
/// Every byte is read once by the scan of the valid records and once more by the look-ahead
/// after damage, so the work is linear in the file's size whatever the file holds.
pub fn scan(
    path: &Path,
    file: &mut File,
    mode: Recovery,
    on_record: &mut dyn FnMut(&Frame<'_>, u64),
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
    let mut prefix = [0u8; 8];
    let bad: Option<Bad> = loop {
        let got = read_full(&mut r, &mut prefix).map_err(&io)?;
        if got == 0 {
            break None;
        }
        if got < 8 {
            break Some(Bad::Short("partial record header"));
        }
        let len = match body_len(&prefix) {
            Ok(len) => len,
            Err(reason) => break Some(Bad::ImpossibleLength(reason)),
        };
        // Checked before allocating: a claimed length never allocates more than the file holds.
        if offset + 8 + len as u64 > file_len {
            break Some(Bad::Short("record extends past the end of the file"));
        }
        body.resize(len, 0);
        if read_full(&mut r, &mut body).map_err(&io)? < len {
            break Some(Bad::Short("record extends past the end of the file"));
        }
        let frame = match check_body(&prefix, &body) {
            Ok(f) => f,
            Err(reason) => break Some(Bad::Damaged(reason)),
        };
        if frame.seq != seq + 1 {
            // A valid frame in the wrong place is never a torn write.
            break Some(Bad::Damaged("sequence number out of order"));
        }
        on_record(&frame, offset);
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
        Some(bad) => {
            let (reason, damaged) = match bad {
                Bad::Damaged(reason) => (reason.to_string(), true),
                // A record whose length field was damaged: the bytes after the prefix are exactly
                // one complete record under its CRC.
                Bad::Short(reason) | Bad::ImpossibleLength(reason)
                    if rest_is_one_record(path, file, offset, file_len, crc_of(&prefix))? =>
                {
                    (
                        format!("{reason}: damaged length of a complete record"),
                        true,
                    )
                }
                Bad::Short(reason) | Bad::ImpossibleLength(reason) => (reason.to_string(), false),
            };
            let after = frames_after(path, file, offset, file_len, seq)?;
            if (damaged || after != Ahead::Nothing) && mode == Recovery::Strict {
                let what = match (damaged, after) {
                    (_, Ahead::Valid) => "valid records follow",
                    (_, Ahead::TooMany) => {
                        "too many candidate records after it to rule out valid ones"
                    }
                    (_, Ahead::Nothing) => "damage, not a torn write",
                };
                return Err(Error::JournalCorrupt {
                    path: path.to_path_buf(),
                    offset,
                    reason: format!("{reason}; {what} (use salvage to cut it off)"),
                });
            }
            let reason = if batch_end < offset {
                format!("{reason} at offset {offset}, after an incomplete batch")
            } else {
                reason
            };
            Some(Damage {
                offset: batch_end,
                reason,
                mid_file: damaged || after != Ahead::Nothing,
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
pub(super) fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
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

/// Are the bytes after the 8-byte prefix at `at`, to the end of the file, the body of one
/// record with CRC `crc`? Then the record is complete and only its length field is wrong (a torn
/// write leaves a body shorter than its length, whose CRC does not match). One pass.
fn rest_is_one_record(
    path: &Path,
    file: &mut File,
    at: u64,
    file_len: u64,
    crc: u32,
) -> Result<bool> {
    let io = io_err(path);
    let Some(len) = file_len.checked_sub(at + 8) else {
        return Ok(false);
    };
    if len < BODY_MIN as u64 || len > (BODY_MIN + MAX_PAYLOAD) as u64 {
        return Ok(false);
    }
    file.seek(SeekFrom::Start(at + 8)).map_err(&io)?;
    let mut hasher = crc32fast::Hasher::new();
    let mut buf = vec![0u8; (len as usize).min(1 << 20)];
    let mut left = len;
    while left > 0 {
        let want = (left as usize).min(buf.len());
        let n = read_full(file, &mut buf[..want]).map_err(&io)?;
        if n == 0 {
            return Ok(false);
        }
        hashed(n);
        hasher.update(&buf[..n]);
        left -= n as u64;
    }
    Ok(hasher.finalize() == crc)
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
