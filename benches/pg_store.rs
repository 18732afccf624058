//! The PostgreSQL store next to the file journal, in one run (issue 14's benchmarks):
//!
//! * `pg_append`: durable appends/s of one ~200-byte event per call with 1, 16 and 64 writer
//!   threads on one stream: a `PgJournal` (group commit, `synchronous_commit = on`) and a
//!   `FileJournal` (`FsyncPolicy::Group`).
//! * `pg_commands`: durable submit + route commands/s through `service::Applications` with 1, 16
//!   and 64 submitters (the workload of `concurrent_commands.rs`, `common::Workload`), on each.
//! * `pg_replay`: events/s of reading a stream of a Denizli simulation (≥ 200,000 real workflow
//!   events) through the `Journal` API, and of opening an engine on it (full rebuild, no
//!   snapshot), on each.
//!
//! The server is found like the store's tests (`ACIKKAPI_PG_URL` or `DATABASE_URL`, else
//! 127.0.0.1:5432 as `postgres` or `root`); the bench creates a database of its own and drops it
//! at the end, and refuses to run unless `SHOW synchronous_commit` is `on`. File journals live in
//! a directory under `ACIKKAPI_BENCH_DIR` (default: the system temp dir; a real disk, not tmpfs).
//! At the end it prints the rates over all samples and the ratios the issue sets goals for.
//!
//! `cargo bench --bench pg_store -- --warm-up-time 1 --measurement-time 3`

mod common;
#[path = "../acikkapi-postgres/tests/support/mod.rs"]
mod pg_support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use acikkapi::core::journal::{
    FileJournal, FileJournalOptions, FsyncPolicy, Journal, JournalIter, Seq,
};
use acikkapi::core::routing::Router;
use acikkapi::core::sim::{Model, Policy, Scenario, prepare, run_with};
use acikkapi::core::workflow::application::ApplicationWorkflow;
use acikkapi::core::workflow::ports::NullSink;
use acikkapi::core::workflow::{Engine, EngineOptions};
use acikkapi_postgres::{PgJournal, PgOptions, PgStore};
use chrono::NaiveDate;
use common::COMMANDS_PER_APPLICATION;
use criterion::{Criterion, SamplingMode, Throughput};

const WRITERS: [usize; 3] = [1, 16, 64];
/// Records the replay stream has at least.
const REPLAY_EVENTS: u64 = 200_000;

fn bench_dir() -> PathBuf {
    let base = std::env::var_os("ACIKKAPI_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("acikkapi-bench-pg-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench dir");
    dir
}

/// One query's first column as text, on a one-shot connection.
fn show(url: &str, setting: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect");
        let driver = tokio::spawn(conn);
        let value: String = client
            .query_one(&format!("SHOW {setting}"), &[])
            .await
            .expect("SHOW")
            .get(0);
        drop(client);
        let _ = driver.await;
        value
    })
}

/// Units and seconds measured per case, over all samples.
static TOTALS: Mutex<BTreeMap<String, (u64, f64)>> = Mutex::new(BTreeMap::new());

fn record(case: &str, units: u64, took: Duration) {
    let mut totals = TOTALS.lock().unwrap();
    let t = totals.entry(case.to_string()).or_default();
    t.0 += units;
    t.1 += took.as_secs_f64();
}

fn rate(case: &str) -> f64 {
    TOTALS
        .lock()
        .unwrap()
        .get(case)
        .map_or(0.0, |(n, s)| *n as f64 / s)
}

/// The two journals of one part of the run.
struct Pair {
    pg: Arc<PgJournal>,
    file: Arc<FileJournal>,
}

impl Pair {
    fn new(store: &PgStore, dir: &std::path::Path, name: &str) -> Pair {
        let file = FileJournal::open(
            dir.join(format!("{name}.journal")),
            FileJournalOptions {
                fsync: FsyncPolicy::Group,
                ..FileJournalOptions::default()
            },
        )
        .unwrap();
        Pair {
            pg: Arc::new(store.journal(name).unwrap()),
            file: Arc::new(file),
        }
    }

