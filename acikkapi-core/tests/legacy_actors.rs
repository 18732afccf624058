//! Journals written before actors and assignments were typed (display names as units) still
//! replay: the context-free reading (the types' own `Deserialize`) and the journal upcast
//! (`legacy::upcast_record`, names resolved in the province of the tracking number) give the same
//! applications, the same statistics and typed actors.
//!
//! The fixture is the full history of 12 applications taken from a journal made by
//! `acikkapi demo --journal-dir … --count 150` before the change (renumbered; every kind of event
//! is in it: approvals by the vali, returns, redirects, escalations, not processed).

use std::collections::BTreeMap;
use std::sync::Arc;

use acikkapi_core::journal::{Journal, MemoryJournal};
use acikkapi_core::service::Applications;
use acikkapi_core::stats::{self, StatisticsBlock};
use acikkapi_core::workflow::application::{ApplicationWorkflow, legacy};
use acikkapi_core::workflow::ports::MemorySink;
use acikkapi_core::workflow::{Actor, Engine, EngineOptions, GovernorPost};
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/legacy-actors-v1.jsonl");

fn records() -> Vec<Value> {
    FIXTURE
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn engine_of(records: &[Value]) -> Engine<ApplicationWorkflow> {
    let journal = Arc::new(MemoryJournal::new());
    for r in records {
        journal.append(&[serde_json::to_vec(r).unwrap()]).unwrap();
    }
    Engine::open(
        ApplicationWorkflow::default(),
        journal,
        MemorySink::new(),
        EngineOptions::default(),
    )
    .unwrap()
}

fn upcast(records: &[Value]) -> Vec<Value> {
    records
        .iter()
        .cloned()
        .map(|mut r| {
            legacy::upcast_record(&mut r).unwrap();
            r
        })
        .collect()
}

/// The statistics block counted directly from the fixture's events, independent of the engine.
fn block_from_events(records: &[Value]) -> StatisticsBlock {
    let mut last: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    for r in records {
        let id = r["instance"].as_str().unwrap().to_owned();
        let (kind, body) = r["event"].as_object().unwrap().iter().next().unwrap();
        let e = last.entry(id).or_insert(("received".into(), None));
        match kind.as_str() {
            "registered" | "not_processed" | "redirected" | "routed" | "returned" | "closed"
            | "approval_requested" => e.0 = kind.clone(),
            "recategorised" => e.0 = "registered".into(),
            "answered" => {
                e.0 = "answered".into();
                e.1 = body["answer"]["outcome"].as_str().map(str::to_owned);
            }
            _ => {}
        }
    }
    let mut b = StatisticsBlock::default();
    for (status, outcome) in last.values() {
        b.received += 1;
        match (status.as_str(), outcome.as_deref()) {
            ("answered" | "closed", Some(o)) => {
                b.concluded += 1;
                match o {
                    "positive" => b.positive += 1,
                    "negative" => b.negative += 1,
                    _ => b.partly_positive += 1,
                }
            }
            ("closed", None) => {
                b.concluded += 1;
                b.closed += 1;
            }
            ("not_processed", _) => b.not_processed += 1,
            ("redirected", _) => b.redirected += 1,
            _ => b.pending += 1,
        }
    }
    b
}

#[test]
fn old_records_replay_the_same_with_and_without_the_upcast() {
    let old = records();
    let plain = engine_of(&old);
    let upcast = engine_of(&upcast(&old));
    assert_eq!(plain.len(), 12);
    let expected = block_from_events(&old);
    assert_eq!(plain.statistics(), expected);
    assert_eq!(upcast.statistics(), expected);
    assert_eq!(
        stats::records_from_engine(&plain).unwrap(),
        stats::records_from_engine(&upcast).unwrap()
    );
    for (id, inst) in plain.instances() {
        let other = upcast.instance(id).unwrap();
        // Assignments read the same way either path: ids from the officer and the organisation.
        assert_eq!(inst.state.assignment, other.state.assignment, "{id}");
        assert_eq!(inst.state.status, other.state.status, "{id}");
        if let Some(a) = &inst.state.assignment {
            assert_eq!(a.officer.unit(), a.unit, "{id}");
            assert_eq!(a.escalation.len(), a.escalation_names.len(), "{id}");
            assert_eq!(a.escalation.last().unwrap().as_str(), "20.VALILIK", "{id}");
        }
        // The bureau: the province's Açık Kapı unit (the engine upcasts schema-1 records on open,
        // so the plain replay gets it too).
        assert_eq!(
            inst.state.bureau_unit.as_ref().map(|u| u.as_str()),
            Some("20.ACIK_KAPI")
        );
        assert_eq!(
            other.state.bureau_unit.as_ref().map(|u| u.as_str()),
            Some("20.ACIK_KAPI")
        );
    }
}

#[test]
fn the_upcast_types_every_actor() {
    let old = records();
    let plain = engine_of(&old);
    let upcast = engine_of(&upcast(&old));
    let recorded = |e: &Engine<ApplicationWorkflow>| {
        e.instances()
            .flat_map(|(_, i)| i.history.iter())
            .filter(|env| matches!(env.actor, Actor::Recorded { .. }))
            .count()
    };
    // The engine upcasts schema-1 records when it opens a journal: no actor stays a bare
    // name (`Recorded`) on either path.
    assert_eq!(
        recorded(&plain),
        0,
        "the engine upcasts old records on open"
    );
    assert_eq!(recorded(&upcast), 0);
    let approvers: Vec<&Actor> = upcast
        .instances()
        .flat_map(|(_, i)| i.history.iter())
        .filter(|env| {
            matches!(
                env.event,
                acikkapi_core::workflow::application::ApplicationEvent::Approved { .. }
            )
        })
        .map(|env| &env.actor)
        .collect();
    assert!(!approvers.is_empty());
    for a in approvers {
        assert!(
            matches!(a, Actor::Governor { who: GovernorPost::Vali, id, .. } if id.as_str() == "20.VALILIK.VALI"),
            "{a:?}"
        );
    }
}

#[test]
fn old_applications_are_served_to_the_bureau_of_their_province() {
    let service = Applications::new(engine_of(&records()));
    let now = "2026-06-01T09:00:00Z".parse().unwrap();
    let denizli = Actor::bureau_of(acikkapi_core::geo::ProvincePlate::new(20).unwrap()).unwrap();
    let istanbul = Actor::bureau_of(acikkapi_core::geo::ProvincePlate::new(34).unwrap()).unwrap();
    let page = service.search(&denizli, &Default::default(), now);
    assert_eq!(page.total, 12);
    assert_eq!(service.search(&istanbul, &Default::default(), now).total, 0);
    // New numbers continue after the old ones of the same province and year.
    let highest = page
        .items
        .iter()
        .map(|i| {
            acikkapi_core::ids::TrackingNumber::parse(&i.tracking)
                .unwrap()
                .sequence()
        })
        .max()
        .unwrap();
    let input = serde_json::from_str(acikkapi_core::samples::ALL[0].1).unwrap();
    let at = "2026-03-02T09:00:00Z".parse().unwrap();
    let t = service.receive(&denizli, input, at, None).unwrap();
    assert!(t.sequence() > highest);
}
