//! Every cell of the personnel permission table against the service: an allowed operation
//! succeeds, a refused one is `Error::Forbidden` and changes nothing.

use chrono::{NaiveDate, TimeZone};

use super::*;
use crate::geo::ProvincePlate;
use crate::ids::TrackingNumber;
use crate::org::{OfficerId, Role, UnitId};
use crate::workflow::personnel::Staff;
use crate::workflow::personnel::policy::{MATRIX, PersonnelRelation, allowed, relation};
use crate::workflow::ports::local_time;
use crate::workflow::{CitizenProof, GovernorPost};

fn t0() -> DateTime<Utc> {
    local_time(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), 10, 0)
}

fn request(kind: ChangeKind, unit: &str) -> ChangeRequest {
    ChangeRequest {
        staff: Staff {
            id: "S-1001".into(),
            unit: unit.into(),
            trained: false,
        },
        kind,
        under_investigation: false,
        justification: "Hizmet gereği".into(),
    }
}

fn governor(who: GovernorPost, id: &str) -> Actor {
    Actor::governor(who, OfficerId::parse(id).unwrap())
}

fn vali() -> Actor {
    governor(GovernorPost::Vali, "20.VALILIK.VALI")
}

fn sgb() -> Actor {
    Actor::Strategy { id: "sgb1".into() }
}

/// Actors of every relation (to a request of a Denizli unit), several for some.
fn actors() -> Vec<(PersonnelRelation, Actor)> {
    use PersonnelRelation as R;
    let tracking = TrackingNumber::new(ProvincePlate::new(20).unwrap(), 2026, 1).unwrap();
    vec![
        (
            R::ClerkOwnProvince,
            Actor::clerk("b1", UnitId::parse("20.ACIK_KAPI").unwrap()),
        ),
        (
            R::ClerkOtherProvince,
            Actor::clerk("b2", UnitId::parse("07.ACIK_KAPI").unwrap()),
        ),
        (R::GovernorOwnProvince, vali()),
        (
            R::GovernorOwnProvince,
            governor(GovernorPost::ValiYardimcisi, "20.VALILIK.VALI_YARDIMCISI"),
        ),
        (
            R::GovernorOwnProvince,
            governor(
                GovernorPost::Kaymakam,
                "20.MERKEZEFENDI.KAYMAKAMLIK.KAYMAKAM",
            ),
        ),
        (
            R::GovernorOtherProvince,
            governor(GovernorPost::Vali, "07.VALILIK.VALI"),
        ),
        (R::Strategy, sgb()),
        (
            R::Officer,
            Actor::officer(OfficerId::parse("20.MEB.YETKILI").unwrap(), Role::Yetkili),
        ),
        (
            R::Officer,
            Actor::officer(OfficerId::parse("20.MEB.AMIR").unwrap(), Role::Head),
        ),
        (
            R::Citizen,
            Actor::citizen(tracking, CitizenProof::PhoneLastFour("4567".into())),
        ),
        (R::Analyst, Actor::analyst("a1")),
        (R::System, Actor::system()),
        (
            R::Recorded,
            Actor::Recorded {
                role: "bureau".into(),
                id: "b1".into(),
                unit: "Denizli Valiliği Açık Kapı Bürosu".into(),
            },
        ),
    ]
}

/// A service holding one request of `kind` (submitted by the vali), its id.
fn with_request(kind: ChangeKind) -> (Personnel, String) {
    let s = Personnel::in_memory().unwrap();
    let id = s
        .submit(&vali(), request(kind, "20.ACIK_KAPI"), t0(), None)
        .unwrap()
        .id;
    (s, id)
}

fn snapshot(
    s: &Personnel,
) -> (
    usize,
    std::collections::BTreeMap<InstanceId, PersonnelState>,
) {
    s.with_engine(|e| (e.len(), e.states()))
}

