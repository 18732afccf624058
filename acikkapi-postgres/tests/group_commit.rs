//! Group commit of unconditional appends on a real server: concurrent appenders through one
//! handle share commits, each gets its own positions holding its own payloads, and a failed
//! commit fails every appender of it and writes nothing.

mod support;

use std::collections::BTreeSet;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use acikkapi_core::Error;
use acikkapi_core::journal::{Journal, Seq};
use acikkapi_postgres::{PgJournal, PgOptions, PgStore};
use support::TestDb;

/// The key [`PgJournal`] locks a stream with.
const LOCK: &str = "SELECT pg_advisory_lock(hashtextextended($1, 6141))";

/// Holds the advisory lock of `stream` from another session until the returned sender is
/// dropped or sent to; returns once the lock is held.
fn hold_stream_lock(url: &str, stream: &str) -> (mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    let (release, released) = mpsc::channel::<()>();
    let (held, is_held) = mpsc::channel::<()>();
    let (url, stream) = (url.to_string(), stream.to_string());
    let holder = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .expect("connect the lock holder");
            let driver = tokio::spawn(conn);
            client
                .execute(LOCK, &[&stream])
                .await
                .expect("take the lock");
            held.send(()).expect("signal");
            // Bounded: a test that forgets to release still ends.
            let _ =
                tokio::task::spawn_blocking(move || released.recv_timeout(Duration::from_secs(60)))
                    .await;
            drop(client);
            let _ = driver.await;
        });
    });
    is_held
        .recv_timeout(Duration::from_secs(10))
        .expect("the lock holder took the lock");
    (release, holder)
}

/// Waits (bounded) until `n` unconditional appends are queued on `journal`.
fn wait_queued(journal: &PgJournal, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while journal.group_commit_stats().appends < n {
        assert!(
            Instant::now() < deadline,
            "appenders did not queue: {:?}",
            journal.group_commit_stats()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn payload(thread: usize, k: usize) -> Vec<u8> {
    format!("t{thread}-r{k}").into_bytes()
}

#[test]
fn concurrent_appenders_share_commits_and_get_their_own_positions() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let journal = store.journal("34").expect("journal");
    const THREADS: usize = 24;
    // Thread t appends batches of 1 + t % 3 records: positions must stay contiguous per batch.
    let size = |t: usize| 1 + t % 3;
    let total: usize = (0..THREADS).map(size).sum();
    // Another node wrote record 1, so the handle's first flush (guessing position 0) falls back
    // to the locked transaction and waits for the lock; the others queue behind it.
    let other = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    assert_eq!(
        other
            .journal("34")
            .expect("journal")
            .append(&[b"first".to_vec()])
            .expect("append"),
        [Seq(1)]
    );
    let (release, holder) = hold_stream_lock(&db.url, "34");
    let results: Vec<(usize, Vec<Seq>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let journal = &journal;
                s.spawn(move || {
                    let batch: Vec<Vec<u8>> = (0..size(t)).map(|k| payload(t, k)).collect();
                    (t, journal.append(&batch).expect("append"))
                })
            })
            .collect();
        wait_queued(&journal, THREADS as u64);
        release.send(()).expect("release the lock");
        handles
            .into_iter()
            .map(|h| h.join().expect("appender"))
            .collect()
    });
    holder.join().expect("lock holder");

    let stats = journal.group_commit_stats();
    assert_eq!(stats.appends, THREADS as u64);
    assert_eq!(stats.records, total as u64);
    assert_eq!(stats.failed, 0);
    // The first flush took what was queued when it started; everything after it, one more.
    assert!(
        stats.commits <= 2,
        "{THREADS} appends queued behind one lock took {} commits",
        stats.commits
    );
    assert!(stats.largest >= (THREADS / 2) as u64, "{stats:?}");

    let mut all = BTreeSet::new();
    for (t, seqs) in &results {
        assert_eq!(seqs.len(), size(*t));
        for w in seqs.windows(2) {
            assert_eq!(w[1], w[0].next(), "batch of thread {t} is not contiguous");
        }
        for (k, seq) in seqs.iter().enumerate() {
            let record = journal.read_range(*seq, 1).expect("read");
            assert_eq!(record[0].seq, *seq);
            assert_eq!(record[0].payload, payload(*t, k), "record {seq}");
            assert!(all.insert(seq.0), "position {seq} given twice");
        }
    }
    assert_eq!(all, (2..=total as u64 + 1).collect::<BTreeSet<_>>());
    assert_eq!(journal.last_seq(), Seq(total as u64 + 1));

    // The other node sees every record, each batch marked as one.
    let read = other.journal("34").expect("journal");
    assert_eq!(read.iter_from(Seq(1)).count(), total + 1);
    let ends = count(
        &db.url,
        "SELECT count(*) FROM journal_records WHERE stream = '34' AND batch_end",
    );
    assert_eq!(ends, THREADS as i64 + 1, "one batch_end per appended batch");

    // The next flush writes after the position the last one ended at, without the lock.
    let (release, holder) = hold_stream_lock(&db.url, "34");
    assert_eq!(
        journal.append(&[b"next".to_vec()]).expect("append"),
        [Seq(total as u64 + 2)]
    );
    release.send(()).expect("release the lock");
    holder.join().expect("lock holder");
}

