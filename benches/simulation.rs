//! One province-year on the real engine: Denizli, 365 days from 2026-01-01, baseline policy,
//! native router, in-memory journal. `prepare` (arrivals + capacities) and `run_policy` (the
//! discrete-event run: receive, register, route, answer, close, timers) are measured apart.

use std::hint::black_box;

use acikkapi_core::routing::Router;
use acikkapi_core::sim::{Model, Policy, Scenario, prepare, run_policy};
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let model = Model::embedded().expect("embedded model");
    let scenario = Scenario::new(
        20,
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        365,
        1,
    )
    .expect("scenario");
    let prepared = prepare(&scenario, &model).expect("prepare");
    let router = Router::shared(scenario.plate).expect("router");
    let run = run_policy(&prepared, &Policy::default(), router.as_ref()).expect("run");
    eprintln!(
        "Denizli 2026: {} applications, {} events, {:.1} % on time",
        run.report.total.received,
        run.report.events,
        run.report.total.on_time_share * 100.0
    );
    drop(run);
    let mut g = c.benchmark_group("simulation");
    g.bench_function("prepare_denizli_365d", |b| {
        b.iter(|| prepare(black_box(&scenario), &model).expect("prepare"))
    });
    g.bench_function("run_denizli_365d", |b| {
        b.iter(|| {
            run_policy(black_box(&prepared), &Policy::default(), router.as_ref())
                .expect("run")
                .report
                .total
                .received
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