/// Runs `op` as `actor` on a fresh service where the operation fits the request's status.
fn attempt(op: PersonnelOperation, actor: &Actor) -> (Personnel, Result<()>) {
    use PersonnelOperation as O;
    let now = t0();
    let opinion = Opinion {
        favourable: true,
        text: "Uygundur".into(),
    };
    match op {
        O::Submit => {
            let s = Personnel::in_memory().unwrap();
            let r = s
                .submit(
                    actor,
                    request(ChangeKind::ExtraDuty, "20.ACIK_KAPI"),
                    now,
                    None,
                )
                .map(|out| assert_eq!(out.status, "requested"));
            (s, r)
        }
        O::GiveOpinion => {
            let (s, id) = with_request(ChangeKind::CancelAssignment);
            let r = s
                .give_opinion(actor, &id, opinion, now, None)
                .map(|out| assert_eq!(out.status, "opinion_given"));
            (s, r)
        }
        O::Approve => {
            let (s, id) = with_request(ChangeKind::ExtraDuty);
            let r = s
                .approve(actor, &id, now, None)
                .map(|out| assert_eq!(out.status, "approved"));
            (s, r)
        }
        O::Reject => {
            let (s, id) = with_request(ChangeKind::ExtraDuty);
            let r = s
                .reject(actor, &id, "Kadro yok", now, None)
                .map(|out| assert_eq!(out.status, "rejected"));
            (s, r)
        }
        O::Withdraw => {
            let (s, id) = with_request(ChangeKind::ExtraDuty);
            let r = s
                .withdraw(actor, &id, now, None)
                .map(|out| assert_eq!(out.status, "withdrawn"));
            (s, r)
        }
        O::Read => {
            let (s, id) = with_request(ChangeKind::ExtraDuty);
            let page = s.inbox(actor, &PersonnelQuery::default());
            let r = s.view(actor, &id).map(|v| {
                assert_eq!(v.state.status, PersonnelStatus::Requested);
                assert_eq!(page.total, 1);
                assert_eq!(page.items[0].id, id);
            });
            if r.is_err() {
                assert_eq!(page.total, 0, "a refused reader sees nothing in the inbox");
                assert!(page.items.is_empty());
            }
            (s, r)
        }
        O::Tick => {
            let (s, id) = with_request(ChangeKind::CancelAssignment);
            // Five business days after Monday 23 Nov: due Monday 30 Nov, 17:30 Turkey.
            let due = Utc.with_ymd_and_hms(2026, 11, 30, 14, 30, 0).unwrap();
            let r = s.tick(actor, due).map(|fired| {
                assert_eq!(fired.len(), 1);
                assert!(s.view(&sgb(), &id).unwrap().state.opinion_late);
            });
            (s, r)
        }
    }
}

#[test]
fn every_cell_of_the_table_holds_against_the_service() {
    let actors = actors();
    // Every relation has at least one actor, and the actors are what the table says they are.
    for rel in PersonnelRelation::ALL {
        assert!(actors.iter().any(|(r, _)| r == rel), "{rel:?} has no actor");
    }
    let req = request(ChangeKind::ExtraDuty, "20.ACIK_KAPI");
    for (rel, actor) in &actors {
        assert_eq!(relation(actor, Some(&req)), *rel, "{actor:?}");
    }
    let mut allowed_cells = 0;
    for (rel, actor) in &actors {
        for &op in PersonnelOperation::ALL {
            let expected = allowed(*rel, op);
            // The state a refused operation must leave untouched: the setup's.
            let (before_len, before) = match op {
                PersonnelOperation::Submit => (0, Default::default()),
                PersonnelOperation::GiveOpinion | PersonnelOperation::Tick => {
                    snapshot(&with_request(ChangeKind::CancelAssignment).0)
                }
                _ => snapshot(&with_request(ChangeKind::ExtraDuty).0),
            };
            let (service, result) = attempt(op, actor);
            match result {
                Ok(()) => assert!(expected, "{rel:?} {actor:?} may not {op:?}, but did"),
                Err(Error::Forbidden { .. }) => {
                    assert!(!expected, "{rel:?} {actor:?} may {op:?}, but was refused");
                    let (len, states) = snapshot(&service);
                    assert_eq!(len, before_len, "{rel:?} {op:?}");
                    assert_eq!(states, before, "{rel:?} {op:?}: a refusal changed state");
                }
                Err(e) => panic!("{rel:?} {actor:?} {op:?}: unexpected {e}"),
            }
            if expected {
                allowed_cells += 1;
            }
        }
    }
    // Each allowed cell of the table was exercised by at least one actor.
    for cell in MATRIX {
        assert!(actors.iter().any(|(r, _)| *r == cell.relation), "{cell:?}");
    }
    assert!(allowed_cells >= MATRIX.len());
}

