//! Durable commands per second through the application service (`service::Applications`, on a
//! `SharedEngine`) with 1, 16 and 64 concurrent submitters.
//!
//! Each submitter takes applications through submit (receive + register, with validation) and
//! route (the province's native router), one durable command at a time: each returns only once
//! its events are fsynced. The journal is a `FileJournal` with fsync on (group commit) in a
//! directory under `ACIKKAPI_BENCH_DIR` (default: the system temp dir; it must be a real disk,
//! not tmpfs, for the numbers to mean anything). Tracking numbers come from the service's
//! allocator (durable state), the clerk is Denizli's Açık Kapı bureau.
//!
//! At the end it prints the rate of each submitter count over all samples, the ratio 64 : 1
//! (goal: ≥ 20×), commands per batch and fsyncs.
//!
//! `cargo bench --bench concurrent_commands -- --warm-up-time 1 --measurement-time 5`

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use acikkapi::core::journal::{FileJournal, FileJournalOptions, FsyncPolicy};
use common::COMMANDS_PER_APPLICATION;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group};

const SUBMITTERS: [usize; 3] = [1, 16, 64];

fn bench_dir() -> PathBuf {
    let base = std::env::var_os("ACIKKAPI_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("acikkapi-bench-concurrent-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench dir");
    dir
}

struct Setup {
    workload: common::Workload,
    journal: Arc<FileJournal>,
}

impl Setup {
    fn new(dir: &std::path::Path) -> Setup {
        let options = FileJournalOptions {
            fsync: FsyncPolicy::Group,
            ..FileJournalOptions::default()
        };
        let journal = Arc::new(FileJournal::open(dir.join("basvuru.journal"), options).unwrap());
        Setup {
            workload: common::Workload::open(journal.clone()),
            journal,
        }
    }
}

/// Commands and seconds measured per submitter count, over all samples.
static TOTALS: Mutex<BTreeMap<usize, (u64, f64)>> = Mutex::new(BTreeMap::new());

fn concurrent_commands(c: &mut Criterion) {
    let dir = bench_dir();
    let setup = Setup::new(&dir);
    let mut group = c.benchmark_group("durable_commands");
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    for submitters in SUBMITTERS {
        group.throughput(Throughput::Elements(
            COMMANDS_PER_APPLICATION * submitters as u64,
        ));
        group.bench_function(format!("submitters_{submitters}"), |b| {
            b.iter_custom(|iters| {
                let took = setup.workload.run(submitters, iters);
                let mut totals = TOTALS.lock().unwrap();
                let t = totals.entry(submitters).or_default();
                t.0 += iters * submitters as u64 * COMMANDS_PER_APPLICATION;
                t.1 += took.as_secs_f64();
                took
            });
        });
    }
    group.finish();
    let stats = setup.workload.service.commit_stats();
    let journal = setup.journal.stats();
    let totals = TOTALS.lock().unwrap();
    let rate = |n: usize| totals.get(&n).map_or(0.0, |(c, s)| *c as f64 / s);
    for n in SUBMITTERS {
        eprintln!(
            "durable commands, {n:>2} submitters: {:>8.0} commands/s",
            rate(n)
        );
    }
    eprintln!(
        "ratio 64 : 1 submitters = {:.1}x (goal >= 20x); {} commands in {} batches ({:.1} per batch, largest {}), {} journal appends, {} fsyncs",
        rate(64) / rate(1),
        stats.commands,
        stats.batches,
        stats.commands as f64 / stats.batches.max(1) as f64,
        stats.largest_batch,
        journal.batches,
        journal.fsyncs,
    );
    drop(setup);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    targets = concurrent_commands
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
