//! Migrations and connection failures of the PostgreSQL store, on a real server.

mod support;

use std::time::{Duration, Instant};

use acikkapi_core::Error;
use acikkapi_core::journal::{Journal, Seq};
use acikkapi_postgres::migrate::MIGRATIONS;
use acikkapi_postgres::{MigrationState, PgOptions, PgStore, migrate, status};
use support::TestDb;

#[test]
fn migrate_is_idempotent_and_status_reports_it() {
    let Some(db) = TestDb::create() else { return };
    let before = status(&db.url).expect("status");
    assert_eq!(before.len(), MIGRATIONS.len());
    assert!(
        before
            .iter()
            .all(|s| s.state == MigrationState::Pending && s.applied_at.is_none())
    );
    let first = migrate(&db.url).expect("migrate");
    assert_eq!(
        first.applied,
        MIGRATIONS.iter().map(|m| m.version).collect::<Vec<_>>()
    );
    assert!(first.already.is_empty());
    let second = migrate(&db.url).expect("migrate again");
    assert!(second.applied.is_empty());
    assert_eq!(second.already, first.applied);
    let after = status(&db.url).expect("status");
    assert!(
        after
            .iter()
            .all(|s| s.state == MigrationState::Applied && s.applied_at.is_some())
    );
}

#[test]
fn nodes_starting_at_once_apply_each_migration_once() {
    let Some(db) = TestDb::create() else { return };
    let reports: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| s.spawn(|| PgStore::connect(&db.url, PgOptions::default()).map(|_| ())))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    for r in reports {
        r.expect("every node starts");
    }
    support::sql(
        &db.url,
        "DO $$ BEGIN IF (SELECT count(*) FROM schema_migrations) <> (SELECT count(DISTINCT version) FROM schema_migrations) THEN RAISE EXCEPTION 'applied twice'; END IF; END $$",
    )
    .expect("each migration recorded once");
    assert!(
        status(&db.url)
            .expect("status")
            .iter()
            .all(|s| s.state == MigrationState::Applied)
    );
}

#[test]
fn an_edited_or_newer_schema_is_refused() {
    let Some(db) = TestDb::create() else { return };
    migrate(&db.url).expect("migrate");
    support::sql(
        &db.url,
        "UPDATE schema_migrations SET checksum = checksum + 1 WHERE version = 1",
    )
    .expect("edit");
    assert_eq!(
        status(&db.url).expect("status")[0].state,
        MigrationState::Modified
    );
    let err = migrate(&db.url).expect_err("modified");
    assert!(
        matches!(
            err,
            Error::StoreUnavailable {
                retryable: false,
                ..
            }
        ),
        "{err:?}"
    );
    support::sql(
        &db.url,
        "UPDATE schema_migrations SET checksum = checksum - 1 WHERE version = 1;
         INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'future', 0)",
    )
    .expect("newer");
    let st = status(&db.url).expect("status");
    assert_eq!(
        st.last().map(|s| (s.version, s.state)),
        Some((999, MigrationState::Unknown))
    );
    let err = PgStore::connect(&db.url, PgOptions::default()).expect_err("newer schema");
    assert!(err.to_string().contains("newer build"), "{err}");
}

#[test]
fn an_unreachable_server_is_a_quick_retryable_error() {
    // A port nothing listens on (connection refused), then an address that drops packets is not
    // used: the network beyond loopback is off limits here.
    let started = Instant::now();
    let err = PgStore::connect(
        "postgres://postgres@127.0.0.1:9/postgres",
        PgOptions {
            connect_timeout: Duration::from_secs(2),
            ..PgOptions::default()
        },
    )
    .expect_err("nothing listens on port 9");
    assert!(
        matches!(
            err,
            Error::StoreUnavailable {
                retryable: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    let err = migrate("not a url at all = =").expect_err("bad url");
    assert!(
        matches!(
            err,
            Error::StoreUnavailable {
                retryable: false,
                ..
            }
        ),
        "{err:?}"
    );
}

/// A connection of the test's own, holding a lock on the records table that every insert waits
/// for (an append, whichever way it writes, waits inside the database until it is released).
struct Blocker {
    rt: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
}

impl Blocker {
    fn hold(url: &str) -> Blocker {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let client = rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .expect("connect");
            tokio::spawn(conn);
            client
                .batch_execute("BEGIN; LOCK TABLE journal_records IN EXCLUSIVE MODE")
                .await
                .expect("lock");
            client
        });
        Blocker { rt, client }
    }

    fn release(self) {
        self.rt.block_on(async {
            self.client.batch_execute("ROLLBACK").await.expect("unlock");
        });
    }
}

/// Waits until a backend of the store is waiting for a lock; its pid.
fn waiting_backend(url: &str) -> i32 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(conn);
        for _ in 0..200 {
            let rows = client
                .query(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = 'acikkapi' AND datname = current_database()
                     AND wait_event_type = 'Lock'",
                    &[],
                )
                .await
                .expect("pg_stat_activity");
            if let Some(r) = rows.first() {
                return r.get(0);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the append never waited for the lock");
    })
}

