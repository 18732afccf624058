//! PostgreSQL stopped with `pg_ctl stop -m immediate` (a crash: no checkpoint, crash recovery on
//! start) in the middle of a run and started again: callers get clear errors meanwhile, the same
//! node recovers by itself, no acknowledged command is lost.
//!
//! Runs on a throwaway cluster of its own (`scripts/find-postgres.sh --throwaway`; removed with
//! `--stop DIR` by a guard, also when the test fails), never on the shared server. [`THREADS`]
//! threads of one node submit and route applications, retrying a failed command with the same
//! command id (`support::node::Calls::retry`); after [`BEFORE`] acknowledged commands the server
//! is stopped, left down for [`DOWN`] (a node connecting meanwhile must get a retryable
//! `StoreUnavailable`), and started again; the threads go on until each has
//! acknowledged [`AFTER`] more applications after the restart. Then the database is reopened and
//! checked (`support::node::check`). A watchdog ends the process after [`DEADLINE`] (a hang).

mod support;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use acikkapi_postgres::PgStore;
use support::cluster::Cluster;
use support::node::{self, Ack, Calls};

const THREADS: u64 = 3;
/// Acknowledged commands before the stop.
const BEFORE: usize = 40;
/// Applications each thread gets through after the restart.
const AFTER: u64 = 10;
/// How long the server stays down.
const DOWN: Duration = Duration::from_secs(2);
const RETRY_FOR: Duration = Duration::from_secs(120);
const DEADLINE: Duration = Duration::from_secs(240);

/// Ends the process if the test is not done within [`DEADLINE`]; done when the sender is dropped.
fn watchdog() -> mpsc::Sender<()> {
    let (tx, rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(DEADLINE) {
            eprintln!("restart: not finished within {DEADLINE:?}: a call hangs");
            std::process::exit(101);
        }
    });
    tx
}

#[test]
fn immediate_stop_and_start_lose_nothing_acknowledged() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let _watchdog = watchdog();
    let store = PgStore::connect(&cluster.url, node::options()).expect("connect");
    let service = node::open(&store).expect("open the service");
    let mut warm = Calls::default();
    let mut acks = node::one(
        &service,
        &mut warm,
        0,
        "warm-up",
        Instant::now() + RETRY_FOR,
    );

    let restarted = AtomicBool::new(false);
    let all: Mutex<Vec<Ack>> = Mutex::new(Vec::new());
    let (calls, before, down_for) = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|thread| {
                let (service, all, restarted) = (&service, &all, &restarted);
                s.spawn(move || {
                    let mut calls = Calls::default();
                    let mut after = 0;
                    for i in 0..100_000 {
                        let was_restarted = restarted.load(Ordering::SeqCst);
                        let got = node::one(
                            service,
                            &mut calls,
                            i + thread,
                            &format!("r{thread}-{i}"),
                            Instant::now() + RETRY_FOR,
                        );
                        all.lock().expect("acks").extend(got);
                        if was_restarted {
                            after += 1;
                            if after >= AFTER {
                                break;
                            }
                        }
                    }
                    calls
                })
            })
            .collect();
        let waited = Instant::now();
        while all.lock().expect("acks").len() < BEFORE {
            assert!(
                waited.elapsed() < Duration::from_secs(60),
                "the node did not get {BEFORE} commands through before the stop"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        cluster.stop_immediate();
        let stopped = Instant::now();
        let before = all.lock().expect("acks").len();
        // A node starting meanwhile is told so, promptly and typed.
        let tried = Instant::now();
        match PgStore::connect(&cluster.url, node::options()) {
            Err(acikkapi_core::Error::StoreUnavailable {
                retryable: true,
                message,
            }) => eprintln!("restart: connecting while down: {message}"),
            Err(e) => panic!("connecting while the server is down: {e:?}"),
            Ok(_) => panic!("connected while the server is down"),
        }
        assert!(
            tried.elapsed() <= node::CALL_BOUND,
            "connecting while down took {:?}",
            tried.elapsed()
        );
        std::thread::sleep(DOWN.saturating_sub(tried.elapsed()));
        cluster.start_again();
        let down_for = stopped.elapsed();
        restarted.store(true, Ordering::SeqCst);
        let calls: Vec<Calls> = workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect();
        (calls, before, down_for)
    });
    acks.extend(all.into_inner().expect("acks"));
    let attempts: u64 = calls.iter().map(|c| c.attempts).sum();
    let errors: Vec<&String> = calls.iter().flat_map(|c| &c.errors).collect();
    let longest = calls.iter().map(|c| c.longest).max().unwrap_or_default();
    let in_doubt: u64 = calls.iter().map(|c| c.in_doubt).sum();
    assert!(
        !errors.is_empty(),
        "the callers saw no error while the server was down"
    );
    for e in &errors {
        assert!(
            e.starts_with("store unavailable (retryable)"),
            "not a clear error: {e}"
        );
    }
    drop(service);
    drop(store);

    let checked = node::check(
        &cluster.url,
        &acks,
        "after pg_ctl stop -m immediate and start",
    );
    let mut kinds: Vec<&str> = errors
        .iter()
        .map(|e| e.split(": ").nth(1).unwrap_or(e))
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    eprintln!(
        "restart: server down for {down_for:.2?} after {before} acks; {attempts} attempts, {} \
         failed (retried with the same command id), longest attempt {longest:.2?}, {in_doubt} retried routes found committed; {} commands \
         acknowledged, {} records, {} applications; errors seen: {kinds:?}",
        errors.len(),
        acks.len(),
        checked.records,
        checked.applications
    );
}
