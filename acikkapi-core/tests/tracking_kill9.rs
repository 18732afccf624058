//! THE GUARANTEE: a tracking number is never given to two applications, across crashes.
//!
//! `tracking_numbers_survive_kill9` runs this test binary again as a child process (the
//! `#[ignore]`d test `allocator_process`, activated by an environment variable), like
//! `journal_kill9.rs`. The child opens the engine on a `FileJournal` with fsync (group commit),
//! builds a [`TrackingAllocator`] from the durable instances, and from several threads allocates
//! numbers and submits a `Receive` for each through a [`SharedEngine`], printing
//! `DURABLE <number> <command id>` only once `execute` returned. The parent SIGKILLs it at random
//! moments — between an allocation and its registration, during the fsync, during recovery —
//! reopens, and checks:
//! * every instance in the journal is a tracking number with exactly one `Received` event, the
//!   first of its history (no number held by two applications);
//! * every printed number is in the journal, received by the command that printed it, and no
//!   number was printed twice over all trials;
//! * an allocator built after reopening never returns a number already in the journal.
//!
//! Seed: `ACIKKAPI_TRACKING_KILL9_SEED` (printed on stderr).

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use common::Rng;

use acikkapi_core::geo::ProvincePlate;
use acikkapi_core::ids::{TrackingAllocator, TrackingNumber};
use acikkapi_core::journal::{FileJournal, FileJournalOptions, FsyncPolicy};
use acikkapi_core::workflow::application::{
    ApplicationCommand, ApplicationEvent, ApplicationWorkflow,
};
use acikkapi_core::workflow::ports::NullSink;
use acikkapi_core::workflow::{Actor, CommandId, Engine, EngineOptions, InstanceId, SharedEngine};

const ENV_PATH: &str = "ACIKKAPI_TRACKING_KILL9_JOURNAL";
const ENV_TRIAL: &str = "ACIKKAPI_TRACKING_KILL9_TRIAL";
const TRIALS: u64 = 40;
const THREADS: u64 = 6;
const PLATES: [u8; 3] = [20, 35, 6];
const YEARS: [u16; 2] = [2026, 2027];

fn open_engine(path: &Path) -> Engine<ApplicationWorkflow> {
    let options = FileJournalOptions {
        fsync: FsyncPolicy::Group,
        ..FileJournalOptions::default()
    };
    let journal = FileJournal::open(path, options).unwrap();
    Engine::open(
        ApplicationWorkflow::default(),
        Arc::new(journal),
        NullSink,
        EngineOptions::default(),
    )
    .unwrap()
}

/// The clerk of the province's Açık Kapı unit: only the bureau of a number's own province
/// may receive under it.
fn bureau(plate: ProvincePlate) -> Actor {
    Actor::bureau_of(plate).unwrap()
}

/// The child process. Does nothing unless started by the parent test with the environment set.
#[test]
#[ignore = "run by tracking_numbers_survive_kill9 as a child process"]
fn allocator_process() {
    let (Ok(path), Ok(trial)) = (std::env::var(ENV_PATH), std::env::var(ENV_TRIAL)) else {
        return;
    };
    let trial: u64 = trial.parse().unwrap();
    let engine = open_engine(Path::new(&path));
    let allocator = TrackingAllocator::from_ids(engine.instances().map(|(id, _)| id));
    let shared = SharedEngine::new(engine);
    // The access policy reads each province's organisation (loaded once, cached): load them
    // before READY so the kills fall among the commands, not in the first load.
    for plate in PLATES {
        acikkapi_core::org::Organisation::for_province(ProvincePlate::new(plate).unwrap()).unwrap();
    }
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "READY").unwrap();
        out.flush().unwrap();
    }
    std::thread::scope(|s| {
        for thread in 0..THREADS {
            let (shared, allocator) = (&shared, &allocator);
            s.spawn(move || {
                let mut rng = Rng((trial * 31 + thread) | 1);
                for i in 0.. {
                    let plate = PLATES[rng.below(PLATES.len() as u64) as usize];
                    let year = YEARS[rng.below(YEARS.len() as u64) as usize];
                    let plate = ProvincePlate::new(plate).unwrap();
                    let bureau = &bureau(plate);
                    let number = allocator.next(plate, year).unwrap();
                    let command = CommandId::new(format!("receive-{trial}-{thread}-{i}"));
                    let result = shared.execute(
                        &InstanceId::new(number.to_string()),
                        command.clone(),
                        None,
                        bureau,
                        chrono::Utc::now(),
                        ApplicationCommand::Receive {
                            input: Box::default(),
                        },
                    );
                    let mut out = std::io::stdout().lock();
                    match result {
                        // Durable: only now tell the world.
                        Ok(_) => writeln!(out, "DURABLE {number} {command}").unwrap(),
                        Err(e) => writeln!(out, "FAIL {number} {command} {e}").unwrap(),
                    }
                    out.flush().unwrap();
                }
            });
        }
    });
}

