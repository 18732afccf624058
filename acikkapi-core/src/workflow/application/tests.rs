use chrono::{DateTime, NaiveDate, Utc};

use super::test_actors::*;
use super::*;
use crate::Error;
use crate::application::{ApplicationInput, TextOrNumber};
use std::sync::Arc;

use crate::journal::{Journal, MemoryJournal};
use crate::validate::{Field, ProblemKind, ProblemSummary};
use crate::workflow::ports::{MemorySink, local_time};
use crate::workflow::{Actor, CommandId, CommandOutcome, Engine, EngineOptions, InstanceId};

pub(super) struct T {
    pub(super) e: Engine<ApplicationWorkflow>,
    pub(super) log: Arc<MemoryJournal>,
    pub(super) sink: MemorySink,
    n: u32,
}

pub(super) fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

/// Monday 23 November 2026, 10:00 Turkey time, plus `hours`.
pub(super) fn t0() -> DateTime<Utc> {
    local_time(day(23), 10, 0)
}

pub(super) fn bureau() -> Actor {
    clerk_of("20.ACIK_KAPI")
}
pub(super) fn other_bureau() -> Actor {
    clerk_of("20.MERKEZEFENDI.ACIK_KAPI")
}
pub(super) fn officer() -> Actor {
    officer_of("20.MEB.YETKILI")
}
pub(super) fn other_officer() -> Actor {
    officer_of("20.SAGLIK_MUDURLUGU.YETKILI")
}
pub(super) fn vali() -> Actor {
    vali_of_denizli()
}

pub(super) fn assignment() -> Assignment {
    assign(
        "20.MEB",
        "Denizli İl Milli Eğitim Müdürlüğü",
        "20.MEB.YETKILI",
    )
}

/// A valid application input (the fixture every workflow test starts from).
pub(crate) fn intake() -> ApplicationInput {
    ApplicationInput {
        tckn: Some("10000000146".into()),
        name: Some("Ayşe".into()),
        surname: Some("Yılmaz".into()),
        mother_maiden_initials: Some("KA".into()),
        phone: Some("0532 123 45 67".into()),
        birth_year: Some(TextOrNumber::Number(1980)),
        gender: Some("kadın".into()),
        kind: Some("şikayet".into()),
        channel: Some("web".into()),
        subject: Some("Okulun önündeki yol çok tehlikeli, önlem alınmasını istiyorum.".into()),
        category: Some("EGITIM.DIGER".into()),
        province: Some(TextOrNumber::Number(20)),
        district: Some("Merkezefendi".into()),
        ..ApplicationInput::default()
    }
}

impl T {
    pub(super) fn new() -> T {
        let log = Arc::new(MemoryJournal::new());
        let sink = MemorySink::new();
        let e = Engine::open(
            ApplicationWorkflow::default(),
            log.clone(),
            sink.clone(),
            EngineOptions::default(),
        )
        .unwrap();
        T { e, log, sink, n: 0 }
    }

    pub(super) fn run(
        &mut self,
        id: &str,
        actor: &Actor,
        cmd: ApplicationCommand,
    ) -> crate::Result<CommandOutcome> {
        self.n += 1;
        let cid = CommandId::new(format!("c{}", self.n));
        self.e
            .execute(&InstanceId::new(id), cid, None, actor, t0(), cmd)
    }

    pub(super) fn state(&self, id: &str) -> &ApplicationState {
        &self.e.instance(&InstanceId::new(id)).unwrap().state
    }

    pub(super) fn receive(&mut self, id: &str, input: ApplicationInput) {
        self.run(
            id,
            &bureau(),
            ApplicationCommand::Receive {
                input: Box::new(input),
            },
        )
        .unwrap();
        self.run(id, &bureau(), ApplicationCommand::Register)
            .unwrap();
    }

    pub(super) fn route(
        &mut self,
        id: &str,
        assignment: Assignment,
    ) -> crate::Result<CommandOutcome> {
        self.run(id, &bureau(), ApplicationCommand::Route { assignment })
    }

    /// İade: the officer gives the application back to the bureau.
    pub(super) fn give_back(
        &mut self,
        id: &str,
        officer: &Actor,
        reason: &str,
    ) -> crate::Result<CommandOutcome> {
        self.run(
            id,
            officer,
            ApplicationCommand::Return {
                reason: reason.into(),
            },
        )
    }

    pub(super) fn routed(&mut self, id: &str) {
        self.receive(id, intake());
        self.route(id, assignment()).unwrap();
    }
}

