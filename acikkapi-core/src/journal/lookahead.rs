//! The look-ahead after damage: is there a complete, valid frame anywhere after the bad record?
//! Such a frame means the damage is in the middle of the file rather than a torn tail.
//!
//! Linear in the bytes after the damage: one running CRC-32 instead of one hash per candidate.

use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::path::Path;

use super::format::{BATCH_END, FRAME_OVERHEAD, body_len, crc_of, hashed, io_err, read_full};
use crate::Result;

/// What the look-ahead after damage found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ahead {
    /// No complete, valid frame.
    Nothing,
    /// A complete, valid frame: the damage is not a torn tail.
    Valid,
    /// More candidate frames pending at once than the look-ahead keeps in memory: valid frames
    /// cannot be ruled out (never the case for what this code writes).
    TooMany,
}

/// Candidate frames whose body the look-ahead has not reached the end of, at most.
const MAX_PENDING: usize = 1 << 20;

/// CRC-32's polynomial, reflected.
const POLY: u32 = 0xEDB8_8320;

/// `a(x) · b(x)` modulo the CRC-32 polynomial, in CRC-32's reflected representation (bit 31 is
/// `x^0`).
fn multiply(a: u32, mut b: u32) -> u32 {
    let mut p = 0;
    for i in 0..32 {
        if (a >> (31 - i)) & 1 == 1 {
            p ^= b;
        }
        b = if b & 1 == 1 { (b >> 1) ^ POLY } else { b >> 1 };
    }
    p
}

/// `x^(8 · len)` modulo the polynomial: multiplying a CRC state by it appends `len` zero bytes.
fn x8n(len: u64) -> u32 {
    let (mut p, mut square, mut n) = (0x8000_0000u32, 0x0080_0000u32, len); // x^0, x^8
    while n != 0 {
        if n & 1 == 1 {
            p = multiply(square, p);
        }
        square = multiply(square, square);
        n >>= 1;
    }
    p
}

/// The running CRC over `[origin, b)` shifted by `len` zero bytes. With `C(x)` the CRC-32 of
/// `[origin, x)`, the CRC of `[b, e)` is `C(e) ^ shift(C(b), e - b)`: CRC-32 is linear over GF(2)
/// (zlib's `crc32_combine`; crc32fast's `Hasher::combine` does the same but does not expose the
/// multiplier, which is kept here per length so that a candidate costs one multiplication).
#[derive(Default)]
struct Shifter {
    by_len: std::collections::HashMap<u64, u32>,
    last: Option<(u64, u32)>,
}

impl Shifter {
    fn shift(&mut self, crc: u32, len: u64) -> u32 {
        let x = match self.last {
            Some((l, x)) if l == len => x,
            _ => {
                if self.by_len.len() >= 1 << 16 {
                    self.by_len.clear();
                }
                let x = *self.by_len.entry(len).or_insert_with(|| x8n(len));
                self.last = Some((len, x));
                x
            }
        };
        multiply(x, crc)
    }
}

/// Is there a complete, valid frame anywhere after the bad one at `bad`? Such a frame means the
/// damage is in the middle of the file rather than a torn tail.
///
/// Candidates (an 8-byte prefix with a plausible length that fits in the file, a sequence
/// number after `last_seq`, known flags) can overlap, so hashing each candidate's body would be
/// quadratic. Instead one running CRC goes over the rest of the file once: at a candidate's body
/// start it notes what the running CRC must be at the body's end if the body matches the stored
/// CRC, and checks it there. Time is linear in the bytes after `bad` (plus a heap operation and a
/// multiplication per candidate); memory is bounded by [`MAX_PENDING`] pending candidates.
pub(super) fn frames_after(
    path: &Path,
    file: &mut File,
    bad: u64,
    file_len: u64,
    last_seq: u64,
) -> Result<Ahead> {
    const CHUNK: usize = 1 << 20;
    const PREFIX: usize = FRAME_OVERHEAD; // len, crc, seq, flags
    let io = io_err(path);
    // Chunks of the rest of the file (bounded memory), each overlapping the next by PREFIX - 1
    // bytes so that no candidate prefix is missed.
    let mut buf = vec![0u8; (CHUNK + PREFIX - 1).min(file_len.saturating_sub(bad) as usize)];
    let mut pos = bad + 1; // file offset of buf[0]
    let mut running = Running {
        hasher: crc32fast::Hasher::new(),
        to: pos,
    };
    let mut shifter = Shifter::default();
    // Candidates' body ends, with the running CRC each must see there to be valid.
    let mut ends = Ends::default();
    // Settles every pending end up to `limit`; true when one is valid.
    let settle = |ends: &mut Ends, running: &mut Running, buf: &[u8], pos: u64, limit: u64| {
        while let Some((at, target)) = ends.pop_up_to(limit) {
            if running.crc_at(buf, pos, at) == target {
                return true;
            }
        }
        false
    };
    while pos < file_len {
        let want = ((file_len - pos) as usize).min(buf.len());
        file.seek(SeekFrom::Start(pos)).map_err(&io)?;
        let n = read_full(file, &mut buf[..want]).map_err(&io)?;
        if n < want {
            // The file shrank while it was read: nothing more to find.
            break;
        }
        let last = pos + n as u64 == file_len;
        // Candidates come in order of their body start, which is at most PREFIX - 1 bytes ahead
        // and inside this chunk; ends before a body start are settled first.
        for start in 0..=n.saturating_sub(PREFIX) {
            let Some(p) = buf.get(start..start + PREFIX) else {
                break;
            };
            let seq = u64::from_le_bytes([p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]]);
            if seq <= last_seq || p[16] & !BATCH_END != 0 {
                continue;
            }
            let mut prefix = [0u8; 8];
            prefix.copy_from_slice(&p[..8]);
            let Ok(len) = body_len(&prefix) else { continue };
            let body = pos + start as u64 + 8;
            if body + len as u64 > file_len {
                continue;
            }
            if settle(&mut ends, &mut running, &buf[..n], pos, body) {
                return Ok(Ahead::Valid);
            }
            if ends.len() >= MAX_PENDING {
                return Ok(Ahead::TooMany);
            }
            let at_body = running.crc_at(&buf[..n], pos, body);
            let target = shifter.shift(at_body, len as u64) ^ crc_of(&prefix);
            ends.push(body + len as u64, target);
        }
        // The next chunk starts at `next`; its candidates' bodies start at `next + 8` or later, so
        // every end up to there can be settled with the bytes in this chunk.
        let next = if last {
            file_len
        } else {
            pos + (n - (PREFIX - 1)) as u64
        };
        let limit = if last { file_len } else { next + 8 };
        if settle(&mut ends, &mut running, &buf[..n], pos, limit) {
            return Ok(Ahead::Valid);
        }
        if last {
            break;
        }
        running.crc_at(&buf[..n], pos, next.max(running.to));
        pos = next;
    }
    Ok(Ahead::Nothing)
}