    fn each(&self) -> [(&'static str, Arc<dyn Journal>); 2] {
        [("pg", self.pg.clone()), ("file", self.file.clone())]
    }
}

fn appends(c: &mut Criterion, store: &PgStore, dir: &std::path::Path) {
    let pair = Pair::new(store, dir, "appends");
    let mut g = c.benchmark_group("pg_append");
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    for writers in WRITERS {
        g.throughput(Throughput::Elements(writers as u64));
        let (pg0, file0) = (pair.pg.group_commit_stats(), pair.file.stats());
        for (name, journal) in pair.each() {
            let case = format!("append/{name}/{writers}");
            g.bench_function(format!("{name}/writers_{writers}"), |b| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    std::thread::scope(|s| {
                        for t in 0..writers as u64 {
                            let journal = &journal;
                            s.spawn(move || {
                                for i in 0..iters {
                                    journal.append(&[common::event(t * 1_000_000 + i)]).unwrap();
                                }
                            });
                        }
                    });
                    let took = start.elapsed();
                    record(&case, iters * writers as u64, took);
                    took
                })
            });
        }
        let (pg, file) = (pair.pg.group_commit_stats(), pair.file.stats());
        let (appends, commits) = (pg.appends - pg0.appends, pg.commits - pg0.commits);
        let (batches, fsyncs) = (file.batches - file0.batches, file.fsyncs - file0.fsyncs);
        APPEND_STATS.lock().unwrap().push(format!(
            "appends, {writers:>2} writers: PostgreSQL {appends} appends in {commits} commits ({:.1} per commit); file {batches} appends, {fsyncs} fsyncs ({:.1} per fsync)",
            appends as f64 / commits.max(1) as f64,
            batches as f64 / fsyncs.max(1) as f64,
        ));
    }
    g.finish();
}

/// Appends per commit and per fsync of each writer count, printed at the end.
static APPEND_STATS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn commands(c: &mut Criterion, store: &PgStore, dir: &std::path::Path) {
    let pair = Pair::new(store, dir, "commands");
    let workloads: Vec<(&str, common::Workload)> = pair
        .each()
        .into_iter()
        .map(|(name, journal)| (name, common::Workload::open(journal)))
        .collect();
    let mut g = c.benchmark_group("pg_commands");
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    for submitters in WRITERS {
        g.throughput(Throughput::Elements(
            COMMANDS_PER_APPLICATION * submitters as u64,
        ));
        for (name, workload) in &workloads {
            let case = format!("commands/{name}/{submitters}");
            g.bench_function(format!("{name}/submitters_{submitters}"), |b| {
                b.iter_custom(|iters| {
                    let took = workload.run(submitters, iters);
                    record(
                        &case,
                        iters * submitters as u64 * COMMANDS_PER_APPLICATION,
                        took,
                    );
                    took
                })
            });
        }
    }
    g.finish();
    for (name, workload) in &workloads {
        let stats = workload.service.commit_stats();
        eprintln!(
            "commands on {name}: {} commands in {} batches ({:.1} per batch, largest {})",
            stats.commands,
            stats.batches,
            stats.commands as f64 / stats.batches.max(1) as f64,
            stats.largest_batch,
        );
    }
}

/// A Denizli simulation long enough for `REPLAY_EVENTS` events, written to a file journal and
/// copied into a PostgreSQL stream (batches of 5,000 records); both journals and the number of
/// applications.
fn replay_streams(store: &PgStore, dir: &std::path::Path) -> (Pair, usize) {
    let started = Instant::now();
    let model = Model::embedded().expect("embedded model");
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let mut days = 365;
    loop {
        let path = dir.join(format!("replay-{days}.journal"));
        let journal = Arc::new(
            FileJournal::open(
                &path,
                FileJournalOptions {
                    fsync: FsyncPolicy::Never,
                    ..FileJournalOptions::default()
                },
            )
            .unwrap(),
        );
        let scenario = Scenario::new(20, start, days, 1).expect("scenario");
        let prepared = prepare(&scenario, &model).expect("prepare");
        let router = Router::shared(scenario.plate).expect("router");
        let engine = run_with(
            &prepared,
            &Policy::default(),
            router.as_ref(),
            journal.clone(),
            NullSink,
            |_| Ok(()),
        )
        .expect("simulate");
        let applications = engine.instances().count();
        drop(engine);
        let events = journal.last_seq().0;
        if events < REPLAY_EVENTS {
            drop(journal);
            let _ = std::fs::remove_file(&path);
            days = (days as u64 * REPLAY_EVENTS / events.max(1) + 30) as u32;
            continue;
        }
        let pg = store.journal("replay").unwrap();
        let mut copied = 0;
        let mut page = Vec::with_capacity(5000);
        for r in journal.iter_from(Seq(1)) {
            page.push(r.unwrap().payload);
            if page.len() == 5000 {
                copied += pg.append(&page).unwrap().len();
                page.clear();
            }
        }
        if !page.is_empty() {
            copied += pg.append(&page).unwrap().len();
        }
        assert_eq!(copied as u64, events);
        eprintln!(
            "replay stream: Denizli, {days} days, {applications} applications, {events} events, {} bytes of file journal (made and copied in {:.1} s)",
            std::fs::metadata(&path).map_or(0, |m| m.len()),
            started.elapsed().as_secs_f64()
        );
        return (
            Pair {
                pg: Arc::new(pg),
                file: journal,
            },
            applications,
        );
    }
}

