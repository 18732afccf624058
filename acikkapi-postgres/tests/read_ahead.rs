//! `PgJournal::read_range` reads the next page ahead after a full page; what it returns must be
//! exactly what a fresh read would, also when records were appended after the read-ahead.

mod support;

use acikkapi_core::journal::{Journal, Seq};
use acikkapi_postgres::{PgOptions, PgStore};
use support::TestDb;

fn payloads(seqs: &[acikkapi_core::journal::Record]) -> Vec<(u64, Vec<u8>)> {
    seqs.iter().map(|r| (r.seq.0, r.payload.clone())).collect()
}

fn rec(i: u64) -> Vec<u8> {
    format!("r{i}").into_bytes()
}

#[test]
fn a_short_page_read_ahead_is_not_served_stale() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let journal = store.journal("20").expect("journal");
    journal.append(&[rec(1), rec(2), rec(3)]).expect("append");
    // A full page: the next one (record 3 only, short) is read ahead.
    assert_eq!(
        payloads(&journal.read_range(Seq(1), 2).expect("read")),
        [(1, rec(1)), (2, rec(2))]
    );
    // Another node appends record 4 after the read-ahead.
    let other = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    other
        .journal("20")
        .expect("journal")
        .append(&[rec(4)])
        .expect("append");
    assert_eq!(
        payloads(&journal.read_range(Seq(3), 2).expect("read")),
        [(3, rec(3)), (4, rec(4))]
    );
}

#[test]
fn reads_elsewhere_after_a_read_ahead_and_full_pages_ahead_are_exact() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let journal = store.journal("20").expect("journal");
    let all: Vec<Vec<u8>> = (1..=10).map(rec).collect();
    journal.append(&all).expect("append");
    let want = |from: u64, to: u64| (from..=to).map(|i| (i, rec(i))).collect::<Vec<_>>();
    assert_eq!(
        payloads(&journal.read_range(Seq(1), 3).expect("read")),
        want(1, 3)
    );
    // Not the page read ahead (4..=6): read from elsewhere, with another limit.
    assert_eq!(
        payloads(&journal.read_range(Seq(2), 4).expect("read")),
        want(2, 5)
    );
    // The page read ahead after that one (6..=9), then the short tail.
    assert_eq!(
        payloads(&journal.read_range(Seq(6), 4).expect("read")),
        want(6, 9)
    );
    assert_eq!(
        payloads(&journal.read_range(Seq(10), 4).expect("read")),
        want(10, 10)
    );
    // A whole replay through pages, twice (the second starts while a read-ahead may be pending).
    for _ in 0..2 {
        let read: Vec<_> = journal
            .iter_from(Seq(1))
            .collect::<Result<Vec<_>, _>>()
            .expect("read");
        assert_eq!(payloads(&read), want(1, 10));
    }
}
