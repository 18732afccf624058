//! Two engines on one journal (two nodes on one PostgreSQL stream, here a `MemoryJournal`):
//! catching up, deciding again after a conflict, idempotency across engines, an append whose
//! outcome is unknown, bounded attempts, ticks.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{CONFLICT_ATTEMPTS, CommandOutcome, CommandRequest, Engine, EngineOptions};
use crate::Error;
use crate::application::{ApplicationInput, TextOrNumber};
use crate::journal::{Journal, MemoryJournal, Record, Seq, Snapshot};
use crate::org::{OfficerId, UnitId};
use crate::workflow::application::{ApplicationCommand, ApplicationWorkflow, Assignment, Outcome};
use crate::workflow::ports::{MemorySink, local_time};
use crate::workflow::{Actor, CommandId, InstanceId, Role, SharedEngine};

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

fn open(journal: Arc<dyn Journal>) -> (Engine<ApplicationWorkflow>, MemorySink) {
    let sink = MemorySink::new();
    let engine = Engine::open(
        ApplicationWorkflow::default(),
        journal,
        sink.clone(),
        EngineOptions::default(),
    )
    .unwrap();
    (engine, sink)
}

fn run(
    engine: &mut Engine<ApplicationWorkflow>,
    app: &str,
    id: &str,
    expected: Option<u64>,
    actor: &Actor,
    command: ApplicationCommand,
) -> crate::Result<CommandOutcome> {
    engine.execute(
        &InstanceId::new(app),
        CommandId::new(id),
        expected,
        actor,
        start(),
        command,
    )
}

fn receive() -> ApplicationCommand {
    ApplicationCommand::Receive {
        input: Box::new(intake()),
    }
}

fn note(text: &str) -> ApplicationCommand {
    ApplicationCommand::AddNote { text: text.into() }
}

#[test]
fn catch_up_applies_the_other_writers_records_without_queueing_their_notifications() {
    let journal: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
    let (mut a, a_sink) = open(journal.clone());
    let (mut b, b_sink) = open(journal.clone());
    run(&mut a, "X", "x-al", Some(0), &bureau(), receive()).unwrap();
    run(
        &mut a,
        "X",
        "x-kaydet",
        Some(1),
        &bureau(),
        ApplicationCommand::Register,
    )
    .unwrap();
    let route = ApplicationCommand::Route {
        assignment: assignment(),
    };
    run(&mut a, "X", "x-ilet", Some(2), &bureau(), route).unwrap();
    assert!(!a_sink.is_empty(), "the writer queued its notifications");
    assert_eq!(b.len(), 0);
    assert_eq!(b.catch_up().unwrap(), a.last_seq());
    assert_eq!(b.last_seq(), a.last_seq());
    assert_eq!(b.states(), a.states());
    assert_eq!(
        b.instance(&InstanceId::new("X")),
        a.instance(&InstanceId::new("X"))
    );
    assert_eq!(
        b.command_outcome(&CommandId::new("x-ilet")),
        a.command_outcome(&CommandId::new("x-ilet"))
    );
    // The routed application has a deadline: its timer is known to the catching-up engine too.
    assert_eq!(b.next_due(), a.next_due());
    assert!(b_sink.is_empty(), "catching up queues no notification");
    assert!(b.unsent_notifications().is_empty());
    // Nothing new: nothing applied.
    assert_eq!(b.catch_up().unwrap(), 0);
}

#[test]
fn a_conflicting_append_catches_up_and_decides_again() {
    let journal: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
    let (mut a, _) = open(journal.clone());
    let (mut b, _) = open(journal.clone());
    run(&mut a, "X", "x-al", Some(0), &bureau(), receive()).unwrap();
    // B does not know of X; its append at record 0 conflicts, it catches up and goes through.
    let y = run(&mut b, "Y", "y-al", Some(0), &bureau(), receive()).unwrap();
    assert_eq!((y.version, y.repeated), (1, false));
    assert_eq!(b.last_seq(), 2);
    assert!(b.instance(&InstanceId::new("X")).is_some());
    // A is behind now: the same happens the other way round.
    let x = run(&mut a, "X", "x-not", Some(1), &bureau(), note("bir")).unwrap();
    assert_eq!(x.version, 2);
    assert_eq!(a.last_seq(), 3);
    b.catch_up().unwrap();
    assert_eq!(a.states(), b.states());
    // Every record once, in order.
    let seqs: Vec<u64> = journal
        .read_range(Seq(1), 10)
        .unwrap()
        .iter()
        .map(|r| r.seq.0)
        .collect();
    assert_eq!(seqs, vec![1, 2, 3]);
}