#[test]
fn the_engine_guards_ask_the_same_table() {
    // Around the service, straight on the engine: the guards refuse the same actors.
    let mut e = Engine::open(
        PersonnelWorkflow::default(),
        Arc::new(MemoryJournal::new()),
        MemorySink::new(),
        EngineOptions::default(),
    )
    .unwrap();
    let mut run = |cid: &str, actor: &Actor, command: PersonnelCommand| {
        e.execute(
            &InstanceId::new("P1"),
            CommandId::new(cid),
            None,
            actor,
            t0(),
            command,
        )
    };
    let submit = || PersonnelCommand::Submit {
        request: request(ChangeKind::ExtraDuty, "20.ACIK_KAPI"),
    };
    let other = governor(GovernorPost::Vali, "07.VALILIK.VALI");
    assert!(matches!(
        run("c1", &other, submit()),
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        run("c2", &sgb(), submit()),
        Err(Error::Forbidden { .. })
    ));
    run("c3", &vali(), submit()).unwrap();
    assert!(matches!(
        run("c4", &other, PersonnelCommand::Approve),
        Err(Error::Forbidden { .. })
    ));
    let clerk = Actor::clerk("b1", UnitId::parse("20.ACIK_KAPI").unwrap());
    assert!(matches!(
        run("c5", &clerk, PersonnelCommand::Approve),
        Err(Error::Forbidden { .. })
    ));
    assert_eq!(
        run("c6", &vali(), PersonnelCommand::Approve)
            .unwrap()
            .status,
        "approved"
    );
}

#[test]
fn numbers_are_per_province_and_year_and_commands_are_idempotent() {
    let s = Personnel::in_memory().unwrap();
    let a = s
        .submit(
            &vali(),
            request(ChangeKind::ExtraDuty, "20.ACIK_KAPI"),
            t0(),
            None,
        )
        .unwrap();
    let b = s
        .submit(
            &vali(),
            request(ChangeKind::ExtraDuty, "20.SAGLIK_MUDURLUGU"),
            t0(),
            Some(CommandId::new("mine")),
        )
        .unwrap();
    let izmir = governor(GovernorPost::Vali, "35.VALILIK.VALI");
    let c = s
        .submit(
            &izmir,
            request(ChangeKind::ExtraDuty, "35.ACIK_KAPI"),
            t0(),
            None,
        )
        .unwrap();
    assert_eq!(a.id, "PD-20-2026-0000001");
    assert_eq!(b.id, "PD-20-2026-0000002");
    assert_eq!(c.id, "PD-35-2026-0000001");
    // The same command id: the first id, no new request.
    let again = s
        .submit(
            &vali(),
            request(ChangeKind::ExtraDuty, "20.SAGLIK_MUDURLUGU"),
            t0(),
            Some(CommandId::new("mine")),
        )
        .unwrap();
    assert_eq!(again, b);
    assert_eq!(s.with_engine(Engine::len), 3);
    // Approve twice with one id: one decision.
    let first = s
        .approve(&vali(), &a.id, t0(), Some(CommandId::new("ok")))
        .unwrap();
    let second = s
        .approve(&vali(), &a.id, t0(), Some(CommandId::new("ok")))
        .unwrap();
    assert!(!first.repeated && second.repeated);
    // Numbering continues from the stored ids after a restart.
    let engine = s.engine.into_inner().unwrap();
    let s = Personnel::new(engine);
    let d = s
        .submit(
            &vali(),
            request(ChangeKind::ExtraDuty, "20.ACIK_KAPI"),
            t0(),
            None,
        )
        .unwrap();
    assert_eq!(d.id, "PD-20-2026-0000003");
    // Unknown ids are unknown, not forbidden.
    assert!(matches!(
        s.view(&vali(), "PD-20-2026-0000099"),
        Err(Error::UnknownInstance(_))
    ));
}

