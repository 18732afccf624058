//! Tests of access, masking, analyst records, replay and statistics.

use super::tests::{
    T, assignment, bureau, day, intake, officer, other_bureau, other_officer, vali,
};
use super::*;
use crate::Error;
use crate::application::{AgeGroup, Gender};
use crate::workflow::ports::{MemorySink, local_time};
use crate::workflow::{Actor, CommandId, Engine, EngineOptions, InstanceId};

#[test]
fn confidential_applications_are_seen_only_by_their_holders() {
    let mut t = T::new();
    let mut i = intake();
    i.confidential = Some(true);
    t.receive("A1", i);
    t.route("A1", assignment()).unwrap();
    let id = InstanceId::new("A1");
    assert!(t.e.view(&id, &bureau()).is_ok());
    assert!(t.e.view(&id, &officer()).is_ok());
    assert!(t.e.view(&id, &vali()).is_ok());
    assert!(matches!(
        t.e.view(&id, &other_bureau()),
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        t.e.view(&id, &other_officer()),
        Err(Error::Forbidden { .. })
    ));
    let analyst = Actor::analyst("a1");
    assert!(t.e.view(&id, &analyst).is_err());
    assert!(matches!(
        t.run(
            "A1",
            &other_bureau(),
            ApplicationCommand::AddNote {
                text: "bakalım".into()
            }
        ),
        Err(Error::Forbidden { .. })
    ));
    // A non-confidential one: the bureau that registered it and the governor's office of the
    // province, not another bureau unit (the bureau sees what it registered).
    t.receive("A2", intake());
    assert!(t.e.view(&InstanceId::new("A2"), &bureau()).is_ok());
    assert!(t.e.view(&InstanceId::new("A2"), &vali()).is_ok());
    assert!(t.e.view(&InstanceId::new("A2"), &other_bureau()).is_err());
    assert!(t.e.view(&InstanceId::new("A2"), &analyst).is_err());
}

#[test]
fn the_public_history_is_masked() {
    let mut t = T::new();
    t.routed("A1");
    t.run(
        "A1",
        &officer(),
        ApplicationCommand::AddNote {
            text: "GİZLİ NOT velinin şikâyeti".into(),
        },
    )
    .unwrap();
    t.e.tick(local_time(day(30), 9, 0)).unwrap();
    t.run(
        "A1",
        &officer(),
        ApplicationCommand::Answer {
            outcome: Outcome::Positive,
            text: "Kasis yapılacak.".into(),
        },
    )
    .unwrap();
    let h = t.e.track("A1").unwrap();
    let all = serde_json::to_string(&h).unwrap();
    for secret in [
        "o1",
        "GİZLİ",
        "Ayşe",
        "10000000146",
        "5321234567",
        "Hatırlat",
    ] {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }
    assert!(all.contains("Denizli İl Milli Eğitim Müdürlüğü"));
    assert_eq!(h.outcome, Some(Outcome::Positive));
    assert_eq!(h.answer.as_deref(), Some("Kasis yapılacak."));
    assert_eq!(h.entries.len(), 4, "{:?}", h.entries);
    assert!(matches!(t.e.track("YOK"), Err(Error::UnknownInstance(_))));
}

#[test]
fn analysts_get_de_identified_records() {
    let mut t = T::new();
    t.routed("A1");
    let mut i = intake();
    i.confidential = Some(true);
    t.receive("A2", i);
    let analyst = Actor::analyst("a1");
    let recs = t.e.analyst_records(&analyst).unwrap();
    assert_eq!(recs.len(), 2);
    let all = serde_json::to_string(&recs).unwrap();
    for secret in [
        "A1",
        "A2",
        "Ayşe",
        "10000000146",
        "5321234567",
        "o1",
        "Okulun",
    ] {
        assert!(!all.contains(secret), "{secret} leaked");
    }
    assert!(recs.iter().all(|r| r.applicant.is_some_and(|a| a.age_group
        == Some(AgeGroup::From45To64)
        && a.gender == Some(Gender::Female))));
    assert!(t.e.analyst_records(&Actor::system()).is_err());
}

#[test]
fn reopening_replays_to_the_same_state_with_or_without_snapshot() {
    let mut t = T::new();
    t.routed("A1");
    t.receive("A2", intake());
    t.e.snapshot().unwrap();
    t.run(
        "A1",
        &officer(),
        ApplicationCommand::Answer {
            outcome: Outcome::Negative,
            text: "Hayır".into(),
        },
    )
    .unwrap();
    t.e.tick(local_time(day(30), 9, 0)).unwrap();
    let reopened = Engine::open(
        ApplicationWorkflow::default(),
        t.log.clone(),
        MemorySink::new(),
        EngineOptions::default(),
    )
    .unwrap();
    assert_eq!(reopened.states(), t.e.states());
    assert_eq!(reopened.last_seq(), t.e.last_seq());
    assert_eq!(reopened.next_due(), t.e.next_due());
    for (id, inst) in t.e.instances() {
        assert_eq!(reopened.instance(id), Some(inst));
    }
    // Command results survive too.
    assert!(reopened.command_outcome(&CommandId::new("c1")).is_some());
}

#[test]
fn statistics_add_up() {
    let mut t = T::new();
    t.routed("A1");
    t.run(
        "A1",
        &officer(),
        ApplicationCommand::Answer {
            outcome: Outcome::Positive,
            text: "Evet".into(),
        },
    )
    .unwrap();
    t.routed("A2");
    let mut bad = intake();
    bad.name = None;
    t.receive("A3", bad);
    let s = t.e.statistics();
    assert_eq!(
        (
            s.received,
            s.concluded,
            s.positive,
            s.pending,
            s.not_processed
        ),
        (3, 1, 1, 1, 1)
    );
    assert!(s.is_conserved());
}