/// The pending ends of the look-ahead's candidates, `(offset, target)`, taken smallest offset
/// first: a queue while they come in order (candidates of one length, the common case), a heap
/// for the others.
#[derive(Default)]
struct Ends {
    in_order: std::collections::VecDeque<(u64, u32)>,
    others: std::collections::BinaryHeap<std::cmp::Reverse<(u64, u32)>>,
}

impl Ends {
    fn len(&self) -> usize {
        self.in_order.len() + self.others.len()
    }

    fn push(&mut self, at: u64, target: u32) {
        match self.in_order.back() {
            Some(&(last, _)) if last > at => self.others.push(std::cmp::Reverse((at, target))),
            _ => self.in_order.push_back((at, target)),
        }
    }

    /// The pending end with the smallest offset, if that offset is at most `limit`.
    fn pop_up_to(&mut self, limit: u64) -> Option<(u64, u32)> {
        let queued = self.in_order.front().copied();
        let heaped = self.others.peek().map(|r| r.0);
        let from_queue = match (queued, heaped) {
            (Some(q), Some(h)) => q.0 <= h.0,
            (Some(_), None) => true,
            (None, _) => false,
        };
        let next = if from_queue { queued } else { heaped }?;
        if next.0 > limit {
            return None;
        }
        if from_queue {
            self.in_order.pop_front();
        } else {
            self.others.pop();
        }
        Some(next)
    }
}

/// The look-ahead's running CRC over `[bad + 1, to)`.
struct Running {
    hasher: crc32fast::Hasher,
    to: u64,
}

impl Running {
    /// Moves the running CRC on to `at` (not before where it is) over `buf`, which holds the
    /// file from offset `pos` and reaches `at`; returns the CRC there.
    fn crc_at(&mut self, buf: &[u8], pos: u64, at: u64) -> u32 {
        if let Some(slice) = buf.get((self.to - pos) as usize..(at - pos) as usize) {
            hashed(slice.len());
            self.hasher.update(slice);
            self.to = at;
        }
        self.hasher.clone().finalize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The look-ahead's CRC of a part from two running CRCs agrees with hashing the part, and its
    /// shift with crc32fast's `combine`.
    #[test]
    fn crc_of_a_part_from_running_crcs() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 7919 % 251) as u8).collect();
        let running = |end: usize| crc32fast::hash(&data[..end]);
        for (b, e) in [
            (0, 0),
            (0, 17),
            (3, 4),
            (100, 4999),
            (17, 5000),
            (4000, 4100),
        ] {
            assert_eq!(
                running(e) ^ Shifter::default().shift(running(b), (e - b) as u64),
                crc32fast::hash(&data[b..e]),
                "[{b}, {e})"
            );
            let mut h = crc32fast::Hasher::new_with_initial_len(running(b), 0);
            h.combine(&crc32fast::Hasher::new_with_initial_len(0, (e - b) as u64));
            assert_eq!(multiply(x8n((e - b) as u64), running(b)), h.finalize());
        }
    }
}
