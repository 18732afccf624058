//! [`SharedEngine`] and the batch commit path: many threads, one journal append per batch.
//!
//! * `concurrent_commands_*` (proptest): random concurrent commands from many threads, with
//!   repeated command ids, stale expected versions and a ticking thread, on a `MemoryJournal` and
//!   on a `FileJournal` with fsync; then the live state equals a replay of the journal, every
//!   command id had at most one effect, no two accepted commands for one instance had the same
//!   expected version, and every outcome returned to a caller matches the journal.
//! * The rest pin single behaviours: decisions within one batch, a journal failure, one fsync per
//!   batch, readers during a journal write, ticks through the shared path.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex, mpsc};
use std::time::Duration;

use acikkapi_core::Error;
use acikkapi_core::application::{ApplicationInput, TextOrNumber};
use acikkapi_core::journal::{
    FileJournal, FileJournalOptions, FsyncPolicy, Journal, MemoryJournal, Record, Seq, Snapshot,
};
use acikkapi_core::org::{OfficerId, UnitId};
use acikkapi_core::workflow::application::{
    ApplicationCommand, ApplicationEvent, ApplicationWorkflow, Assignment, Outcome,
};
use acikkapi_core::workflow::ports::{BusinessCalendar, NullSink, local_time};
use acikkapi_core::workflow::{
    Actor, Clock, CommandId, CommandOutcome, CommandRequest, Context, Engine, EngineOptions,
    InstanceId, Role, Runner, SharedEngine, Timer, WorkflowDefinition,
};
use chrono::{DateTime, NaiveDate, Utc};
use proptest::prelude::*;

const APPS: usize = 3;

fn bureau() -> Actor {
    Actor::clerk("b1", UnitId::parse("20.ACIK_KAPI").unwrap())
}

fn officer() -> Actor {
    Actor::officer(
        OfficerId::parse("20.PAMUKKALE.BELEDIYE.YETKILI").unwrap(),
        Role::Yetkili,
    )
}

fn intake() -> ApplicationInput {
    ApplicationInput {
        tckn: Some("10000000146".into()),
        name: Some("Ayşe".into()),
        surname: Some("Yılmaz".into()),
        mother_maiden_initials: Some("KA".into()),
        phone: Some("0532 123 45 67".into()),
        birth_year: Some(TextOrNumber::Number(1980)),
        gender: Some("kadın".into()),
        kind: Some("şikayet".into()),
        channel: Some("e-Devlet".into()),
        subject: Some("Mahallemizde üç gündür çöpler toplanmıyor.".into()),
        category: Some("YEREL.DIGER".into()),
        province: Some(TextOrNumber::Number(20)),
        district: Some("Pamukkale".into()),
        ..ApplicationInput::default()
    }
}

fn start() -> DateTime<Utc> {
    local_time(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), 9, 0)
}

fn assignment() -> Assignment {
    Assignment {
        unit: UnitId::parse("20.PAMUKKALE.BELEDIYE").unwrap(),
        unit_name: "Pamukkale Belediyesi".into(),
        officer: OfficerId::parse("20.PAMUKKALE.BELEDIYE.YETKILI").unwrap(),
        escalation: Vec::new(),
        escalation_names: Vec::new(),
        deadline_days: None,
    }
}

/// Command kind `k` and the actor it is meant for.
fn command(k: u8) -> (Actor, ApplicationCommand) {
    match k % 6 {
        0 => (
            bureau(),
            ApplicationCommand::Receive {
                input: Box::new(intake()),
            },
        ),
        1 => (bureau(), ApplicationCommand::Register),
        2 => (
            bureau(),
            ApplicationCommand::Route {
                assignment: assignment(),
            },
        ),
        3 => (
            officer(),
            ApplicationCommand::Answer {
                outcome: Outcome::Positive,
                text: "Gereği yapılmıştır.".into(),
            },
        ),
        _ => (
            bureau(),
            ApplicationCommand::AddNote {
                text: "iç not".into(),
            },
        ),
    }
}