#[test]
fn a_stale_expected_version_is_a_conflict_of_its_own() {
    let journal: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
    let (mut a, _) = open(journal.clone());
    let (mut b, _) = open(journal.clone());
    run(&mut a, "X", "x-al", Some(0), &bureau(), receive()).unwrap();
    b.catch_up().unwrap();
    run(&mut a, "X", "x-not-a", Some(1), &bureau(), note("a")).unwrap();
    // B still believes X is at version 1.
    let r = run(&mut b, "X", "x-not-b", Some(1), &bureau(), note("b"));
    assert!(
        matches!(
            r,
            Err(Error::Conflict {
                expected: 1,
                actual: 2,
                ..
            })
        ),
        "{r:?}"
    );
    assert_eq!(b.last_seq(), 2, "caught up on the way");
    assert_eq!(journal.last_seq(), Seq(2), "nothing written");
    // Without an expected version the same command goes through on top of A's.
    assert_eq!(
        run(&mut b, "X", "x-not-b", None, &bureau(), note("b"))
            .unwrap()
            .version,
        3
    );
}

#[test]
fn a_command_id_committed_by_the_other_engine_returns_its_stored_outcome() {
    let journal: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
    let (mut a, _) = open(journal.clone());
    let (mut b, _) = open(journal.clone());
    let first = run(&mut a, "X", "x-al", Some(0), &bureau(), receive()).unwrap();
    // The caller retries on the other node (B never saw record 1).
    let again = run(&mut b, "X", "x-al", Some(0), &bureau(), receive()).unwrap();
    assert_eq!(
        again,
        CommandOutcome {
            repeated: true,
            ..first
        }
    );
    assert_eq!(journal.last_seq(), Seq(1), "not written twice");
    // Receiving onto a number that exists, under another command id, fails cleanly.
    let other = run(&mut b, "X", "x-al-2", Some(0), &bureau(), receive());
    assert!(matches!(other, Err(Error::Conflict { .. })), "{other:?}");
    assert_eq!(journal.last_seq(), Seq(1));
}

/// A journal whose appends can be made to commit and then report a lost connection (the
/// outcome of the COMMIT unknown to the caller), or to conflict for ever.
#[derive(Default)]
struct Flaky {
    inner: MemoryJournal,
    lose_answer: AtomicBool,
    always_conflict: AtomicBool,
    appends: AtomicU64,
}

impl Journal for Flaky {
    fn append_if(&self, expected: Option<Seq>, payloads: &[Vec<u8>]) -> crate::Result<Vec<Seq>> {
        self.appends.fetch_add(1, Ordering::SeqCst);
        if self.always_conflict.load(Ordering::SeqCst) {
            return Err(Error::ConcurrencyConflict {
                expected: expected.map_or(0, |s| s.0),
                actual: self.inner.last_seq().0 + 1,
            });
        }
        let seqs = self.inner.append_if(expected, payloads)?;
        if self.lose_answer.swap(false, Ordering::SeqCst) {
            return Err(Error::StoreUnavailable {
                retryable: true,
                message: "connection lost during COMMIT".into(),
            });
        }
        Ok(seqs)
    }
    fn read_range(&self, from: Seq, limit: usize) -> crate::Result<Vec<Record>> {
        self.inner.read_range(from, limit)
    }
    fn last_seq(&self) -> Seq {
        self.inner.last_seq()
    }
    fn write_snapshot(&self, snapshot: &Snapshot) -> crate::Result<()> {
        self.inner.write_snapshot(snapshot)
    }
    fn read_snapshot(&self) -> crate::Result<Option<Snapshot>> {
        self.inner.read_snapshot()
    }
}

#[test]
fn after_an_unknown_outcome_the_next_command_catches_up_first() {
    let journal = Arc::new(Flaky::default());
    let (mut a, _) = open(journal.clone());
    run(&mut a, "X", "x-al", Some(0), &bureau(), receive()).unwrap();
    journal.lose_answer.store(true, Ordering::SeqCst);
    let lost = run(&mut a, "X", "x-not", Some(1), &bureau(), note("bir"));
    assert!(
        matches!(
            lost,
            Err(Error::StoreUnavailable {
                retryable: true,
                ..
            })
        ),
        "{lost:?}"
    );
    assert!(a.is_behind());
    assert_eq!(a.last_seq(), 1, "nothing applied in memory");
    // The caller retries with the same command id: the commit is found, not repeated.
    let retry = run(&mut a, "X", "x-not", Some(1), &bureau(), note("bir")).unwrap();
    assert_eq!((retry.version, retry.repeated), (2, true));
    assert!(!a.is_behind());
    assert_eq!(
        journal.last_seq(),
        Seq(2),
        "the note is in the journal once"
    );
    // And the engine goes on normally.
    let next = run(
        &mut a,
        "X",
        "x-kaydet",
        Some(2),
        &bureau(),
        ApplicationCommand::Register,
    );
    assert_eq!(next.unwrap().version, 3);
}

