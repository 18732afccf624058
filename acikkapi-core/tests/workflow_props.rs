//! Property tests of the workflow engine over random command sequences: no application lost,
//! fold(journal) == live state, idempotent commands and ticks, deadlines on business days of the
//! real calendar, refused commands change nothing.

use std::collections::BTreeSet;
use std::sync::Arc;

use acikkapi_core::Error;
use acikkapi_core::application::{ApplicationInput, TextOrNumber};
use acikkapi_core::calendar::Calendar;
use acikkapi_core::journal::{Journal, MemoryJournal};
use acikkapi_core::workflow::application::{
    ApplicationCommand, ApplicationEvent, ApplicationWorkflow, Assignment, Outcome,
};
use acikkapi_core::workflow::personnel::{
    ChangeKind, ChangeRequest, Opinion, PersonnelCommand, PersonnelWorkflow, Staff,
};
use acikkapi_core::workflow::ports::{MemorySink, local_date, local_time};
use acikkapi_core::workflow::{
    Actor, CommandId, Engine, EngineOptions, InstanceId, WorkflowDefinition,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;

const APPS: usize = 3;

fn actors() -> Vec<Actor> {
    vec![
        Actor::clerk(
            "b1",
            acikkapi_core::org::UnitId::parse("20.ACIK_KAPI").unwrap(),
        ),
        Actor::clerk(
            "b2",
            acikkapi_core::org::UnitId::parse("20.PAMUKKALE.ACIK_KAPI").unwrap(),
        ),
        Actor::officer(
            acikkapi_core::org::OfficerId::parse("20.MEB.YETKILI").unwrap(),
            acikkapi_core::org::Role::Yetkili,
        ),
        Actor::officer(
            acikkapi_core::org::OfficerId::parse("20.SAGLIK_MUDURLUGU.YETKILI").unwrap(),
            acikkapi_core::org::Role::Yetkili,
        ),
        Actor::governor(
            acikkapi_core::workflow::GovernorPost::Vali,
            acikkapi_core::org::OfficerId::parse("20.VALILIK.VALI").unwrap(),
        ),
        Actor::analyst("a1"),
    ]
}

fn intake(variant: u8) -> ApplicationInput {
    ApplicationInput {
        tckn: Some("10000000146".into()),
        name: Some("Mehmet".into()).filter(|_| variant % 5 != 4),
        surname: Some("Demir".into()),
        mother_maiden_initials: Some("AK".into()),
        phone: Some("0505 111 22 33".into()),
        birth_year: Some(TextOrNumber::Number(1975)),
        gender: Some("erkek".into()),
        kind: Some("talep".into()),
        channel: Some("çağrı merkezi".into()),
        subject: Some("Mahallemizdeki sağlık ocağında doktor yok.".into()),
        category: Some("SAGLIK.DIGER".into()),
        province: Some(TextOrNumber::Number(20)),
        district: Some("Pamukkale".into()),
        special: Some(variant % 3 == 1),
        confidential: Some(variant % 4 == 2),
        ..ApplicationInput::default()
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// `actor: None` = the actor the command is meant for (most of the time).
    Command {
        app: usize,
        actor: Option<usize>,
        cmd: u8,
        arg: u8,
    },
    Tick {
        hours: u16,
    },
    RepeatLast,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0..APPS, prop::option::weighted(0.2, 0..6usize), command_kind(), any::<u8>())
            .prop_map(|(app, actor, cmd, arg)| Op::Command { app, actor, cmd, arg }),
        2 => (1..200u16).prop_map(|hours| Op::Tick { hours }),
        1 => Just(Op::RepeatLast),
    ]
}

/// Command kinds weighted so that sequences get through the whole lifecycle.
fn command_kind() -> impl Strategy<Value = u8> {
    prop::sample::select(vec![
        0u8, 0, 1, 1, 1, 1, 2, 3, 3, 3, 3, 4, 4, 5, 6, 6, 7, 7, 7, 7, 8, 8, 8, 9,
    ])
}

