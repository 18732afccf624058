//! [`Tally`]: the counters one group of applications adds up to, with exact add and remove.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::record::{ApplicationRecord, Outcome, Status};

/// Days below this are counted in a flat array; longer times in a sorted map.
const FLAT_DAYS: usize = 32;

/// Histogram of business days to answer: exact, mergeable, and supports removal, so that
/// percentiles of an incrementally maintained projection equal those of a batch computation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaysHistogram {
    flat: [u64; FLAT_DAYS],
    long: BTreeMap<u32, u64>,
    count: u64,
}

impl DaysHistogram {
    /// Counts one answer that took `days` business days.
    pub fn add(&mut self, days: u32) {
        match self.flat.get_mut(days as usize) {
            Some(c) => *c += 1,
            None => *self.long.entry(days).or_insert(0) += 1,
        }
        self.count += 1;
    }

    /// Removes one answer that took `days` business days (one that was added before).
    pub fn remove(&mut self, days: u32) {
        match self.flat.get_mut(days as usize) {
            Some(c) => *c = c.saturating_sub(1),
            None => {
                if let Some(c) = self.long.get_mut(&days) {
                    *c -= 1;
                    if *c == 0 {
                        self.long.remove(&days);
                    }
                }
            }
        }
        self.count = self.count.saturating_sub(1);
    }

    /// Number of answers counted.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Adds another histogram into this one.
    pub fn merge(&mut self, other: &DaysHistogram) {
        for (a, b) in self.flat.iter_mut().zip(other.flat.iter()) {
            *a += b;
        }
        for (d, c) in &other.long {
            *self.long.entry(*d).or_insert(0) += c;
        }
        self.count += other.count;
    }

    /// The `p`-quantile (0 < p ≤ 1) by the nearest-rank method: the smallest number of days `d`
    /// such that at least `⌈p·n⌉` answers took `d` days or fewer. `None` when empty.
    ///
    /// ```
    /// use acikkapi_core::stats::DaysHistogram;
    /// let mut h = DaysHistogram::default();
    /// for d in [1, 2, 3, 4, 10] { h.add(d); }
    /// assert_eq!(h.quantile(0.5), Some(3));
    /// assert_eq!(h.quantile(0.9), Some(10));
    /// ```
    pub fn quantile(&self, p: f64) -> Option<u32> {
        if self.count == 0 {
            return None;
        }
        let p = p.clamp(f64::MIN_POSITIVE, 1.0);
        // count ≤ 2^53 in practice, so the product is exact enough; at least rank 1.
        let rank = ((p * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0u64;
        for (d, c) in self.flat.iter().enumerate() {
            seen += c;
            if seen >= rank {
                // d < FLAT_DAYS, so it fits in u32.
                return Some(d as u32);
            }
        }
        for (d, c) in &self.long {
            seen += c;
            if seen >= rank {
                return Some(*d);
            }
        }
        None
    }

    /// The median (nearest rank).
    pub fn median(&self) -> Option<u32> {
        self.quantile(0.5)
    }

    /// The 90th percentile (nearest rank).
    pub fn p90(&self) -> Option<u32> {
        self.quantile(0.9)
    }
}

/// Sayım: the counters of one group of applications (the whole set, a province, a unit…).
///
/// Status accounting (the conservation law `received = concluded + pending + not_processed +
/// redirected` holds for every tally, since each record adds exactly one to `received` and one
/// to exactly one of `answered`, `closed`, `pending`, `not_processed`, `redirected`):
///
/// | status | counts in |
/// |---|---|
/// | [`Status::Answered`] | `answered` and its outcome (`olumlu`/`olumsuz`/`kismen_olumlu`) |
/// | [`Status::Closed`] | `closed` |
/// | [`Status::Pending`] | `pending` |
/// | [`Status::NotProcessed`] | `not_processed` |
/// | [`Status::Redirected`] | `redirected` |
///
/// `concluded()` (Sonuçlandırılan) is `answered + closed`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Every record.
    pub received: u64,
    /// Status `Answered`.
    pub answered: u64,
    /// Answered with outcome `Olumlu`.
    pub olumlu: u64,
    /// Answered with outcome `Olumsuz`.
    pub olumsuz: u64,
    /// Answered with outcome `KismenOlumlu`.
    pub kismen_olumlu: u64,
    /// Status `Closed` (no outcome recorded).
    pub closed: u64,
    /// Status `Pending`.
    pub pending: u64,
    /// Status `NotProcessed`.
    pub not_processed: u64,
    /// Status `Redirected`.
    pub redirected: u64,
    /// Answered within the deadline ([`ApplicationRecord::answered_on_time`]).
    pub on_time: u64,
    /// Records with the `overdue` flag, any status.
    pub overdue: u64,
    /// Pending records with the `overdue` flag (the overdue backlog).
    pub overdue_pending: u64,
    /// Sum of escalations.
    pub escalations: u64,
    /// Sum of re-routes.
    pub reroutes: u64,
    /// Business days to answer of answered records that carry it.
    pub days: DaysHistogram,
}

impl Tally {
    /// Adds a record's contribution.
    #[inline]
    pub fn add(&mut self, r: &ApplicationRecord) {
        self.apply(r, true);
    }

