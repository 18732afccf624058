//! Native routing per decision on a realistic stream of applications (Denizli and İstanbul).
//!
//! Run briefly: `cargo bench --bench routing_native -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use acikkapi_core::geo::{Geography, ProvincePlate};
use acikkapi_core::org::Organisation;
use acikkapi_core::routing::{RouteRequest, Router};
use acikkapi_core::taxonomy::Taxonomy;
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};

/// A deterministic xorshift generator (no extra dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// 4096 requests of one province: categories uniform, districts skewed towards the first few
/// (central districts get most applications), dates 2019–2026, ~5 % special, 1 % OHAL,
/// 3 % confidential, 10 % ihbar, 2 % asking for a unit directly.
fn stream(plate: ProvincePlate, seed: u64) -> Vec<RouteRequest> {
    let tax = Taxonomy::embedded();
    let districts = Geography::embedded().districts(plate);
    let mut rng = Rng(seed);
    let start = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default();
    (0..4096)
        .map(|_| {
            let c = &tax.categories()[rng.below(tax.categories().len())];
            let d = if rng.chance(60) {
                rng.below(districts.len().min(3))
            } else {
                rng.below(districts.len())
            };
            let mut q = RouteRequest::new(
                c.code.clone(),
                plate,
                &districts[d].name,
                start + chrono::Duration::days(rng.below(2900) as i64),
            );
            q.special = rng.chance(5);
            q.importance = rng.below(6) as u8;
            q.ohal = rng.chance(1);
            q.confidential = rng.chance(3);
            if rng.chance(10) {
                q.kind = acikkapi_core::application::ApplicationKind::Ihbar;
            }
            if rng.chance(2) {
                q.direct_to_unit = Some(format!("{} Belediyesi", districts[d].name));
            }
            q
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("routing_native");
    for (plate, seed) in [(20u8, 7u64), (34, 11)] {
        let plate = ProvincePlate::new(plate).unwrap_or_else(|e| panic!("{e}"));
        let router = Router::for_province(plate).unwrap_or_else(|e| panic!("{e}"));
        let reqs = stream(plate, seed);
        let resolved: Vec<_> = reqs
            .iter()
            .map(|q| router.resolve(q).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        let mut i = 0usize;
        g.bench_function(format!("{plate}/route_resolved"), |b| {
            b.iter(|| {
                i = (i + 1) & 4095;
                black_box(router.route_resolved(black_box(&resolved[i])))
            })
        });
        g.bench_function(format!("{plate}/resolve_and_route_resolved"), |b| {
            b.iter(|| {
                i = (i + 1) & 4095;
                let r = router
                    .resolve(black_box(&reqs[i]))
                    .unwrap_or_else(|e| panic!("{e}"));
                black_box(router.route_resolved(&r))
            })
        });
        g.bench_function(format!("{plate}/route"), |b| {
            b.iter(|| {
                i = (i + 1) & 4095;
                black_box(router.route(black_box(&reqs[i])))
            })
        });
        g.bench_function(format!("{plate}/explain"), |b| {
            b.iter(|| {
                i = (i + 1) & 4095;
                black_box(router.explain(black_box(&reqs[i])))
            })
        });
    }
    g.finish();

    // Building a province's generated default from scratch (what the per-province cache saves):
    // Ankara, 25 districts.
    let mut g = c.benchmark_group("org_generate");
    g.sample_size(20);
    let ankara = ProvincePlate::new(6).unwrap_or_else(|e| panic!("{e}"));
    g.bench_function("06/build_uncached", |b| {
        b.iter(|| {
            let file = Organisation::generated_file(ankara);
            black_box(
                Organisation::from_file(
                    file,
                    "generated",
                    Taxonomy::embedded(),
                    Geography::embedded(),
                )
                .map(|o| o.units().len()),
            )
        })
    });
    g.bench_function("06/router_build", |b| {
        b.iter(|| black_box(Router::for_province(ankara).map(|r| r.table_size())))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