#[test]
fn full_lifecycle_with_three_sms() {
    let mut t = T::new();
    t.routed("A1");
    let out = t
        .run(
            "A1",
            &officer(),
            ApplicationCommand::Answer {
                outcome: Outcome::PartlyPositive,
                text: "Kasis yapılacak.".into(),
            },
        )
        .unwrap();
    assert_eq!(out.status, "answered");
    let out = t.run("A1", &bureau(), ApplicationCommand::Close).unwrap();
    assert_eq!((out.status.as_str(), out.version), ("closed", 5));
    let sms = t.sink.notifications();
    let keys: Vec<_> = sms.iter().map(|n| n.key.0.as_str()).collect();
    assert_eq!(
        keys,
        vec!["A1/registered/2", "A1/routed/3", "A1/answered/4"]
    );
    assert!(
        sms.iter()
            .all(|n| n.recipient.expose() == "+905321234567" && n.body.contains("A1"))
    );
    assert!(sms[1].body.contains("Denizli İl Milli Eğitim Müdürlüğü"));
    assert!(sms[2].body.contains("kısmen olumlu"));
    assert_eq!(t.log.last_seq().0, 5);
}

#[test]
fn the_deadline_is_seven_business_days_after_receipt() {
    let mut t = T::new();
    t.receive("A1", intake());
    // Received Monday 23 Nov 10:00 (counts that day): 24,25,26,27,30,1,2 → Wednesday 2 Dec 17:30.
    assert_eq!(
        t.state("A1").deadline,
        Some(local_time(
            NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
            17,
            30
        ))
    );
}

#[test]
fn an_invalid_submission_is_not_processed_with_its_reasons() {
    let mut t = T::new();
    let mut i = intake();
    i.subject = Some("kısa".into());
    i.category = None;
    t.receive("A1", i);
    let s = t.state("A1");
    assert_eq!(s.status, Status::NotProcessed);
    // Stored structured (field and kind), rendered to Turkish when shown.
    let fields: Vec<_> = s.problems.iter().map(|p| p.summary()).collect();
    assert_eq!(
        fields,
        [
            ProblemSummary {
                field: Some(Field::Subject),
                kind: ProblemKind::SubjectTooShort
            },
            ProblemSummary {
                field: Some(Field::Category),
                kind: ProblemKind::MissingField
            },
        ],
        "{:?}",
        s.problems
    );
    assert_eq!(
        s.reasons_tr(),
        [
            "Başvuru metni çok kısa (4 karakter); en az 10 karakter olmalı.",
            "Başvuru kategorisi girilmemiş; bu bilgi zorunludur."
        ]
    );
    let history = t.e.track("A1").unwrap();
    assert_eq!(
        history.entries.last().unwrap().text,
        "Başvurunuz işleme alınmadı: Başvuru metni çok kısa (4 karakter); en az 10 karakter \
         olmalı.; Başvuru kategorisi girilmemiş; bu bilgi zorunludur.."
    );
    let analyst = t.e.analyst_records(&Actor::analyst("an-1")).unwrap();
    assert_eq!(analyst[0].problems, fields);
    let err = t
        .run(
            "A1",
            &bureau(),
            ApplicationCommand::Route {
                assignment: assignment(),
            },
        )
        .unwrap_err();
    assert!(matches!(err, Error::InvalidTransition { .. }));
    assert!(
        t.sink.notifications().is_empty(),
        "no SMS for refused applications"
    );
}

#[test]
fn redirected_applications_end_there() {
    let mut t = T::new();
    t.run(
        "A1",
        &bureau(),
        ApplicationCommand::Receive {
            input: Box::new(intake()),
        },
    )
    .unwrap();
    t.run(
        "A1",
        &bureau(),
        ApplicationCommand::Redirect {
            to: "CİMER".into(),
            reason: "Bakanlık konusu".into(),
        },
    )
    .unwrap();
    assert_eq!(t.state("A1").status, Status::Redirected);
    assert!(
        t.run("A1", &bureau(), ApplicationCommand::Register)
            .is_err()
    );
}

#[test]
fn special_applications_go_through_the_vali() {
    let mut t = T::new();
    let mut i = intake();
    i.special = Some(true);
    t.receive("A1", i);
    let out = t
        .run(
            "A1",
            &bureau(),
            ApplicationCommand::Route {
                assignment: assignment(),
            },
        )
        .unwrap();
    assert_eq!(out.status, "awaiting_approval");
    assert!(matches!(
        t.run("A1", &bureau(), ApplicationCommand::Approve),
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        t.run(
            "A1",
            &officer(),
            ApplicationCommand::Answer {
                outcome: Outcome::Positive,
                text: "x".into()
            }
        ),
        Err(Error::InvalidTransition { .. })
    ));
    let out = t.run("A1", &vali(), ApplicationCommand::Approve).unwrap();
    assert_eq!((out.status.as_str(), out.events), ("routed", 2));
    assert_eq!(t.state("A1").assignment, Some(assignment()));
}

