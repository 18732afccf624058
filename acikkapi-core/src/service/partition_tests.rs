//! A service on several partitions (one stream per province, as on PostgreSQL): the same
//! results as on one partition, and two services (two nodes) on the same streams.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::journal::MemoryJournal;
use crate::workflow::ports::local_time;

fn t0() -> DateTime<Utc> {
    local_time(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), 10, 0)
}

fn clerk(plate: u8) -> Actor {
    Actor::clerk(
        format!("b{plate}"),
        UnitId::parse(&format!("{plate:02}.ACIK_KAPI")).unwrap(),
    )
}

fn sample(i: usize) -> ApplicationInput {
    let all = crate::samples::ALL;
    serde_json::from_str(all[i % all.len()].1).unwrap()
}

fn plates() -> Vec<ProvincePlate> {
    (1..=81).map(|p| ProvincePlate::new(p).unwrap()).collect()
}

/// One journal per province.
fn streams() -> Vec<Arc<dyn Journal>> {
    (1..=81)
        .map(|_| Arc::new(MemoryJournal::new()) as Arc<dyn Journal>)
        .collect()
}

fn node(streams: &[Arc<dyn Journal>], numbers: Arc<TrackingAllocator>) -> Applications {
    let partitions = plates()
        .into_iter()
        .zip(streams)
        .map(|(p, j)| {
            let engine = Engine::open(
                ApplicationWorkflow::default(),
                j.clone(),
                MemorySink::new(),
                EngineOptions::default(),
            )
            .unwrap();
            (vec![p], engine)
        })
        .collect();
    Applications::partitioned(partitions, Box::new(numbers)).unwrap()
}

fn all(s: &Applications) -> Vec<InboxItem> {
    let q = Query {
        per_page: 1000,
        ..Query::default()
    };
    let mut out = Vec::new();
    for p in [20, 34] {
        out.extend(s.search(&clerk(p), &q, t0()).items);
    }
    out
}

#[test]
fn several_partitions_give_the_results_of_one() {
    let one = Applications::in_memory().unwrap();
    let streams = streams();
    let many = node(&streams, Arc::new(TrackingAllocator::new()));
    assert_eq!(many.partitions(), 81);
    for s in [&one, &many] {
        for i in 0..6 {
            let plate = if i % 2 == 0 { 20 } else { 34 };
            let sub = s.submit(&clerk(plate), sample(i), t0(), None).unwrap();
            if sub.status == "registered" {
                s.route(&clerk(plate), &sub.tracking.to_string(), 0, t0(), None)
                    .unwrap();
            }
        }
    }
    assert_eq!(all(&one), all(&many));
    let analyst = Actor::analyst("a1");
    assert_eq!(
        one.statistics(&analyst, t0()).unwrap(),
        many.statistics(&analyst, t0()).unwrap()
    );
    assert_eq!(
        one.stats_records(&analyst, t0()).unwrap(),
        many.stats_records(&analyst, t0()).unwrap()
    );
    // Each province's applications are in its own stream, nowhere else.
    let mut per_stream = Vec::new();
    many.with_engines(|e| per_stream.push(e.len()));
    assert_eq!(per_stream[19], 3);
    assert_eq!(per_stream[33], 3);
    assert_eq!(per_stream.iter().sum::<usize>(), 6);
    assert!(many.into_engine().is_err(), "no single engine to give back");
}

#[test]
fn two_services_on_the_same_streams_act_on_the_same_applications() {
    let streams = streams();
    let numbers = Arc::new(TrackingAllocator::new());
    let a = node(&streams, numbers.clone());
    let b = node(&streams, numbers);
    let sub = a.submit(&clerk(20), sample(0), t0(), None).unwrap();
    assert_eq!(sub.status, "registered");
    let t = sub.tracking.to_string();
    // B has not seen it: it looks in the stream before calling the number unknown.
    let routed = b.route(&clerk(20), &t, 0, t0(), None).unwrap();
    assert!(!routed.repeated);
    // A still believes it is registered at version 2: its route derives the same command id
    // (`<number>:2:ilet`, the same step from the same version), which B committed: A catches
    // up on the way and answers with B's result instead of routing twice.
    let again = a.route(&clerk(20), &t, 0, t0(), None).unwrap();
    assert!(again.repeated);
    assert_eq!(again.version, routed.version);
    // A note from A at the version it now knows goes on top of B's route.
    let note = a.add_note(&clerk(20), &t, "iç not", t0(), None).unwrap();
    assert_eq!(note.version, routed.version + 1);
    // Numbers from the shared source never repeat across the nodes.
    let other = b.submit(&clerk(20), sample(1), t0(), None).unwrap();
    assert_ne!(other.tracking, sub.tracking);
    a.refresh().unwrap();
    b.refresh().unwrap();
    assert_eq!(all(&a), all(&b));
    // A caller's command id used on one node returns the same number on the other.
    let cid = Some(CommandId::new("web-7"));
    let first = a.receive(&clerk(34), sample(2), t0(), cid.clone()).unwrap();
    let retry = b.receive(&clerk(34), sample(2), t0(), cid).unwrap();
    assert_eq!(first, retry);
}

#[test]
fn receiving_onto_an_existing_number_fails_and_changes_nothing() {
    let streams = streams();
    let numbers = Arc::new(TrackingAllocator::new());
    let a = node(&streams, numbers.clone());
    let b = node(&streams, numbers);
    let sub = a.submit(&clerk(20), sample(0), t0(), None).unwrap();
    let before = a.view(&clerk(20), &sub.tracking.to_string(), t0()).unwrap();
    for s in [&a, &b] {
        let r = s.receive_as(&clerk(20), &sub.tracking, sample(3), t0());
        assert!(matches!(r, Err(Error::Conflict { .. })), "{r:?}");
    }
    b.refresh().unwrap();
    for s in [&a, &b] {
        assert_eq!(
            s.view(&clerk(20), &sub.tracking.to_string(), t0()).unwrap(),
            before
        );
    }
}

#[test]
fn every_province_in_exactly_one_partition() {
    let engine = || {
        Engine::open(
            ApplicationWorkflow::default(),
            Arc::new(MemoryJournal::new()),
            MemorySink::new(),
            EngineOptions::default(),
        )
        .unwrap()
    };
    let numbers = || Box::new(TrackingAllocator::new()) as Box<dyn TrackingNumbers>;
    let mut most = plates();
    most.pop();
    let missing = Applications::partitioned(vec![(most, engine())], numbers());
    assert!(matches!(missing, Err(Error::JournalInvalid(m)) if m.contains("81")));
    let twice = Applications::partitioned(
        vec![
            (plates(), engine()),
            (vec![ProvincePlate::new(6).unwrap()], engine()),
        ],
        numbers(),
    );
    assert!(matches!(twice, Err(Error::JournalInvalid(m)) if m.contains("two")));
    assert!(Applications::partitioned(Vec::new(), numbers()).is_err());
    // One partition holding every province works like `Applications::new`.
    let whole = Applications::partitioned(vec![(plates(), engine())], numbers()).unwrap();
    let sub = whole.submit(&clerk(6), sample(0), t0(), None).unwrap();
    assert_eq!(sub.tracking.plate().get(), 6);
}
