//! Workflow engine throughput: commands per second through the engine on a `MemoryJournal`
//! (whole lifecycles: receive, register with validation, route, answer, close), and replay rate
//! (`Engine::open` on a `FileJournal`: open with CRC scan, decode, fold, rebuild timers), from
//! the start and from a snapshot.
//!
//! `cargo bench --bench workflow -- --warm-up-time 1 --measurement-time 3`

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use acikkapi::core::journal::{
    FileJournal, FileJournalOptions, FsyncPolicy, Journal, MemoryJournal,
};
use acikkapi::core::workflow::application::{
    ApplicationCommand, ApplicationWorkflow, Assignment, Outcome,
};
use acikkapi::core::workflow::ports::{NullSink, local_time};
use acikkapi::core::workflow::{Actor, CommandId, Engine, EngineOptions, InstanceId};
use chrono::{Duration, NaiveDate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const COMMANDS_PER_APPLICATION: u64 = 5;

/// Runs `n` applications from receipt to close (5 commands each) starting at number `first`.
fn lifecycles(engine: &mut Engine<ApplicationWorkflow>, first: u64, n: u64) {
    let bureau = Actor::clerk(
        "b1",
        acikkapi_core::org::UnitId::parse("20.ACIK_KAPI").unwrap(),
    );
    let officer = Actor::officer(
        acikkapi_core::org::OfficerId::parse("20.PAMUKKALE.BELEDIYE.YETKILI").unwrap(),
        acikkapi_core::org::Role::Yetkili,
    );
    let start = local_time(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), 9, 0);
    for i in first..first + n {
        let id = InstanceId::new(format!("AK-{i}"));
        let at = start + Duration::minutes((i % 5000) as i64);
        let commands = [
            (
                &bureau,
                ApplicationCommand::Receive {
                    input: Box::new(common::input(i)),
                },
            ),
            (&bureau, ApplicationCommand::Register),
            (
                &bureau,
                ApplicationCommand::Route {
                    assignment: Assignment {
                        unit: acikkapi_core::org::UnitId::parse("20.PAMUKKALE.BELEDIYE").unwrap(),
                        unit_name: "Pamukkale Belediyesi".into(),
                        officer: acikkapi_core::org::OfficerId::parse(
                            "20.PAMUKKALE.BELEDIYE.YETKILI",
                        )
                        .unwrap(),
                        escalation: Vec::new(),
                        escalation_names: Vec::new(),
                        deadline_days: None,
                    },
                },
            ),
            (
                &officer,
                ApplicationCommand::Answer {
                    outcome: Outcome::Positive,
                    text: "Çöpler toplandı.".into(),
                },
            ),
            (&bureau, ApplicationCommand::Close),
        ];
        for (k, (actor, command)) in commands.into_iter().enumerate() {
            engine
                .execute(
                    &id,
                    CommandId::new(format!("{id}/{k}")),
                    Some(k as u64),
                    actor,
                    at,
                    command,
                )
                .expect("lifecycle command");
        }
    }
}

fn commands(c: &mut Criterion) {
    let mut g = c.benchmark_group("workflow_commands");
    let n = 200;
    g.throughput(Throughput::Elements(n * COMMANDS_PER_APPLICATION));
    g.bench_function("memory_journal/lifecycle", |b| {
        b.iter(|| {
            let mut engine = Engine::open(
                ApplicationWorkflow::default(),
                Arc::new(MemoryJournal::new()),
                NullSink,
                EngineOptions::default(),
            )
            .unwrap();
            lifecycles(&mut engine, 0, n);
            engine.last_seq()
        })
    });
    g.finish();
}

fn bench_dir() -> PathBuf {
    let base = std::env::var_os("ACIKKAPI_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("acikkapi-bench-workflow-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench dir");
    dir
}

fn options() -> FileJournalOptions {
    FileJournalOptions {
        fsync: FsyncPolicy::Never,
        ..FileJournalOptions::default()
    }
}

fn replay(c: &mut Criterion) {
    let dir = bench_dir();
    let apps = 10_000;
    let events = apps * COMMANDS_PER_APPLICATION;
    for (name, snapshot) in [("from_start", false), ("from_snapshot", true)] {
        let path = dir.join(format!("{name}.journal"));
        {
            let journal: Arc<dyn Journal> = Arc::new(FileJournal::open(&path, options()).unwrap());
            let mut engine = Engine::open(
                ApplicationWorkflow::default(),
                journal,
                NullSink,
                EngineOptions::default(),
            )
            .unwrap();
            lifecycles(&mut engine, 0, apps);
            if snapshot {
                engine.snapshot().unwrap();
            }
            assert_eq!(engine.last_seq(), events);
        }
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        eprintln!("{name}: {events} events, journal {size} bytes");
        let mut g = c.benchmark_group("workflow_replay");
        g.throughput(Throughput::Elements(events));
        g.sample_size(10);
        // The engine is dropped outside the timing: replay rate is about rebuilding, not teardown.
        g.bench_function(format!("file_journal/{name}"), |b| {
            b.iter_with_large_drop(|| {
                let journal: Arc<dyn Journal> =
                    Arc::new(FileJournal::open(&path, options()).unwrap());
                let engine = Engine::open(
                    ApplicationWorkflow::default(),
                    journal,
                    NullSink,
                    EngineOptions::default(),
                )
                .unwrap();
                assert_eq!(engine.len() as u64, apps);
                engine
            })
        });
        g.finish();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, commands, replay);
criterion_main!(benches);
