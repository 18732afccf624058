//! Ports: what the engine needs from the rest of the system, as small traits with simple
//! implementations for tests and stand-alone use.
//!
//! * [`BusinessCalendar`]: which days are business days (iş günü);
//! * [`EventLog`]: an append-only log of opaque records with optional snapshots (the journal);
//! * [`NotificationSink`]: where SMS notifications go (the outbox);
//! * [`EscalationChain`]: who is next up the chain when an application is overdue.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Istanbul;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

// --- calendar ----------------------------------------------------------------------------------

/// İş takvimi: a business-day calendar.
pub trait BusinessCalendar: Send + Sync {
    /// Whether the date is a business day (iş günü).
    fn is_business_day(&self, date: NaiveDate) -> bool;

    /// The date `n` business days after `date` (`n = 0`: `date` itself if a business day, else
    /// the next business day).
    fn add_business_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut d = date;
        while !self.is_business_day(d) {
            d = next_day(d);
        }
        for _ in 0..n {
            d = next_day(d);
            while !self.is_business_day(d) {
                d = next_day(d);
            }
        }
        d
    }

    /// The business day `n` business days before `date` (`n = 0`: `date` itself if a business day,
    /// else the previous business day).
    fn sub_business_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut d = date;
        while !self.is_business_day(d) {
            d = prev_day(d);
        }
        for _ in 0..n {
            d = prev_day(d);
            while !self.is_business_day(d) {
                d = prev_day(d);
            }
        }
        d
    }

    /// Son gün: the last day to answer something received at `received_at` within `n` business
    /// days. The count starts on the business day after the day of receipt (Turkey time).
    fn deadline(&self, received_at: DateTime<Utc>, n: u32) -> NaiveDate {
        let day = local_date(received_at);
        let first = self.add_business_days(next_day(day), 0);
        self.add_business_days(first, n.saturating_sub(1))
    }
}

/// A calendar where Monday to Friday are business days and nothing else is special. For tests and
/// as a fallback; the real public-sector calendar (with bayrams) is `crate::calendar`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WeekendCalendar;

impl BusinessCalendar for WeekendCalendar {
    fn is_business_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }
}

fn next_day(d: NaiveDate) -> NaiveDate {
    // Invariant: dates handled here are far from chrono's upper bound (year 262143).
    d.checked_add_days(Days::new(1)).unwrap_or(d)
}

fn prev_day(d: NaiveDate) -> NaiveDate {
    d.checked_sub_days(Days::new(1)).unwrap_or(d)
}

/// The date in Turkey (Europe/Istanbul) of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Istanbul).date_naive()
}

/// The instant a date starts in Turkey (00:00 Europe/Istanbul), in UTC.
pub fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    match Istanbul.from_local_datetime(&midnight).earliest() {
        Some(t) => t.with_timezone(&Utc),
        // Turkey has kept UTC+3 all year since 2016; a gap at midnight cannot happen then, and
        // UTC+3 is the right answer for any date the engine handles.
        None => Utc.from_utc_datetime(&midnight) - chrono::Duration::hours(3),
    }
}

/// The instant a local date and hour in Turkey is, in UTC.
pub fn local_time(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    start_of_day(date)
        + chrono::Duration::hours(i64::from(hour))
        + chrono::Duration::minutes(i64::from(minute))
}

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

// --- event log ---------------------------------------------------------------------------------

/// Olay günlüğü: an append-only log of opaque records, numbered from 1, with an optional snapshot.
pub trait EventLog: Send {
    /// Appends records as one unit (all or none), durably as far as the implementation promises.
    /// Returns the sequence number of the last record.
    fn append(&mut self, records: &[Vec<u8>]) -> Result<u64>;

    /// Calls `f` with every record whose sequence number is greater than `after`, in order.
    fn replay(&self, after: u64, f: &mut dyn FnMut(u64, &[u8]) -> Result<()>) -> Result<()>;

    /// The last snapshot: the sequence number it covers and its bytes.
    fn snapshot(&self) -> Result<Option<(u64, Vec<u8>)>>;

    /// Stores a snapshot covering records up to `seq`.
    fn save_snapshot(&mut self, seq: u64, bytes: &[u8]) -> Result<()>;
}

/// An in-memory [`EventLog`]; clones share the same records (so a test can "reopen" it).
#[derive(Debug, Clone, Default)]
pub struct MemoryLog {
    inner: Arc<Mutex<MemoryLogInner>>,
}

#[derive(Debug, Default)]
struct MemoryLogInner {
    records: Vec<Vec<u8>>,
    snapshot: Option<(u64, Vec<u8>)>,
}

impl MemoryLog {
    /// An empty log.
    pub fn new() -> Self {
        MemoryLog::default()
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.lock().records.len()
    }

    /// Whether the log is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryLogInner> {
        // A poisoned lock only means another thread panicked while appending to a Vec; the data
        // is still a valid Vec, so keep using it.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl EventLog for MemoryLog {
    fn append(&mut self, records: &[Vec<u8>]) -> Result<u64> {
        let mut inner = self.lock();
        inner.records.extend(records.iter().cloned());
        Ok(inner.records.len() as u64)
    }

