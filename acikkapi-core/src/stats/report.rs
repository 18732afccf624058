//! [`Report`] and its parts (built by [`build`](super::build)).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::aggregate::Dimension;
use super::format::share;
use super::record::ApplicationRecord;
use super::tally::Tally;
use crate::geo::ProvincePlate;

pub use crate::workflow::StatisticsBlock;

impl StatisticsBlock {
    /// The block of a tally.
    pub fn from_tally(t: &Tally) -> Self {
        StatisticsBlock {
            received: t.received,
            concluded: t.concluded(),
            positive: t.olumlu,
            negative: t.olumsuz,
            partly_positive: t.kismen_olumlu,
            pending: t.pending,
            closed: t.closed,
            not_processed: t.not_processed,
            redirected: t.redirected,
        }
    }
}

/// One row of a breakdown: a group's counters and its SLA figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Machine key (`"SAGLIK"`, `"20"`, `"20/Pamukkale"`, `"2026-W48"`, `"e_devlet"`).
    pub key: String,
    /// Human label in Turkish (`"Sağlık"`, `"Denizli"`).
    pub label: String,
    /// The group's statistics block.
    #[serde(flatten)]
    pub block: StatisticsBlock,
    /// Answered (status `Answered`).
    pub answered: u64,
    /// Answered within the deadline.
    pub on_time: u64,
    /// `on_time / answered`, absent when nothing was answered.
    pub on_time_share: Option<f64>,
    /// Median business days to answer.
    pub median_days: Option<u32>,
    /// 90th percentile of business days to answer.
    pub p90_days: Option<u32>,
    /// Records flagged overdue (any status).
    pub overdue: u64,
    /// Pending and overdue.
    pub overdue_pending: u64,
    /// Escalations, summed.
    pub escalations: u64,
    /// Re-routes, summed.
    pub reroutes: u64,
}

impl Row {
    /// A row from a tally.
    pub fn new(key: String, label: String, t: &Tally) -> Self {
        Row {
            key,
            label,
            block: StatisticsBlock::from_tally(t),
            answered: t.answered,
            on_time: t.on_time,
            on_time_share: share(t.on_time, t.answered),
            median_days: t.days.median(),
            p90_days: t.days.p90(),
            overdue: t.overdue,
            overdue_pending: t.overdue_pending,
            escalations: t.escalations,
            reroutes: t.reroutes,
        }
    }
}

/// Kırılım: the rows of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    /// The dimension.
    pub dimension: Dimension,
    /// Rows; categorical dimensions by volume (largest first, then key), ordered dimensions
    /// (province, channel, kind, week, month, age, gender) in their natural order.
    pub rows: Vec<Row>,
}

/// SLA summary: how fast and how reliably applications are answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sla {
    /// Answered (status `Answered`).
    pub answered: u64,
    /// Answered within the deadline.
    pub on_time: u64,
    /// `on_time / answered`.
    pub on_time_share: Option<f64>,
    /// Median business days to answer (nearest rank).
    pub median_days: Option<u32>,
    /// 90th percentile of business days to answer (nearest rank).
    pub p90_days: Option<u32>,
    /// Backlog: pending applications.
    pub backlog: u64,
    /// Pending applications past their deadline.
    pub overdue_pending: u64,
    /// Every record flagged overdue (answered late or still pending).
    pub overdue: u64,
}

/// Birim karnesi: one unit's scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitScorecard {
    /// Unit id.
    pub unit_id: String,
    /// Institution types the unit's applications name (normally one).
    pub institution_types: Vec<String>,
    /// Volume: applications routed to the unit.
    pub received: u64,
    /// Answered.
    pub answered: u64,
    /// Share answered within the deadline.
    pub on_time_share: Option<f64>,
    /// Median business days to answer.
    pub median_days: Option<u32>,
    /// Escalations, summed.
    pub escalations: u64,
    /// Re-routes, summed.
    pub reroutes: u64,
    /// Olumlu / answered.
    pub positive_share: Option<f64>,
    /// Olumsuz / answered.
    pub negative_share: Option<f64>,
    /// Kısmen olumlu / answered.
    pub partly_positive_share: Option<f64>,
    /// Pending.
    pub pending: u64,
    /// Pending past the deadline.
    pub overdue_pending: u64,
}

/// A category and how many applications it had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    /// Category code.
    pub code: String,
    /// Turkish name (the code when the taxonomy does not know it).
    pub name: String,
    /// Applications.
    pub count: u64,
}

/// The most frequent categories of one province.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvinceTopCategories {
    /// Plate.
    pub plate: ProvincePlate,
    /// Province name.
    pub province: String,
    /// Most frequent first (ties by code).
    pub top: Vec<CategoryCount>,
}

/// Applications per 100,000 inhabitants of one province (2023 population).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvinceRate {
    /// Plate.
    pub plate: ProvincePlate,
    /// Province name.
    pub province: String,
    /// Population at the end of 2023 (TÜİK ADNKS).
    pub population_2023: u32,
    /// Applications registered in the province.
    pub received: u64,
    /// `received × 100 000 / population_2023`.
    pub per_100k: f64,
}

/// A pending application in a backlog or overdue list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BacklogItem {
    /// Tracking number.
    pub tracking_number: String,
    /// Unit it waits at (`None` before routing).
    pub unit_id: Option<String>,
    /// Category code (`None` before classification).
    pub category: Option<String>,
    /// Province.
    pub province: ProvincePlate,
    /// District, if registered at a district.
    pub district: Option<String>,
    /// Istanbul date received.
    pub received: NaiveDate,
    /// Deadline (`None` before registration).
    pub deadline: Option<NaiveDate>,
    /// Past its deadline.
    pub overdue: bool,
    /// Escalations so far.
    pub escalations: u32,
}

impl BacklogItem {
    /// The list entry of a record.
    pub fn from_record(r: &ApplicationRecord) -> Self {
        BacklogItem {
            tracking_number: r.tracking_number.clone(),
            unit_id: r.unit_id.clone(),
            category: r.category.as_ref().map(|c| c.as_str().to_string()),
            province: r.province,
            district: r.district.clone(),
            received: r.received_date(),
            deadline: r.deadline,
            overdue: r.overdue,
            escalations: r.escalations,
        }
    }
}

/// Report options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// Longest backlog / overdue list (earliest deadline first).
    pub list_limit: usize,
    /// How many categories to list per province.
    pub top_categories: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            list_limit: 20,
            top_categories: 3,
        }
    }
}

/// Rapor: everything computed from a set of records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The statistics block over every record.
    pub block: StatisticsBlock,
    /// SLA summary over every record.
    pub sla: Sla,
    /// Every dimension's breakdown, in [`Dimension::ALL`] order.
    pub breakdowns: Vec<Breakdown>,
    /// Unit scorecards, by volume (applications not yet routed have no unit and no card).
    pub scorecards: Vec<UnitScorecard>,
    /// Most frequent categories per province (provinces with applications, by plate).
    pub top_categories: Vec<ProvinceTopCategories>,
    /// Applications per 100,000 inhabitants for all 81 provinces, by plate.
    pub rates: Vec<ProvinceRate>,
    /// Backlog: pending applications, earliest deadline first (at most `list_limit`).
    pub backlog: Vec<BacklogItem>,
    /// Overdue backlog: pending applications past their deadline, earliest deadline first.
    pub overdue: Vec<BacklogItem>,
}

impl Report {
    /// The breakdown of one dimension.
    pub fn breakdown(&self, d: Dimension) -> Option<&Breakdown> {
        self.breakdowns.iter().find(|b| b.dimension == d)
    }
}
