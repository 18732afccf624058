//! [`MemoryJournal`]: records in a vector, for tests, demos and as a reference implementation.

use std::sync::{Mutex, MutexGuard};

use super::{Journal, Record, Seq, Snapshot, check_batch, check_expected, check_snapshot};
use crate::Result;

/// A journal in memory. Durable only as long as the process lives.
///
/// ```
/// use acikkapi_core::journal::{Journal, MemoryJournal, Seq, Snapshot};
///
/// let j = MemoryJournal::new();
/// assert_eq!(j.append(&[b"a".to_vec(), b"b".to_vec()])?, vec![Seq(1), Seq(2)]);
/// assert!(j.append_if(Some(Seq(1)), &[b"c".to_vec()]).is_err()); // someone appended in between
/// j.write_snapshot(&Snapshot { seq: Seq(2), data: b"state".to_vec() })?;
/// assert_eq!(j.read_snapshot()?.unwrap().seq, Seq(2));
/// assert_eq!(j.iter_from(Seq(2)).count(), 1);
/// # Ok::<(), acikkapi_core::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct MemoryJournal {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    records: Vec<Record>,
    snapshot: Option<Snapshot>,
}

impl MemoryJournal {
    /// An empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave `Inner` half-updated (every update is a
        // single push or assignment), so a poisoned lock is safe to use.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Journal for MemoryJournal {
    fn append_if(&self, expected: Option<Seq>, payloads: &[Vec<u8>]) -> Result<Vec<Seq>> {
        check_batch(payloads)?;
        let mut inner = self.lock();
        let last = Seq(inner.records.len() as u64);
        check_expected(expected, last)?;
        let mut seqs = Vec::with_capacity(payloads.len());
        for (i, p) in payloads.iter().enumerate() {
            let seq = Seq(last.0 + 1 + i as u64);
            inner.records.push(Record {
                seq,
                payload: p.clone(),
            });
            seqs.push(seq);
        }
        Ok(seqs)
    }

    fn read_range(&self, from: Seq, limit: usize) -> Result<Vec<Record>> {
        let inner = self.lock();
        let start = usize::try_from(from.0.max(1) - 1)
            .unwrap_or(usize::MAX)
            .min(inner.records.len());
        Ok(inner.records[start..].iter().take(limit).cloned().collect())
    }

    fn last_seq(&self) -> Seq {
        Seq(self.lock().records.len() as u64)
    }

    fn write_snapshot(&self, snapshot: &Snapshot) -> Result<()> {
        let mut inner = self.lock();
        check_snapshot(snapshot, Seq(inner.records.len() as u64))?;
        inner.snapshot = Some(snapshot.clone());
        Ok(())
    }

    fn read_snapshot(&self) -> Result<Option<Snapshot>> {
        Ok(self.lock().snapshot.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn append_read_and_conflict() {
        let j = MemoryJournal::new();
        assert_eq!(j.last_seq(), Seq(0));
        assert!(j.append(&[]).unwrap().is_empty());
        j.append(&[b"1".to_vec()]).unwrap();
        j.append_if(Some(Seq(1)), &[b"2".to_vec(), b"3".to_vec()])
            .unwrap();
        let err = j.append_if(Some(Seq(1)), &[b"x".to_vec()]).unwrap_err();
        assert!(matches!(
            err,
            Error::ConcurrencyConflict {
                expected: 1,
                actual: 3
            }
        ));
        let got: Vec<_> = j
            .read_range(Seq(2), 10)
            .unwrap()
            .into_iter()
            .map(|r| r.payload)
            .collect();
        assert_eq!(got, vec![b"2".to_vec(), b"3".to_vec()]);
        assert!(j.read_range(Seq(99), 10).unwrap().is_empty());
        assert!(
            j.write_snapshot(&Snapshot {
                seq: Seq(4),
                data: vec![]
            })
            .is_err()
        );
    }

    #[test]
    fn concurrent_appends_get_distinct_consecutive_seqs() {
        let j = MemoryJournal::new();
        std::thread::scope(|s| {
            for t in 0..4u8 {
                let j = &j;
                s.spawn(move || {
                    for _ in 0..100 {
                        j.append(&[vec![t], vec![t]]).unwrap();
                    }
                });
            }
        });
        let all: Vec<_> = j.iter_from(Seq(1)).map(|r| r.unwrap()).collect();
        assert_eq!(all.len(), 800);
        for (i, r) in all.iter().enumerate() {
            assert_eq!(r.seq, Seq(i as u64 + 1));
        }
        // Batches are contiguous: records 2k+1 and 2k+2 come from the same thread.
        for pair in all.chunks(2) {
            assert_eq!(pair[0].payload, pair[1].payload);
        }
    }
}
