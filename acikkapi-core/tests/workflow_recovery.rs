//! The engine on a file journal: drop it, reopen, the state is identical and the timers resume.
//! Also the stand-alone runner thread.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use acikkapi_core::application::{ApplicationInput, TextOrNumber};
use acikkapi_core::journal::{
    FileJournal, FileJournalOptions, FsyncPolicy, Journal, MemoryJournal,
};
use acikkapi_core::notify::{Notification, RecordingNotifier, RetryPolicy};
use acikkapi_core::workflow::application::{
    ApplicationCommand, ApplicationEvent, ApplicationWorkflow, Assignment, Outcome, Status,
};
use acikkapi_core::workflow::ports::{MemorySink, NotificationSink, local_time};
use acikkapi_core::workflow::{
    Actor, Clock, CommandId, DurableOutbox, Engine, EngineOptions, InstanceId, Runner,
    SnapshotStatus,
};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("acikkapi-wf-{name}-{}", std::process::id()));
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

fn journal(dir: &TempDir) -> Arc<dyn Journal> {
    let options = FileJournalOptions {
        fsync: FsyncPolicy::Never,
        ..FileJournalOptions::default()
    };
    Arc::new(FileJournal::open(dir.0.join("basvuru.journal"), options).unwrap())
}

fn intake(i: usize) -> ApplicationInput {
    ApplicationInput {
        tckn: Some("10000000146".into()),
        name: Some("Zeynep".into()),
        surname: Some("Kaya".into()),
        mother_maiden_initials: Some("MA".into()),
        phone: Some("0544 333 22 11".into()),
        birth_year: Some(TextOrNumber::Number(1992)),
        gender: Some("kadın".into()),
        kind: Some("şikayet".into()),
        channel: Some("banko yazılı".into()),
        subject: Some("Sokağımızda çöpler üç gündür toplanmıyor.".into()),
        category: Some("YEREL.DIGER".into()).filter(|_| i % 7 != 3),
        province: Some(TextOrNumber::Number(20)),
        district: Some("Merkezefendi".into()),
        special: Some(i.is_multiple_of(5)),
        ..ApplicationInput::default()
    }
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn bureau() -> Actor {
    Actor::clerk(
        "b1",
        acikkapi_core::org::UnitId::parse("20.ACIK_KAPI").unwrap(),
    )
}

fn officer() -> Actor {
    Actor::officer(
        acikkapi_core::org::OfficerId::parse("20.MERKEZEFENDI.BELEDIYE.YETKILI").unwrap(),
        acikkapi_core::org::Role::Yetkili,
    )
}

/// Runs applications through various stages; returns the engine.
fn populate(engine: &mut Engine<ApplicationWorkflow>) {
    let vali = Actor::governor(
        acikkapi_core::workflow::GovernorPost::Vali,
        acikkapi_core::org::OfficerId::parse("20.VALILIK.VALI").unwrap(),
    );
    let assignment = Assignment {
        unit: acikkapi_core::org::UnitId::parse("20.MERKEZEFENDI.BELEDIYE").unwrap(),
        unit_name: "Merkezefendi Belediyesi".into(),
        officer: acikkapi_core::org::OfficerId::parse("20.MERKEZEFENDI.BELEDIYE.YETKILI").unwrap(),
        escalation: Vec::new(),
        escalation_names: Vec::new(),
        deadline_days: None,
    };
    for i in 0..40 {
        let id = InstanceId::new(format!("20-2026-{i:06}"));
        let at = local_time(d(11, 2 + (i as u32 % 20)), 10, 0);
        let mut run = |n: &str, actor: &Actor, cmd| {
            engine.execute(
                &id,
                CommandId::new(format!("{id}:{n}")),
                None,
                actor,
                at,
                cmd,
            )
        };
        run(
            "receive",
            &bureau(),
            ApplicationCommand::Receive {
                input: Box::new(intake(i)),
            },
        )
        .unwrap();
        let registered = run("register", &bureau(), ApplicationCommand::Register).unwrap();
        if registered.status != "registered" || i % 6 == 1 {
            continue;
        }
        run(
            "route",
            &bureau(),
            ApplicationCommand::Route {
                assignment: assignment.clone(),
            },
        )
        .unwrap();
        if i % 5 == 0 {
            run("approve", &vali, ApplicationCommand::Approve).unwrap();
        }
        if i % 3 == 0 {
            run(
                "answer",
                &officer(),
                ApplicationCommand::Answer {
                    outcome: Outcome::Positive,
                    text: "Çöpler toplandı.".into(),
                },
            )
            .unwrap();
        }
    }
}

/// An engine with default options on the file journal in `dir`, populated.
fn populated(dir: &TempDir) -> Engine<ApplicationWorkflow> {
    let mut engine = Engine::open(
        ApplicationWorkflow::default(),
        journal(dir),
        MemorySink::new(),
        EngineOptions::default(),
    )
    .unwrap();
    populate(&mut engine);
    engine
}

#[test]
fn reopening_a_file_journal_gives_the_same_engine_and_timers_resume() {
    let dir = TempDir::new("reopen");
    let options = EngineOptions {
        snapshot_every: 50,
        ..EngineOptions::default()
    };
    let mut engine = Engine::open(
        ApplicationWorkflow::default(),
        journal(&dir),
        MemorySink::new(),
        options.clone(),
    )
    .unwrap();
    populate(&mut engine);
    // Timers up to 20 November: some reminders and overdue marks.
    let mid = local_time(d(11, 20), 9, 0);
    let fired_before = engine.tick(mid).unwrap();
    assert!(!fired_before.is_empty());
    let states = engine.states();
    let seq = engine.last_seq();
    let next_due = engine.next_due();
    let counts = engine.counts();
    drop(engine);

    let mut reopened = Engine::open(
        ApplicationWorkflow::default(),
        journal(&dir),
        MemorySink::new(),
        options,
    )
    .unwrap();
    assert_eq!(reopened.states(), states);
    assert_eq!(reopened.last_seq(), seq);
    assert_eq!(reopened.next_due(), next_due);
    assert_eq!(reopened.counts(), counts);
    // Nothing is due again at the same time: the fired timers are in the journal.
    assert!(reopened.tick(mid).unwrap().is_empty());
    // Later, the timers resume: every unanswered routed application ends overdue and escalated.
    let fired = reopened.tick(local_time(d(12, 31), 9, 0)).unwrap();
    assert!(fired.iter().any(|f| f.key.starts_with("escalate")));
    assert!(fired.iter().all(|f| f.error.is_none()));
    for (_, inst) in reopened.instances() {
        let s = &inst.state;
        if s.status.is_open() {
            assert!(s.overdue && s.escalations == 3, "{:?}", s.status);
        }
        if s.status == Status::Answered {
            assert!(
                !inst
                    .history
                    .iter()
                    .any(|e| matches!(e.event, ApplicationEvent::Escalated { .. })
                        && e.at > s.answer.as_ref().unwrap().at)
            );
        }
    }
    // A repeated command after the restart is still recognised.
    let id = InstanceId::new("20-2026-000000");
    let again = reopened
        .execute(
            &id,
            CommandId::new(format!("{id}:receive")),
            None,
            &bureau(),
            mid,
            ApplicationCommand::Receive {
                input: Box::new(intake(0)),
            },
        )
        .unwrap();
    assert!(again.repeated);
}

/// Issue 12: snapshots were trusted blindly (a valid-CRC snapshot claiming an empty state gave an
/// empty engine), `use_snapshot: false` was never read, and a damaged snapshot failed even then.
/// A snapshot not made from the journal's records is refused and every record replayed instead.
#[test]
fn a_snapshot_not_made_from_the_journal_is_refused_and_every_record_replayed() {
    let dir = TempDir::new("snapshot-binding");
    let mut engine = populated(&dir);
    engine.snapshot().unwrap();
    let (states, seq) = (engine.states(), engine.last_seq());
    assert!(!states.is_empty());
    drop(engine);
    let open = |use_snapshot| {
        let options = EngineOptions {
            use_snapshot,
            ..EngineOptions::default()
        };
        Engine::open(
            ApplicationWorkflow::default(),
            journal(&dir),
            MemorySink::new(),
            options,
        )
        .unwrap()
    };
    let engine = open(true);
    assert_eq!(engine.snapshot_status(), &SnapshotStatus::Loaded { seq });
    assert_eq!(engine.states(), states);
    drop(engine);

    let snapshot = dir.0.join("basvuru.journal.snapshot");
    let empty = format!(r#"{{"workflow":"basvuru","seq":{seq},"instances":[],"commands":[]}}"#);
    // Format 1 (no binding), valid CRC.
    let mut v1 = b"ACIKSNAP".to_vec();
    v1.extend_from_slice(&1u32.to_le_bytes());
    v1.extend_from_slice(&0u32.to_le_bytes());
    v1.extend_from_slice(&seq.to_le_bytes());
    v1.extend_from_slice(&(empty.len() as u64).to_le_bytes());
    v1.extend_from_slice(&crc32fast::hash(empty.as_bytes()).to_le_bytes());
    v1.extend_from_slice(empty.as_bytes());
    // Format 2, written by another journal with other records at the same sequence numbers.
    let other = TempDir::new("snapshot-binding-other");
    let foreign = journal(&other);
    for i in 0..seq {
        foreign
            .append(&[format!("{{\"other\":{i}}}").into_bytes()])
            .unwrap();
    }
    foreign
        .write_snapshot(&acikkapi_core::journal::Snapshot {
            seq: acikkapi_core::journal::Seq(seq),
            data: empty.clone().into_bytes(),
        })
        .unwrap();
    let v2 = std::fs::read(other.0.join("basvuru.journal.snapshot")).unwrap();
    let mut damaged = std::fs::read(&snapshot).unwrap();
    let n = damaged.len();
    damaged[n - 3] ^= 4;
    for (what, bytes, reason) in [
        ("format 1", v1, "format 1"),
        ("foreign", v2, "made from other records"),
        ("damaged", damaged, "CRC mismatch"),
    ] {
        std::fs::write(&snapshot, &bytes).unwrap();
        let engine = open(true);
        match engine.snapshot_status() {
            SnapshotStatus::Rejected { reason: r } => assert!(r.contains(reason), "{what}: {r}"),
            s => panic!("{what}: {s:?}"),
        }
        assert_eq!(engine.states(), states, "{what}");
        assert_eq!(engine.last_seq(), seq, "{what}");
        drop(engine);
        // Not read at all with use_snapshot off.
        let engine = open(false);
        assert_eq!(engine.snapshot_status(), &SnapshotStatus::Ignored, "{what}");
        assert_eq!(engine.states(), states, "{what}");
        drop(engine);
    }
}

/// A clock the test moves by hand (seconds since the epoch).
struct ManualClock(AtomicI64);

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        Utc.timestamp_opt(self.0.load(Ordering::SeqCst), 0).unwrap()
    }
}

