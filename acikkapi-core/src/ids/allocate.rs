//! [`TrackingAllocator`]: hands out tracking numbers, unique per province and year; [`TrackingNumbers`]:
//! the port the service takes them from.

use std::collections::HashMap;
use std::sync::Mutex;

use super::TrackingNumber;
use crate::Result;
use crate::error::TrackingNumberError;
use crate::geo::ProvincePlate;

/// Takip numarası dağıtıcısı: the next tracking number of each province and year.
///
/// It is built from the durable instances ([`TrackingAllocator::from_ids`] over the ids of an
/// engine just opened on its journal) and counts on from the highest sequence number of each
/// (province, year). [`TrackingAllocator::next`] is atomic and never returns a number twice in
/// the process. A number handed out whose application never became durable (a crash between
/// allocation and registration) is not in the journal, so after a restart it may be handed out
/// again — to the first application that really holds it; gaps are allowed.
///
/// ```
/// use acikkapi_core::geo::ProvincePlate;
/// use acikkapi_core::ids::{TrackingAllocator, TrackingNumber};
/// use acikkapi_core::workflow::InstanceId;
///
/// let denizli = ProvincePlate::new(20).unwrap();
/// let stored = InstanceId::new(TrackingNumber::new(denizli, 2026, 41).unwrap().to_string());
/// let alloc = TrackingAllocator::from_ids([&stored, &InstanceId::new("not-a-number")]);
/// assert_eq!(alloc.next(denizli, 2026).unwrap().sequence(), 42);
/// assert_eq!(alloc.next(denizli, 2027).unwrap().sequence(), 1);
/// ```
#[derive(Debug, Default)]
pub struct TrackingAllocator {
    counters: SequenceCounters,
}

impl TrackingAllocator {
    /// An allocator with no number handed out yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// An allocator that counts on from every instance id that parses as a [`TrackingNumber`]
    /// (others are ignored). Takes anything that reads as text (`&InstanceId`, `&str`), so the
    /// identifier layer does not depend on the workflow.
    pub fn from_ids<S: AsRef<str>>(ids: impl IntoIterator<Item = S>) -> Self {
        let allocator = TrackingAllocator::new();
        for id in ids {
            if let Ok(t) = TrackingNumber::parse(id.as_ref()) {
                allocator.observe(&t);
            }
        }
        allocator
    }

    /// The next tracking number of `plate` in `year`. An error for a year outside
    /// [`TrackingNumber::YEARS`] or when the year's 9 999 999 numbers are used up.
    pub fn next(&self, plate: ProvincePlate, year: u16) -> Result<TrackingNumber> {
        if !TrackingNumber::YEARS.contains(&year) {
            return Err(TrackingNumberError::Year { year }.into());
        }
        let next = self
            .counters
            .next(plate.get(), year, TrackingNumber::MAX_SEQUENCE)
            .ok_or(TrackingNumberError::Sequence {
                seq: TrackingNumber::MAX_SEQUENCE,
            })?;
        Ok(TrackingNumber::new(plate, year, next)?)
    }

    /// Records that `number` is taken (an application received under a number given from
    /// elsewhere, e.g. the simulation's pre-numbered arrivals): later numbers of its province and
    /// year come after it.
    pub fn observe(&self, number: &TrackingNumber) {
        self.counters
            .observe(number.plate().get(), number.year(), number.sequence());
    }

    /// The last sequence number handed out (or found at start) for `plate` in `year`, 0 if none.
    pub fn last(&self, plate: ProvincePlate, year: u16) -> u32 {
        self.counters.last(plate.get(), year)
    }
}

/// Takip numarası kaynağı: where [`Applications`](crate::service::Applications) takes tracking
/// numbers from — the storage port for numbering. Implementations never return the same number
/// twice, also across restarts and (for a shared store) across the nodes of one database;
/// gaps are allowed (a number handed out whose application never became durable is not
/// reused by a store that remembers it, and may be reused by one that does not — only by the
/// first application that really holds it).
///
/// * [`TrackingAllocator`]: the default, counted on from the ids of the durable instances of
///   the one process that writes the journal (the file journal).
/// * `acikkapi_postgres::PgTrackingNumbers`: a counter row per (province, year) in the database,
///   for several nodes on one PostgreSQL database.
pub trait TrackingNumbers: Send + Sync {
    /// The next tracking number of `plate` in `year`. An error for a year outside
    /// [`TrackingNumber::YEARS`], when the year's numbers are used up, or when the store cannot
    /// be reached (then nothing was handed out, or a number was skipped: a gap).
    fn next(&self, plate: ProvincePlate, year: u16) -> Result<TrackingNumber>;

    /// Records that `number` is taken (an application received under a number given from
    /// elsewhere): later numbers of its province and year come after it.
    fn observe(&self, number: &TrackingNumber) -> Result<()>;
}

impl TrackingNumbers for TrackingAllocator {
    fn next(&self, plate: ProvincePlate, year: u16) -> Result<TrackingNumber> {
        TrackingAllocator::next(self, plate, year)
    }

    fn observe(&self, number: &TrackingNumber) -> Result<()> {
        TrackingAllocator::observe(self, number);
        Ok(())
    }
}

