//! Scripted routing: naive per-call Rhai evaluation vs the cached fast path, on a realistic
//! stream of Denizli applications (many share category, district and flags).
//!
//! `cargo bench --bench routing_rules -- --warm-up-time 1 --measurement-time 3`
//!
//! Besides criterion's numbers it prints a direct measurement of the ratio over the whole stream
//! and the time hostile scripts take to be stopped.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use acikkapi_core::geo::ProvincePlate;
use acikkapi_core::routing::RouteRequest;
use acikkapi_core::taxonomy::CategoryCode;
use acikkapi_rules::{AppView, EvalMode, Limits, OrgEnv, RuleSet, ScriptedRouter};
use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Categories of a typical day, most frequent first (the stream draws them Zipf-like).
const CATEGORIES: &[&str] = &[
    "YEREL.SU_KESINTISI",
    "SAGLIK.RANDEVU",
    "YEREL.COP",
    "YEREL.YOL",
    "EMNIYET.HATALI_PARK",
    "SOSYAL.SOSYAL_YARDIM",
    "ENERJI.ELEKTRIK_KESINTISI",
    "YEREL.TOPLU_TASIMA",
    "EGITIM.DIGER",
    "YEREL.KANALIZASYON",
    "SAGLIK.ACIL_SERVIS",
    "YEREL.GURULTU",
    "EMNIYET.TRAFIK_IHLALI",
    "YEREL.SOKAK_HAYVANLARI",
    "CALISMA.DIGER",
    "YEREL.OTOPARK",
    "ENERJI.AYDINLATMA",
    "SAGLIK.TIBBI_HATA",
    "KULTUR.TURIZM_TESISI",
    "YEREL.SU_FATURASI",
    "YEREL.PARK",
    "TARIM.DIGER",
    "CEVRE.HAVA_KIRLILIGI",
    "VALILIK.DIGER",
    "YEREL.ZABITA",
];
const DISTRICTS: &[&str] = &[
    "Merkezefendi",
    "Pamukkale",
    "Çivril",
    "Acıpayam",
    "Tavas",
    "Honaz",
    "Sarayköy",
    "Buldan",
    "Çal",
    "Çameli",
    "Bozkurt",
    "Kale",
    "Güney",
    "Serinhisar",
    "Babadağ",
    "Bekilli",
    "Beyağaç",
    "Baklan",
    "Çardak",
];

/// A deterministic pseudo-random stream (64-bit LCG).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    /// Zipf-like index in 0..n: small indices much more often.
    fn skewed(&mut self, n: usize) -> usize {
        let a = self.next() as usize % n;
        let b = self.next() as usize % n;
        a.min(b)
    }
}

fn stream(n: usize) -> Vec<RouteRequest> {
    let mut r = Lcg(2026);
    let plate = ProvincePlate::new(20).expect("20 is a plate");
    (0..n)
        .map(|i| {
            let mut req = RouteRequest::new(
                CategoryCode::parse(CATEGORIES[r.skewed(CATEGORIES.len())]).expect("valid code"),
                plate,
                DISTRICTS[r.skewed(DISTRICTS.len())],
                NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date")
                    + chrono::Days::new((i / 500) as u64),
            );
            req.special = r.next().is_multiple_of(20);
            req.importance = if req.special { (r.next() % 6) as u8 } else { 0 };
            req.kind = acikkapi_core::application::ApplicationKind::ALL[(r.next() % 3) as usize];
            req.channel = [
                Some(acikkapi_core::application::Channel::Web),
                Some(acikkapi_core::application::Channel::EDevlet),
                Some(acikkapi_core::application::Channel::CagriMerkezi),
                None,
            ][(r.next() % 4) as usize];
            req.text = format!("başvuru metni {}", r.next());
            req
        })
        .collect()
}

fn measure<F: FnMut()>(mut f: F, rounds: usize) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..rounds {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed());
    }
    best
}

