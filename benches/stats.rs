//! Statistics over one million synthetic application records (generated once, deterministic).
//!
//! `cargo bench --bench stats -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use acikkapi::core::stats::{self, Dimension, Projection, ReportOptions, render};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench_stats(c: &mut Criterion) {
    let records = stats::synth::records(1_000_000, 2026);
    let opts = ReportOptions::default();
    let mut g = c.benchmark_group("stats");
    g.sample_size(10);
    g.bench_function("batch_report_1m", |b| {
        b.iter(|| black_box(stats::report(black_box(&records), &opts)))
    });
    g.bench_function("aggregate_only_1m", |b| {
        b.iter(|| black_box(stats::aggregate(black_box(&records))))
    });
    let mut p = Projection::new();
    for r in &records {
        p.upsert(r.clone());
    }
    g.bench_function("projection_report_1m", |b| {
        b.iter(|| black_box(p.report(&opts)))
    });
    // One status change on a 1M-record projection: remove the old contribution, add the new.
    let mut changed = records[500_000].clone();
    changed.status = stats::Status::Answered {
        outcome: stats::Outcome::Positive,
    };
    let original = records[500_000].clone();
    let mut flip = false;
    g.bench_function("projection_update_1m", |b| {
        b.iter(|| {
            flip = !flip;
            p.upsert(if flip {
                changed.clone()
            } else {
                original.clone()
            })
        })
    });
    let report = stats::report(&records, &opts);
    g.bench_function("render_html", |b| {
        b.iter(|| {
            black_box(render::render(
                &report,
                Some(Dimension::Province),
                render::Format::Html,
            ))
        })
    });
    g.finish();
}

criterion_group!(benches, bench_stats);
criterion_main!(benches);
