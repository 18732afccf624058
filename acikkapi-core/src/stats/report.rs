//! [`Report`] and its parts, built from [`Aggregates`] and the pending records.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::aggregate::{Aggregates, Dimension};
use super::format::share;
use super::record::{AgeGroup, ApplicationRecord, Channel, Gender, Kind};
use super::tally::Tally;
use crate::geo::{Geography, ProvincePlate};
use crate::taxonomy::{CategoryCode, InstitutionTypeCode, Taxonomy};

/// The seeds' statistics block (istatistik tablosu).
///
/// | field | Turkish line | statuses |
/// |---|---|---|
/// | `received` | Toplam Başvuru Sayısı | every record |
/// | `concluded` | Sonuçlandırılan | `Answered` + `Closed` |
/// | `positive` | Olumlu Sonuçlanan | `Answered { Olumlu }` |
/// | `negative` | Olumsuz Sonuçlanan | `Answered { Olumsuz }` |
/// | `partly_positive` | Kısmen Olumlu Sonuçlanan | `Answered { KismenOlumlu }` |
/// | `pending` | İşlem Yapılmayı Bekleyen | `Pending` |
/// | `closed` | Sonuçsuz Kapatılan | `Closed` |
/// | `not_processed` | İşleme Alınmayan | `NotProcessed` |
/// | `redirected` | Başka Mercie Yönlendirilen | `Redirected` |
///
/// Conservation: `received = concluded + pending + not_processed + redirected`, and
/// `concluded = positive + negative + partly_positive + closed`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatisticsBlock {
    /// Toplam Başvuru Sayısı.
    pub received: u64,
    /// Sonuçlandırılan.
    pub concluded: u64,
    /// Olumlu Sonuçlanan.
    pub positive: u64,
    /// Olumsuz Sonuçlanan.
    pub negative: u64,
    /// Kısmen Olumlu Sonuçlanan.
    pub partly_positive: u64,
    /// İşlem Yapılmayı Bekleyen.
    pub pending: u64,
    /// Sonuçsuz Kapatılan.
    pub closed: u64,
    /// İşleme Alınmayan.
    pub not_processed: u64,
    /// Başka Mercie Yönlendirilen.
    pub redirected: u64,
}

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

    /// The six lines of the seeds' block, in order, with their Turkish labels.
    pub fn seed_lines(&self) -> [(&'static str, u64); 6] {
        [
            ("Toplam Başvuru Sayısı", self.received),
            ("Sonuçlandırılan", self.concluded),
            ("Olumlu Sonuçlanan", self.positive),
            ("Olumsuz Sonuçlanan", self.negative),
            ("Kısmen Olumlu Sonuçlanan", self.partly_positive),
            ("İşlem Yapılmayı Bekleyen", self.pending),
        ]
    }

    /// The seed lines followed by the three lines that make the block add up.
    pub fn lines(&self) -> [(&'static str, u64); 9] {
        let s = self.seed_lines();
        [
            s[0],
            s[1],
            s[2],
            s[3],
            s[4],
            s[5],
            ("Sonuçsuz Kapatılan", self.closed),
            ("İşleme Alınmayan", self.not_processed),
            ("Başka Mercie Yönlendirilen", self.redirected),
        ]
    }

    /// Whether the conservation law holds (it always does for a block built from a tally).
    pub fn is_conserved(&self) -> bool {
        self.received == self.concluded + self.pending + self.not_processed + self.redirected
            && self.concluded == self.positive + self.negative + self.partly_positive + self.closed
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
    /// Unit it waits at.
    pub unit_id: String,
    /// Category code.
    pub category: String,
    /// Province.
    pub province: ProvincePlate,
    /// District, if registered at a district.
    pub district: Option<String>,
    /// Istanbul date received.
    pub received: NaiveDate,
    /// Deadline.
    pub deadline: NaiveDate,
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
            category: r.category.as_str().to_string(),
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
    /// Unit scorecards, by volume.
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

/// Rows of a string-keyed map, by volume then key.
fn rows_by_volume<'a>(
    items: impl Iterator<Item = (&'a String, &'a Tally)>,
    label: impl Fn(&str) -> String,
) -> Vec<Row> {
    let mut rows: Vec<Row> = items
        .map(|(k, t)| Row::new(k.clone(), label(k), t))
        .collect();
    rows.sort_by(|a, b| {
        b.block
            .received
            .cmp(&a.block.received)
            .then_with(|| a.key.cmp(&b.key))
    });
    rows
}

fn category_name(tax: &Taxonomy, code: &str) -> String {
    CategoryCode::parse(code)
        .ok()
        .and_then(|c| tax.category(&c).map(|c| c.name_tr.clone()))
        .unwrap_or_else(|| code.to_string())
}

fn plates() -> impl Iterator<Item = (usize, ProvincePlate)> {
    ProvincePlate::all().map(|p| (usize::from(p.get()), p))
}

/// One dimension's breakdown from the aggregates.
pub fn breakdown(a: &Aggregates, d: Dimension) -> Breakdown {
    let geo = Geography::embedded();
    let tax = Taxonomy::embedded();
    let rows = match d {
        Dimension::Heading => rows_by_volume(a.heading.iter(), |k| {
            tax.heading_by_str(k)
                .map_or_else(|| k.to_string(), |h| h.name_tr.clone())
        }),
        Dimension::Category => rows_by_volume(a.category.iter(), |k| category_name(tax, k)),
        Dimension::Province => plates()
            .filter(|(i, _)| !a.province[*i].is_empty())
            .map(|(i, p)| Row::new(p.to_string(), geo.province(p).name.clone(), &a.province[i]))
            .collect(),
        Dimension::District => {
            let mut rows = Vec::new();
            for (i, p) in plates() {
                let pname = &geo.province(p).name;
                let mut part = rows_by_volume(a.district[i].iter(), |k| {
                    if k.is_empty() {
                        format!("{pname} / (Valilik)")
                    } else {
                        format!("{pname} / {k}")
                    }
                });
                for r in &mut part {
                    r.key = format!("{p}/{}", r.key);
                }
                rows.append(&mut part);
            }
            rows.sort_by(|a, b| {
                b.block
                    .received
                    .cmp(&a.block.received)
                    .then_with(|| a.key.cmp(&b.key))
            });
            rows
        }
        Dimension::Channel => Channel::ALL
            .iter()
            .zip(&a.channel)
            .filter(|(_, t)| !t.is_empty())
            .map(|(c, t)| Row::new(enum_key(c), c.name_tr().to_string(), t))
            .collect(),
        Dimension::Kind => Kind::ALL
            .iter()
            .zip(&a.kind)
            .filter(|(_, t)| !t.is_empty())
            .map(|(k, t)| Row::new(enum_key(k), k.name_tr().to_string(), t))
            .collect(),
        Dimension::Institution => rows_by_volume(a.institution.iter(), |k| {
            InstitutionTypeCode::parse(k)
                .ok()
                .and_then(|c| tax.institution_type(&c).map(|i| i.name_tr.clone()))
                .unwrap_or_else(|| k.to_string())
        }),
        Dimension::Unit => rows_by_volume(a.unit.iter(), |k| k.to_string()),
        Dimension::Week => {
            let mut keys: Vec<&u32> = a.week.keys().collect();
            keys.sort();
            keys.into_iter()
                .map(|k| {
                    let s = format!("{}-W{:02}", k / 100, k % 100);
                    Row::new(s.clone(), s, &a.week[k])
                })
                .collect()
        }
        Dimension::Month => {
            let mut keys: Vec<&u32> = a.month.keys().collect();
            keys.sort();
            keys.into_iter()
                .map(|k| {
                    let s = format!("{}-{:02}", k / 100, k % 100);
                    Row::new(s.clone(), s, &a.month[k])
                })
                .collect()
        }
        Dimension::Age => {
            let labels = AgeGroup::ALL.iter().map(|g| (g.label(), g.label()));
            optional_rows(labels, &a.age)
        }
        Dimension::Gender => {
            let labels = Gender::ALL.iter().map(|g| (gender_key(*g), g.name_tr()));
            optional_rows(labels, &a.gender)
        }
    };
    Breakdown { dimension: d, rows }
}

fn gender_key(g: Gender) -> &'static str {
    match g {
        Gender::Kadin => "kadin",
        Gender::Erkek => "erkek",
    }
}

/// The serde name of a unit-like enum value (`"e_devlet"`).
fn enum_key<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Rows for an optional attribute: one per value, then "Belirtilmemiş" (the last slot).
fn optional_rows<'a>(
    labels: impl Iterator<Item = (&'a str, &'a str)>,
    tallies: &[Tally],
) -> Vec<Row> {
    labels
        .chain(std::iter::once(("belirtilmemis", "Belirtilmemiş")))
        .zip(tallies)
        .filter(|(_, t)| !t.is_empty())
        .map(|((k, l), t)| Row::new(k.to_string(), l.to_string(), t))
        .collect()
}