/// The actor a command is meant for (index into [`actors`]).
fn natural_actor(cmd: u8, arg: u8) -> usize {
    match cmd {
        4 => 4,
        5 | 7 => 2 + usize::from(arg % 2),
        9 => usize::from(arg % 5),
        _ => 0,
    }
}

fn command(cmd: u8, arg: u8) -> ApplicationCommand {
    let (unit, officer) = if arg.is_multiple_of(2) {
        ("20.MEB", "20.MEB.YETKILI")
    } else {
        ("20.SAGLIK_MUDURLUGU", "20.SAGLIK_MUDURLUGU.YETKILI")
    };
    match cmd {
        0 => ApplicationCommand::Receive {
            input: Box::new(intake(arg)),
        },
        1 => ApplicationCommand::Register,
        2 => ApplicationCommand::Redirect {
            to: "CİMER".into(),
            reason: "Bakanlık konusu".into(),
        },
        3 => ApplicationCommand::Route {
            assignment: Assignment {
                unit: acikkapi_core::org::UnitId::parse(unit).unwrap(),
                unit_name: format!("Birim {unit}"),
                officer: acikkapi_core::org::OfficerId::parse(officer).unwrap(),
                escalation: Vec::new(),
                escalation_names: Vec::new(),
                // The routing's own deadline: none, shorter, the same or longer than 7 days.
                deadline_days: [None, Some(3), Some(7), Some(12)][usize::from(arg % 4)],
            },
        },
        4 => ApplicationCommand::Approve,
        5 => ApplicationCommand::Return {
            reason: "Bizim değil".into(),
        },
        6 => ApplicationCommand::Recategorise {
            category: if arg.is_multiple_of(3) {
                "YOK.YOK".into()
            } else {
                "EGITIM.DIGER".into()
            },
        },
        7 => ApplicationCommand::Answer {
            outcome: [
                Outcome::Positive,
                Outcome::Negative,
                Outcome::PartlyPositive,
            ][usize::from(arg % 3)],
            text: "Gereği yapılmıştır.".into(),
        },
        8 => ApplicationCommand::Close,
        _ => ApplicationCommand::AddNote {
            text: "iç not".into(),
        },
    }
}

/// Start days spread over 2025–2027, including the weeks around bayrams and 29 October.
fn start() -> impl Strategy<Value = DateTime<Utc>> {
    let base = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    (0..1095u64, 0..24u32).prop_map(move |(d, h)| local_time(base + chrono::Days::new(d), h, 0))
}