fn count(url: &str, query: &str) -> i64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect");
        let driver = tokio::spawn(conn);
        let n: i64 = client.query_one(query, &[]).await.expect("query").get(0);
        drop(client);
        let _ = driver.await;
        n
    })
}

#[test]
fn a_failed_commit_fails_every_appender_of_its_batch_and_writes_nothing() {
    let Some(db) = TestDb::create() else { return };
    // The lock wait runs into the server's lock and statement timeouts: the flush fails.
    let options = PgOptions {
        statement_timeout: Duration::from_secs(3),
        ..PgOptions::default()
    };
    let store = PgStore::connect(&db.url, options).expect("connect");
    let journal = store.journal("06").expect("journal");
    // Record 1 from another node: the handle's guess (position 0) is wrong, so its flushes take
    // the locked transaction, which waits for the held lock until the timeouts.
    let other = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let first = other.journal("06").expect("journal");
    assert_eq!(
        first.append(&[b"first".to_vec()]).expect("append"),
        [Seq(1)]
    );
    const THREADS: usize = 16;
    let (release, holder) = hold_stream_lock(&db.url, "06");
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let journal = &journal;
                s.spawn(move || journal.append(&[payload(t, 0), payload(t, 1)]))
            })
            .collect();
        wait_queued(&journal, THREADS as u64);
        let results: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().expect("appender"))
            .collect();
        release.send(()).expect("release the lock");
        results
    });
    holder.join().expect("lock holder");

    for r in &results {
        match r {
            Err(Error::StoreUnavailable {
                retryable: true,
                message,
            }) => assert!(
                message.contains("55P03") || message.contains("57014"),
                "{message}"
            ),
            other => panic!("expected a retryable lock or statement timeout, got {other:?}"),
        }
    }
    let stats = journal.group_commit_stats();
    assert_eq!(stats.commits, 0);
    // Batches of many appenders failed, not one appender at a time.
    assert!(
        stats.failed <= 2,
        "{THREADS} appenders failed in {} flushes",
        stats.failed
    );
    assert_eq!(
        count(&db.url, "SELECT count(*) FROM journal_records"),
        1,
        "a failed commit wrote nothing"
    );
    // The handle goes on: the next append starts a fresh flush after the other node's record.
    assert_eq!(
        journal.append(&[b"after".to_vec()]).expect("append"),
        [Seq(2)]
    );
    assert_eq!(journal.group_commit_stats().commits, 1);
}

#[test]
fn conditional_appends_keep_their_semantics_beside_group_commits() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let journal = store.journal("35").expect("journal");
    std::thread::scope(|s| {
        for t in 0..8 {
            let journal = &journal;
            s.spawn(move || {
                for k in 0..20 {
                    if t % 2 == 0 {
                        journal.append(&[payload(t, k)]).expect("append");
                    } else {
                        // Retry conditional appends until they win a position.
                        loop {
                            let last = journal.last_seq();
                            match journal.append_if(Some(last), &[payload(t, k)]) {
                                Ok(seqs) => {
                                    assert_eq!(seqs, [last.next()]);
                                    break;
                                }
                                Err(Error::ConcurrencyConflict { actual, .. }) => {
                                    assert!(actual > last.0)
                                }
                                Err(e) => panic!("{e}"),
                            }
                        }
                    }
                }
            });
        }
    });
    let records: Vec<_> = journal
        .iter_from(Seq(1))
        .collect::<Result<_, _>>()
        .expect("read");
    assert_eq!(records.len(), 160);
    let payloads: BTreeSet<_> = records.iter().map(|r| r.payload.clone()).collect();
    assert_eq!(payloads.len(), 160, "every append exactly once");
    assert_eq!(journal.group_commit_stats().records, 80);
}
