//! The projection of workflow events, driven by the real engine.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;

use super::*;
use crate::application::{ApplicationInput, TextOrNumber};
use crate::journal::{JournalIter, MemoryJournal, Seq};
use crate::workflow::application::{
    self as wf, ApplicationCommand, ApplicationEvent, ApplicationWorkflow, Assignment,
};
use crate::workflow::ports::{MemorySink, local_time};
use crate::workflow::{Actor, CommandId, Engine, EngineOptions, Envelope, InstanceId};

const UNITS: [(&str, &str, &str); 2] = [
    (
        "20.MEB",
        "Denizli İl Milli Eğitim Müdürlüğü",
        "20.MEB.YETKILI",
    ),
    (
        "20.SAGLIK_MUDURLUGU",
        "Denizli İl Sağlık Müdürlüğü",
        "20.SAGLIK_MUDURLUGU.YETKILI",
    ),
];

fn bureau() -> Actor {
    crate::workflow::application::test_actors::clerk_of("20.ACIK_KAPI")
}

fn officer(i: usize) -> Actor {
    crate::workflow::application::test_actors::officer_of(UNITS[i].2)
}

/// Unit 1's routing decides a 3-business-day deadline (as for a special application), so the
/// histories hold `DeadlineSet` events too.
fn assignment(i: usize) -> Assignment {
    Assignment {
        deadline_days: [None, Some(3)][i],
        ..crate::workflow::application::test_actors::assign(UNITS[i].0, UNITS[i].1, UNITS[i].2)
    }
}

fn intake(variant: u8) -> ApplicationInput {
    let v = usize::from(variant);
    ApplicationInput {
        tckn: Some("10000000146".into()),
        name: Some("Ayşe".into()),
        surname: Some("Yılmaz".into()),
        mother_maiden_initials: Some("KA".into()),
        phone: Some("0532 123 45 67".into()),
        birth_year: (v % 3 != 0).then(|| TextOrNumber::Number(1950 + 7 * i64::from(variant))),
        gender: [Some("kadın".into()), Some("erkek".into()), None][v % 3].clone(),
        kind: Some(["şikayet", "talep", "ihbar"][v % 3].into()),
        channel: Some(["web", "banko_sozlu", "cagri_merkezi"][v % 3].into()),
        // Variant 7 has no text and is not processed at registration.
        subject: (variant != 7)
            .then(|| "Okulun önündeki yol çok tehlikeli, önlem alınmasını istiyorum.".into()),
        category: Some(["EGITIM.DIGER", "SAGLIK.DIGER"][v % 2].into()),
        province: Some(TextOrNumber::Number(20)),
        district: Some(["Merkezefendi", "Pamukkale"][v % 2].into()),
        ..ApplicationInput::default()
    }
}

struct Bench {
    engine: Engine<ApplicationWorkflow>,
    log: Arc<MemoryJournal>,
    now: DateTime<Utc>,
    n: u64,
}

impl Bench {
    fn new() -> Self {
        let log = Arc::new(MemoryJournal::new());
        let engine = Engine::open(
            ApplicationWorkflow::default(),
            log.clone(),
            MemorySink::new(),
            EngineOptions::default(),
        )
        .unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        Bench {
            engine,
            log,
            now: local_time(day, 10, 0),
            n: 0,
        }
    }

    /// Runs a command; refusals are part of the game and ignored.
    fn run(&mut self, id: &str, actor: &Actor, cmd: ApplicationCommand) {
        self.n += 1;
        let _ = self.engine.execute(
            &InstanceId::new(id),
            CommandId::new(format!("c{}", self.n)),
            None,
            actor,
            self.now,
            cmd,
        );
    }

    fn advance(&mut self, hours: i64) {
        self.now += Duration::hours(hours);
        self.engine.tick(self.now).unwrap();
    }

    fn envelopes(&self) -> Vec<Envelope<ApplicationEvent>> {
        JournalIter::new(self.log.as_ref(), Seq(1))
            .map(|r| serde_json::from_slice(&r.unwrap().payload).unwrap())
            .collect()
    }
}

#[test]
fn a_lifecycle_with_a_return_a_reroute_and_a_late_answer() {
    let mut b = Bench::new();
    b.run(
        "A1",
        &bureau(),
        ApplicationCommand::Receive {
            input: Box::new(intake(2)),
        },
    );
    b.run("A1", &bureau(), ApplicationCommand::Register);
    b.run(
        "A1",
        &bureau(),
        ApplicationCommand::Route {
            assignment: assignment(0),
        },
    );
    b.run(
        "A1",
        &officer(0),
        ApplicationCommand::Return {
            reason: "bizim değil".into(),
        },
    );
    b.run(
        "A1",
        &bureau(),
        ApplicationCommand::Route {
            assignment: assignment(1),
        },
    );
    // 14 calendar days on: past the 7-business-day deadline, timers fire.
    for _ in 0..14 {
        b.advance(24);
    }
    b.run(
        "A1",
        &officer(1),
        ApplicationCommand::Answer {
            outcome: wf::Outcome::Negative,
            text: "Olmaz.".into(),
        },
    );
    b.run("A1", &bureau(), ApplicationCommand::Close);

    let recs = records_from_engine(&b.engine).unwrap();
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r.tracking_number, "A1");
    assert_eq!(
        r.status,
        Status::Answered {
            outcome: Outcome::Negative
        }
    );
    assert_eq!(r.category.as_ref().unwrap().as_str(), "EGITIM.DIGER");
    assert_eq!(r.heading.as_ref().unwrap().as_str(), "EGITIM");
    assert!(r.institution_type.is_some());
    assert_eq!(r.unit_id.as_deref(), Some(UNITS[1].1));
    assert_eq!(r.reroutes, 1);
    assert!(r.overdue);
    assert!(r.escalations >= 1, "escalated after the deadline: {r:?}");
    assert!(!r.answered_on_time());
    assert_eq!(r.district.as_deref(), Some("Merkezefendi"));
    assert_eq!(
        (r.kind, r.channel, r.gender),
        (
            Some(ApplicationKind::Ihbar),
            Some(Channel::CagriMerkezi),
            None
        )
    );
    // Received Mon 23 Nov, answered Mon 7 Dec 2026: ten business days (no holidays between).
    assert_eq!(r.business_days_to_answer, Some(10));
    // The re-routing to unit 1 set its 3-day deadline: Tue 24, Wed 25, Thu 26 November.
    assert_eq!(r.deadline, NaiveDate::from_ymd_opt(2026, 11, 26));
    // Born 1964, received 2026: 62 → 45-64.
    assert_eq!(r.age_group, Some(AgeGroup::From45To64));
    assert_eq!(r.received_at.offset().local_minus_utc(), 3 * 3600);
}

