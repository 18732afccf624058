//! Properties of the simulation (small: Bartın, 4 districts, 8–20 days, 8 cases each).

use proptest::prelude::*;

use super::*;
use crate::journal::{Journal, Seq};
use crate::routing::Router;
use crate::workflow::ports::{BusinessCalendar, local_date};

/// Bartın (74): four districts, about 8 applications a day.
fn scenario(days: u32, seed: u64, start_offset: u32) -> Scenario {
    let start =
        NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + chrono::Days::new(u64::from(start_offset));
    Scenario::new(74, start, days, seed).unwrap()
}

fn prepared(days: u32, seed: u64, start_offset: u32) -> Prepared {
    prepare(
        &scenario(days, seed, start_offset),
        &Model::embedded().unwrap(),
    )
    .unwrap()
}

fn router() -> Arc<Router> {
    Router::shared(ProvincePlate::new(74).unwrap()).unwrap()
}

fn journal_bytes(j: &MemoryJournal) -> Vec<Vec<u8>> {
    j.read_range(Seq(1), usize::MAX)
        .unwrap()
        .into_iter()
        .map(|r| r.payload)
        .collect()
}

fn queue() -> impl Strategy<Value = QueueDiscipline> {
    prop_oneof![
        Just(QueueDiscipline::Fifo),
        Just(QueueDiscipline::EarliestDeadline),
        Just(QueueDiscipline::EscalatedFirst)
    ]
}

prop_compose! {
    fn policy()(deadline in 2u32..=10, reminder in 0u32..=3, escalate in 0u32..=3, levels in 0u32..=3,
                queue in queue(), factor in 0.3f64..2.0) -> Policy {
        Policy {
            name: format!("p{deadline}"),
            deadline_days: deadline,
            reminder_before: reminder.min(deadline - 1),
            escalate_every: escalate,
            max_escalations: levels,
            queue,
            capacity_factor: factor,
            ..Policy::default()
        }
    }
}

fn conserved(s: &Summary) -> bool {
    s.received == s.answered + s.pending + s.not_processed + s.redirected
        && s.answered == s.positive + s.negative + s.partly_positive
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn same_seed_and_policy_give_the_same_journal(seed in any::<u64>(), days in 8u32..=16, p in policy()) {
        let router = router();
        let a = run_policy(&prepared(days, seed, 0), &p, router.as_ref()).unwrap();
        let b = run_policy(&prepared(days, seed, 0), &p, router.as_ref()).unwrap();
        prop_assert_eq!(&a.report, &b.report);
        prop_assert_eq!(journal_bytes(&a.journal), journal_bytes(&b.journal));
        prop_assert!(a.report.events > 0);
    }

    #[test]
    fn every_application_is_counted_once(seed in any::<u64>(), days in 8u32..=20, offset in 0u32..300, p in policy()) {
        let prep = prepared(days, seed, offset);
        let run = run_policy(&prep, &p, router().as_ref()).unwrap();
        let t = &run.report.total;
        prop_assert_eq!(t.received as usize, prep.arrivals.len());
        prop_assert!(conserved(t));
        for groups in [&run.report.by_heading, &run.report.by_district, &run.report.by_unit] {
            prop_assert_eq!(groups.values().map(|s| s.received).sum::<u64>(), t.received);
            for (k, s) in groups.iter() {
                prop_assert!(conserved(s), "{}: {:?}", k, s);
            }
        }
        // The simulation's block agrees with the engine's own statistics.
        let engine = run.engine.statistics();
        prop_assert_eq!(engine.received, t.received);
        prop_assert_eq!(engine.concluded, t.answered);
        prop_assert_eq!(engine.pending, t.pending);
    }

    /// Every deadline is the policy's or, for special applications, the router's shorter one
    /// (capped at the policy's), counted in business days from receipt.
    #[test]
    fn deadlines_are_business_days_of_the_policy(seed in any::<u64>(), days in 8u32..=16, offset in 0u32..300, p in policy()) {
        let router = Router::for_province(ProvincePlate::new(74).unwrap())
            .unwrap()
            .with_policy(p.deadline_policy());
        let run = run_policy(&prepared(days, seed, offset), &p, &router).unwrap();
        let cal = Calendar::public_sector();
        let dp = p.deadline_policy();
        let allowed = [dp.normal_days, dp.special_days, dp.urgent_days].map(|n| n.min(p.deadline_days));
        for r in &run.records {
            if let Some(d) = r.deadline {
                prop_assert!(cal.is_business_day(local_date(d)).unwrap(), "{} {}", r.tracking, d);
                let due = |n| BusinessCalendar::deadline(cal, r.received_at, n).ok();
                prop_assert!(Some(d) <= due(p.deadline_days), "{} {}", r.tracking, d);
                prop_assert!(allowed.iter().any(|&n| due(n) == Some(d)), "{} {}", r.tracking, d);
            }
            if let (Some(at), Some(n)) = (r.answered_at, r.business_days) {
                prop_assert!(n >= 0 && at >= r.received_at);
            }
        }
    }

    #[test]
    fn a_policy_compared_with_itself_differs_in_nothing(seed in any::<u64>(), days in 8u32..=14, p in policy()) {
        let prep = prepared(days, seed, 0);
        let router = router();
        let a = run_policy(&prep, &p, router.as_ref()).unwrap();
        let b = run_policy(&prep, &p, router.as_ref()).unwrap();
        for ((la, va), (lb, vb)) in figures(&a.report.total).into_iter().zip(figures(&b.report.total)) {
            prop_assert_eq!(la, lb);
            prop_assert!(va == vb || (va.is_nan() && vb.is_nan()), "{}: {} vs {}", la, va, vb);
        }
    }

    /// Monotonicity, precisely: with FIFO queues the deadline changes no answer instant (it only
    /// moves timers, which do not change who is served when), so a longer deadline answers the
    /// same applications at the same instants and the on-time count cannot fall. With
    /// `escalated_first` or `earliest_deadline` the deadline reorders the queues, and a longer
    /// deadline can lower the on-time share; the property is not claimed for them.
    #[test]
    fn a_longer_deadline_never_lowers_the_on_time_share_under_fifo(
        seed in any::<u64>(), days in 8u32..=20, d in 2u32..=9, extra in 1u32..=5, factor in 0.3f64..1.5,
    ) {
        let prep = prepared(days, seed, 0);
        let router = router();
        let short = Policy { deadline_days: d, reminder_before: 1, capacity_factor: factor, ..Policy::default() };
        let long = Policy { deadline_days: d + extra, ..short.clone() };
        let a = run_policy(&prep, &short, router.as_ref()).unwrap();
        let b = run_policy(&prep, &long, router.as_ref()).unwrap();
        let answered = |r: &Run| r.records.iter().map(|x| (x.tracking.clone(), x.answered_at)).collect::<Vec<_>>();
        prop_assert_eq!(answered(&a), answered(&b));
        prop_assert!(b.report.total.on_time >= a.report.total.on_time);
        prop_assert!(b.report.total.on_time_share >= a.report.total.on_time_share);
        prop_assert!(b.report.total.overdue <= a.report.total.overdue);
    }
}

