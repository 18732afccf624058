//! The engine's SMS through `PgOutbox`: a simulated fortnight of applications on a PostgreSQL
//! journal, the outbox ticked every office hour, sends the same notifications as the same run on
//! the memory journal and outbox; then `Engine::requeue_notifications` (what a node does after a
//! crash) offers every notification again and the outbox, keyed by the idempotency key, sends
//! none twice.

mod support;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use acikkapi_core::geo::Geography;
use acikkapi_core::journal::{Journal, MemoryJournal};
use acikkapi_core::notify::{DeliveryQueue, Outbox, RecordingNotifier, RetryPolicy};
use acikkapi_core::routing::Router;
use acikkapi_core::sim::{self, Model, Policy, Prepared, Scenario};
use acikkapi_postgres::{PgOptions, PgOutboxOptions, PgStore};
use chrono::NaiveDate;
use support::TestDb;

fn prepared() -> Prepared {
    let province = Geography::embedded()
        .require_province("Denizli")
        .expect("Denizli");
    let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let days = 14;
    let mut scenario = Scenario::new(province.plate.get(), start, days, 7).expect("scenario");
    let count: u32 = 60;
    scenario.per_100k_year = Some(
        f64::from(count) / f64::from(days) * 365.0 / f64::from(province.population_2023)
            * 100_000.0,
    );
    scenario.exact_count = Some(u64::from(count));
    sim::prepare(&scenario, &Model::embedded().expect("model")).expect("prepare")
}

fn keys(sent: &RecordingNotifier) -> Vec<String> {
    sent.sent().into_iter().map(|n| n.key.0).collect()
}

#[test]
fn the_engines_sms_go_through_the_database_once_each_even_when_offered_again() {
    let Some(db) = TestDb::create() else { return };
    let prepared = prepared();
    let router = Router::shared(
        Geography::embedded()
            .require_province("Denizli")
            .unwrap()
            .plate,
    )
    .expect("router");
    let policy = Policy::default();

    // The reference: memory journal, memory outbox.
    let memory: Arc<Mutex<Outbox>> = Arc::new(Mutex::new(Outbox::new(RetryPolicy::default())));
    let reference = RecordingNotifier::new();
    sim::run_with(
        &prepared,
        &policy,
        router.as_ref(),
        Arc::new(MemoryJournal::new()),
        memory.clone(),
        |now| {
            memory.tick(now, &reference)?;
            Ok(())
        },
    )
    .expect("memory run");
    let expected = keys(&reference);
    assert!(
        expected.len() > 60,
        "a registration SMS at least: {expected:?}"
    );

    // The same run on PostgreSQL: journal stream "20", the SMS in outbox_messages.
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let journal: Arc<dyn Journal> = Arc::new(store.journal("20").expect("journal"));
    let outbox = store
        .outbox(PgOutboxOptions {
            node: "denizli-1".into(),
            ..PgOutboxOptions::default()
        })
        .expect("outbox");
    let gateway = RecordingNotifier::new();
    let mut last = None;
    let mut engine = sim::run_with(
        &prepared,
        &policy,
        router.as_ref(),
        journal,
        outbox.clone(),
        |now| {
            last = Some(now);
            outbox.tick(now, &gateway)?;
            Ok(())
        },
    )
    .expect("postgres run");
    let sent = keys(&gateway);
    assert_eq!(
        sent.iter().collect::<BTreeSet<_>>(),
        expected.iter().collect::<BTreeSet<_>>(),
        "the same notifications"
    );
    assert_eq!(sent.len(), expected.len(), "none twice");
    let counts = outbox.counts().expect("counts");
    assert_eq!((counts.sent, counts.pending), (sent.len() as u64, 0));

    // As after a crash, the engine offers every notification again: all known, none sent again.
    let now = last.expect("ticked");
    let offered = engine.requeue_notifications(now);
    assert!(offered >= sent.len(), "{offered} offered");
    assert_eq!(outbox.depth().expect("depth"), 0);
    assert_eq!(outbox.tick(now, &gateway).expect("tick").sent, 0);
    assert_eq!(gateway.sent().len(), expected.len());
}