#[test]
fn inbox_pages_open_requests_of_the_province_oldest_first() {
    let s = Personnel::in_memory().unwrap();
    let mut ids = Vec::new();
    for i in 0..5 {
        let at = t0() + chrono::Duration::minutes(i);
        ids.push(
            s.submit(
                &vali(),
                request(ChangeKind::ExtraDuty, "20.ACIK_KAPI"),
                at,
                None,
            )
            .unwrap()
            .id,
        );
    }
    s.approve(&vali(), &ids[1], t0(), None).unwrap();
    let izmir = governor(GovernorPost::Vali, "35.VALILIK.VALI");
    s.submit(
        &izmir,
        request(ChangeKind::ExtraDuty, "35.ACIK_KAPI"),
        t0(),
        None,
    )
    .unwrap();
    let q = PersonnelQuery {
        per_page: 2,
        page: 1,
        ..PersonnelQuery::default()
    };
    let page = s.inbox(&vali(), &q);
    assert_eq!(page.total, 4, "open requests of Denizli only");
    let got: Vec<&str> = page.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(got, [ids[3].as_str(), ids[4].as_str()]);
    let done = s.inbox(
        &vali(),
        &PersonnelQuery {
            statuses: vec![PersonnelStatus::Approved],
            ..PersonnelQuery::default()
        },
    );
    assert_eq!(done.total, 1);
    assert_eq!(done.items[0].id, ids[1]);
    // The SGB reads every province.
    assert_eq!(s.inbox(&sgb(), &PersonnelQuery::default()).total, 5);
}

#[test]
fn old_records_with_a_unit_name_still_read_and_admit_only_the_sgb() {
    let old = r#"{"id":"S-1","unit":"Denizli Valiliği Açık Kapı Bürosu","trained":true}"#;
    let staff: Staff = serde_json::from_str(old).unwrap();
    assert_eq!(
        staff.unit,
        StaffUnit::Recorded("Denizli Valiliği Açık Kapı Bürosu".into())
    );
    assert_eq!(serde_json::to_string(&staff).unwrap(), old);
    let new: Staff =
        serde_json::from_str(r#"{"id":"S-1","unit":"20.ACIK_KAPI","trained":true}"#).unwrap();
    assert_eq!(new.unit.id().map(UnitId::as_str), Some("20.ACIK_KAPI"));
    let mut req = request(ChangeKind::ExtraDuty, "x");
    req.staff = staff;
    for (rel, actor) in actors() {
        let expected = matches!(rel, PersonnelRelation::Strategy);
        assert_eq!(
            policy::permits(&actor, PersonnelOperation::Read, Some(&req)),
            expected,
            "{rel:?}"
        );
    }
    // A new request needs a unit id: nobody may submit one with a name.
    let s = Personnel::in_memory().unwrap();
    assert!(matches!(
        s.submit(&vali(), req, t0(), None),
        Err(Error::Forbidden { .. })
    ));
    assert_eq!(s.with_engine(Engine::len), 0);
}

#[test]
fn concurrent_submitters_get_distinct_numbers() {
    let s = Personnel::in_memory().unwrap();
    let ids: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    (0..10)
                        .map(|_| {
                            s.submit(
                                &vali(),
                                request(ChangeKind::ExtraDuty, "20.ACIK_KAPI"),
                                t0(),
                                None,
                            )
                            .unwrap()
                            .id
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), 80);
    assert_eq!(s.with_engine(Engine::len), 80);
    assert!(distinct.contains(&"PD-20-2026-0000080".to_owned()));
}
