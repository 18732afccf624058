//! Connections killed with `pg_terminate_backend` while a node runs commands: callers get typed,
//! retryable errors (or success), never a panic or a hang; the node goes on by itself; every
//! acknowledged command is in the journal, and a command retried with the same command id never
//! made a second application or a second set of events.
//!
//! In one process: [`THREADS`] threads submit and route applications on one service (one
//! `PgStore`, one engine) and retry a failed command with the same command id
//! (`support::node::Calls::retry`, which fails the test on any error other than a retryable
//! `StoreUnavailable` and on an attempt longer than `CALL_BOUND`), while another thread kills
//! every other connection to the database [`KILLS`] times. Then the idle pool's connections are
//! killed once more and new commands must succeed on the same service, with at most one failed
//! attempt per pooled connection.
//! Finally the database is reopened and checked (`support::node::check`). A watchdog ends the
//! process if the whole test has not finished within [`DEADLINE`] (a hang).

mod support;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use acikkapi_postgres::PgStore;
use support::TestDb;
use support::node::{self, Ack, Calls};

const THREADS: u64 = 4;
/// Applications per thread at least (each thread goes on until the killer is done).
const PER_THREAD: u64 = 20;
const KILLS: u64 = 10;
const RETRY_FOR: Duration = Duration::from_secs(60);
const DEADLINE: Duration = Duration::from_secs(180);
const TERMINATE: &str = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
     WHERE datname = current_database() AND pid <> pg_backend_pid()";

/// Ends the process if the test is not done within [`DEADLINE`]; done when the sender is dropped.
fn watchdog() -> mpsc::Sender<()> {
    let (tx, rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(DEADLINE) {
            eprintln!("terminate_backend: not finished within {DEADLINE:?}: a call hangs");
            std::process::exit(101);
        }
    });
    tx
}

#[test]
fn terminated_connections_give_retryable_errors_and_the_node_goes_on() {
    let Some(db) = TestDb::create() else { return };
    let _watchdog = watchdog();
    let store = PgStore::connect(&db.url, node::options()).expect("connect");
    let service = node::open(&store).expect("open the service");
    let mut warm = Calls::default();
    // Loads the bundled data before the faults.
    let mut acks = node::one(
        &service,
        &mut warm,
        0,
        "warm-up",
        Instant::now() + RETRY_FOR,
    );

    let killer_done = AtomicBool::new(false);
    let all: Mutex<Vec<Ack>> = Mutex::new(Vec::new());
    let started = Instant::now();
    let (calls, kills): (Vec<Calls>, u64) = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|thread| {
                let (service, all, killer_done) = (&service, &all, &killer_done);
                s.spawn(move || {
                    let mut calls = Calls::default();
                    let mut i = 0;
                    while (i < PER_THREAD || !killer_done.load(Ordering::Relaxed)) && i < 10_000 {
                        let got = node::one(
                            service,
                            &mut calls,
                            i + thread,
                            &format!("t{thread}-{i}"),
                            Instant::now() + RETRY_FOR,
                        );
                        all.lock().expect("acks").extend(got);
                        i += 1;
                    }
                    calls
                })
            })
            .collect();
        let killer = s.spawn(|| {
            let mut done = 0;
            for k in 0..KILLS {
                std::thread::sleep(Duration::from_millis(60 + (k * 37) % 150));
                support::sql(&db.url, TERMINATE).expect("terminate the node's connections");
                done += 1;
            }
            killer_done.store(true, Ordering::Relaxed);
            done
        });
        let kills = killer.join().expect("killer");
        let calls = workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect();
        (calls, kills)
    });
    let elapsed = started.elapsed();
    acks.extend(all.into_inner().expect("acks"));
    let attempts: u64 = calls.iter().map(|c| c.attempts).sum();
    let errors: Vec<&String> = calls.iter().flat_map(|c| &c.errors).collect();
    let longest = calls.iter().map(|c| c.longest).max().unwrap_or_default();
    let in_doubt: u64 = calls.iter().map(|c| c.in_doubt).sum();
    for e in &errors {
        assert!(
            e.starts_with("store unavailable (retryable)"),
            "not a clear error: {e}"
        );
    }

    // The pool's idle connections die too; the same service goes on by itself. A connection
    // killed while idle is only found dead when used (the server's notice may arrive just after
    // the pool handed it out), so each may cost one failed attempt, but no more: the pool throws
    // it away and connects anew.
    support::sql(&db.url, TERMINATE).expect("terminate the idle connections");
    let mut after = Calls::default();
    for i in 0..10 {
        acks.extend(node::one(
            &service,
            &mut after,
            i,
            &format!("after-{i}"),
            Instant::now() + RETRY_FOR,
        ));
    }
    assert!(
        after.errors.len() <= node::options().pool_size,
        "after the faults, {} failed attempts with a pool of {}: {:?}",
        after.errors.len(),
        node::options().pool_size,
        after.errors
    );
    drop(service);
    drop(store);

    let checked = node::check(&db.url, &acks, "after pg_terminate_backend");
    eprintln!(
        "terminate_backend: {kills} kills in {elapsed:.2?}; {attempts} attempts, {} failed \
         (retried with the same command id), longest attempt {longest:.2?}, {in_doubt} retried routes found committed; {} commands \
         acknowledged, {} records, {} applications; after the last kill {} failed attempts",
        errors.len(),
        acks.len(),
        checked.records,
        checked.applications,
        after.errors.len()
    );
    if let Some(e) = errors.first() {
        eprintln!("terminate_backend: e.g. {e}");
    }
}