#[test]
fn returned_applications_are_rerouted_or_recategorised() {
    let mut t = T::new();
    t.routed("A1");
    assert!(matches!(
        t.give_back("A1", &other_officer(), "Bizim değil"),
        Err(Error::Forbidden { .. })
    ));
    t.give_back("A1", &officer(), "Bizim değil").unwrap();
    assert_eq!(t.state("A1").status, Status::Returned);
    assert!(matches!(
        t.run(
            "A1",
            &bureau(),
            ApplicationCommand::Recategorise {
                category: "YOK.YOK".into()
            }
        ),
        Err(Error::GuardFailed { .. })
    ));
    t.run(
        "A1",
        &bureau(),
        ApplicationCommand::Recategorise {
            category: "SAGLIK.DIGER".into(),
        },
    )
    .unwrap();
    assert_eq!(t.state("A1").status, Status::Registered);
    assert_eq!(t.state("A1").category.as_deref(), Some("SAGLIK.DIGER"));
    let a = assign(
        "20.SAGLIK_MUDURLUGU",
        "Denizli İl Sağlık Müdürlüğü",
        "20.SAGLIK_MUDURLUGU.YETKILI",
    );
    t.route("A1", a).unwrap();
    assert!(matches!(
        t.run(
            "A1",
            &officer(),
            ApplicationCommand::Answer {
                outcome: Outcome::Positive,
                text: "x".into()
            }
        ),
        Err(Error::Forbidden { .. })
    ));
    t.run(
        "A1",
        &other_officer(),
        ApplicationCommand::Answer {
            outcome: Outcome::Negative,
            text: "Yetki dışı.".into(),
        },
    )
    .unwrap();
    assert_eq!(t.state("A1").returns, 1);
    // Two routings → two "routed" SMS with distinct idempotency keys.
    let routed = t
        .sink
        .notifications()
        .iter()
        .filter(|n| n.key.0.contains("/routed/"))
        .count();
    assert_eq!(routed, 2);
}

#[test]
fn repeated_command_ids_have_no_second_effect() {
    let mut t = T::new();
    t.receive("A1", intake());
    let id = InstanceId::new("A1");
    let first =
        t.e.execute(
            &id,
            CommandId::new("route-1"),
            Some(2),
            &bureau(),
            t0(),
            ApplicationCommand::Route {
                assignment: assignment(),
            },
        )
        .unwrap();
    let again =
        t.e.execute(
            &id,
            CommandId::new("route-1"),
            Some(2),
            &bureau(),
            t0(),
            ApplicationCommand::Route {
                assignment: assignment(),
            },
        )
        .unwrap();
    assert!(again.repeated && !first.repeated);
    assert_eq!(
        CommandOutcome {
            repeated: false,
            ..again
        },
        first
    );
    assert_eq!(t.log.last_seq().0, 3);
    assert_eq!(t.sink.notifications().len(), 2);
    t.receive("A2", intake());
    let err =
        t.e.execute(
            &InstanceId::new("A2"),
            CommandId::new("route-1"),
            None,
            &bureau(),
            t0(),
            ApplicationCommand::Register,
        )
        .unwrap_err();
    assert!(matches!(err, Error::CommandIdReused { .. }));
}

#[test]
fn stale_expected_version_is_a_conflict() {
    let mut t = T::new();
    t.receive("A1", intake());
    let err =
        t.e.execute(
            &InstanceId::new("A1"),
            CommandId::new("x"),
            Some(1),
            &bureau(),
            t0(),
            ApplicationCommand::Route {
                assignment: assignment(),
            },
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Conflict {
                expected: 1,
                actual: 2,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(t.state("A1").status, Status::Registered);
    let err =
        t.e.execute(
            &InstanceId::new("A9"),
            CommandId::new("y"),
            Some(3),
            &bureau(),
            t0(),
            ApplicationCommand::Receive {
                input: Box::new(intake()),
            },
        )
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Conflict {
            expected: 3,
            actual: 0,
            ..
        }
    ));
}

