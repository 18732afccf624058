//! Building a [`Report`] from [`Aggregates`]: labels, ordering, scorecards, rates, lists.

use super::aggregate::{Aggregates, Dimension};
use super::format::share;
use super::record::{AgeGroup, ApplicationKind, ApplicationRecord, Channel, Gender};
use super::report::{
    BacklogItem, Breakdown, CategoryCount, ProvinceRate, ProvinceTopCategories, Report,
    ReportOptions, Row, Sla, StatisticsBlock, UnitScorecard,
};
use super::tally::Tally;
use crate::geo::{Geography, ProvincePlate};
use crate::taxonomy::{CategoryCode, InstitutionTypeCode, Taxonomy};

/// Rows of a string-keyed map, by volume then key.
fn rows_by_volume<'a>(
    items: impl Iterator<Item = (&'a String, &'a Tally)>,
    label: impl Fn(&str) -> String,
) -> Vec<Row> {
    let mut rows: Vec<Row> = items
        .map(|(k, t)| Row::new(k.clone(), label(k), t))
        .collect();
    sort_by_volume(&mut rows);
    rows
}

/// Most applications first, ties by key.
fn sort_by_volume(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        b.block
            .received
            .cmp(&a.block.received)
            .then_with(|| a.key.cmp(&b.key))
    });
}

/// Label of the rows of unclassified applications (no heading or category yet).
pub const UNCLASSIFIED: &str = "(Sınıflandırılmamış)";
/// Label of the rows of applications not yet routed to a unit.
pub const UNASSIGNED: &str = "(Atanmamış)";

fn category_name(tax: &Taxonomy, code: &str) -> String {
    if code.is_empty() {
        return UNCLASSIFIED.to_string();
    }
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
            if k.is_empty() {
                return UNCLASSIFIED.to_string();
            }
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
            sort_by_volume(&mut rows);
            rows
        }
        Dimension::Channel => {
            let labels = Channel::ALL.iter().map(|c| (c.code(), c.name_tr()));
            optional_rows(labels, &a.channel)
        }
        Dimension::Kind => {
            let labels = ApplicationKind::ALL.iter().map(|k| (k.code(), k.name_tr()));
            optional_rows(labels, &a.kind)
        }
        Dimension::Institution => rows_by_volume(a.institution.iter(), |k| {
            if k.is_empty() {
                return UNASSIGNED.to_string();
            }
            InstitutionTypeCode::parse(k)
                .ok()
                .and_then(|c| tax.institution_type(&c).map(|i| i.name_tr.clone()))
                .unwrap_or_else(|| k.to_string())
        }),
        Dimension::Unit => rows_by_volume(a.unit.iter().map(|(k, u)| (k, &u.tally)), |k| {
            if k.is_empty() {
                UNASSIGNED.to_string()
            } else {
                k.to_string()
            }
        }),
        Dimension::Week => period_rows(&a.week, |k| format!("{}-W{:02}", k / 100, k % 100)),
        Dimension::Month => period_rows(&a.month, |k| format!("{}-{:02}", k / 100, k % 100)),
        Dimension::Age => {
            let labels = AgeGroup::ALL.iter().map(|g| (g.code(), g.code()));
            optional_rows(labels, &a.age)
        }
        Dimension::Gender => {
            let labels = Gender::ALL.iter().map(|g| (g.code(), g.name_tr()));
            optional_rows(labels, &a.gender)
        }
    };
    Breakdown { dimension: d, rows }
}

/// Rows for an optional attribute: one per value, then "Belirtilmemiş" (the last slot).
/// Rows for a period dimension (ISO week or month keyed as `year * 100 + n`), in time order,
/// each labelled by `label`.
fn period_rows(
    tallies: &super::aggregate::FastMap<u32, Tally>,
    label: impl Fn(u32) -> String,
) -> Vec<Row> {
    let mut keys: Vec<u32> = tallies.keys().copied().collect();
    keys.sort_unstable();
    keys.into_iter()
        .map(|k| {
            let s = label(k);
            Row::new(s.clone(), s, &tallies[&k])
        })
        .collect()
}

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
    pend.sort_unstable_by(|x, y| x.backlog_key().cmp(&y.backlog_key()));
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
        .filter(|(u, _)| !u.is_empty())
        .map(|(u, ut)| {
            let t = &ut.tally;
            // Kept sorted by the aggregates.
            let institution_types: Vec<String> =
                ut.institutions.iter().map(|(k, _)| k.clone()).collect();
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
        .filter(|(i, _)| a.province_category[*i].keys().any(|c| !c.is_empty()))
        .map(|(i, p)| {
            let mut top: Vec<(&String, &u64)> = a.province_category[i]
                .iter()
                .filter(|(c, _)| !c.is_empty())
                .collect();
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
