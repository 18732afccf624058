use chrono::{TimeZone, Utc};

use super::*;
use std::sync::Arc;

use crate::journal::MemoryJournal;
use crate::workflow::ports::NullSink;
use crate::workflow::{Actor, CommandId, Engine, EngineOptions, InstanceId};

fn engine() -> Engine<PersonnelWorkflow> {
    Engine::open(
        PersonnelWorkflow::default(),
        Arc::new(MemoryJournal::new()),
        NullSink,
        EngineOptions::default(),
    )
    .unwrap()
}

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    // November 2026: the 23rd is a Monday.
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

fn request(kind: ChangeKind, trained: bool, under_investigation: bool) -> ChangeRequest {
    ChangeRequest {
        staff: Staff {
            id: "S-1001".into(),
            unit: UnitId::parse("20.ACIK_KAPI").unwrap().into(),
            trained,
        },
        kind,
        under_investigation,
        justification: "Hizmet gereği".into(),
    }
}

fn vali() -> Actor {
    crate::workflow::application::test_actors::vali_of_denizli()
}
fn bureau() -> Actor {
    crate::workflow::application::test_actors::clerk_of("20.ACIK_KAPI")
}
fn sgb() -> Actor {
    Actor::Strategy { id: "sgb1".into() }
}

fn run(
    e: &mut Engine<PersonnelWorkflow>,
    id: &str,
    cmd_id: &str,
    actor: &Actor,
    cmd: PersonnelCommand,
) -> Result<crate::workflow::CommandOutcome> {
    e.execute(
        &InstanceId::new(id),
        CommandId::new(cmd_id),
        None,
        actor,
        at(23, 9),
        cmd,
    )
}

#[test]
fn trained_staff_cannot_be_reassigned_or_given_extra_duty() {
    let mut e = engine();
    for kind in [ChangeKind::Reassignment, ChangeKind::ExtraDuty] {
        let err = run(
            &mut e,
            "P1",
            "c1",
            &bureau(),
            PersonnelCommand::Submit {
                request: request(kind, true, false),
            },
        )
        .unwrap_err();
        assert!(matches!(err, Error::GuardFailed { .. }), "{err}");
    }
    assert!(e.is_empty());
}

#[test]
fn under_investigation_or_untrained_staff_can_be_reassigned() {
    let mut e = engine();
    run(
        &mut e,
        "P1",
        "c1",
        &bureau(),
        PersonnelCommand::Submit {
            request: request(ChangeKind::Reassignment, true, true),
        },
    )
    .unwrap();
    run(
        &mut e,
        "P2",
        "c2",
        &bureau(),
        PersonnelCommand::Submit {
            request: request(ChangeKind::ExtraDuty, false, false),
        },
    )
    .unwrap();
    let out = run(&mut e, "P1", "c3", &vali(), PersonnelCommand::Approve).unwrap();
    assert_eq!(out.status, "approved");
    assert_eq!(e.counts()["requested"], 1);
}

#[test]
fn cancellation_and_branch_manager_need_the_opinion_first() {
    let mut e = engine();
    for (id, kind) in [
        ("P1", ChangeKind::CancelAssignment),
        ("P2", ChangeKind::AppointBranchManager),
    ] {
        let out = run(
            &mut e,
            id,
            &format!("{id}-s"),
            &vali(),
            PersonnelCommand::Submit {
                request: request(kind, true, false),
            },
        )
        .unwrap();
        assert_eq!(out.status, "awaiting_opinion");
        assert_eq!(out.events, 2);
        let err = run(
            &mut e,
            id,
            &format!("{id}-a"),
            &vali(),
            PersonnelCommand::Approve,
        )
        .unwrap_err();
        assert!(matches!(err, Error::GuardFailed { .. }));
        let err = run(
            &mut e,
            id,
            &format!("{id}-o1"),
            &vali(),
            PersonnelCommand::GiveOpinion {
                opinion: Opinion {
                    favourable: true,
                    text: "Uygundur".into(),
                },
            },
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::Forbidden { .. }),
            "only SGB gives the opinion"
        );
        run(
            &mut e,
            id,
            &format!("{id}-o"),
            &sgb(),
            PersonnelCommand::GiveOpinion {
                opinion: Opinion {
                    favourable: true,
                    text: "Uygundur".into(),
                },
            },
        )
        .unwrap();
    }
    assert_eq!(
        run(&mut e, "P1", "P1-a2", &vali(), PersonnelCommand::Approve)
            .unwrap()
            .status,
        "approved"
    );
    let out = run(
        &mut e,
        "P2",
        "P2-r",
        &vali(),
        PersonnelCommand::Reject {
            reason: "Kadro yok".into(),
        },
    )
    .unwrap();
    assert_eq!(out.status, "rejected");
    assert_eq!(
        e.instance(&InstanceId::new("P2"))
            .unwrap()
            .state
            .rejection
            .as_deref(),
        Some("Kadro yok")
    );
}

#[test]
fn only_the_vali_decides_and_terminal_states_stay() {
    let mut e = engine();
    run(
        &mut e,
        "P1",
        "s",
        &bureau(),
        PersonnelCommand::Submit {
            request: request(ChangeKind::ExtraDuty, false, false),
        },
    )
    .unwrap();
    assert!(matches!(
        run(&mut e, "P1", "a1", &bureau(), PersonnelCommand::Approve),
        Err(Error::Forbidden { .. })
    ));
    run(&mut e, "P1", "w", &bureau(), PersonnelCommand::Withdraw).unwrap();
    assert!(matches!(
        run(&mut e, "P1", "a2", &vali(), PersonnelCommand::Approve),
        Err(Error::InvalidTransition { .. })
    ));
    assert!(matches!(
        run(&mut e, "P9", "x", &vali(), PersonnelCommand::Approve),
        Err(Error::UnknownInstance(_))
    ));
}

#[test]
fn late_opinion_is_marked_once_after_the_business_days() {
    let mut e = engine();
    run(
        &mut e,
        "P1",
        "s",
        &vali(),
        PersonnelCommand::Submit {
            request: request(ChangeKind::CancelAssignment, true, false),
        },
    )
    .unwrap();
    // Submitted Monday 23 Nov 12:00 Turkey (counts that day): 5 business days → due Monday
    // 30 Nov 17:30 Turkey = 14:30 UTC.
    assert!(
        e.tick(Utc.with_ymd_and_hms(2026, 11, 30, 14, 29, 0).unwrap())
            .unwrap()
            .is_empty()
    );
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 14, 30, 0).unwrap();
    let fired = e.tick(now).unwrap();
    assert_eq!(fired.len(), 1);
    assert!(e.tick(now).unwrap().is_empty());
    assert!(
        e.instance(&InstanceId::new("P1"))
            .unwrap()
            .state
            .opinion_late
    );
}
