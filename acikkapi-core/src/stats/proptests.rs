//! Property tests: conservation, outcome sums, projection = batch, per-100k populations.

use chrono::{DateTime, Days, FixedOffset, NaiveDate, TimeZone};
use proptest::prelude::*;

use super::*;
use crate::geo::{Geography, ProvincePlate};
use crate::taxonomy::Taxonomy;

fn status_strategy() -> impl Strategy<Value = Status> {
    prop_oneof![
        Just(Status::Pending),
        Just(Status::Redirected),
        Just(Status::Closed),
        Just(Status::NotProcessed {
            reasons: vec!["mükerrer".into()],
            problems: vec![crate::validate::ProblemSummary {
                field: Some(crate::validate::Field::Subject),
                kind: crate::validate::ProblemKind::SubjectTooShort,
            }],
        }),
        prop::sample::select(OUTCOMES.to_vec()).prop_map(|outcome| Status::Answered { outcome }),
    ]
}

/// A record with its tracking number drawn from a small pool, so that updates collide.
fn record_strategy(pool: u32) -> impl Strategy<Value = ApplicationRecord> {
    let tax = Taxonomy::embedded();
    let ncat = tax.categories().len();
    (
        (
            0..pool,
            0..ncat,
            prop::sample::select(vec![1u8, 6, 20, 34, 81]),
            0usize..4,
        ),
        (0usize..4, 0usize..8, 0u64..120, 0u32..86_400, any::<bool>()),
        (
            status_strategy(),
            0u64..20,
            prop::option::of(0u32..45),
            any::<bool>(),
        ),
        (
            0u32..3,
            0u32..3,
            any::<bool>(),
            0usize..6,
            0usize..3,
            0usize..5,
        ),
        (any::<bool>(), any::<bool>()),
    )
        .prop_map(move |(a, b, c, d, e)| {
            let (tn, ci, plate, di) = a;
            let (ki, chi, day, sec, utc) = b;
            let (status, answer_after, days, overdue) = c;
            let (esc, rer, has_answer_time, age, gender, unit) = d;
            // Some records are not classified yet, some have no deadline.
            let (classified, has_deadline) = (e.0 || ci % 3 != 0, e.1 || day % 4 != 0);
            let geo = Geography::embedded();
            let tax = Taxonomy::embedded();
            let cat = &tax.categories()[ci];
            let province = ProvincePlate::new(plate).unwrap();
            let districts = geo.districts(province);
            let district = districts.get(di).map(|d| d.name.clone());
            let offset = if utc {
                FixedOffset::east_opt(0).unwrap()
            } else {
                FixedOffset::east_opt(3 * 3600).unwrap()
            };
            let date = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap() + Days::new(day);
            let naive = date.and_hms_opt(0, 0, 0).unwrap() + chrono::Duration::seconds(sec.into());
            let received_at: DateTime<FixedOffset> = offset.from_utc_datetime(&naive);
            let answered = matches!(status, Status::Answered { .. });
            ApplicationRecord {
                tracking_number: format!("T{tn}"),
                kind: ApplicationKind::ALL.get(ki).copied(),
                channel: Channel::ALL.get(chi).copied(),
                heading: classified.then(|| cat.heading.clone()),
                category: classified.then(|| cat.code.clone()),
                province,
                district,
                institution_type: classified.then(|| cat.institution.clone()),
                unit_id: (unit < 4).then(|| format!("U{unit}")),
                received_at,
                deadline: has_deadline.then(|| date + Days::new(9)),
                answered_at: (answered && has_answer_time)
                    .then(|| received_at + Days::new(answer_after)),
                business_days_to_answer: if answered { days } else { None },
                escalations: esc,
                reroutes: rer,
                overdue,
                status,
                age_group: AgeGroup::ALL.get(age).copied(),
                gender: Gender::ALL.get(gender).copied(),
            }
        })
}

/// Distinct tracking numbers (the batch path expects each once).
fn distinct(records: Vec<ApplicationRecord>) -> Vec<ApplicationRecord> {
    let mut seen = std::collections::HashSet::new();
    records
        .into_iter()
        .filter(|r| seen.insert(r.tracking_number.clone()))
        .collect()
}

fn update_strategy() -> impl Strategy<Value = RecordUpdate> {
    prop_oneof![
        4 => record_strategy(25).prop_map(|record| RecordUpdate::Upsert { record: Box::new(record) }),
        1 => (0u32..25).prop_map(|t| RecordUpdate::Remove { tracking_number: format!("T{t}") }),
    ]
}

