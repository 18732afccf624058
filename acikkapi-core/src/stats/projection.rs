//! Two ways to the same [`Report`]: a [`Projection`] kept up to date record by record, and a
//! batch pass ([`ReportBuilder`], [`report`]) over a set of records.

use std::cmp::Ordering;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::aggregate::Aggregates;
use super::build::build;
use super::record::{ApplicationRecord, Status};
use super::report::{BacklogItem, Report, ReportOptions};

/// A change to the set of records a projection summarises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum RecordUpdate {
    /// Insert a record, or replace the record with the same tracking number (e.g. its status
    /// changed): the old contribution is removed and the new one added.
    Upsert {
        /// The record's new state (boxed: a record is large next to a tracking number).
        record: Box<ApplicationRecord>,
    },
    /// Forget a record (e.g. registered in error and voided).
    Remove {
        /// Its tracking number.
        tracking_number: String,
    },
}

/// Rapor projeksiyonu: aggregates kept up to date as records change.
///
/// It keeps the current record of every application, so that a change removes exactly the old
/// contribution before adding the new one. [`Projection::report`] equals the batch
/// [`report`] over [`Projection::records`] (a property test checks it).
///
/// ```
/// use acikkapi_core::stats::{Projection, RecordUpdate, ReportOptions, Status, Outcome};
/// # let line = r#"{"tracking_number":"T1","kind":"talep","channel":"cagri_merkezi","heading":"SAGLIK",
/// #  "category":"SAGLIK.DIGER","province":20,"institution_type":"SAGLIK_MUDURLUGU","unit_id":"U1",
/// #  "received_at":"2026-11-02T10:00:00+03:00","status":{"state":"pending"},"deadline":"2026-11-11"}"#;
/// # let mut rec: acikkapi_core::stats::ApplicationRecord = serde_json::from_str(line).unwrap();
/// let mut p = Projection::new();
/// p.apply(&RecordUpdate::Upsert { record: Box::new(rec.clone()) });
/// assert_eq!(p.report(&ReportOptions::default()).block.pending, 1);
/// rec.status = Status::Answered { outcome: Outcome::Positive };
/// p.apply(&RecordUpdate::Upsert { record: Box::new(rec) });
/// let block = p.report(&ReportOptions::default()).block;
/// assert_eq!((block.pending, block.positive, block.received), (0, 1, 1));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Projection {
    records: HashMap<String, ApplicationRecord>,
    aggregates: Aggregates,
    /// Pending records by (deadline, none last; tracking number).
    pending: BTreeSet<(NaiveDate, String)>,
    /// Pending and overdue records by (deadline, tracking number).
    overdue: BTreeSet<(NaiveDate, String)>,
}

impl Projection {
    /// An empty projection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one update; returns the record it replaced or removed, if any.
    pub fn apply(&mut self, update: &RecordUpdate) -> Option<ApplicationRecord> {
        match update {
            RecordUpdate::Upsert { record } => self.upsert(ApplicationRecord::clone(record)),
            RecordUpdate::Remove { tracking_number } => self.remove(tracking_number),
        }
    }

    /// Inserts or replaces a record; returns the record it replaced.
    pub fn upsert(&mut self, record: ApplicationRecord) -> Option<ApplicationRecord> {
        let old = self.remove(&record.tracking_number);
        self.aggregates.add(&record);
        if record.status == Status::Pending {
            let key = owned_key(&record);
            if record.overdue {
                self.overdue.insert(key.clone());
            }
            self.pending.insert(key);
        }
        self.records.insert(record.tracking_number.clone(), record);
        old
    }

    /// Forgets a record; returns it.
    pub fn remove(&mut self, tracking_number: &str) -> Option<ApplicationRecord> {
        let old = self.records.remove(tracking_number)?;
        self.aggregates.remove(&old);
        if old.status == Status::Pending {
            let key = owned_key(&old);
            self.pending.remove(&key);
            self.overdue.remove(&key);
        }
        Some(old)
    }

    /// The current record of an application.
    pub fn get(&self, tracking_number: &str) -> Option<&ApplicationRecord> {
        self.records.get(tracking_number)
    }

    /// Number of applications.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The current records, in no particular order.
    pub fn records(&self) -> impl Iterator<Item = &ApplicationRecord> {
        self.records.values()
    }

    /// The aggregates.
    pub fn aggregates(&self) -> &Aggregates {
        &self.aggregates
    }