#[test]
fn a_shorter_deadline_in_denizli_lowers_the_on_time_share_and_more_staff_raises_it() {
    let prep = prepare(
        &Scenario::new(20, NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), 28, 7).unwrap(),
        &Model::embedded().unwrap(),
    )
    .unwrap();
    let router = Router::shared(prep.scenario.plate).unwrap();
    let base = run_policy(&prep, &Policy::default(), router.as_ref())
        .unwrap()
        .report
        .total;
    let short = Policy {
        deadline_days: 5,
        reminder_before: 1,
        ..Policy::default()
    };
    let five = run_policy(&prep, &short, router.as_ref())
        .unwrap()
        .report
        .total;
    let staff = Policy {
        capacity_factor: 0.6,
        ..Policy::default()
    };
    let fewer = run_policy(&prep, &staff, router.as_ref())
        .unwrap()
        .report
        .total;
    assert!(base.received > 800, "{base:?}");
    assert!(five.on_time_share < base.on_time_share, "{five:?} {base:?}");
    assert!(fewer.answered < base.answered, "{fewer:?} {base:?}");
    assert!(fewer.p90_days >= base.p90_days);
    // Every kind of ending occurs in a month of a large province.
    assert!(base.not_processed > 0 && base.redirected > 0 && base.pending > 0 && base.returns > 0);
    assert!(base.positive > base.partly_positive);
}

#[test]
fn arrivals_do_not_depend_on_the_horizon_and_follow_the_weekday_shape() {
    let long = prepared(28, 3, 0).arrivals;
    let short = prepared(14, 3, 0).arrivals;
    assert_eq!(&long[..short.len()], &short[..]);
    // Weekends (online channels only) are quieter than weekdays.
    let cal = Calendar::public_sector();
    let (mut weekday, mut weekend) = (0, 0);
    for a in &long {
        if cal.is_business_day(local_date(a.at)).unwrap() {
            weekday += 1;
        } else {
            weekend += 1;
            let ch = a.input.channel.as_deref().unwrap_or_default();
            assert!(["e_devlet", "web", "mobil"].contains(&ch), "{ch}");
        }
    }
    assert!(weekday > 3 * weekend, "{weekday} {weekend}");
}

#[test]
fn the_statistics_module_reports_the_same_block_on_simulated_data() {
    let prep = prepared(20, 11, 0);
    let run = run_policy(&prep, &Policy::default(), router().as_ref()).unwrap();
    let report = run
        .stats_report(&crate::stats::ReportOptions::default())
        .unwrap();
    let (b, t) = (&report.block, &run.report.total);
    assert_eq!(b.received, t.received);
    assert_eq!(b.concluded, t.answered);
    assert_eq!(
        (b.positive, b.negative, b.partly_positive),
        (t.positive, t.negative, t.partly_positive)
    );
    assert_eq!(b.pending, t.pending);
    assert_eq!(b.not_processed, t.not_processed);
    assert_eq!(b.redirected, t.redirected);
    let html = crate::stats::render::render(&report, None, crate::stats::render::Format::Html);
    assert!(
        html.contains("<html") || html.contains("<!DOCTYPE"),
        "{}",
        &html[..200.min(html.len())]
    );
}

#[test]
fn an_exact_count_gives_that_many_arrivals_with_the_same_shapes() {
    let model = Model::embedded().unwrap();
    let mut s = scenario(28, 9, 0);
    s.exact_count = Some(500);
    let exact = prepare(&s, &model).unwrap().arrivals;
    assert_eq!(exact.len(), 500);
    assert!(exact.windows(2).all(|w| w[0].at <= w[1].at));
    let cal = Calendar::public_sector();
    let weekend = exact
        .iter()
        .filter(|a| !cal.is_business_day(local_date(a.at)).unwrap())
        .count();
    assert!(weekend * 4 < exact.len(), "{weekend}");
    assert_eq!(prepare(&s, &model).unwrap().arrivals, exact);
}
