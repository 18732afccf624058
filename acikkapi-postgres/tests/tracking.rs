//! [`PgTrackingNumbers`] on a real server: unique across stores (nodes) and threads, never below
//! a number already in the journal, a used-up year an error, and the service receiving onto an
//! existing number refused.

mod support;

use std::collections::HashSet;

use acikkapi_core::Error;
use acikkapi_core::geo::ProvincePlate;
use acikkapi_core::ids::{TrackingAllocator, TrackingNumber, TrackingNumbers};
use acikkapi_postgres::{PgOptions, PgStore, PgTrackingNumbers};
use support::TestDb;

fn plate(n: u8) -> ProvincePlate {
    ProvincePlate::new(n).unwrap()
}

#[test]
fn numbers_are_unique_across_nodes_and_threads() {
    let Some(db) = TestDb::create() else { return };
    let nodes: Vec<PgTrackingNumbers> = (0..2)
        .map(|_| {
            let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
            PgTrackingNumbers::new(&store, TrackingAllocator::new())
        })
        .collect();
    let all: Vec<TrackingNumber> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|t| {
                let node = &nodes[t % 2];
                s.spawn(move || {
                    (0..100)
                        .map(|_| node.next(plate(34), 2026).expect("next"))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!(unique.len(), 600);
    // Nothing failed: no gaps either.
    assert_eq!(all.iter().map(|t| t.sequence()).max(), Some(600));
    assert_eq!(nodes[0].last(plate(34), 2026).unwrap(), 600);
    // Other provinces and years count on their own.
    assert_eq!(nodes[1].next(plate(6), 2026).unwrap().sequence(), 1);
    assert_eq!(nodes[1].next(plate(34), 2027).unwrap().sequence(), 1);
}

#[test]
fn never_below_the_journal_and_a_full_year_is_an_error() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    // A node that found number 41 in the journal (copied in, no counter row yet).
    let found = TrackingNumber::new(plate(20), 2026, 41).unwrap();
    let a = PgTrackingNumbers::new(&store, TrackingAllocator::from_ids([found.to_string()]));
    assert_eq!(a.next(plate(20), 2026).unwrap().sequence(), 42);
    // Another node that found nothing still counts on from the database.
    let b = PgTrackingNumbers::new(&store, TrackingAllocator::new());
    assert_eq!(b.next(plate(20), 2026).unwrap().sequence(), 43);
    // A number received from elsewhere raises the counter.
    b.observe(&TrackingNumber::new(plate(20), 2026, 100).unwrap())
        .unwrap();
    assert_eq!(a.next(plate(20), 2026).unwrap().sequence(), 101);
    // A used-up year: an error, the counter stays.
    let full = TrackingNumber::new(plate(21), 2026, TrackingNumber::MAX_SEQUENCE).unwrap();
    a.observe(&full).unwrap();
    for node in [&a, &b] {
        assert!(matches!(
            node.next(plate(21), 2026),
            Err(Error::TrackingNumber(_))
        ));
    }
    assert_eq!(
        a.last(plate(21), 2026).unwrap(),
        TrackingNumber::MAX_SEQUENCE
    );
    assert!(matches!(
        a.next(plate(20), 1999),
        Err(Error::TrackingNumber(_))
    ));
}

#[test]
fn the_service_numbers_from_the_database_and_never_below_its_journal() {
    use acikkapi_core::journal::Journal;
    use acikkapi_core::org::UnitId;
    use acikkapi_core::workflow::application::ApplicationWorkflow;
    use acikkapi_core::workflow::ports::NullSink;
    use acikkapi_core::workflow::{Actor, EngineOptions};
    use acikkapi_postgres::open_applications;

    let Some(db) = TestDb::create() else { return };
    let clerk = Actor::clerk("b1", UnitId::parse("34.ACIK_KAPI").unwrap());
    let now = "2026-11-23T09:00:00Z".parse().unwrap();
    let input = || serde_json::from_str(acikkapi_core::samples::ALL[0].1).unwrap();
    let open = || {
        let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
        open_applications(
            &store,
            ApplicationWorkflow::default(),
            NullSink,
            EngineOptions::default(),
        )
        .expect("open")
    };
    let a = open();
    assert_eq!(a.partitions(), 81);
    let first = a.submit(&clerk, input(), now, None).unwrap().tracking;
    let second = a.submit(&clerk, input(), now, None).unwrap().tracking;
    assert_eq!((first.sequence(), second.sequence()), (1, 2));
    assert_eq!(first.plate().get(), 34);
    // The counters are lost (a journal copied in without them): a node that opens the journal
    // counts on after the numbers it finds there.
    support::sql(&db.url, "DELETE FROM tracking_counters").unwrap();
    drop(a);
    let b = open();
    assert_eq!(
        b.submit(&clerk, input(), now, None)
            .unwrap()
            .tracking
            .sequence(),
        3
    );
    // Receiving onto a number that exists is refused and changes nothing.
    let before = b.view(&clerk, &first.to_string(), now).unwrap();
    let again = b.receive_as(&clerk, &first, input(), now);
    assert!(matches!(again, Err(Error::Conflict { .. })), "{again:?}");
    assert_eq!(b.view(&clerk, &first.to_string(), now).unwrap(), before);
    // The applications are in İstanbul's stream, "34", and nowhere else.
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    assert!(store.journal("34").unwrap().last_seq().0 >= 6);
    assert_eq!(store.journal("20").unwrap().last_seq().0, 0);
}