/// The backlog and overdue lists (earliest deadline first, then tracking number; at most
/// `limit` each) from the pending records in any order.
pub fn backlog_lists<'r>(
    pending: impl Iterator<Item = &'r ApplicationRecord>,
    limit: usize,
) -> (Vec<BacklogItem>, Vec<BacklogItem>) {
    let mut pend: Vec<&ApplicationRecord> = pending.collect();
    pend.sort_unstable_by(|x, y| {
        (x.deadline, &x.tracking_number).cmp(&(y.deadline, &y.tracking_number))
    });
    let backlog = pend
        .iter()
        .take(limit)
        .map(|r| BacklogItem::from_record(r))
        .collect();
    let overdue = pend
        .iter()
        .filter(|r| r.overdue)
        .take(limit)
        .map(|r| BacklogItem::from_record(r))
        .collect();
    (backlog, overdue)
}

/// Builds the whole report from the aggregates and the two lists of pending applications.
pub fn build(
    a: &Aggregates,
    backlog: Vec<BacklogItem>,
    overdue: Vec<BacklogItem>,
    opts: &ReportOptions,
) -> Report {
    let geo = Geography::embedded();
    let tax = Taxonomy::embedded();
    let t = &a.total;
    let sla = Sla {
        answered: t.answered,
        on_time: t.on_time,
        on_time_share: share(t.on_time, t.answered),
        median_days: t.days.median(),
        p90_days: t.days.p90(),
        backlog: t.pending,
        overdue_pending: t.overdue_pending,
        overdue: t.overdue,
    };
    let breakdowns: Vec<Breakdown> = Dimension::ALL.iter().map(|d| breakdown(a, *d)).collect();

    let mut scorecards: Vec<UnitScorecard> = a
        .unit
        .iter()
        .map(|(u, t)| {
            let mut institution_types: Vec<String> = a
                .unit_institution
                .get(u)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            institution_types.sort();
            UnitScorecard {
                unit_id: u.clone(),
                institution_types,
                received: t.received,
                answered: t.answered,
                on_time_share: share(t.on_time, t.answered),
                median_days: t.days.median(),
                escalations: t.escalations,
                reroutes: t.reroutes,
                positive_share: share(t.olumlu, t.answered),
                negative_share: share(t.olumsuz, t.answered),
                partly_positive_share: share(t.kismen_olumlu, t.answered),
                pending: t.pending,
                overdue_pending: t.overdue_pending,
            }
        })
        .collect();
    scorecards.sort_by(|a, b| {
        b.received
            .cmp(&a.received)
            .then_with(|| a.unit_id.cmp(&b.unit_id))
    });

    let top_categories = plates()
        .filter(|(i, _)| !a.province_category[*i].is_empty())
        .map(|(i, p)| {
            let mut top: Vec<(&String, &u64)> = a.province_category[i].iter().collect();
            top.sort_by(|x, y| y.1.cmp(x.1).then_with(|| x.0.cmp(y.0)));
            top.truncate(opts.top_categories);
            ProvinceTopCategories {
                plate: p,
                province: geo.province(p).name.clone(),
                top: top
                    .into_iter()
                    .map(|(code, count)| CategoryCount {
                        code: code.clone(),
                        name: category_name(tax, code),
                        count: *count,
                    })
                    .collect(),
            }
        })
        .collect();

    let rates = plates()
        .map(|(i, p)| {
            let prov = geo.province(p);
            let received = a.province[i].received;
            ProvinceRate {
                plate: p,
                province: prov.name.clone(),
                population_2023: prov.population_2023,
                received,
                per_100k: per_100k(received, prov.population_2023),
            }
        })
        .collect();

    Report {
        block: StatisticsBlock::from_tally(t),
        sla,
        breakdowns,
        scorecards,
        top_categories,
        rates,
        backlog,
        overdue,
    }
}

/// Applications per 100,000 inhabitants; 0 for an (impossible) empty population.
pub fn per_100k(received: u64, population: u32) -> f64 {
    if population == 0 {
        0.0
    } else {
        received as f64 * 100_000.0 / f64::from(population)
    }
}
