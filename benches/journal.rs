//! Journal throughput: appends with group commit (fsync on, 1, 4 and 16 threads; for comparison
//! fsync per batch and no fsync), and replay (open with full CRC scan + read every record) of ~200-byte JSON
//! events. Files live in a directory under `ACIKKAPI_BENCH_DIR` (default: the system temp dir);
//! whether that is tmpfs or a disk changes the fsync numbers by orders of magnitude.
//!
//! `cargo bench --bench journal -- --warm-up-time 1 --measurement-time 3`

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use acikkapi::core::journal::{FileJournal, FileJournalOptions, FsyncPolicy, Journal, Seq};
use common::event;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn bench_dir() -> PathBuf {
    let base = std::env::var_os("ACIKKAPI_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("acikkapi-bench-journal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench dir");
    dir
}

fn append(c: &mut Criterion) {
    let dir = bench_dir();
    eprintln!(
        "event size: {} bytes; files in {}",
        event(1).len(),
        dir.display()
    );
    let mut g = c.benchmark_group("journal_append");
    let cases = [
        ("group_commit", FsyncPolicy::Group, 1u64),
        ("group_commit", FsyncPolicy::Group, 4),
        ("group_commit", FsyncPolicy::Group, 16),
        ("fsync_every_batch", FsyncPolicy::EveryBatch, 4),
        ("no_fsync", FsyncPolicy::Never, 1),
        ("no_fsync", FsyncPolicy::Never, 4),
    ];
    for (name, policy, threads) in cases {
        {
            let path = dir.join(format!("{name}-{threads}.journal"));
            let j = FileJournal::open(
                &path,
                FileJournalOptions {
                    fsync: policy,
                    ..Default::default()
                },
            )
            .unwrap();
            g.throughput(Throughput::Elements(threads));
            g.bench_function(format!("{name}/{threads}_threads"), |b| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    std::thread::scope(|s| {
                        for _ in 0..threads {
                            let j = &j;
                            s.spawn(move || {
                                for i in 0..iters {
                                    j.append(&[event(i)]).unwrap();
                                }
                            });
                        }
                    });
                    start.elapsed()
                })
            });
            let st = j.stats();
            if st.fsyncs > 0 {
                eprintln!(
                    "{name}/{threads}_threads: {} appends, {} fsyncs ({:.1} appends per fsync)",
                    st.batches,
                    st.fsyncs,
                    st.batches as f64 / st.fsyncs as f64
                );
            }
        }
    }
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn replay(c: &mut Criterion) {
    const N: u64 = 200_000;
    let dir = bench_dir();
    let path = dir.join("replay.journal");
    let j = FileJournal::open(
        &path,
        FileJournalOptions {
            fsync: FsyncPolicy::Never,
            ..Default::default()
        },
    )
    .unwrap();
    for chunk in 0..N / 1000 {
        let batch: Vec<Vec<u8>> = (0..1000).map(|k| event(chunk * 1000 + k)).collect();
        j.append(&batch).unwrap();
    }
    drop(j);
    let mut g = c.benchmark_group("journal_replay");
    g.throughput(Throughput::Elements(N));
    g.sample_size(10);
    g.bench_function("open_and_read_200k_events", |b| {
        b.iter(|| {
            let j = FileJournal::open(
                &path,
                FileJournalOptions {
                    read_only: true,
                    ..Default::default()
                },
            )
            .unwrap();
            let mut bytes = 0usize;
            for r in j.iter_from(Seq(1)) {
                bytes += r.unwrap().payload.len();
            }
            assert_eq!(j.last_seq(), Seq(N));
            bytes
        })
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = append, replay
}
criterion_main!(benches);