#[test]
fn the_runner_ticks_until_shut_down() {
    let dir = TempDir::new("runner");
    let engine = populated(&dir);
    let engine = Arc::new(Mutex::new(engine));
    let clock = Arc::new(ManualClock(AtomicI64::new(
        local_time(d(11, 1), 9, 0).timestamp(),
    )));
    let runner = Runner::spawn(engine.clone(), clock.clone(), Duration::from_millis(5)).unwrap();
    clock
        .0
        .store(local_time(d(12, 31), 9, 0).timestamp(), Ordering::SeqCst);
    // Wait (bounded) until the runner has caught up with the moved clock.
    for _ in 0..400 {
        if engine
            .lock()
            .unwrap()
            .next_due()
            .is_none_or(|t| t > clock.now())
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let stats = runner.shutdown().unwrap();
    assert!(
        stats.ticks >= 1 && stats.fired > 0 && stats.errors == 0,
        "{stats:?}"
    );
    let engine = engine.lock().unwrap();
    assert!(engine.next_due().is_none_or(|t| t > clock.now()));
    assert!(
        engine
            .instances()
            .filter(|(_, i)| i.state.status.is_open())
            .all(|(_, i)| i.state.overdue)
    );
}

/// An outbox in front of which every third notification is lost, as in a crash between the
/// journal append and the enqueue.
struct Flaky {
    outbox: Arc<Mutex<DurableOutbox>>,
    calls: usize,
}

impl NotificationSink for Flaky {
    fn enqueue(&mut self, n: Notification, now: DateTime<Utc>) -> acikkapi_core::Result<()> {
        self.calls += 1;
        if self.calls.is_multiple_of(3) {
            return Ok(());
        }
        self.outbox.enqueue(n, now)
    }
}

#[test]
fn no_sms_is_lost_or_sent_twice_across_restarts() {
    let events: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
    let sms_journal: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
    let gateway = RecordingNotifier::new();
    let now = local_time(d(11, 30), 9, 0);
    let outbox = Arc::new(Mutex::new(
        DurableOutbox::open(sms_journal.clone(), RetryPolicy::default()).unwrap(),
    ));
    let flaky = Flaky {
        outbox: outbox.clone(),
        calls: 0,
    };
    let mut engine = Engine::open(
        ApplicationWorkflow::default(),
        events.clone(),
        flaky,
        EngineOptions::default(),
    )
    .unwrap();
    populate(&mut engine);
    let queued_before = outbox.lock().unwrap().outbox().statuses().count();
    // Some are delivered before the crash.
    outbox.lock().unwrap().tick(now, &gateway).unwrap();
    let delivered_before = gateway.sent().len();
    assert!(delivered_before > 0);
    drop(engine);
    drop(outbox);

    // Restart: both journals are reopened; requeue offers every notification again.
    let outbox = Arc::new(Mutex::new(
        DurableOutbox::open(sms_journal, RetryPolicy::default()).unwrap(),
    ));
    let mut engine = Engine::open(
        ApplicationWorkflow::default(),
        events,
        outbox.clone(),
        EngineOptions::default(),
    )
    .unwrap();
    let offered = engine.requeue_notifications(now);
    outbox.lock().unwrap().tick(now, &gateway).unwrap();
    let sent = gateway.sent();
    let keys: std::collections::BTreeSet<_> = sent.iter().map(|n| n.key.0.clone()).collect();
    assert_eq!(keys.len(), sent.len(), "an SMS was sent twice");
    assert_eq!(
        sent.len(),
        offered,
        "every notification of every event was sent once"
    );
    assert!(sent.len() > delivered_before);
    assert!(
        queued_before < offered,
        "the flaky sink lost some ({queued_before} of {offered})"
    );
}