fn replay(c: &mut Criterion, store: &PgStore, dir: &std::path::Path) {
    let (pair, applications) = replay_streams(store, dir);
    let events = pair.file.last_seq().0;
    let mut g = c.benchmark_group("pg_replay");
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    g.throughput(Throughput::Elements(events));
    for (name, journal) in pair.each() {
        let case = format!("read/{name}");
        g.bench_function(format!("{name}/read_{events}_events"), |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    let mut n = 0u64;
                    let mut bytes = 0usize;
                    for r in JournalIter::new(journal.as_ref(), Seq(1)) {
                        bytes += r.unwrap().payload.len();
                        n += 1;
                    }
                    assert_eq!(n, events);
                    std::hint::black_box(bytes);
                }
                let took = start.elapsed();
                record(&case, iters * events, took);
                took
            })
        });
        let case = format!("open/{name}");
        g.bench_function(format!("{name}/engine_open_{events}_events"), |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    let engine = Engine::open(
                        ApplicationWorkflow::default(),
                        journal.clone(),
                        NullSink,
                        EngineOptions {
                            use_snapshot: false,
                            ..EngineOptions::default()
                        },
                    )
                    .unwrap();
                    assert_eq!(engine.instances().count(), applications);
                    drop(engine);
                }
                let took = start.elapsed();
                record(&case, iters * events, took);
                took
            })
        });
    }
    g.finish();
}

fn main() {
    let db = pg_support::TestDb::create().expect(
        "no PostgreSQL server: set ACIKKAPI_PG_URL (or run scripts/find-postgres.sh, which starts one)",
    );
    let sync = show(&db.url, "synchronous_commit");
    assert_eq!(
        sync, "on",
        "synchronous_commit is {sync}: the durable rates need it on"
    );
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let dir = bench_dir();
    eprintln!(
        "PostgreSQL: {}; synchronous_commit = {sync}, fsync = {}, wal_sync_method = {}; file journals in {}",
        show(&db.url, "server_version"),
        show(&db.url, "fsync"),
        show(&db.url, "wal_sync_method"),
        dir.display()
    );
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    appends(&mut c, &store, &dir);
    commands(&mut c, &store, &dir);
    replay(&mut c, &store, &dir);
    c.final_summary();

    for part in ["append", "commands"] {
        for writers in WRITERS {
            eprintln!(
                "{part:>8}, {writers:>2} writers: PostgreSQL {:>8.0}/s, file {:>8.0}/s",
                rate(&format!("{part}/pg/{writers}")),
                rate(&format!("{part}/file/{writers}")),
            );
        }
        let pg64 = rate(&format!("{part}/pg/64"));
        eprintln!(
            "{part:>8}: PostgreSQL 64 : 1 writers = {:.1}x (goal >= 10x); PostgreSQL : file at 64 writers = {:.0} % (goal >= 50 %)",
            pg64 / rate(&format!("{part}/pg/1")),
            100.0 * pg64 / rate(&format!("{part}/file/64")),
        );
    }
    for line in APPEND_STATS.lock().unwrap().iter() {
        eprintln!("{line}");
    }
    for part in ["read", "open"] {
        eprintln!(
            "  replay {part}: PostgreSQL {:>8.0} events/s (goal >= 200,000), file {:>8.0} events/s",
            rate(&format!("{part}/pg")),
            rate(&format!("{part}/file")),
        );
    }
    drop(store);
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}
