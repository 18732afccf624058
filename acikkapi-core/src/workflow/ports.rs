//! Ports: what the engine needs from the rest of the system, as small traits with simple
//! implementations for tests and stand-alone use.
//!
//! * [`BusinessCalendar`]: which days are business days (iş günü); implemented by
//!   [`crate::calendar::Calendar`] (the default) and by [`WeekendCalendar`];
//! * the journal: [`crate::journal::Journal`] (used directly);
//! * [`NotificationSink`]: where SMS notifications go ([`crate::notify::Outbox`]);
//! * [`EscalationChain`]: who is next up the chain when an application is overdue.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use crate::calendar::Calendar;
pub use crate::notify::Notification;
use crate::notify::{DeliveryQueue, IdempotencyKey, Outbox};
use crate::time;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

// --- calendar ----------------------------------------------------------------------------------

/// İş takvimi: a business-day calendar. Dates are Turkish local dates.
pub trait BusinessCalendar: Send + Sync {
    /// Whether the date is a business day (iş günü).
    fn is_business_day(&self, date: NaiveDate) -> Result<bool>;

    /// The `n`-th business day after `date` (`n < 0`: before; `n = 0`: `date` itself if a
    /// business day, else the next business day).
    fn add_business_days(&self, date: NaiveDate, n: i64) -> Result<NaiveDate>;

    /// Business days in `(from, to]`: for `from <= to` the number of business days after `from`
    /// up to and including `to`; for `to < from` minus the count in `(to, from]` (the meaning of
    /// [`Calendar::business_days_between`]). So `between(d, add_business_days(d, n)) == n` for a
    /// business day `d`. In O(1), not day by day: the statistics count every answer with it.
    fn between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64>;

    /// Cevap süresi: the instant something received at `received_at` is due, `n` business days
    /// later (end of office hours of the due day).
    fn deadline(&self, received_at: DateTime<Utc>, n: u32) -> Result<DateTime<Utc>>;
}

impl BusinessCalendar for Calendar {
    fn is_business_day(&self, date: NaiveDate) -> Result<bool> {
        Calendar::is_business_day(self, date)
    }

    fn add_business_days(&self, date: NaiveDate, n: i64) -> Result<NaiveDate> {
        Calendar::add_business_days(self, date, n)
    }

    /// The per-year prefix counts: two look-ups and a subtraction.
    fn between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64> {
        Calendar::business_days_between(self, from, to)
    }

    fn deadline(&self, received_at: DateTime<Utc>, n: u32) -> Result<DateTime<Utc>> {
        Ok(Calendar::deadline(self, time::to_local(received_at), n)?.with_timezone(&Utc))
    }
}

/// A calendar where Monday to Friday are business days and nothing else is special, with the
/// same deadline rule as [`Calendar::deadline`] (office closes 17:30; received later or on a
/// weekend it counts from the next business day). For tests that want a calendar without
/// holidays; Açık Kapı uses [`Calendar::public_sector`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WeekendCalendar;

fn weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Weekdays from a fixed Monday up to and including `date` (negative before it): the running
/// count whose differences are [`WeekendCalendar::between`].
fn weekdays_through(date: NaiveDate) -> i64 {
    // 0001-01-01 (day 1 from the common era) was a Monday.
    let z = i64::from(date.num_days_from_ce()) - 1;
    5 * z.div_euclid(7) + (z.rem_euclid(7) + 1).min(5)
}

impl BusinessCalendar for WeekendCalendar {
    fn is_business_day(&self, date: NaiveDate) -> Result<bool> {
        Ok(weekday(date))
    }

    fn add_business_days(&self, date: NaiveDate, n: i64) -> Result<NaiveDate> {
        let mut d = date;
        if n == 0 {
            while !weekday(d) {
                d = next_day(d)?;
            }
            return Ok(d);
        }
        for _ in 0..n.unsigned_abs() {
            d = if n > 0 { next_day(d)? } else { prev_day(d)? };
            while !weekday(d) {
                d = if n > 0 { next_day(d)? } else { prev_day(d)? };
            }
        }
        Ok(d)
    }

    fn between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64> {
        Ok(weekdays_through(to) - weekdays_through(from))
    }