    fn replay(&self, after: u64, f: &mut dyn FnMut(u64, &[u8]) -> Result<()>) -> Result<()> {
        let records = self.lock().records.clone();
        for (i, r) in records
            .iter()
            .enumerate()
            .skip(usize::try_from(after).unwrap_or(usize::MAX))
        {
            f(i as u64 + 1, r)?;
        }
        Ok(())
    }

    fn snapshot(&self) -> Result<Option<(u64, Vec<u8>)>> {
        Ok(self.lock().snapshot.clone())
    }

    fn save_snapshot(&mut self, seq: u64, bytes: &[u8]) -> Result<()> {
        self.lock().snapshot = Some((seq, bytes.to_vec()));
        Ok(())
    }
}

// --- notifications -----------------------------------------------------------------------------

/// Which SMS template a notification uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsKind {
    /// Başvurunuz kaydedildi.
    Registered,
    /// Başvurunuz ilgili kuruma iletildi.
    Routed,
    /// Başvurunuz cevaplandı.
    Answered,
}

/// Bildirim: an SMS to send to the citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Idempotency key: the same key is sent at most once (`"<tracking>:<version>"`).
    pub key: String,
    /// The phone number to send to (as registered).
    pub to: String,
    /// Template.
    pub kind: SmsKind,
    /// Tracking number shown in the message.
    pub tracking: String,
    /// The message text (Turkish).
    pub text: String,
}

/// Where the engine puts notifications (the outbox).
pub trait NotificationSink: Send {
    /// Queues a notification. Must ignore a key it has already seen.
    fn enqueue(&mut self, notification: Notification) -> Result<()>;
}

/// Collects notifications in memory (deduplicated by key); clones share the list.
#[derive(Debug, Clone, Default)]
pub struct MemorySink {
    inner: Arc<Mutex<Vec<Notification>>>,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> Self {
        MemorySink::default()
    }

    /// Everything queued so far.
    pub fn notifications(&self) -> Vec<Notification> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl NotificationSink for MemorySink {
    fn enqueue(&mut self, notification: Notification) -> Result<()> {
        let mut list = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if !list.iter().any(|n| n.key == notification.key) {
            list.push(notification);
        }
        Ok(())
    }
}

/// Drops every notification (for benchmarks and replays).
#[derive(Debug, Clone, Copy, Default)]
pub struct NullSink;

impl NotificationSink for NullSink {
    fn enqueue(&mut self, _notification: Notification) -> Result<()> {
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

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weekend_calendar_skips_saturday_and_sunday() {
        let cal = WeekendCalendar;
        // 2026-11-20 is a Friday.
        assert_eq!(cal.add_business_days(d(2026, 11, 20), 1), d(2026, 11, 23));
        assert_eq!(cal.add_business_days(d(2026, 11, 21), 0), d(2026, 11, 23));
        assert_eq!(cal.sub_business_days(d(2026, 11, 23), 1), d(2026, 11, 20));
        assert_eq!(cal.sub_business_days(d(2026, 11, 22), 0), d(2026, 11, 20));
    }

    #[test]
    fn deadline_counts_from_the_next_business_day_in_turkey() {
        let cal = WeekendCalendar;
        // Friday 2026-11-20 22:30 UTC is Saturday 01:30 in Turkey: the count starts on Monday.
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 22, 30, 0).unwrap();
        assert_eq!(local_date(t), d(2026, 11, 21));
        assert_eq!(cal.deadline(t, 1), d(2026, 11, 23));
        assert_eq!(cal.deadline(t, 7), d(2026, 12, 1));
        // Monday 10:00 Turkey: 7 business days → next Tuesday.
        let t = local_time(d(2026, 11, 23), 10, 0);
        assert_eq!(cal.deadline(t, 7), d(2026, 12, 2));
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
    fn memory_log_replays_after_a_position_and_shares_between_clones() {
        let mut log = MemoryLog::new();
        let other = log.clone();
        assert_eq!(log.append(&[b"a".to_vec(), b"b".to_vec()]).unwrap(), 2);
        assert_eq!(log.append(&[b"c".to_vec()]).unwrap(), 3);
        let mut seen = Vec::new();
        other
            .replay(1, &mut |seq, r| {
                seen.push((seq, r.to_vec()));
                Ok(())
            })
            .unwrap();
        assert_eq!(seen, vec![(2, b"b".to_vec()), (3, b"c".to_vec())]);
    }

    #[test]
    fn memory_sink_ignores_repeated_keys() {
        let mut sink = MemorySink::new();
        let n = Notification {
            key: "k".into(),
            to: "5551234567".into(),
            kind: SmsKind::Registered,
            tracking: "T".into(),
            text: "x".into(),
        };
        sink.enqueue(n.clone()).unwrap();
        sink.enqueue(n).unwrap();
        assert_eq!(sink.notifications().len(), 1);
    }
}