    /// The report over the current records.
    pub fn report(&self, opts: &ReportOptions) -> Report {
        let list = |set: &BTreeSet<(NaiveDate, String)>| -> Vec<BacklogItem> {
            set.iter()
                .filter_map(|(_, t)| self.records.get(t))
                .take(opts.list_limit)
                .map(BacklogItem::from_record)
                .collect()
        };
        build(
            &self.aggregates,
            list(&self.pending),
            list(&self.overdue),
            opts,
        )
    }
}

/// The backlog index key of a record (deadline, none last; tracking number).
fn owned_key(r: &ApplicationRecord) -> (NaiveDate, String) {
    let (d, t) = r.backlog_key();
    (d, t.to_string())
}

/// Applies one update to a projection (the same as [`Projection::apply`]).
pub fn apply(projection: &mut Projection, update: &RecordUpdate) -> Option<ApplicationRecord> {
    projection.apply(update)
}

/// A backlog entry ordered by (deadline, tracking number), for the bounded lists.
#[derive(Debug)]
struct ByDeadline(BacklogItem);

impl ByDeadline {
    fn key(&self) -> (NaiveDate, &str) {
        (
            self.0.deadline.unwrap_or(NaiveDate::MAX),
            &self.0.tracking_number,
        )
    }
}

impl PartialEq for ByDeadline {
    fn eq(&self, o: &Self) -> bool {
        self.key() == o.key()
    }
}
impl Eq for ByDeadline {}
impl PartialOrd for ByDeadline {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for ByDeadline {
    fn cmp(&self, o: &Self) -> Ordering {
        self.key().cmp(&o.key())
    }
}

/// Keeps the `limit` earliest-deadline records seen, cloning only those that get in.
#[derive(Debug)]
struct Earliest {
    limit: usize,
    heap: BinaryHeap<ByDeadline>,
}

impl Earliest {
    fn offer(&mut self, r: &ApplicationRecord) {
        if self.limit == 0 {
            return;
        }
        if self.heap.len() == self.limit {
            let Some(top) = self.heap.peek() else { return };
            if r.backlog_key() >= top.key() {
                return;
            }
            self.heap.pop();
        }
        self.heap.push(ByDeadline(BacklogItem::from_record(r)));
    }

    fn into_sorted(self) -> Vec<BacklogItem> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|b| b.0)
            .collect()
    }
}

/// Batch computation: push every record once, then [`finish`](ReportBuilder::finish).
///
/// Records can be streamed (e.g. from a JSON Lines file) without holding them all; each tracking
/// number must occur once (for changing records use a [`Projection`]).
#[derive(Debug)]
pub struct ReportBuilder {
    opts: ReportOptions,
    aggregates: Aggregates,
    backlog: Earliest,
    overdue: Earliest,
}

impl ReportBuilder {
    /// A builder for a report with these options.
    pub fn new(opts: ReportOptions) -> Self {
        let earliest = || Earliest {
            limit: opts.list_limit,
            heap: BinaryHeap::new(),
        };
        ReportBuilder {
            opts,
            aggregates: Aggregates::new(),
            backlog: earliest(),
            overdue: earliest(),
        }
    }

    /// Counts one record.
    pub fn push(&mut self, r: &ApplicationRecord) {
        self.aggregates.add(r);
        if r.status == Status::Pending {
            self.backlog.offer(r);
            if r.overdue {
                self.overdue.offer(r);
            }
        }
    }

    /// The aggregates so far.
    pub fn aggregates(&self) -> &Aggregates {
        &self.aggregates
    }

    /// The report.
    pub fn finish(self) -> Report {
        build(
            &self.aggregates,
            self.backlog.into_sorted(),
            self.overdue.into_sorted(),
            &self.opts,
        )
    }
}

/// The report over a set of records, in one pass.
///
/// ```
/// use acikkapi_core::stats::{report, ReportOptions, synth};
/// let records = synth::records(1_000, 7);
/// let r = report(&records, &ReportOptions::default());
/// assert_eq!(r.block.received, 1_000);
/// assert!(r.block.is_conserved());
/// ```
pub fn report<'a>(
    records: impl IntoIterator<Item = &'a ApplicationRecord>,
    opts: &ReportOptions,
) -> Report {
    let mut b = ReportBuilder::new(*opts);
    for r in records {
        b.push(r);
    }
    b.finish()
}

/// The aggregates over a set of records, in one pass.
pub fn aggregate<'a>(records: impl IntoIterator<Item = &'a ApplicationRecord>) -> Aggregates {
    let mut a = Aggregates::new();
    for r in records {
        a.add(r);
    }
    a
}