#[test]
fn timers_remind_mark_overdue_and_escalate_on_business_days() {
    let mut t = T::new();
    t.routed("A1");
    // Deadline Wed 2 Dec. Reminder 2 business days before: Mon 30 Nov 00:00 Turkey.
    let sunday = local_time(day(29), 23, 0);
    assert!(t.e.tick(sunday).unwrap().is_empty());
    let monday = local_time(day(30), 9, 0);
    let fired = t.e.tick(monday).unwrap();
    assert_eq!(
        fired.iter().map(|f| f.key.as_str()).collect::<Vec<_>>(),
        vec!["reminder:0"]
    );
    assert!(t.e.tick(monday).unwrap().is_empty(), "tick is idempotent");
    let dec = |d| local_time(NaiveDate::from_ymd_opt(2026, 12, d).unwrap(), 9, 0);
    assert!(
        t.e.tick(dec(2)).unwrap().is_empty(),
        "the deadline day itself is not overdue"
    );
    assert_eq!(t.e.tick(dec(3)).unwrap()[0].key, "overdue");
    assert!(t.state("A1").overdue);
    // Escalation every 2 business days after Wed 2 Dec: Fri 4, Tue 8, Thu 10 December.
    assert_eq!(t.e.tick(dec(4)).unwrap()[0].key, "escalate:1");
    assert!(
        t.e.tick(local_time(
            NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            23,
            0
        ))
        .unwrap()
        .is_empty()
    );
    assert_eq!(t.e.tick(dec(8)).unwrap()[0].key, "escalate:2");
    let fired = t.e.tick(dec(31)).unwrap();
    assert_eq!(fired.len(), 1, "chain of 3 ends: {fired:?}");
    let s = t.state("A1");
    assert_eq!(s.escalations, 3);
    let last =
        &t.e.instance(&InstanceId::new("A1"))
            .unwrap()
            .history
            .last()
            .unwrap()
            .event;
    assert_eq!(
        last,
        &ApplicationEvent::Escalated {
            level: 3,
            to: "Vali".into()
        }
    );
    // An answer stops the clock.
    t.run(
        "A1",
        &officer(),
        ApplicationCommand::Answer {
            outcome: Outcome::Positive,
            text: "Tamam".into(),
        },
    )
    .unwrap();
    assert_eq!(t.e.next_due(), None);
}

#[test]
fn a_late_tick_fires_everything_that_is_due_in_order() {
    let mut t = T::new();
    t.routed("A1");
    let fired =
        t.e.tick(local_time(
            NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
            9,
            0,
        ))
        .unwrap();
    let keys: Vec<_> = fired.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "reminder:0",
            "overdue",
            "escalate:1",
            "escalate:2",
            "escalate:3"
        ]
    );
}

#[test]
fn escalation_follows_the_chain_decided_at_routing() {
    let mut t = T::new();
    t.receive("A1", intake());
    let a = Assignment {
        escalation: vec![
            crate::org::UnitId::parse("20.MEB").unwrap(),
            crate::org::UnitId::parse("20.VALILIK").unwrap(),
        ],
        escalation_names: vec!["Şube Müdürü".into(), "Vali Yardımcısı".into()],
        deadline_days: None,
        ..assignment()
    };
    t.route("A1", a).unwrap();
    t.e.tick(local_time(
        NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
        9,
        0,
    ))
    .unwrap();
    let to: Vec<String> =
        t.e.instance(&InstanceId::new("A1"))
            .unwrap()
            .history
            .iter()
            .filter_map(|e| match &e.event {
                ApplicationEvent::Escalated { to, .. } => Some(to.clone()),
                _ => None,
            })
            .collect();
    // Two levels from the routing decision, the third from the engine's chain.
    assert_eq!(to, ["Şube Müdürü", "Vali Yardımcısı", "Vali"]);
}