#[test]
fn history_must_start_with_received() {
    let mut b = Bench::new();
    b.run(
        "A1",
        &bureau(),
        ApplicationCommand::Receive {
            input: Box::new(intake(1)),
        },
    );
    b.run("A1", &bureau(), ApplicationCommand::Register);
    let envs = b.envelopes();
    let cal = b.engine.calendar();
    assert!(step(None, &envs[1], cal).is_err());
    let first = step(None, &envs[0], cal).unwrap();
    assert!(step(Some(first), &envs[0], cal).is_err());
    assert_eq!(fold(std::iter::empty(), cal).unwrap(), None);
}

#[derive(Debug, Clone)]
enum Op {
    Receive(u8),
    Register,
    Route(usize),
    Return(usize),
    Redirect,
    Answer(usize, u8),
    Close,
    Recategorise,
}

/// A plausible lifecycle for one application, with random branches (some commands are refused
/// by the workflow's guards, e.g. routing a not-processed application, which is part of it).
fn script() -> impl Strategy<Value = Vec<Op>> {
    (
        0u8..8,
        0u8..10,
        0usize..2,
        any::<bool>(),
        0usize..2,
        0u8..4,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(v, branch, u1, ret, u2, answer, close, recat)| {
            let mut ops = vec![Op::Receive(v), Op::Register];
            if branch == 0 {
                ops.push(Op::Redirect);
                return ops;
            }
            if recat {
                ops.push(Op::Recategorise);
            }
            ops.push(Op::Route(u1));
            let mut unit = u1;
            if ret {
                ops.push(Op::Return(u1));
                ops.push(Op::Route(u2));
                unit = u2;
            }
            if answer < 3 {
                ops.push(Op::Answer(unit, answer));
                if close {
                    ops.push(Op::Close);
                }
            }
            ops
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Random lifecycles, interleaved, on the real engine with its timers: the live projection
    /// (event by event, in journal order) equals the batch fold of every history, and the
    /// statistics block agrees with the workflow's own count.
    #[test]
    fn projection_of_events_equals_batch_and_the_engine(
        scripts in prop::collection::vec(script(), 1..7),
        picks in prop::collection::vec((0usize..7, 0i64..40), 0..70),
    ) {
        let mut b = Bench::new();
        let mut queues: Vec<std::collections::VecDeque<Op>> =
            scripts.into_iter().map(Into::into).collect();
        for (pick, hours) in picks {
            let i = pick % queues.len();
            let id = format!("A{i}");
            let Some(op) = queues[i].pop_front() else { continue };
            match op {
                Op::Receive(v) => b.run(&id, &bureau(), ApplicationCommand::Receive { input: Box::new(intake(v)) }),
                Op::Register => b.run(&id, &bureau(), ApplicationCommand::Register),
                Op::Route(u) => b.run(&id, &bureau(), ApplicationCommand::Route { assignment: assignment(u) }),
                Op::Return(u) => b.run(&id, &officer(u), ApplicationCommand::Return { reason: "iade".into() }),
                Op::Redirect => b.run(&id, &bureau(), ApplicationCommand::Redirect { to: "CİMER".into(), reason: "yetki".into() }),
                Op::Answer(u, x) => {
                    let outcome = [wf::Outcome::Positive, wf::Outcome::Negative, wf::Outcome::PartlyPositive][usize::from(x)];
                    b.run(&id, &officer(u), ApplicationCommand::Answer { outcome, text: "Cevap.".into() })
                }
                Op::Close => b.run(&id, &bureau(), ApplicationCommand::Close),
                Op::Recategorise => b.run(&id, &bureau(), ApplicationCommand::Recategorise { category: "SAGLIK.DIGER".into() }),
            }
            if hours > 20 {
                b.advance(hours);
            }
        }
        let opts = ReportOptions::default();
        let batch = records_from_engine(&b.engine).unwrap();
        let mut live = Projection::new();
        for env in b.envelopes() {
            live.apply_event(&env, b.engine.calendar()).unwrap();
        }
        let mut live_records: Vec<ApplicationRecord> = live.records().cloned().collect();
        live_records.sort_by(|x, y| x.tracking_number.cmp(&y.tracking_number));
        prop_assert_eq!(&live_records, &batch);
        let rep = report(&batch, &opts);
        prop_assert_eq!(live.report(&opts), rep.clone());

        let st = b.engine.statistics();
        let blk = rep.block;
        prop_assert!(blk.is_conserved());
        prop_assert_eq!(blk, st);
        prop_assert_eq!(rep.sla.overdue_pending, b.engine.overdue_pending());
    }
}
