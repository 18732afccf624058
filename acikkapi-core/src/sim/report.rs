//! Results of a run: one [`Record`] per application (read from the engine's states), the
//! [`Summary`] of any group of records (statistics block + SLA figures), and the report by heading,
//! district and unit. Every map is a `BTreeMap`: output order never depends on hashing.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::calendar::Calendar;
use crate::stats::StatisticsBlock;
use crate::workflow::InstanceId;
use crate::workflow::application::{ApplicationState, Outcome, Status};
use crate::workflow::ports::local_date;

/// Where an application ended up when the simulation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    /// Sonuçlandırılan: answered (closed or not yet).
    Answered,
    /// İşlem yapılmayı bekleyen: received, registered, with the vali or an officer, or returned.
    Pending,
    /// İşleme alınmayan.
    NotProcessed,
    /// Başka kuruma yönlendirilen.
    Redirected,
}

/// One simulated application, as the statistics see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Tracking number.
    pub tracking: String,
    /// Heading code of its (final) category.
    pub heading: String,
    /// Category code (final).
    pub category: String,
    /// District (as submitted).
    pub district: String,
    /// The unit that has (or answered) it.
    pub unit: Option<String>,
    /// Where it ended up.
    pub end: End,
    /// The answer's outcome.
    pub outcome: Option<Outcome>,
    /// Received.
    pub received_at: DateTime<Utc>,
    /// Deadline (registered ones).
    pub deadline: Option<DateTime<Utc>>,
    /// Answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// Business days from receipt to answer (business days in (receipt day, answer day]).
    pub business_days: Option<i64>,
    /// Marked overdue by the deadline timer.
    pub overdue: bool,
    /// Escalation levels reached.
    pub escalations: u32,
    /// Officer returns ("not ours").
    pub returns: u32,
}

impl Record {
    /// The record of an application's state.
    pub fn from_state(
        id: &InstanceId,
        s: &ApplicationState,
        calendar: &Calendar,
    ) -> Result<Record> {
        let category = s.category.clone().unwrap_or_default();
        let end = match s.status {
            Status::Answered | Status::Closed => End::Answered,
            Status::NotProcessed => End::NotProcessed,
            Status::Redirected => End::Redirected,
            _ => End::Pending,
        };
        let answered_at = s.answer.as_ref().map(|a| a.at);
        let business_days = match answered_at {
            Some(at) => {
                Some(calendar.business_days_between(local_date(s.received_at), local_date(at))?)
            }
            None => None,
        };
        Ok(Record {
            tracking: id.to_string(),
            heading: category.split('.').next().unwrap_or_default().to_owned(),
            category,
            district: s.input.district.clone().unwrap_or_default(),
            unit: s.assignment.as_ref().map(|a| a.unit_name.clone()),
            end,
            outcome: s.answer.as_ref().map(|a| a.outcome),
            received_at: s.received_at,
            deadline: s.deadline,
            answered_at,
            business_days,
            overdue: s.overdue,
            escalations: s.escalations,
            returns: s.returns,
        })
    }

    /// Answered by the deadline.
    pub fn on_time(&self) -> Option<bool> {
        Some(self.answered_at? <= self.deadline?)
    }
}

/// Özet: the statistics block and the SLA figures of a group of applications.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Toplam Başvuru Sayısı.
    pub received: u64,
    /// Sonuçlandırılan.
    pub answered: u64,
    /// Olumlu Sonuçlanan.
    pub positive: u64,
    /// Olumsuz Sonuçlanan.
    pub negative: u64,
    /// Kısmen Olumlu Sonuçlanan.
    pub partly_positive: u64,
    /// İşlem Yapılmayı Bekleyen.
    pub pending: u64,
    /// İşleme Alınmayan.
    pub not_processed: u64,
    /// Başka Mercie Yönlendirilen.
    pub redirected: u64,
    /// Answered by the deadline.
    pub on_time: u64,
    /// Share of the answered ones answered by the deadline (0–1; 0 when none answered).
    pub on_time_share: f64,
    /// Median business days to answer.
    pub median_days: Option<i64>,
    /// 90th percentile of business days to answer.
    pub p90_days: Option<i64>,
    /// Marked overdue (answered late or still pending past the deadline).
    pub overdue: u64,
    /// Pending and past the deadline.
    pub pending_overdue: u64,
    /// Escalations (levels reached, summed).
    pub escalations: u64,
    /// Officer returns ("not ours").
    pub returns: u64,
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