#[test]
fn a_killed_connection_is_a_retryable_error_then_the_store_reconnects() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let j = store.journal("kill").expect("journal");
    j.append(&[b"before".to_vec()]).expect("append");
    let blocker = Blocker::hold(&db.url);
    let result = std::thread::scope(|s| {
        let append = s.spawn(|| j.append(&[b"during".to_vec()]));
        let pid = waiting_backend(&db.url);
        support::sql(&db.url, &format!("SELECT pg_terminate_backend({pid})")).expect("terminate");
        append.join().expect("thread")
    });
    blocker.release();
    let err = result.expect_err("its connection was killed mid-append");
    assert!(
        matches!(
            err,
            Error::StoreUnavailable {
                retryable: true,
                ..
            }
        ),
        "{err:?}"
    );
    // Nothing half-written, and the next call works on a new connection.
    assert_eq!(j.last_seq(), Seq(1));
    assert_eq!(
        j.append(&[b"after".to_vec()]).expect("reconnects"),
        vec![Seq(2)]
    );
    let all: Vec<_> = j
        .iter_from(Seq(1))
        .map(|r| r.expect("read").payload)
        .collect();
    assert_eq!(all, vec![b"before".to_vec(), b"after".to_vec()]);
}

#[test]
fn a_statement_over_its_timeout_is_a_retryable_error_not_a_hang() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(
        &db.url,
        PgOptions {
            statement_timeout: Duration::from_millis(500),
            ..PgOptions::default()
        },
    )
    .expect("connect");
    let j = store.journal("slow").expect("journal");
    let blocker = Blocker::hold(&db.url);
    let started = Instant::now();
    let err = j.append(&[b"x".to_vec()]).expect_err("times out");
    let took = started.elapsed();
    blocker.release();
    assert!(
        matches!(
            err,
            Error::StoreUnavailable {
                retryable: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(j.append(&[b"y".to_vec()]).expect("after"), vec![Seq(1)]);
}

#[test]
fn blocking_api_inside_an_async_runtime_is_an_error_not_a_panic() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let j = store.journal("async").expect("journal");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let err = j
            .append(&[b"x".to_vec()])
            .expect_err("blocking inside a runtime");
        assert!(matches!(
            err,
            Error::StoreUnavailable {
                retryable: false,
                ..
            }
        ));
        assert_eq!(
            j.append_if_async(Some(Seq(0)), &[b"x".to_vec()])
                .await
                .expect("async"),
            vec![Seq(1)]
        );
        assert_eq!(j.last_seq_async().await.expect("last"), Seq(1));
    });
    drop(rt);
    assert_eq!(j.last_seq(), Seq(1));
    assert!(store.journal("").is_err());
    assert!(store.journal(&"x".repeat(201)).is_err());
}

#[test]
fn streams_batch_marks_and_deleting_a_stream() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    assert!(store.streams().expect("streams").is_empty());
    let a = store.journal("34").expect("journal");
    a.append(&[b"a1".to_vec(), b"a2".to_vec()]).expect("append");
    a.append(&[b"a3".to_vec()]).expect("append");
    let b = store.journal("06").expect("journal");
    b.append(&[b"b1".to_vec()]).expect("append");
    // A stream with only a snapshot (of no records) is a stream too.
    let c = store.journal("sms/20").expect("journal");
    c.write_snapshot(&acikkapi_core::journal::Snapshot {
        seq: Seq(0),
        data: b"{}".to_vec(),
    })
    .expect("snapshot");
    assert_eq!(store.streams().expect("streams"), ["06", "34", "sms/20"]);

    let marked = a.read_range_marked(Seq(1), 10).expect("read");
    let got: Vec<(u64, &[u8], bool)> = marked
        .iter()
        .map(|(r, end)| (r.seq.0, r.payload.as_slice(), *end))
        .collect();
    assert_eq!(
        got,
        [
            (1, &b"a1"[..], false),
            (2, &b"a2"[..], true),
            (3, &b"a3"[..], true)
        ]
    );
    assert_eq!(a.read_range_marked(Seq(2), 1).expect("read").len(), 1);

    assert_eq!(store.delete_stream("34").expect("delete"), 3);
    assert_eq!(store.delete_stream("sms/20").expect("delete"), 0);
    assert_eq!(store.streams().expect("streams"), ["06"]);
    assert_eq!(a.last_seq(), Seq(0));
    assert_eq!(b.last_seq(), Seq(1));
}

#[test]
fn append_marked_if_writes_several_batches_at_once_with_their_marks() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let j = store.journal("20").expect("journal");
    let p = |s: &str| s.as_bytes().to_vec();
    let seqs = j
        .append_marked_if(Seq(0), &[p("a"), p("b"), p("c")], &[false, true, true])
        .expect("append");
    assert_eq!(seqs, [Seq(1), Seq(2), Seq(3)]);
    let marks: Vec<(u64, bool)> = j
        .read_range_marked(Seq(1), 10)
        .expect("read")
        .into_iter()
        .map(|(r, end)| (r.seq.0, end))
        .collect();
    assert_eq!(marks, [(1, false), (2, true), (3, true)]);
    // The CRCs are the journal's own: a plain read checks them.
    assert_eq!(j.read_range(Seq(1), 10).expect("read").len(), 3);

    // Behind the stream: a conflict, nothing written.
    assert!(matches!(
        j.append_marked_if(Seq(2), &[p("x")], &[true]),
        Err(Error::ConcurrencyConflict {
            expected: 2,
            actual: 3
        })
    ));
    assert!(matches!(
        j.append_marked_if(Seq(7), &[p("x")], &[true]),
        Err(Error::ConcurrencyConflict { .. })
    ));
    // A stream never ends inside a batch, and every record has its mark.
    for (payloads, marks) in [
        (vec![p("x"), p("y")], vec![true, false]),
        (vec![p("x"), p("y")], vec![true]),
    ] {
        assert!(matches!(
            j.append_marked_if(Seq(3), &payloads, &marks),
            Err(Error::JournalInvalid(_))
        ));
    }
    assert_eq!(j.last_seq(), Seq(3));
    assert!(
        j.append_marked_if(Seq(3), &[], &[])
            .expect("empty")
            .is_empty()
    );
}