    fn deadline(&self, received_at: DateTime<Utc>, n: u32) -> Result<DateTime<Utc>> {
        let local = time::to_local(received_at);
        let date = local.date_naive();
        let (h, m) = time::OFFICE_CLOSES;
        let closing = chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
        let receipt = if weekday(date) && local.time() < closing {
            date
        } else {
            self.add_business_days(next_day(date)?, 0)?
        };
        let due = self.add_business_days(receipt, i64::from(n))?;
        Ok(time::end_of_office_day(due))
    }
}

fn next_day(d: NaiveDate) -> Result<NaiveDate> {
    d.checked_add_days(Days::new(1))
        .ok_or(Error::DateOutOfRange {
            date: d,
            supported: i32::MIN..=i32::MAX,
        })
}

fn prev_day(d: NaiveDate) -> Result<NaiveDate> {
    d.checked_sub_days(Days::new(1))
        .ok_or(Error::DateOutOfRange {
            date: d,
            supported: i32::MIN..=i32::MAX,
        })
}

/// Türkiye's local dates and hours ([`crate::time`], re-exported where the engine's users have
/// always found them): `local_date(at)`, `start_of_day(date)`, `local_time(date, hour, minute)`.
pub use crate::time::{local_date, local_time, start_of_day};

// --- escalation --------------------------------------------------------------------------------

/// Üst makam zinciri: who is told when an application stays unanswered past its deadline.
pub trait EscalationChain: Send + Sync {
    /// The unit or post at escalation `level` (1 = first step up) for an application held by
    /// `unit`; `None` when the chain ends.
    fn level(&self, unit: &str, level: u32) -> Option<String>;
}

/// The same chain for every unit: a list of posts from the first step up to the top.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedChain(pub Vec<String>);

impl Default for FixedChain {
    /// Birim amiri → Vali/Kaymakam yardımcısı → Vali/Kaymakam.
    fn default() -> Self {
        FixedChain(vec![
            "Birim Amiri".to_owned(),
            "Vali Yardımcısı / Kaymakam".to_owned(),
            "Vali".to_owned(),
        ])
    }
}

impl EscalationChain for FixedChain {
    fn level(&self, _unit: &str, level: u32) -> Option<String> {
        let i = usize::try_from(level).ok()?.checked_sub(1)?;
        self.0.get(i).cloned()
    }
}

// --- notifications -----------------------------------------------------------------------------

/// Where the engine puts notifications: the [`Outbox`] (shared, so the embedding system can
/// drive deliveries with [`Outbox::tick`] and a [`Notifier`](crate::notify::Notifier)), or a
/// simple collector.
pub trait NotificationSink: Send {
    /// Queues a notification. Must ignore a key it has already seen.
    fn enqueue(&mut self, notification: Notification, now: DateTime<Utc>) -> Result<()>;
}

impl NotificationSink for Arc<Mutex<Outbox>> {
    fn enqueue(&mut self, notification: Notification, now: DateTime<Utc>) -> Result<()> {
        // A poisoned lock means a notifier panicked mid-tick; the outbox's maps are still
        // consistent (each update is a single insert), so keep using it.
        let mut outbox = self.lock().unwrap_or_else(|p| p.into_inner());
        outbox.enqueue(notification, now);
        Ok(())
    }
}

/// Any [`DeliveryQueue`] shared as `Arc<dyn DeliveryQueue>` (a front end's outbox, whatever
/// stores it) takes the engine's notifications: `Box::new(queue.clone())` is the engine's sink.
impl NotificationSink for Arc<dyn DeliveryQueue> {
    fn enqueue(&mut self, notification: Notification, now: DateTime<Utc>) -> Result<()> {
        DeliveryQueue::enqueue(self.as_ref(), notification, now).map(|_| ())
    }
}

/// Collects notifications in memory (deduplicated by key); clones share the list.
///
/// The keys seen so far are kept in a hash set beside the list, so queueing is O(1) whatever
/// the number of notifications (a linear scan of the list made a long-running engine
/// quadratic: 43–50 % of a 20,000-application Python run was spent comparing keys).
#[derive(Debug, Clone, Default)]
pub struct MemorySink {
    inner: Arc<Mutex<SinkState>>,
}

#[derive(Debug, Default)]
struct SinkState {
    list: Vec<Notification>,
    keys: HashSet<IdempotencyKey>,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> Self {
        MemorySink::default()
    }