/// Routing with `deadline_days`: a special application's shorter deadline replaces the general
/// one (recorded as `DeadlineSet` before the approval request), the timers follow it, the citizen
/// sees it, and a re-routing without one puts the general deadline back.
#[test]
fn routing_sets_the_deadline_it_decided() {
    let mut t = T::new();
    let mut i = intake();
    i.special = Some(true);
    t.receive("A1", i);
    let short = Assignment {
        deadline_days: Some(3),
        ..assignment()
    };
    let out = t
        .run(
            "A1",
            &bureau(),
            ApplicationCommand::Route {
                assignment: short.clone(),
            },
        )
        .unwrap();
    assert_eq!((out.status.as_str(), out.events), ("awaiting_approval", 2));
    // Received Monday 23 Nov 10:00: 24, 25, 26 → Thursday 26 Nov 17:30.
    let thu_26 = local_time(day(26), 17, 30);
    assert_eq!(t.state("A1").deadline, Some(thu_26));
    let history = &t.e.instance(&InstanceId::new("A1")).unwrap().history;
    assert_eq!(
        history[history.len() - 2].event,
        ApplicationEvent::DeadlineSet {
            deadline: thu_26,
            days: 3
        }
    );
    t.run("A1", &vali(), ApplicationCommand::Approve).unwrap();
    assert_eq!(t.state("A1").deadline, Some(thu_26), "approval keeps it");
    let keys =
        |fired: Vec<crate::workflow::Fired>| fired.into_iter().map(|f| f.key).collect::<Vec<_>>();
    assert!(!keys(t.e.tick(local_time(day(26), 17, 0)).unwrap()).contains(&"overdue".to_owned()));
    assert_eq!(
        keys(t.e.tick(local_time(day(26), 17, 31)).unwrap()),
        ["overdue"]
    );
    let track = t.e.track("A1").unwrap();
    assert!(
        track
            .entries
            .iter()
            .any(|e| e.text == "Cevap için son gün 26.11.2026 olarak belirlendi."),
        "{track:?}"
    );

    // Returned and routed again without a deadline of its own: back to the general 7 days.
    t.give_back("A1", &officer(), "Bizim değil").unwrap();
    t.route("A1", assignment()).unwrap();
    assert_eq!(
        t.state("A1").deadline,
        Some(local_time(
            NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
            17,
            30
        ))
    );
    assert!(t.state("A1").overdue, "having been late stays recorded");
}

/// Routing can shorten the deadline, never lengthen it past `answer_days`; the same deadline
/// records no event.
#[test]
fn routing_never_lengthens_the_deadline() {
    let mut t = T::new();
    t.receive("A1", intake());
    let before = t.state("A1").deadline;
    let none = Assignment {
        deadline_days: Some(0),
        ..assignment()
    };
    assert!(matches!(
        t.route("A1", none),
        Err(Error::GuardFailed { .. })
    ));
    for days in [7, 60] {
        let n = t.e.instance(&InstanceId::new("A1")).unwrap().history.len();
        t.run(
            "A1",
            &bureau(),
            ApplicationCommand::Route {
                assignment: Assignment {
                    deadline_days: Some(days),
                    ..assignment()
                },
            },
        )
        .unwrap();
        let history = &t.e.instance(&InstanceId::new("A1")).unwrap().history;
        assert_eq!(history.len(), n + 1, "only `routed` for {days} days");
        assert_eq!(t.state("A1").deadline, before);
        t.give_back("A1", &officer(), "Tekrar").unwrap();
    }
}

/// Geri gönder: the vali refuses a special application's proposed routing; it is registered
/// again (nothing pending), the bureau routes it anew, and an empty reason is refused.
#[test]
fn the_vali_sends_a_proposed_routing_back_to_the_bureau() {
    let mut t = T::new();
    t.receive(
        "A1",
        ApplicationInput {
            special: Some(true),
            ..intake()
        },
    );
    t.route("A1", assignment()).unwrap();
    assert_eq!(t.state("A1").status, Status::AwaitingApproval);
    assert!(matches!(
        t.run(
            "A1",
            &vali(),
            ApplicationCommand::SendBack { reason: " ".into() }
        ),
        Err(Error::GuardFailed { .. })
    ));
    assert!(matches!(
        t.run(
            "A1",
            &bureau(),
            ApplicationCommand::SendBack { reason: "x".into() }
        ),
        Err(Error::Forbidden { .. })
    ));
    t.run(
        "A1",
        &vali(),
        ApplicationCommand::SendBack {
            reason: "Kaymakamlığa değil, il müdürlüğüne".into(),
        },
    )
    .unwrap();
    let s = t.state("A1");
    assert_eq!((s.status, s.pending.is_none()), (Status::Registered, true));
    t.route("A1", assignment()).unwrap();
    assert_eq!(t.state("A1").status, Status::AwaitingApproval);
    t.run("A1", &vali(), ApplicationCommand::Approve).unwrap();
    assert_eq!(t.state("A1").status, Status::Routed);
    // The history replays to the same state.
    let replayed = Engine::open(
        ApplicationWorkflow::default(),
        t.log.clone(),
        MemorySink::new(),
        EngineOptions::default(),
    )
    .unwrap();
    assert_eq!(replayed.states(), t.e.states());
}