/// Checks the journal after a crash; returns every number in it.
fn check_journal(
    trial: u64,
    path: &Path,
    printed: &HashMap<TrackingNumber, String>,
) -> HashSet<TrackingNumber> {
    let engine = open_engine(path);
    let mut numbers = HashSet::new();
    for (id, inst) in engine.instances() {
        let number = TrackingNumber::parse(id.as_str()).unwrap_or_else(|e| {
            panic!("trial {trial}: instance {id} is not a tracking number: {e}")
        });
        let received = inst
            .history
            .iter()
            .filter(|env| matches!(env.event, ApplicationEvent::Received { .. }))
            .count();
        assert_eq!(received, 1, "trial {trial}: {id} received {received} times");
        assert!(
            matches!(inst.history[0].event, ApplicationEvent::Received { .. }),
            "trial {trial}: {id} does not start with its receipt"
        );
        numbers.insert(number);
    }
    for (number, command) in printed {
        let inst = engine
            .instance(&InstanceId::new(number.to_string()))
            .unwrap_or_else(|| panic!("trial {trial}: durable {number} missing from the journal"));
        assert_eq!(
            inst.history[0].command.as_str(),
            command,
            "trial {trial}: {number} was received by another command"
        );
    }
    // A fresh allocator never hands out a number the journal holds.
    let allocator = TrackingAllocator::from_ids(engine.instances().map(|(id, _)| id));
    for plate in PLATES {
        for year in YEARS {
            let plate = ProvincePlate::new(plate).unwrap();
            for _ in 0..20 {
                let next = allocator.next(plate, year).unwrap();
                assert!(
                    !numbers.contains(&next),
                    "trial {trial}: allocator after reopen returned {next}, already in the journal"
                );
            }
        }
    }
    numbers
}

#[test]
fn tracking_numbers_survive_kill9() {
    let seed = common::seed("ACIKKAPI_TRACKING_KILL9_SEED", "tracking kill -9 test");
    let mut rng = Rng(seed);
    let dir = common::temp_dir("tracking-kill9");
    let path = dir.join("basvuru.journal");
    let mut printed: HashMap<TrackingNumber, String> = HashMap::new();
    let started = Instant::now();
    let mut numbers = HashSet::new();

    for trial in 0..TRIALS {
        // Mostly kill while allocating and submitting; sometimes during start-up and recovery.
        let env = [
            (ENV_PATH, path.display().to_string()),
            (ENV_TRIAL, trial.to_string()),
        ];
        let lines = common::run_and_kill(
            "allocator_process",
            &env,
            &dir.join("child.stderr"),
            &mut rng,
            40_000,
        );
        for line in &lines {
            if let Some(fail) = line.find("FAIL ") {
                panic!("trial {trial}: a command failed: {}", &line[fail..]);
            }
            let Some(at) = line.find("DURABLE ") else {
                continue;
            };
            let mut words = line[at + 8..].split(' ');
            let number = TrackingNumber::parse(words.next().unwrap()).unwrap();
            let command = words.next().unwrap().to_owned();
            if let Some(first) = printed.insert(number, command.clone()) {
                panic!("trial {trial}: {number} given to {first} and to {command}");
            }
        }
        numbers = check_journal(trial, &path, &printed);
    }
    let per_key: BTreeMap<String, usize> = numbers.iter().fold(BTreeMap::new(), |mut m, n| {
        *m.entry(format!("{}/{}", n.plate(), n.year())).or_default() += 1;
        m
    });
    eprintln!(
        "tracking kill -9 test: {TRIALS} trials in {:.1} s, {} numbers durable and printed, {} in the \
         journal (per province/year: {per_key:?}; the others were durable when the child was killed, before it printed them)",
        started.elapsed().as_secs_f64(),
        printed.len(),
        numbers.len(),
    );
    assert!(
        printed.len() as u64 > TRIALS,
        "the children registered too little to test anything"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