    /// Removes a record's contribution (a record that was added before).
    #[inline]
    pub fn remove(&mut self, r: &ApplicationRecord) {
        self.apply(r, false);
    }

    #[inline]
    fn apply(&mut self, r: &ApplicationRecord, add: bool) {
        // Removal only ever undoes an earlier addition, so the subtractions cannot underflow;
        // they saturate anyway so that a misuse cannot panic.
        let step = |c: &mut u64, by: u64| {
            if add {
                *c += by;
            } else {
                *c = c.saturating_sub(by);
            }
        };
        step(&mut self.received, 1);
        match &r.status {
            Status::Answered { outcome } => {
                step(&mut self.answered, 1);
                match outcome {
                    Outcome::Positive => step(&mut self.olumlu, 1),
                    Outcome::Negative => step(&mut self.olumsuz, 1),
                    Outcome::PartlyPositive => step(&mut self.kismen_olumlu, 1),
                }
                if r.answered_on_time() {
                    step(&mut self.on_time, 1);
                }
                if let Some(d) = r.business_days_to_answer {
                    if add {
                        self.days.add(d);
                    } else {
                        self.days.remove(d);
                    }
                }
            }
            Status::Closed => step(&mut self.closed, 1),
            Status::Pending => {
                step(&mut self.pending, 1);
                if r.overdue {
                    step(&mut self.overdue_pending, 1);
                }
            }
            Status::NotProcessed { .. } => step(&mut self.not_processed, 1),
            Status::Redirected => step(&mut self.redirected, 1),
        }
        if r.overdue {
            step(&mut self.overdue, 1);
        }
        step(&mut self.escalations, u64::from(r.escalations));
        step(&mut self.reroutes, u64::from(r.reroutes));
    }

    /// Sonuçlandırılan: answered plus closed.
    pub fn concluded(&self) -> u64 {
        self.answered + self.closed
    }

    /// Whether the tally counts nothing (every counter zero).
    pub fn is_empty(&self) -> bool {
        self.received == 0
    }

    /// Adds another tally into this one.
    pub fn merge(&mut self, o: &Tally) {
        self.received += o.received;
        self.answered += o.answered;
        self.olumlu += o.olumlu;
        self.olumsuz += o.olumsuz;
        self.kismen_olumlu += o.kismen_olumlu;
        self.closed += o.closed;
        self.pending += o.pending;
        self.not_processed += o.not_processed;
        self.redirected += o.redirected;
        self.on_time += o.on_time;
        self.overdue += o.overdue;
        self.overdue_pending += o.overdue_pending;
        self.escalations += o.escalations;
        self.reroutes += o.reroutes;
        self.days.merge(&o.days);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_nearest_rank() {
        let mut h = DaysHistogram::default();
        assert_eq!(h.median(), None);
        for d in [5, 1, 3, 200, 40] {
            h.add(d);
        }
        assert_eq!(h.median(), Some(5));
        assert_eq!(h.p90(), Some(200));
        assert_eq!(h.quantile(0.2), Some(1));
        assert_eq!(h.quantile(0.8), Some(40));
        h.remove(200);
        h.remove(40);
        assert_eq!(h.p90(), Some(5));
        assert!(h.long.is_empty());
        let mut g = DaysHistogram::default();
        for d in [1, 3, 5] {
            g.add(d);
        }
        assert_eq!(h, g);
    }
}