impl Summary {
    /// The summary of some records.
    pub fn of<'r>(records: impl IntoIterator<Item = &'r Record>) -> Summary {
        let mut s = Summary::default();
        let mut days = Vec::new();
        for r in records {
            s.received += 1;
            match r.end {
                End::Answered => s.answered += 1,
                End::Pending => s.pending += 1,
                End::NotProcessed => s.not_processed += 1,
                End::Redirected => s.redirected += 1,
            }
            match r.outcome {
                Some(Outcome::Positive) => s.positive += 1,
                Some(Outcome::Negative) => s.negative += 1,
                Some(Outcome::PartlyPositive) => s.partly_positive += 1,
                None => {}
            }
            if r.on_time() == Some(true) {
                s.on_time += 1;
            }
            if r.overdue {
                s.overdue += 1;
                if r.end == End::Pending {
                    s.pending_overdue += 1;
                }
            }
            s.escalations += u64::from(r.escalations);
            s.returns += u64::from(r.returns);
            days.extend(r.business_days);
        }
        days.sort_unstable();
        s.median_days = percentile(&days, 0.5);
        s.p90_days = percentile(&days, 0.9);
        s.on_time_share = if s.answered == 0 {
            0.0
        } else {
            s.on_time as f64 / s.answered as f64
        };
        s
    }

    /// The statistics block of this summary (the statistics module's type; nothing is closed
    /// without an answer in a simulation).
    pub fn statistics(&self) -> StatisticsBlock {
        StatisticsBlock {
            received: self.received,
            concluded: self.answered,
            positive: self.positive,
            negative: self.negative,
            partly_positive: self.partly_positive,
            pending: self.pending,
            closed: 0,
            not_processed: self.not_processed,
            redirected: self.redirected,
        }
    }
}

/// Rapor: a run's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimReport {
    /// The policy's name.
    pub policy: String,
    /// The router's label.
    pub router: String,
    /// Province name.
    pub province: String,
    /// First day.
    pub start: chrono::NaiveDate,
    /// Days simulated.
    pub days: u32,
    /// Seed of the arrivals.
    pub seed: u64,
    /// Events in the journal.
    pub events: u64,
    /// Everything.
    pub total: Summary,
    /// Per heading code.
    pub by_heading: BTreeMap<String, Summary>,
    /// Per district.
    pub by_district: BTreeMap<String, Summary>,
    /// Per unit (the unit holding or having answered; unrouted ones under `"-"`).
    pub by_unit: BTreeMap<String, Summary>,
}

/// Groups records by a key and summarises each group.
pub fn group_by(records: &[Record], key: impl Fn(&Record) -> String) -> BTreeMap<String, Summary> {
    let mut groups: BTreeMap<String, Vec<&Record>> = BTreeMap::new();
    for r in records {
        groups.entry(key(r)).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|(k, v)| (k, Summary::of(v)))
        .collect()
}

/// A summary's figures by name, in display order (for side-by-side comparison and CSV).
pub fn figures(s: &Summary) -> Vec<(&'static str, f64)> {
    let opt = |x: Option<i64>| x.map_or(f64::NAN, |v| v as f64);
    // The block's lines, labelled by the statistics module.
    let mut out: Vec<(&'static str, f64)> = s
        .statistics()
        .lines()
        .into_iter()
        .map(|(label, v)| (label, v as f64))
        .collect();
    out.extend([
        ("Süresinde cevaplanan (%)", s.on_time_share * 100.0),
        ("Cevap süresi medyan (iş günü)", opt(s.median_days)),
        ("Cevap süresi p90 (iş günü)", opt(s.p90_days)),
        ("Süresi geçen", s.overdue as f64),
        ("Üst makama bildirim", s.escalations as f64),
        ("İade (görev alanı dışı)", s.returns as f64),
    ]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[4], 0.9), Some(4));
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 0.5), Some(5));
        assert_eq!(percentile(&v, 0.9), Some(9));
        assert_eq!(percentile(&v, 1.0), Some(10));
    }
}