fn hostile_report() {
    let env = Arc::new(OrgEnv::for_province(20).expect("Denizli organisation"));
    let app = AppView::new("YEREL.SU_KESINTISI", 20, "Pamukkale");
    for (name, src) in [
        ("infinite loop", "loop { }"),
        ("string doubling", "let s = \"ab\"; loop { s += s; }"),
        ("array growth", "let a = []; loop { a.push(1); }"),
        ("deep recursion", "fn f(n) { f(n + 1) } f(0)"),
        ("syntax error", "if app.category == { }"),
        ("runtime error", "let x = 9223372036854775807; x * x"),
        ("huge integer ops", "let x = 2; loop { x = x * x; }"),
    ] {
        let mut worst_compile = Duration::ZERO;
        let mut worst_run = Duration::ZERO;
        let mut what = String::new();
        for _ in 0..20 {
            let t = Instant::now();
            let compiled =
                RuleSet::compile_with_limits("hostile.rhai", src, env.clone(), Limits::default());
            worst_compile = worst_compile.max(t.elapsed());
            let r = compiled.and_then(|rules| {
                let t = Instant::now();
                let r = rules.evaluate(&app).map(|_| ());
                worst_run = worst_run.max(t.elapsed());
                r
            });
            what = match r {
                Err(e) => format!("{e}"),
                Ok(()) => "no error!".into(),
            };
        }
        println!(
            "hostile {name:18} worst of 20: compile {worst_compile:>8.2?}, run {worst_run:>8.2?}  → {what}"
        );
    }
}

fn bench(c: &mut Criterion) {
    let reqs = stream(10_000);
    let apps: Vec<AppView> = reqs.iter().map(AppView::from_request).collect();
    let rules = RuleSet::embedded(20).expect("Denizli rules");

    // Direct measurement over the whole stream (best of 5 rounds; the cache is warm after round 1,
    // as it is in a running service).
    let naive = measure(
        || {
            for a in &apps {
                black_box(rules.evaluate(a).ok());
            }
        },
        5,
    );
    let fast = measure(
        || {
            for a in &apps {
                black_box(rules.decide(a).ok());
            }
        },
        5,
    );
    let stats = rules.cache_stats();
    println!(
        "stream of {} applications: naive {:.2?} ({:.0} ns/app), fast {:.2?} ({:.0} ns/app), ratio {:.1}x; cache {:?}",
        apps.len(),
        naive,
        naive.as_nanos() as f64 / apps.len() as f64,
        fast,
        fast.as_nanos() as f64 / apps.len() as f64,
        naive.as_secs_f64() / fast.as_secs_f64(),
        stats
    );
    let router_naive = ScriptedRouter::for_province(ProvincePlate::new(20).expect("plate"))
        .expect("router")
        .with_mode(EvalMode::Naive);
    let router_fast =
        ScriptedRouter::for_province(ProvincePlate::new(20).expect("plate")).expect("router");
    let native = router_fast.native();
    let rn = measure(
        || {
            for r in &reqs {
                black_box(router_naive.route(r).ok());
            }
        },
        3,
    );
    let rf = measure(
        || {
            for r in &reqs {
                black_box(router_fast.route(r).ok());
            }
        },
        3,
    );
    let nat = measure(
        || {
            for r in &reqs {
                black_box(native.route(r).ok());
            }
        },
        3,
    );
    println!(
        "full routing per application: native only {:.0} ns, scripted naive {:.0} ns, scripted fast {:.0} ns (ratio {:.1}x)",
        nat.as_nanos() as f64 / reqs.len() as f64,
        rn.as_nanos() as f64 / reqs.len() as f64,
        rf.as_nanos() as f64 / reqs.len() as f64,
        rn.as_secs_f64() / rf.as_secs_f64()
    );
    hostile_report();

    let mut g = c.benchmark_group("scripted_routing");
    g.throughput(Throughput::Elements(apps.len() as u64));
    g.bench_function("script_naive_stream", |b| {
        b.iter(|| {
            for a in &apps {
                black_box(rules.evaluate(a).ok());
            }
        })
    });
    g.bench_function("script_fast_stream", |b| {
        b.iter(|| {
            for a in &apps {
                black_box(rules.decide(a).ok());
            }
        })
    });
    g.bench_function("route_naive_stream", |b| {
        b.iter(|| {
            for r in &reqs {
                black_box(router_naive.route(r).ok());
            }
        })
    });
    g.bench_function("route_fast_stream", |b| {
        b.iter(|| {
            for r in &reqs {
                black_box(router_fast.route(r).ok());
            }
        })
    });
    g.finish();
    c.bench_function("compile_denizli", |b| {
        b.iter(|| black_box(RuleSet::embedded(20).ok()))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