/// A shared source (one allocator behind several services, e.g. two nodes in a test).
impl<T: TrackingNumbers + ?Sized> TrackingNumbers for std::sync::Arc<T> {
    fn next(&self, plate: ProvincePlate, year: u16) -> Result<TrackingNumber> {
        (**self).next(plate, year)
    }

    fn observe(&self, number: &TrackingNumber) -> Result<()> {
        (**self).observe(number)
    }
}

/// Sıra sayaçları: the last sequence number given per (province plate, year), for every kind of
/// number counted that way (tracking numbers, personnel request ids). Counters only go up: they
/// start from the numbers found in the journal ([`observe`](Self::observe)) and
/// [`next`](Self::next) is atomic, so no number is given twice in the process.
#[derive(Debug, Default)]
pub struct SequenceCounters {
    last: Mutex<HashMap<(u8, u16), u32>>,
}

impl SequenceCounters {
    /// Counters with nothing given yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(u8, u16), u32>> {
        // Each update is one insert of a checked value: a poisoned lock still holds a valid map.
        self.last.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records that `seq` of `plate` in `year` is taken: later numbers come after it.
    pub fn observe(&self, plate: u8, year: u16, seq: u32) {
        let mut last = self.lock();
        let entry = last.entry((plate, year)).or_default();
        *entry = (*entry).max(seq);
    }

    /// The next sequence number of `plate` in `year`, or `None` when the next one would pass
    /// `max` (the counter is then not advanced).
    pub fn next(&self, plate: u8, year: u16, max: u32) -> Option<u32> {
        let mut last = self.lock();
        let entry = last.entry((plate, year)).or_default();
        let next = entry.checked_add(1).filter(|n| *n <= max)?;
        *entry = next;
        Some(next)
    }

    /// The last sequence number given (or observed) for `plate` in `year`, 0 if none.
    pub fn last(&self, plate: u8, year: u16) -> u32 {
        self.lock().get(&(plate, year)).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::InstanceId;
    use std::collections::HashSet;

    fn plate(n: u8) -> ProvincePlate {
        ProvincePlate::new(n).unwrap()
    }

    #[test]
    fn counts_on_from_the_highest_number_per_province_and_year() {
        let ids: Vec<InstanceId> = [
            TrackingNumber::new(plate(20), 2026, 7).unwrap().to_string(),
            TrackingNumber::new(plate(20), 2026, 3).unwrap().to_string(),
            TrackingNumber::new(plate(35), 2026, 100)
                .unwrap()
                .to_string(),
            TrackingNumber::new(plate(20), 2025, 9).unwrap().to_string(),
            "AK-1".to_owned(),
        ]
        .into_iter()
        .map(InstanceId::new)
        .collect();
        let a = TrackingAllocator::from_ids(&ids);
        assert_eq!(a.last(plate(20), 2026), 7);
        assert_eq!(a.next(plate(20), 2026).unwrap().sequence(), 8);
        assert_eq!(a.next(plate(35), 2026).unwrap().sequence(), 101);
        assert_eq!(a.next(plate(20), 2025).unwrap().sequence(), 10);
        assert_eq!(a.next(plate(6), 2026).unwrap().sequence(), 1);
        assert_eq!(a.last(plate(6), 2027), 0);
    }

    #[test]
    fn a_wrong_check_digit_does_not_count() {
        let good = TrackingNumber::new(plate(20), 2026, 999).unwrap();
        let wrong = (good.check_digit() + 1) % 10;
        let printed = format!("AK-20-2026-0000999-{wrong}");
        let a = TrackingAllocator::from_ids([&InstanceId::new(printed)]);
        assert_eq!(a.next(plate(20), 2026).unwrap().sequence(), 1);
    }

    #[test]
    fn bad_year_and_exhausted_year_are_errors() {
        let a = TrackingAllocator::new();
        assert!(matches!(
            a.next(plate(20), 1999),
            Err(crate::Error::TrackingNumber(TrackingNumberError::Year {
                year: 1999
            }))
        ));
        let full = InstanceId::new(
            TrackingNumber::new(plate(20), 2026, TrackingNumber::MAX_SEQUENCE)
                .unwrap()
                .to_string(),
        );
        let a = TrackingAllocator::from_ids([&full]);
        assert!(matches!(
            a.next(plate(20), 2026),
            Err(crate::Error::TrackingNumber(
                TrackingNumberError::Sequence { .. }
            ))
        ));
        // Still exhausted, and other years unaffected.
        assert!(a.next(plate(20), 2026).is_err());
        assert_eq!(a.next(plate(20), 2027).unwrap().sequence(), 1);
    }

    #[test]
    fn concurrent_allocation_never_repeats() {
        let a = TrackingAllocator::new();
        let all: Vec<TrackingNumber> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|t| {
                    let a = &a;
                    s.spawn(move || {
                        (0..500)
                            .map(|i| a.next(plate(20 + (i % 2) as u8), 2026 + (t % 2)).unwrap())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        let unique: HashSet<_> = all.iter().collect();
        assert_eq!(unique.len(), all.len());
        // No gaps when nothing fails: 4 000 numbers over 4 (plate, year) pairs.
        for p in [20, 21] {
            for y in [2026, 2027] {
                assert_eq!(a.last(plate(p), y), 1000);
            }
        }
    }
}
