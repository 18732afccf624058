//! Business-day arithmetic of `acikkapi_core::calendar::Calendar` against bdays'
//! `HolidayCalendarCache` built on the same calendar, same random inputs; plus the astronomical
//! computation of one year's bayrams.
//!
//! `cargo bench --bench calendar -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use acikkapi::core::calendar::{Calendar, compute_month_start};
use bdays::{HolidayCalendar, HolidayCalendarCache};
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};

/// Deterministic inputs: (business day in 2000–2034, n in 1..=30, second business day).
fn inputs(cal: &Calendar) -> Vec<(NaiveDate, i64, NaiveDate)> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let base = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    (0..1024)
        .map(|_| {
            let a = base + chrono::Days::new(next() % (35 * 365));
            let a = cal.add_business_days(a, 0).unwrap();
            let n = (next() % 30) as i64 + 1;
            let b = cal
                .add_business_days(base + chrono::Days::new(next() % (35 * 365)), 0)
                .unwrap();
            (a, n, b)
        })
        .collect()
}

fn business_days(c: &mut Criterion) {
    let cal = Calendar::public_sector().clone();
    cal.warm_up(1999..=2041).unwrap();
    let cache = HolidayCalendarCache::new(
        cal.clone(),
        NaiveDate::from_ymd_opt(1999, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2040, 12, 31).unwrap(),
    );
    let data = inputs(&cal);
    // Same answers before timing anything.
    for &(a, n, b) in &data {
        assert_eq!(
            cal.add_business_days(a, n).unwrap(),
            cache.advance_bdays(a, n as i32)
        );
        assert_eq!(
            cal.business_days_between(a, b).unwrap(),
            i64::from(cache.bdays(a, b))
        );
    }

    let mut g = c.benchmark_group("add_business_days");
    g.bench_function("acikkapi", |bch| {
        bch.iter(|| {
            for &(a, n, _) in &data {
                black_box(cal.add_business_days(black_box(a), black_box(n)).unwrap());
            }
        })
    });
    g.bench_function("bdays_cache", |bch| {
        bch.iter(|| {
            for &(a, n, _) in &data {
                black_box(cache.advance_bdays(black_box(a), black_box(n as i32)));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("business_days_between");
    g.bench_function("acikkapi", |bch| {
        bch.iter(|| {
            for &(a, _, b) in &data {
                black_box(
                    cal.business_days_between(black_box(a), black_box(b))
                        .unwrap(),
                );
            }
        })
    });
    g.bench_function("bdays_cache", |bch| {
        bch.iter(|| {
            for &(a, _, b) in &data {
                black_box(cache.bdays(black_box(a), black_box(b)));
            }
        })
    });
    g.finish();
}

fn bayram_computation(c: &mut Criterion) {
    c.bench_function("compute_bayrams_one_hijri_year", |bch| {
        bch.iter(|| {
            let ramazan = compute_month_start(black_box(1460), 10).unwrap();
            let kurban = compute_month_start(black_box(1460), 12).unwrap();
            black_box((ramazan, kurban))
        })
    });
}

criterion_group!(benches, business_days, bayram_computation);
criterion_main!(benches);