#[derive(Debug, Clone)]
struct Cmd {
    app: usize,
    /// Index of the command id; few of them, so that threads reuse each other's ids.
    id: u8,
    expected: Option<u64>,
    kind: u8,
}

fn cmd() -> impl Strategy<Value = Cmd> {
    (
        0..APPS,
        0..40u8,
        prop::option::weighted(0.7, 0..6u64),
        any::<u8>(),
    )
        .prop_map(|(app, id, expected, kind)| Cmd {
            app,
            id,
            expected,
            kind,
        })
}

/// What one caller asked and got.
struct Call {
    instance: InstanceId,
    command_id: CommandId,
    expected: Option<u64>,
    result: Result<CommandOutcome, String>,
}

/// Runs each thread's script at once on `shared` (plus a thread ticking `ticks` times).
fn run(shared: &SharedEngine<ApplicationWorkflow>, scripts: &[Vec<Cmd>], ticks: u8) -> Vec<Call> {
    let barrier = Barrier::new(scripts.len() + 1);
    std::thread::scope(|s| {
        let callers: Vec<_> = scripts
            .iter()
            .map(|script| {
                let (shared, barrier) = (shared.clone(), &barrier);
                s.spawn(move || {
                    barrier.wait();
                    let mut calls = Vec::new();
                    for (i, c) in script.iter().enumerate() {
                        let instance = InstanceId::new(format!("A-{}", c.app));
                        let command_id = CommandId::new(format!("c{}", c.id));
                        let (actor, command) = command(c.kind);
                        let now = start() + chrono::Duration::minutes(i as i64);
                        let result = shared
                            .execute(
                                &instance,
                                command_id.clone(),
                                c.expected,
                                &actor,
                                now,
                                command,
                            )
                            .map_err(|e| {
                                assert!(
                                    !e.is_journal() && !matches!(e, Error::WorkflowStorage { .. }),
                                    "storage error: {e}"
                                );
                                e.to_string()
                            });
                        calls.push(Call {
                            instance,
                            command_id,
                            expected: c.expected,
                            result,
                        });
                    }
                    calls
                })
            })
            .collect();
        let ticker = {
            let (shared, barrier) = (shared.clone(), &barrier);
            s.spawn(move || {
                barrier.wait();
                for t in 0..ticks {
                    let now = start() + chrono::Duration::days(2 + 4 * i64::from(t));
                    shared.tick(now).unwrap();
                }
            })
        };
        ticker.join().unwrap();
        callers
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

/// The invariants of a finished run.
fn check(shared: SharedEngine<ApplicationWorkflow>, journal: Arc<dyn Journal>, calls: &[Call]) {
    let live = shared.into_inner().expect("the only handle left");
    let replayed = Engine::open(
        ApplicationWorkflow::default(),
        journal,
        NullSink,
        EngineOptions {
            use_snapshot: false,
            ..EngineOptions::default()
        },
    )
    .unwrap();
    // Live state == replay of the journal.
    assert_eq!(live.last_seq(), replayed.last_seq());
    assert_eq!(live.len(), replayed.len());
    for (id, inst) in live.instances() {
        assert!(
            replayed.instance(id) == Some(inst),
            "{id} differs from its replay"
        );
    }
    // Events per command id in the journal.
    let mut events: HashMap<CommandId, u32> = HashMap::new();
    for (_, inst) in replayed.instances() {
        for env in &inst.history {
            *events.entry(env.command.clone()).or_default() += 1;
        }
    }
    let mut effects: HashMap<&CommandId, &CommandOutcome> = HashMap::new();
    let mut versions: HashSet<(&InstanceId, u64)> = HashSet::new();
    for call in calls {
        let Ok(out) = &call.result else { continue };
        assert_eq!(out.command, call.command_id);
        assert_eq!(out.instance, call.instance);
        if out.repeated {
            continue;
        }
        // At most one effect per command id.
        assert!(
            effects.insert(&call.command_id, out).is_none(),
            "{} took effect twice",
            call.command_id
        );
        // Optimistic versions: no two accepted commands expected the same version.
        if let Some(v) = call.expected {
            assert!(
                versions.insert((&call.instance, v)),
                "two commands on {} accepted at version {v}",
                call.instance
            );
            assert_eq!(out.version - u64::from(out.events), v);
        }
        // The outcome matches the journal.
        let stored = replayed.command_outcome(&call.command_id).unwrap();
        assert_eq!(stored, out, "{}", call.command_id);
        assert_eq!(events.get(&call.command_id), Some(&out.events));
    }
    // A repeat returns the original outcome.
    for call in calls {
        if let Ok(out) = &call.result
            && out.repeated
        {
            let first = effects
                .get(&call.command_id)
                .unwrap_or_else(|| panic!("{} repeated without a first", call.command_id));
            assert_eq!(
                &CommandOutcome {
                    repeated: false,
                    ..out.clone()
                },
                *first
            );
        }
    }
    // Every event in the journal belongs to an accepted command or a timer.
    for (command, n) in &events {
        if command.as_str().starts_with("timer:") {
            continue;
        }
        let out = effects
            .get(command)
            .unwrap_or_else(|| panic!("{command} is in the journal but no caller was told"));
        assert_eq!(out.events, *n);
    }
}

fn scripts() -> impl Strategy<Value = Vec<Vec<Cmd>>> {
    prop::collection::vec(prop::collection::vec(cmd(), 1..25), 2..9)
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("acikkapi-shared-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn file_journal(dir: &TempDir) -> Arc<FileJournal> {
    let options = FileJournalOptions {
        fsync: FsyncPolicy::Group,
        ..FileJournalOptions::default()
    };
    Arc::new(FileJournal::open(dir.0.join("basvuru.journal"), options).unwrap())
}

fn shared_on(journal: Arc<dyn Journal>) -> SharedEngine<ApplicationWorkflow> {
    SharedEngine::new(
        Engine::open(
            ApplicationWorkflow::default(),
            journal,
            NullSink,
            EngineOptions::default(),
        )
        .unwrap(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn concurrent_commands_on_a_memory_journal(scripts in scripts(), ticks in 0..4u8, slow in any::<bool>()) {
        // A slow append (as an fsync is) makes the other threads queue: larger batches.
        let journal = Arc::new(TestJournal {
            delay: slow.then_some(Duration::from_micros(300)),
            ..TestJournal::default()
        });
        let shared = shared_on(journal.clone());
        let calls = run(&shared, &scripts, ticks);
        prop_assert!(shared.stats().appends <= journal.appends.load(Ordering::SeqCst));
        check(shared, journal, &calls);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn concurrent_commands_on_a_file_journal(scripts in scripts(), ticks in 0..3u8) {
        let dir = TempDir::new("prop");
        let journal = file_journal(&dir);
        let shared = shared_on(journal.clone());
        let calls = run(&shared, &scripts, ticks);
        let stats = (journal.stats(), shared.stats());
        // One fsync per append, one append per batch that produced events (or tick that fired).
        prop_assert_eq!(stats.0.batches, stats.1.appends);
        prop_assert_eq!(stats.0.fsyncs, stats.1.appends);
        check(shared, journal, &calls);
    }
}

/// A journal over a `MemoryJournal` that counts appends, can be told to fail them, and can hold
/// an append until released.
#[derive(Default)]
struct TestJournal {
    inner: MemoryJournal,
    appends: AtomicU64,
    fail: AtomicBool,
    /// Sleep this long in every append (a slow disk: lets batches form).
    delay: Option<Duration>,
    gate: Mutex<Option<(mpsc::Sender<()>, mpsc::Receiver<()>)>>,
}

impl Journal for TestJournal {
    fn append_if(
        &self,
        expected: Option<Seq>,
        payloads: &[Vec<u8>],
    ) -> acikkapi_core::Result<Vec<Seq>> {
        if let Some((entered, release)) = self.gate.lock().unwrap().take() {
            entered.send(()).unwrap();
            release.recv().unwrap();
        }
        if let Some(delay) = self.delay {
            std::thread::sleep(delay);
        }
        if self.fail.load(Ordering::SeqCst) {
            return Err(Error::JournalIo {
                path: "test.journal".into(),
                source: std::io::Error::other("disk on fire"),
            });
        }
        self.appends.fetch_add(1, Ordering::SeqCst);
        self.inner.append_if(expected, payloads)
    }
    fn read_range(&self, from: Seq, limit: usize) -> acikkapi_core::Result<Vec<Record>> {
        self.inner.read_range(from, limit)
    }
    fn last_seq(&self) -> Seq {
        self.inner.last_seq()
    }
    fn write_snapshot(&self, snapshot: &Snapshot) -> acikkapi_core::Result<()> {
        self.inner.write_snapshot(snapshot)
    }
    fn read_snapshot(&self) -> acikkapi_core::Result<Option<Snapshot>> {
        self.inner.read_snapshot()
    }
}

fn request(
    app: &str,
    id: &str,
    expected: Option<u64>,
    kind: u8,
) -> CommandRequest<ApplicationWorkflow> {
    let (actor, command) = command(kind);
    CommandRequest {
        instance: InstanceId::new(app),
        command_id: CommandId::new(id),
        expected_version: expected,
        actor,
        now: start(),
        command,
    }
}

#[test]
fn a_batch_decides_each_command_on_the_ones_before_it() {
    let journal = Arc::new(TestJournal::default());
    let mut engine = Engine::open(
        ApplicationWorkflow::default(),
        journal.clone(),
        NullSink,
        EngineOptions::default(),
    )
    .unwrap();
    let results = engine.execute_batch([
        request("A", "r", Some(0), 0),
        request("A", "n1", Some(1), 4),
        request("A", "n2", Some(1), 4), // stale: n1 made it version 2
        request("A", "n1", None, 4),    // the same id again in the batch
        request("B", "n1", None, 0),    // the same id on another instance
        request("A", "reg", Some(2), 1),
        request("A", "r2", None, 0), // received already: a guard error
    ]);
    assert_eq!(journal.appends.load(Ordering::SeqCst), 1, "one append");
    let ok = |i: usize| results[i].as_ref().unwrap();
    assert_eq!((ok(0).version, ok(0).repeated), (1, false));
    assert_eq!((ok(1).version, ok(1).repeated), (2, false));
    assert!(matches!(
        results[2],
        Err(Error::Conflict {
            expected: 1,
            actual: 2,
            ..
        })
    ));
    assert_eq!(
        ok(3),
        &CommandOutcome {
            repeated: true,
            ..ok(1).clone()
        }
    );
    assert!(matches!(results[4], Err(Error::CommandIdReused { .. })));
    assert_eq!(ok(5).version, 3);
    assert!(matches!(results[6], Err(Error::InvalidTransition { .. })));
    assert_eq!(engine.last_seq(), 3);
    assert!(engine.instance(&InstanceId::new("B")).is_none());
    // After the batch, a repeat is answered from the stored results.
    let again = engine
        .execute(
            &InstanceId::new("A"),
            CommandId::new("n1"),
            None,
            &bureau(),
            start(),
            ApplicationCommand::Register,
        )
        .unwrap();
    assert_eq!(
        again,
        CommandOutcome {
            repeated: true,
            ..ok(1).clone()
        }
    );
}

#[test]
fn a_journal_failure_fails_the_batch_and_changes_nothing() {
    let journal = Arc::new(TestJournal::default());
    let shared = shared_on(journal.clone());
    shared
        .execute(
            &InstanceId::new("A"),
            CommandId::new("r"),
            Some(0),
            &bureau(),
            start(),
            command(0).1,
        )
        .unwrap();
    let before = shared.read(|e| (e.states(), e.last_seq()));
    journal.fail.store(true, Ordering::SeqCst);
    let results = shared.execute_batch([
        request("A", "n1", Some(1), 4),
        request("B", "r", Some(0), 0), // reused id: fails on its own, before the journal
        request("A", "reg", None, 1),
    ]);
    assert!(matches!(results[0], Err(Error::JournalIo { .. })));
    assert!(matches!(results[1], Err(Error::CommandIdReused { .. })));
    assert!(matches!(results[2], Err(Error::JournalIo { .. })));
    assert_eq!(shared.read(|e| (e.states(), e.last_seq())), before);
    assert!(shared.read(|e| e.command_outcome(&CommandId::new("n1")).is_none()));
    // Concurrent callers of a failing batch all fail, and nothing changes.
    std::thread::scope(|s| {
        for t in 0..8 {
            let shared = shared.clone();
            s.spawn(move || {
                let r = shared.execute(
                    &InstanceId::new(format!("T{t}")),
                    CommandId::new(format!("t{t}")),
                    Some(0),
                    &bureau(),
                    start(),
                    command(0).1,
                );
                assert!(matches!(r, Err(Error::JournalIo { .. })), "{r:?}");
            });
        }
    });
    assert_eq!(shared.read(|e| (e.states(), e.last_seq())), before);
    // The journal is back: the same commands go through.
    journal.fail.store(false, Ordering::SeqCst);
    let results =
        shared.execute_batch([request("A", "n1", Some(1), 4), request("A", "reg", None, 1)]);
    assert_eq!(results[0].as_ref().unwrap().version, 2);
    assert_eq!(results[1].as_ref().unwrap().version, 3);
}

#[test]
fn one_batch_is_one_fsync() {
    let dir = TempDir::new("fsync");
    let journal = file_journal(&dir);
    let shared = shared_on(journal.clone());
    const THREADS: usize = 16;
    const APPS_EACH: usize = 8;
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let shared = shared.clone();
            s.spawn(move || {
                for a in 0..APPS_EACH {
                    let id = InstanceId::new(format!("T{t}-{a}"));
                    for (k, kind) in [0u8, 1, 2].into_iter().enumerate() {
                        let (actor, command) = command(kind);
                        let out = shared
                            .execute(
                                &id,
                                CommandId::new(format!("{id}-{k}")),
                                Some(k as u64),
                                &actor,
                                start(),
                                command,
                            )
                            .unwrap();
                        assert!(!out.repeated);
                    }
                }
            });
        }
    });
    let (j, s) = (journal.stats(), shared.stats());
    eprintln!(
        "{} commands in {} batches, {} appends, {} fsyncs, largest batch {}",
        s.commands, s.batches, s.appends, j.fsyncs, s.largest_batch
    );
    assert_eq!(s.commands, (THREADS * APPS_EACH * 3) as u64);
    assert_eq!(j.batches, s.appends);
    assert_eq!(j.fsyncs, s.appends);
    assert!(s.appends <= s.batches);
    // 16 threads waiting on fsyncs of milliseconds: commands share batches.
    assert!(s.largest_batch > 1 && s.batches < s.commands, "{s:?}");
    let live = shared.read(|e| e.states());
    drop(shared);
    let replayed = shared_on(journal).read(|e| e.states());
    assert_eq!(live, replayed);
}

#[test]
fn readers_do_not_wait_for_the_journal() {
    let journal = Arc::new(TestJournal::default());
    let shared = shared_on(journal.clone());
    let (entered_tx, entered) = mpsc::channel();
    let (release, release_rx) = mpsc::channel();
    *journal.gate.lock().unwrap() = Some((entered_tx, release_rx));
    std::thread::scope(|s| {
        let writer = {
            let shared = shared.clone();
            s.spawn(move || {
                shared.execute(
                    &InstanceId::new("A"),
                    CommandId::new("r"),
                    Some(0),
                    &bureau(),
                    start(),
                    command(0).1,
                )
            })
        };
        entered
            .recv_timeout(Duration::from_secs(10))
            .expect("append started");
        // The append is held: a reader still gets through, and sees the state before it.
        let (tx, rx) = mpsc::channel();
        let reader = shared.clone();
        s.spawn(move || tx.send(reader.read(|e| e.len())).unwrap());
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(10)),
            Ok(0),
            "reader blocked by the append"
        );
        release.send(()).unwrap();
        assert_eq!(writer.join().unwrap().unwrap().version, 1);
    });
    assert_eq!(shared.read(|e| e.len()), 1);
}

/// The same lifecycle on two engines, ticked directly and through a `SharedEngine`: the same
/// timers fire and the journals hold the same records.
#[test]
fn shared_ticks_fire_what_engine_ticks_fire() {
    let direct_journal = Arc::new(MemoryJournal::new());
    let shared_journal = Arc::new(MemoryJournal::new());
    let mut direct = Engine::open(
        ApplicationWorkflow::default(),
        direct_journal.clone(),
        NullSink,
        EngineOptions::default(),
    )
    .unwrap();
    let shared = shared_on(shared_journal.clone());
    for app in 0..APPS {
        for (k, kind) in [0u8, 1, 2].into_iter().enumerate() {
            let id = InstanceId::new(format!("A-{app}"));
            let cid = CommandId::new(format!("{app}-{k}"));
            let (actor, command) = command(kind);
            let now = start() + chrono::Duration::hours(app as i64);
            let a = direct
                .execute(&id, cid.clone(), None, &actor, now, command.clone())
                .unwrap();
            let b = shared
                .execute(&id, cid, None, &actor, now, command)
                .unwrap();
            assert_eq!(a, b);
        }
    }
    let mut fired_total = 0;
    for day in [3, 6, 9, 15, 30, 60] {
        let now = start() + chrono::Duration::days(day);
        let a = direct.tick(now).unwrap();
        let b = shared.tick(now).unwrap();
        assert_eq!(a, b, "day {day}");
        fired_total += a.len();
        assert!(
            shared.tick(now).unwrap().is_empty(),
            "a second tick fires nothing"
        );
    }
    assert!(fired_total > 0, "the lifecycle has timers");
    let records = |j: &MemoryJournal| -> Vec<Vec<u8>> {
        j.iter_from(Seq(1)).map(|r| r.unwrap().payload).collect()
    };
    assert_eq!(records(&direct_journal), records(&shared_journal));
    let overdue: BTreeMap<_, _> = shared.read(|e| {
        e.instances()
            .map(|(id, i)| {
                (
                    id.clone(),
                    i.history
                        .iter()
                        .filter(|env| {
                            matches!(
                                env.event,
                                ApplicationEvent::ReminderSent { .. }
                                    | ApplicationEvent::MarkedOverdue { .. }
                            )
                        })
                        .count(),
                )
            })
            .collect()
    });
    assert!(overdue.values().all(|n| *n > 0), "{overdue:?}");
}

/// A fixed clock.
struct At(DateTime<Utc>);

impl Clock for At {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// A runner on a `SharedEngine` fires timers while other threads run commands; the ticks go
/// through the same commit path and the state still equals a replay of the journal.
#[test]
fn a_runner_ticks_a_shared_engine_while_commands_run() {
    let journal: Arc<dyn Journal> = Arc::new(TestJournal {
        delay: Some(Duration::from_micros(200)),
        ..TestJournal::default()
    });
    let shared = shared_on(journal.clone());
    let clock = Arc::new(At(start() + chrono::Duration::days(60)));
    let runner =
        Runner::spawn_shared(shared.clone(), clock.clone(), Duration::from_millis(1)).unwrap();
    std::thread::scope(|s| {
        for t in 0..4 {
            let shared = shared.clone();
            s.spawn(move || {
                for a in 0..10 {
                    let id = InstanceId::new(format!("T{t}-{a}"));
                    for (k, kind) in [0u8, 1, 2].into_iter().enumerate() {
                        let (actor, command) = command(kind);
                        shared
                            .execute(
                                &id,
                                CommandId::new(format!("{id}-{k}")),
                                None, // timers may fire in between
                                &actor,
                                start(),
                                command,
                            )
                            .unwrap();
                    }
                }
            });
        }
    });
    // Bounded wait until the runner has fired every timer due by the clock.
    for _ in 0..2000 {
        if shared.read(|e| e.next_due().is_none_or(|t| t > clock.now())) {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let stats = runner.shutdown().unwrap();
    assert!(stats.fired > 0 && stats.errors == 0, "{stats:?}");
    assert!(shared.read(|e| e.next_due().is_none_or(|t| t > clock.now())));
    let live = shared.read(|e| e.states());
    let timers = shared.read(|e| {
        e.instances()
            .flat_map(|(_, i)| &i.history)
            .filter(|env| env.command.as_str().starts_with("timer:"))
            .count()
    });
    assert!(timers > 0);
    drop(shared);
    assert_eq!(shared_on(journal).read(|e| e.states()), live);
}

/// A definition with a bug: command 0 panics while deciding, command 255 while folding.
struct Fragile;

impl WorkflowDefinition for Fragile {
    type State = u32;
    type Command = u8;
    type Event = u8;

    fn name(&self) -> &'static str {
        "fragile"
    }
    fn decide(
        &self,
        _: Option<&u32>,
        command: &u8,
        _: &Context<'_>,
    ) -> acikkapi_core::Result<Vec<u8>> {
        assert_ne!(*command, 0, "definition bug in decide");
        Ok(vec![*command])
    }
    fn apply(&self, state: Option<u32>, event: &u8) -> acikkapi_core::Result<u32> {
        assert_ne!(*event, 255, "definition bug in apply");
        Ok(state.unwrap_or(0) + u32::from(*event))
    }
    fn status(&self, _: &u32) -> &'static str {
        "open"
    }
    fn statuses(&self) -> &'static [&'static str] {
        &["open"]
    }
    fn next_timer(&self, _: &u32, _: &dyn BusinessCalendar) -> Option<Timer> {
        None
    }
    fn on_timer(&self, _: &u32, _: &Timer, _: &Context<'_>) -> acikkapi_core::Result<Vec<u8>> {
        Ok(Vec::new())
    }
    fn command_name(&self, command: &u8) -> String {
        command.to_string()
    }
}

/// A panic in the definition fails that command alone, in a batch and across threads, and the
/// engine keeps working.
#[test]
fn a_panicking_command_fails_alone() {
    let journal = Arc::new(TestJournal {
        delay: Some(Duration::from_millis(2)),
        ..TestJournal::default()
    });
    let engine =
        Engine::open(Fragile, journal.clone(), NullSink, EngineOptions::default()).unwrap();
    let shared = SharedEngine::new(engine);
    let req = |id: &str, command: u8| CommandRequest::<Fragile> {
        instance: InstanceId::new("X"),
        command_id: CommandId::new(id),
        expected_version: None,
        actor: bureau(),
        now: start(),
        command,
    };
    let results = shared.execute_batch([req("a", 1), req("b", 0), req("c", 255), req("d", 2)]);
    assert_eq!(results[0].as_ref().unwrap().version, 1);
    assert!(
        matches!(&results[1], Err(Error::WorkflowStorage { message }) if message.contains("panicked"))
    );
    assert!(
        matches!(&results[2], Err(Error::WorkflowStorage { message }) if message.contains("panicked"))
    );
    assert_eq!(results[3].as_ref().unwrap().version, 2);
    // Concurrent callers, some with the bug, batched together by the slow journal.
    let results: Vec<(u8, acikkapi_core::Result<CommandOutcome>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16u8)
            .map(|t| {
                let shared = shared.clone();
                s.spawn(move || {
                    let command = if t % 4 == 0 { 0 } else { 1 };
                    let r = shared.execute(
                        &InstanceId::new("X"),
                        CommandId::new(format!("t{t}")),
                        None,
                        &bureau(),
                        start(),
                        command,
                    );
                    (command, r)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no caller panics"))
            .collect()
    });
    for (command, r) in &results {
        assert_eq!(r.is_ok(), *command != 0, "{command}: {r:?}");
    }
    let value = shared.read(|e| e.instance(&InstanceId::new("X")).unwrap().state);
    assert_eq!(value, 1 + 2 + 12);
    let engine = shared.into_inner().unwrap();
    let replayed = Engine::open(Fragile, journal, NullSink, EngineOptions::default()).unwrap();
    assert_eq!(replayed.states(), engine.states());
}