fn check_row_conserved(row: &Row) -> Result<(), TestCaseError> {
    let b = &row.block;
    prop_assert!(b.is_conserved(), "row {} not conserved: {:?}", row.key, b);
    prop_assert_eq!(b.positive + b.negative + b.partly_positive, row.answered);
    prop_assert!(row.on_time <= row.answered);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn conservation_in_total_and_every_breakdown(
        records in prop::collection::vec(record_strategy(10_000), 0..120)
    ) {
        let records = distinct(records);
        let r = report(&records, &ReportOptions::default());
        prop_assert_eq!(r.block.received, records.len() as u64);
        prop_assert!(r.block.is_conserved());
        prop_assert_eq!(
            r.block.received,
            r.block.concluded + r.block.pending + r.block.not_processed + r.block.redirected
        );
        prop_assert_eq!(
            r.block.positive + r.block.negative + r.block.partly_positive,
            r.sla.answered
        );
        prop_assert_eq!(r.block.concluded, r.sla.answered + r.block.closed);
        prop_assert_eq!(r.breakdowns.len(), Dimension::ALL.len());
        for b in &r.breakdowns {
            let mut sum = StatisticsBlock::default();
            for row in &b.rows {
                check_row_conserved(row)?;
                prop_assert!(row.block.received > 0, "empty row {} in {}", row.key, b.dimension);
                sum.received += row.block.received;
                sum.concluded += row.block.concluded;
                sum.positive += row.block.positive;
                sum.negative += row.block.negative;
                sum.partly_positive += row.block.partly_positive;
                sum.pending += row.block.pending;
                sum.closed += row.block.closed;
                sum.not_processed += row.block.not_processed;
                sum.redirected += row.block.redirected;
            }
            prop_assert_eq!(sum, r.block, "breakdown {} does not add up", b.dimension);
        }
        let sc: u64 = r.scorecards.iter().map(|c| c.received).sum();
        let unrouted = records.iter().filter(|x| x.unit_id.is_none()).count() as u64;
        prop_assert_eq!(sc + unrouted, r.block.received);
        // Backlog lists: every pending record is a candidate, earliest deadline first.
        let pending = records.iter().filter(|x| x.status == Status::Pending).count();
        prop_assert_eq!(r.backlog.len(), pending.min(ReportOptions::default().list_limit));
        let key = |i: &BacklogItem| (i.deadline.unwrap_or(NaiveDate::MAX), i.tracking_number.clone());
        prop_assert!(r.backlog.windows(2).all(|w| key(&w[0]) <= key(&w[1])));
        prop_assert!(r.overdue.iter().all(|i| i.overdue));
    }

    #[test]
    fn projection_equals_batch(
        updates in prop::collection::vec(update_strategy(), 0..150),
        limit in 0usize..6,
    ) {
        let opts = ReportOptions { list_limit: limit, top_categories: 2 };
        let mut p = Projection::new();
        for u in &updates {
            apply(&mut p, u);
        }
        let finals: Vec<ApplicationRecord> = p.records().cloned().collect();
        prop_assert_eq!(p.aggregates(), &aggregate(&finals));
        prop_assert_eq!(p.report(&opts), report(&finals, &opts));
        // Removing everything returns to the empty state exactly.
        for r in finals {
            p.remove(&r.tracking_number);
        }
        prop_assert_eq!(p.aggregates(), &Aggregates::new());
    }

    #[test]
    fn rates_use_the_province_population(
        records in prop::collection::vec(record_strategy(10_000), 1..80)
    ) {
        let records = distinct(records);
        let r = report(&records, &ReportOptions::default());
        let geo = Geography::embedded();
        prop_assert_eq!(r.rates.len(), 81);
        for rate in &r.rates {
            let prov = geo.province(rate.plate);
            prop_assert_eq!(rate.population_2023, prov.population_2023);
            prop_assert_eq!(&rate.province, &prov.name);
            let n = records.iter().filter(|x| x.province == rate.plate).count() as u64;
            prop_assert_eq!(rate.received, n);
            let expected = n as f64 * 100_000.0 / f64::from(prov.population_2023);
            prop_assert!((rate.per_100k - expected).abs() <= 1e-9 * expected.max(1.0));
        }
    }
}

#[test]
fn rate_for_a_known_province() {
    // 20 applications in Denizli (plate 20): 20 × 100 000 / population_2023.
    let geo = Geography::embedded();
    let plate = ProvincePlate::new(20).unwrap();
    let pop = geo.province(plate).population_2023;
    let mut g = synth::Generator::new(5);
    let records: Vec<ApplicationRecord> = (0..20)
        .map(|i| {
            let mut r = g.record(i);
            r.province = plate;
            r.district = None;
            r
        })
        .collect();
    let rep = report(&records, &ReportOptions::default());
    let d = rep.rates.iter().find(|r| r.plate == plate).unwrap();
    assert_eq!(d.received, 20);
    assert_eq!(d.per_100k, 2_000_000.0 / f64::from(pop));
    assert!(
        rep.rates
            .iter()
            .filter(|r| r.plate != plate)
            .all(|r| r.received == 0 && r.per_100k == 0.0)
    );
}

#[test]
fn status_change_moves_counts() {
    let mut g = synth::Generator::new(11);
    let mut rec = g.record(0);
    rec.status = Status::Pending;
    rec.overdue = true;
    let mut p = Projection::new();
    p.upsert(rec.clone());
    let r = p.report(&ReportOptions::default());
    assert_eq!(
        (r.block.pending, r.sla.overdue_pending, r.overdue.len()),
        (1, 1, 1)
    );
    rec.status = Status::Answered {
        outcome: Outcome::PartlyPositive,
    };
    rec.business_days_to_answer = Some(9);
    p.upsert(rec.clone());
    let r = p.report(&ReportOptions::default());
    assert_eq!(r.block.pending, 0);
    assert_eq!(r.block.partly_positive, 1);
    assert_eq!(r.sla.median_days, Some(9));
    assert!(r.overdue.is_empty() && r.backlog.is_empty());
    assert_eq!(r, report([&rec], &ReportOptions::default()));
}