fn open(journal: &Arc<MemoryJournal>, sink: &MemorySink) -> Engine<ApplicationWorkflow> {
    Engine::open(
        ApplicationWorkflow::default(),
        journal.clone(),
        sink.clone(),
        EngineOptions::default(),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn application_engine_invariants(start in start(), ops in prop::collection::vec(op(), 10..100)) {
        let journal = Arc::new(MemoryJournal::new());
        let sink = MemorySink::new();
        let mut engine = open(&journal, &sink);
        let actors = actors();
        let calendar = Calendar::public_sector();
        let mut now = start;
        let mut received: BTreeSet<InstanceId> = BTreeSet::new();
        let mut last: Option<(InstanceId, CommandId, usize, ApplicationCommand)> = None;
        let mut n = 0u32;

        for op in ops {
            let before = engine.states();
            let seq_before = engine.last_seq();
            match op {
                Op::Command { app, actor, cmd, arg } => {
                    let id = InstanceId::new(format!("20-2025-{app:06}"));
                    let assigned = engine
                        .instance(&id)
                        .and_then(|i| i.state.assignment.as_ref())
                        .map(|a| if a.officer.as_str() == "20.MEB.YETKILI" { 2 } else { 3 });
                    let actor = actor.unwrap_or_else(|| match (cmd, assigned) {
                        (5 | 7, Some(officer)) if arg % 8 != 0 => officer,
                        _ => natural_actor(cmd, arg),
                    });
                    n += 1;
                    now += Duration::minutes(17);
                    let cid = CommandId::new(format!("cmd-{n}"));
                    let command = command(cmd, arg);
                    match engine.execute(&id, cid.clone(), None, &actors[actor], now, command.clone()) {
                        Ok(out) => {
                            prop_assert!(!out.repeated);
                            prop_assert_eq!(out.version, engine.instance(&id).unwrap().version);
                            if matches!(command, ApplicationCommand::Receive { .. }) {
                                prop_assert!(received.insert(id.clone()), "received twice");
                            }
                            // Idempotency: the same command id again changes nothing.
                            let after = engine.states();
                            let seq_after = engine.last_seq();
                            let again = engine
                                .execute(&id, cid.clone(), None, &actors[actor], now, command.clone())
                                .unwrap();
                            prop_assert!(again.repeated);
                            prop_assert_eq!(again.version, out.version);
                            prop_assert_eq!(&engine.states(), &after);
                            prop_assert_eq!(engine.last_seq(), seq_after);
                            last = Some((id, cid, actor, command));
                        }
                        Err(e) => {
                            prop_assert!(
                                matches!(
                                    e,
                                    Error::InvalidTransition { .. }
                                        | Error::Forbidden { .. }
                                        | Error::GuardFailed { .. }
                                        | Error::UnknownInstance(_)
                                ),
                                "unexpected error {e}"
                            );
                            prop_assert_eq!(&engine.states(), &before);
                            prop_assert_eq!(engine.last_seq(), seq_before);
                        }
                    }
                }
                Op::Tick { hours } => {
                    now += Duration::hours(i64::from(hours));
                    engine.tick(now).unwrap();
                    let after = engine.states();
                    let seq_after = engine.last_seq();
                    prop_assert!(engine.tick(now).unwrap().is_empty(), "second tick fired");
                    // No timer was left behind in the past.
                    prop_assert!(engine.next_due().is_none_or(|d| d > now));
                    prop_assert_eq!(&engine.states(), &after);
                    prop_assert_eq!(engine.last_seq(), seq_after);
                }
                Op::RepeatLast => {
                    if let Some((id, cid, actor, command)) = &last {
                        let out = engine.execute(id, cid.clone(), None, &actors[*actor], now, command.clone()).unwrap();
                        prop_assert!(out.repeated);
                        prop_assert_eq!(&engine.states(), &before);
                        prop_assert_eq!(engine.last_seq(), seq_before);
                    }
                }
            }
            // No application lost: every received one is there, in exactly one status.
            let ids: BTreeSet<InstanceId> = engine.states().into_keys().collect();
            prop_assert_eq!(&ids, &received);
            prop_assert_eq!(engine.counts().values().sum::<usize>(), received.len());
        }

        // Every deadline and every reminder/escalation day is a business day on the real calendar.
        for (_, inst) in engine.instances() {
            if let Some(d) = inst.state.deadline {
                prop_assert!(calendar.is_business_day(local_date(d)).unwrap(), "deadline {d}");
            }
            for env in &inst.history {
                match &env.event {
                    ApplicationEvent::Registered { deadline, .. } => {
                        prop_assert!(*deadline > inst.state.received_at);
                    }
                    // Routing shortens the deadline or puts the general one back, never beyond it.
                    ApplicationEvent::DeadlineSet { deadline, days } => {
                        prop_assert!(*days >= 1 && *days <= 7, "{days}");
                        prop_assert!(*deadline > inst.state.received_at);
                        prop_assert!(calendar.is_business_day(local_date(*deadline)).unwrap());
                    }
                    _ => {}
                }
            }
        }

        // fold(journal) == live, also through a snapshot.
        let replayed = open(&journal, &MemorySink::new());
        prop_assert_eq!(replayed.states(), engine.states());
        prop_assert_eq!(replayed.next_due(), engine.next_due());
        prop_assert_eq!(replayed.last_seq(), journal.last_seq().0);
        for (id, inst) in engine.instances() {
            prop_assert_eq!(replayed.instance(id), Some(inst));
        }
        engine.snapshot().unwrap();
        let from_snapshot = open(&journal, &MemorySink::new());
        prop_assert_eq!(from_snapshot.states(), engine.states());
        // SMS keys are unique (the outbox deduplicates; the engine never reuses a key).
        let keys: BTreeSet<String> = sink.notifications().into_iter().map(|n| n.key.0).collect();
        prop_assert_eq!(keys.len(), sink.notifications().len());
    }

    #[test]
    fn personnel_engine_invariants(ops in prop::collection::vec((0..3usize, 0..4usize, 0..5u8, any::<u8>()), 1..40)) {
        let journal = Arc::new(MemoryJournal::new());
        let mut engine = Engine::open(PersonnelWorkflow::default(), journal.clone(), MemorySink::new(), EngineOptions::default()).unwrap();
        let actors = [
            Actor::clerk("b1", acikkapi_core::org::UnitId::parse("20.ACIK_KAPI").unwrap()),
            Actor::governor(acikkapi_core::workflow::GovernorPost::Vali, acikkapi_core::org::OfficerId::parse("20.VALILIK.VALI").unwrap()),
            Actor::Strategy { id: "sgb".into() },
            Actor::officer(acikkapi_core::org::OfficerId::parse("20.MEB.YETKILI").unwrap(), acikkapi_core::org::Role::Yetkili),
        ];
        let kinds = [ChangeKind::Reassignment, ChangeKind::ExtraDuty, ChangeKind::CancelAssignment, ChangeKind::AppointBranchManager];
        let mut now = local_time(NaiveDate::from_ymd_opt(2026, 5, 20).unwrap(), 9, 0);
        for (i, (p, actor, cmd, arg)) in ops.into_iter().enumerate() {
            now += Duration::hours(i64::from(arg % 30));
            let command = match cmd {
                0 => PersonnelCommand::Submit { request: ChangeRequest {
                    staff: Staff { id: format!("S{p}"), unit: "20.ACIK_KAPI".into(), trained: arg % 2 == 0 },
                    kind: kinds[usize::from(arg / 2 % 4)],
                    under_investigation: arg % 7 == 0,
                    justification: "Hizmet gereği".into(),
                }},
                1 => PersonnelCommand::GiveOpinion { opinion: Opinion { favourable: arg % 2 == 0, text: "Görüş".into() } },
                2 => PersonnelCommand::Approve,
                3 => PersonnelCommand::Reject { reason: "Uygun değil".into() },
                _ => PersonnelCommand::Withdraw,
            };
            let before = engine.states();
            let id = InstanceId::new(format!("P{p}"));
            match engine.execute(&id, CommandId::new(format!("c{i}")), None, &actors[actor], now, command) {
                Ok(_) => {
                    let s = &engine.instance(&id).unwrap().state;
                    // The circular: trained staff not under investigation never reassigned.
                    prop_assert!(!(s.request.kind.protected() && s.request.staff.trained && !s.request.under_investigation));
                    // Cancellation / branch manager: never decided without an opinion.
                    if s.request.kind.needs_opinion() && matches!(engine.definition().status(s), "approved" | "rejected") {
                        prop_assert!(s.opinion.is_some());
                    }
                }
                Err(_) => prop_assert_eq!(engine.states(), before),
            }
            engine.tick(now).unwrap();
        }
        let replayed = Engine::open(PersonnelWorkflow::default(), journal, MemorySink::new(), EngineOptions::default()).unwrap();
        prop_assert_eq!(replayed.states(), engine.states());
    }
}
