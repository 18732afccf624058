//! İstatistik: statistics and business intelligence over Açık Kapı applications.
//!
//! Every report is computed from flat per-application records ([`ApplicationRecord`]), not from
//! the workflow's events directly: a projection of the event history keeps one record per
//! application up to date, and the reports only read records. That keeps statistics independent
//! of how the workflow and the journal evolve.
//!
//! * [`ApplicationRecord`], [`Status`], [`Outcome`]…: the record (serde, snake_case; JSON Lines).
//! * [`Tally`]: the counters of a group, with exact add and remove; [`Aggregates`]: every tally a
//!   report needs, per [`Dimension`].
//! * [`Projection`] + [`RecordUpdate`]: incremental; [`report`] / [`ReportBuilder`]: batch. Both
//!   give the same [`Report`].
//! * [`step`] / [`fold`] / [`Projection::apply_event`]: the workflow's events
//!   ([`crate::workflow::application::ApplicationEvent`]) to records;
//!   [`records_from_journal`] / [`report_from_journal`]: the batch path from a journal file.
//! * [`Report`]: the [`StatisticsBlock`], [`Sla`], a [`Breakdown`] per dimension, unit
//!   scorecards, top categories per province, rates per 100,000 inhabitants, backlog lists.
//! * [`format`](mod@format): Turkish number formatting; [`render`]: text tables, CSV, JSON and HTML.
//! * [`synth`]: deterministic synthetic records for benchmarks and examples.
//!
//! Status accounting (see [`StatisticsBlock`]): every record counts once in
//! `received` and once in exactly one of answered, closed, pending, not processed, redirected, so
//! `received = concluded + pending + not_processed + redirected` with
//! `concluded = answered + closed`, in total and in every row of every breakdown.
//!
//! ```
//! use acikkapi_core::stats::{report, ReportOptions, Dimension, synth};
//! let records = synth::records(2_000, 42);
//! let r = report(&records, &ReportOptions::default());
//! let by_province = r.breakdown(Dimension::Province).unwrap();
//! let sum: u64 = by_province.rows.iter().map(|row| row.block.received).sum();
//! assert_eq!(sum, r.block.received);
//! ```

mod aggregate;
mod build;
mod fold;
mod projection;
mod record;
/// Turkish number formatting ([`crate::text::number`], re-exported here for the reports).
pub use crate::text::number as format;
pub mod render;
mod report;
pub mod synth;
mod tally;

#[cfg(test)]
mod fold_tests;
#[cfg(test)]
mod proptests;

pub use aggregate::{Aggregates, Dimension};
pub use build::{UNASSIGNED, UNCLASSIFIED, backlog_lists, breakdown, per_100k};
pub use fold::{
    JournalRecords, business_days_between, fold, is_journal_file, read_journal_records,
    records_from_engine, records_from_journal, report_from_journal, step,
};
pub use projection::{Projection, RecordUpdate, ReportBuilder, aggregate, apply, report};
pub use record::{
    AgeGroup, ApplicationKind, ApplicationRecord, Channel, Gender, OUTCOMES, Outcome, Status,
    istanbul_date, outcome_name_tr, rejections_by_field,
};
pub use report::{
    BacklogItem, Breakdown, CategoryCount, ProvinceRate, ProvinceTopCategories, Report,
    ReportOptions, Row, Sla, StatisticsBlock, UnitScorecard,
};
pub use tally::{DaysHistogram, Tally};
