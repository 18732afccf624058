//! The journal contract suite ([`acikkapi_core::journal::contract`]), the same checks as for the
//! memory and file journals, run against [`PgJournal`] on a real server.

mod support;

use std::sync::atomic::{AtomicU64, Ordering};

use acikkapi_core::journal::contract::{self, Subject};
use acikkapi_postgres::{PgJournal, PgOptions, PgStore};
use support::TestDb;

/// Journals as streams of one test database; "reopen" is a new store (new pool, new handles),
/// as another process would open it.
struct Streams {
    db: TestDb,
    store: PgStore,
    next: AtomicU64,
}

impl Streams {
    fn new() -> Option<Streams> {
        let db = TestDb::create()?;
        let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
        Some(Streams {
            db,
            store,
            next: AtomicU64::new(0),
        })
    }
}

impl Subject for Streams {
    type J = PgJournal;
    fn create(&self) -> (PgJournal, String) {
        let name = format!("s{}", self.next.fetch_add(1, Ordering::Relaxed));
        (self.store.journal(&name).expect("journal"), name)
    }
    fn reopen(&self, name: &str) -> Option<PgJournal> {
        let store = PgStore::connect(&self.db.url, PgOptions::default()).expect("reconnect");
        Some(store.journal(name).expect("journal"))
    }
    fn transplant_snapshot(&self, from: &str, to: &str) -> bool {
        support::sql(
            &self.db.url,
            &format!(
                "INSERT INTO journal_snapshots (stream, position, digest, data, crc)
                 SELECT '{to}', position, digest, data, crc FROM journal_snapshots WHERE stream = '{from}'
                 ON CONFLICT (stream) DO UPDATE SET position = EXCLUDED.position,
                   digest = EXCLUDED.digest, data = EXCLUDED.data, crc = EXCLUDED.crc"
            ),
        )
        .expect("copy the snapshot row");
        true
    }
}

macro_rules! contract {
    ($($check:ident),*) => {
        $(
            #[test]
            fn $check() {
                if let Some(s) = Streams::new() {
                    contract::$check(&s);
                }
            }
        )*
    };
}

contract!(
    empty,
    append_and_read_in_order,
    batches_are_atomic,
    append_if_conflict_writes_nothing,
    read_range_pagination,
    iter_from_crosses_pages,
    snapshots_write_read_and_binding,
    concurrent_appenders,
    reopen_keeps_everything
);