#[test]
fn after_an_unknown_outcome_a_shared_engine_catches_up_before_the_next_batch() {
    let journal = Arc::new(Flaky::default());
    let (engine, _) = open(journal.clone());
    let shared = SharedEngine::new(engine);
    let x = InstanceId::new("X");
    shared
        .execute(
            &x,
            CommandId::new("x-al"),
            Some(0),
            &bureau(),
            start(),
            receive(),
        )
        .unwrap();
    journal.lose_answer.store(true, Ordering::SeqCst);
    let lost = shared.execute(
        &x,
        CommandId::new("x-not"),
        Some(1),
        &bureau(),
        start(),
        note("bir"),
    );
    assert!(
        matches!(lost, Err(Error::StoreUnavailable { .. })),
        "{lost:?}"
    );
    assert!(shared.read(Engine::is_behind));
    let retry = shared
        .execute(
            &x,
            CommandId::new("x-not"),
            Some(1),
            &bureau(),
            start(),
            note("bir"),
        )
        .unwrap();
    assert_eq!((retry.version, retry.repeated), (2, true));
    assert_eq!(journal.last_seq(), Seq(2));
}

#[test]
fn conflicts_are_retried_a_bounded_number_of_times() {
    let journal = Arc::new(Flaky::default());
    let (mut a, _) = open(journal.clone());
    journal.always_conflict.store(true, Ordering::SeqCst);
    let r = run(&mut a, "X", "x-al", Some(0), &bureau(), receive());
    assert!(matches!(r, Err(Error::ConcurrencyConflict { .. })), "{r:?}");
    assert_eq!(
        journal.appends.load(Ordering::SeqCst),
        CONFLICT_ATTEMPTS as u64
    );
    let shared = SharedEngine::new(a);
    let r = shared.execute(
        &InstanceId::new("X"),
        CommandId::new("x-al"),
        Some(0),
        &bureau(),
        start(),
        receive(),
    );
    assert!(matches!(r, Err(Error::ConcurrencyConflict { .. })), "{r:?}");
    assert_eq!(
        journal.appends.load(Ordering::SeqCst),
        2 * CONFLICT_ATTEMPTS as u64
    );
    journal.always_conflict.store(false, Ordering::SeqCst);
    assert!(
        shared
            .execute(
                &InstanceId::new("X"),
                CommandId::new("x-al"),
                Some(0),
                &bureau(),
                start(),
                receive(),
            )
            .is_ok()
    );
}

#[test]
fn timers_fired_by_one_engine_are_not_fired_again_by_the_other() {
    let journal: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
    let (mut a, _) = open(journal.clone());
    let (mut b, _) = open(journal.clone());
    run(&mut a, "X", "x-al", Some(0), &bureau(), receive()).unwrap();
    run(
        &mut a,
        "X",
        "x-kaydet",
        Some(1),
        &bureau(),
        ApplicationCommand::Register,
    )
    .unwrap();
    let route = ApplicationCommand::Route {
        assignment: assignment(),
    };
    run(&mut a, "X", "x-ilet", Some(2), &bureau(), route).unwrap();
    b.catch_up().unwrap();
    let later = start() + Duration::days(120);
    let fired_a = a.tick(later).unwrap();
    assert!(!fired_a.is_empty(), "the deadline passed");
    // B ticks at the same time without having seen A's firings: it conflicts, catches up, and
    // finds nothing left to fire.
    let fired_b = b.tick(later).unwrap();
    assert!(fired_b.is_empty(), "{fired_b:?}");
    assert_eq!(a.states(), b.states());
    assert_eq!(journal.last_seq().0, a.last_seq());
}