    /// Everything queued so far, in the order it was queued.
    pub fn notifications(&self) -> Vec<Notification> {
        self.lock().list.clone()
    }

    /// How many notifications were queued.
    pub fn len(&self) -> usize {
        self.lock().list.len()
    }

    /// Whether nothing was queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SinkState> {
        // A poisoned lock means a panic while pushing; list and keys are updated together
        // after the check, so the state is still consistent.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl NotificationSink for MemorySink {
    fn enqueue(&mut self, notification: Notification, _now: DateTime<Utc>) -> Result<()> {
        let mut state = self.lock();
        if state.keys.insert(notification.key.clone()) {
            state.list.push(notification);
        }
        Ok(())
    }
}

/// Drops every notification (for benchmarks and replays).
#[derive(Debug, Clone, Copy, Default)]
pub struct NullSink;

impl NotificationSink for NullSink {
    fn enqueue(&mut self, _notification: Notification, _now: DateTime<Utc>) -> Result<()> {
        Ok(())
    }
}

pub(crate) fn storage_error(e: impl std::fmt::Display) -> Error {
    Error::WorkflowStorage {
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn phone() -> crate::ids::PhoneNumber {
        crate::ids::PhoneNumber::parse("+905321234567").unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Business days in (from, to] counted day by day (negative for to < from).
    fn day_by_day(cal: &dyn BusinessCalendar, from: NaiveDate, to: NaiveDate) -> i64 {
        let (lo, hi, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let n = lo
            .iter_days()
            .skip(1)
            .take_while(|x| *x <= hi)
            .filter(|x| cal.is_business_day(*x).unwrap())
            .count();
        sign * i64::try_from(n).unwrap()
    }

    #[test]
    fn between_counts_as_day_by_day_and_inverts_add() {
        let cals: [&dyn BusinessCalendar; 2] = [&WeekendCalendar, Calendar::public_sector()];
        // Around Kurban Bayramı 2025, a year end, a weekend, and the same day.
        let pairs = [
            (d(2025, 6, 2), d(2025, 6, 13)),
            (d(2025, 12, 24), d(2026, 1, 9)),
            (d(2026, 11, 21), d(2026, 11, 22)),
            (d(2026, 11, 23), d(2026, 11, 23)),
            (d(2015, 1, 1), d(2016, 3, 1)),
        ];
        for cal in cals {
            for (a, b) in pairs {
                assert_eq!(
                    cal.between(a, b).unwrap(),
                    day_by_day(cal, a, b),
                    "{a} → {b}"
                );
                assert_eq!(
                    cal.between(b, a).unwrap(),
                    -day_by_day(cal, a, b),
                    "{b} → {a}"
                );
            }
            let start = d(2026, 11, 23);
            for n in [-9, -1, 1, 7, 30] {
                let to = cal.add_business_days(start, n).unwrap();
                assert_eq!(cal.between(start, to).unwrap(), n, "{start} + {n}");
            }
        }
        // Every weekday offset of WeekendCalendar's O(1) formula, over four weeks.
        let monday = d(2026, 11, 2);
        for i in 0..28 {
            let a = monday + Days::new(i);
            for j in 0..28 {
                let b = monday + Days::new(j);
                assert_eq!(
                    WeekendCalendar.between(a, b).unwrap(),
                    day_by_day(&WeekendCalendar, a, b)
                );
            }
        }
    }

    #[test]
    fn weekend_calendar_skips_saturday_and_sunday() {
        let cal = WeekendCalendar;
        // 2026-11-20 is a Friday.
        assert_eq!(
            cal.add_business_days(d(2026, 11, 20), 1).unwrap(),
            d(2026, 11, 23)
        );
        assert_eq!(
            cal.add_business_days(d(2026, 11, 21), 0).unwrap(),
            d(2026, 11, 23)
        );
        assert_eq!(
            cal.add_business_days(d(2026, 11, 23), -1).unwrap(),
            d(2026, 11, 20)
        );
        assert_eq!(
            cal.add_business_days(d(2026, 11, 22), -1).unwrap(),
            d(2026, 11, 20)
        );
    }

    #[test]
    fn weekend_calendar_agrees_with_the_real_one_on_plain_weeks() {
        // 23 Nov – 31 Dec 2026 has no holidays.
        let real = Calendar::public_sector();
        for day in 23..=30 {
            for hour in [0, 9, 17, 18, 23] {
                let t = local_time(d(2026, 11, day), hour, 0);
                assert_eq!(
                    BusinessCalendar::deadline(&WeekendCalendar, t, 7).unwrap(),
                    BusinessCalendar::deadline(real, t, 7).unwrap(),
                    "{t}"
                );
            }
            for n in [-3, -1, 0, 1, 5] {
                assert_eq!(
                    WeekendCalendar
                        .add_business_days(d(2026, 11, day), n)
                        .unwrap(),
                    BusinessCalendar::add_business_days(real, d(2026, 11, day), n).unwrap()
                );
            }
        }
    }

    #[test]
    fn deadline_counts_the_receipt_day_until_closing_time() {
        let cal = WeekendCalendar;
        // Friday 2026-11-20 22:30 UTC is Saturday 01:30 in Turkey: counts as received Monday.
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 22, 30, 0).unwrap();
        assert_eq!(local_date(t), d(2026, 11, 21));
        assert_eq!(
            cal.deadline(t, 1).unwrap(),
            local_time(d(2026, 11, 24), 17, 30)
        );
        // Monday 10:00 Turkey: 7 business days → Wednesday 2 December 17:30.
        let t = local_time(d(2026, 11, 23), 10, 0);
        assert_eq!(
            cal.deadline(t, 7).unwrap(),
            local_time(d(2026, 12, 2), 17, 30)
        );
        let t = local_time(d(2026, 11, 23), 18, 0);
        assert_eq!(
            cal.deadline(t, 7).unwrap(),
            local_time(d(2026, 12, 3), 17, 30)
        );
    }

    #[test]
    fn start_of_day_is_utc_plus_three() {
        let t = start_of_day(d(2026, 11, 23));
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 11, 22, 21, 0, 0).unwrap());
    }

    #[test]
    fn fixed_chain_levels() {
        let chain = FixedChain::default();
        assert_eq!(chain.level("x", 0), None);
        assert_eq!(chain.level("x", 1).as_deref(), Some("Birim Amiri"));
        assert_eq!(chain.level("x", 3).as_deref(), Some("Vali"));
        assert_eq!(chain.level("x", 4), None);
    }

    #[test]
    fn memory_sink_keeps_order_and_first_copy_across_many_keys() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let mut sink = MemorySink::new();
        let shared = sink.clone();
        for round in 0..2 {
            for i in 0..5_000 {
                let body = format!("round {round}");
                sink.enqueue(Notification::sms(format!("AK/{i}"), phone(), body), now)
                    .unwrap();
            }
        }
        let list = shared.notifications();
        assert_eq!(list.len(), 5_000);
        assert_eq!(shared.len(), 5_000);
        assert!(list.iter().all(|n| n.body == "round 0"));
        assert!(
            list.iter()
                .enumerate()
                .all(|(i, n)| n.key.0 == format!("AK/{i}"))
        );
    }

    #[test]
    fn sinks_ignore_repeated_keys() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let n = Notification::sms("k", phone(), "x");
        let mut sink = MemorySink::new();
        sink.enqueue(n.clone(), now).unwrap();
        sink.enqueue(n.clone(), now).unwrap();
        assert_eq!(sink.notifications().len(), 1);
        let mut outbox = Arc::new(Mutex::new(Outbox::new(
            crate::notify::RetryPolicy::default(),
        )));
        outbox.enqueue(n.clone(), now).unwrap();
        outbox.enqueue(n.clone(), now).unwrap();
        assert_eq!(outbox.lock().unwrap().due(now).len(), 1);
        // Any delivery queue behind `Arc<dyn DeliveryQueue>` is a sink too.
        let queue: Arc<dyn DeliveryQueue> = Arc::new(Mutex::new(Outbox::new(
            crate::notify::RetryPolicy::default(),
        )));
        let mut sink: Box<dyn NotificationSink> = Box::new(queue.clone());
        sink.enqueue(n.clone(), now).unwrap();
        sink.enqueue(n, now).unwrap();
        assert_eq!(queue.depth().unwrap(), 1);
    }
}