#[test]
fn two_shared_engines_interleave_on_one_journal() {
    let journal: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
    let nodes: Vec<SharedEngine<ApplicationWorkflow>> = (0..2)
        .map(|_| SharedEngine::new(open(journal.clone()).0))
        .collect();
    const APPS: usize = 4;
    const EACH: usize = 60;
    // Every thread of both nodes adds notes to the same applications; each acknowledged note
    // must be in the journal exactly once.
    let acked: Vec<(String, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let node = nodes[t % 2].clone();
                s.spawn(move || {
                    let mut acked = Vec::new();
                    for i in 0..EACH {
                        let app = format!("A{}", i % APPS);
                        let id = InstanceId::new(&app);
                        if i < APPS {
                            // Both nodes try to receive each application: one wins.
                            let _ = node.execute(
                                &id,
                                CommandId::new(format!("{app}-al")),
                                Some(0),
                                &bureau(),
                                start(),
                                receive(),
                            );
                        }
                        let cid = format!("t{t}-{i}");
                        let r = node.execute_batch([CommandRequest::new(
                            &id,
                            CommandId::new(&cid),
                            None,
                            &bureau(),
                            start(),
                            note(&cid),
                        )]);
                        if let Some(Ok(_)) = r.first() {
                            acked.push((app, cid));
                        }
                    }
                    acked
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    for node in &nodes {
        node.refresh().unwrap();
    }
    let states: Vec<_> = nodes.iter().map(|n| n.read(|e| e.states())).collect();
    assert_eq!(states[0], states[1], "both nodes at the same state");
    let (fresh, _) = open(journal.clone());
    assert_eq!(fresh.states(), states[0], "a replay gives the same state");
    let mut count = std::collections::HashMap::<String, usize>::new();
    for r in journal.read_range(Seq(1), 100_000).unwrap() {
        let v: serde_json::Value = serde_json::from_slice(&r.payload).unwrap();
        *count
            .entry(v["command"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert!(!acked.is_empty());
    for (_, cid) in &acked {
        assert_eq!(count.get(cid), Some(&1), "{cid} once");
    }
    // Each application received once.
    for a in 0..APPS {
        assert_eq!(count.get(&format!("A{a}-al")), Some(&1));
    }
}

#[test]
fn an_answer_decided_elsewhere_is_seen_before_closing() {
    let journal: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
    let (mut a, _) = open(journal.clone());
    let (mut b, _) = open(journal.clone());
    run(&mut a, "X", "x-al", Some(0), &bureau(), receive()).unwrap();
    run(
        &mut a,
        "X",
        "x-kaydet",
        Some(1),
        &bureau(),
        ApplicationCommand::Register,
    )
    .unwrap();
    let route = ApplicationCommand::Route {
        assignment: assignment(),
    };
    run(&mut a, "X", "x-ilet", Some(2), &bureau(), route).unwrap();
    let answer = ApplicationCommand::Answer {
        outcome: Outcome::Positive,
        text: "Gereği yapılmıştır.".into(),
    };
    run(&mut a, "X", "x-cevap", Some(3), &officer(), answer).unwrap();
    // B has seen nothing: closing without an expected version is decided on the answered state.
    let closed = run(
        &mut b,
        "X",
        "x-kapat",
        None,
        &bureau(),
        ApplicationCommand::Close,
    )
    .unwrap();
    assert_eq!((closed.version, closed.status.as_str()), (5, "closed"));
}

#[test]
fn catching_up_crosses_pages() {
    let journal: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
    let (mut w, _) = open(journal.clone());
    let (mut r, _) = open(journal.clone());
    let shared = SharedEngine::new(open(journal.clone()).0);
    let n = crate::journal::JournalIter::PAGE + 100;
    run(&mut w, "X", "x-al", Some(0), &bureau(), receive()).unwrap();
    let results = w.execute_batch((0..n).map(|i| {
        CommandRequest::new(
            &InstanceId::new("X"),
            CommandId::new(format!("not-{i}")),
            None,
            &bureau(),
            start(),
            note("not"),
        )
    }));
    assert!(results.iter().all(Result::is_ok));
    let all = (n + 1) as u64;
    assert_eq!(r.catch_up().unwrap(), all);
    assert_eq!(shared.refresh().unwrap(), all);
    assert_eq!(r.states(), w.states());
    assert_eq!(shared.read(|e| e.states()), w.states());
    let last = CommandId::new(format!("not-{}", n - 1));
    assert_eq!(r.command_outcome(&last), w.command_outcome(&last));
    assert_eq!(
        r.instance(&InstanceId::new("X")).map(|i| i.history.len()),
        Some(n + 1)
    );
    assert_eq!(shared.refresh().unwrap(), 0);
}
