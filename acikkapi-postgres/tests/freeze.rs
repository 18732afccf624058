//! A server that stops answering (every process of a throwaway cluster frozen with SIGSTOP: open
//! connections stay open, nothing comes back, as with a hung server or a network dropping every
//! packet): no call hangs, callers get retryable `StoreUnavailable` errors within the store's
//! bound, and once the server goes on (SIGCONT) the same node goes on, with nothing acknowledged
//! lost and nothing written twice.
//!
//! [`THREADS`] threads of one node submit and route applications, retrying a failed command with
//! the same command id (`support::node::Calls::retry`: any other error, or one attempt longer than
//! `CALL_BOUND`, fails the test). After [`BEFORE`] acknowledged commands the server is frozen for
//! [`FROZEN`] (longer than the store's bound on one operation, so the calls in flight must time
//! out), then thawed; each thread gets [`AFTER`] more applications through; the database is
//! reopened and checked (`support::node::check`). A frozen cluster is thawed and removed by its
//! guard, also when the test fails; a watchdog ends the process after [`DEADLINE`].

mod support;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use acikkapi_postgres::PgStore;
use support::cluster::Cluster;
use support::node::{self, Ack, Calls};

const THREADS: u64 = 2;
const BEFORE: usize = 20;
const AFTER: u64 = 5;
/// The store's bound on one operation is connect (2 s) + statement (5 s) + 1 s with
/// `node::options()`: frozen longer than that.
const FROZEN: Duration = Duration::from_secs(10);
const RETRY_FOR: Duration = Duration::from_secs(120);
const DEADLINE: Duration = Duration::from_secs(240);

/// Ends the process if the test is not done within [`DEADLINE`]; done when the sender is dropped.
fn watchdog() -> mpsc::Sender<()> {
    let (tx, rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(DEADLINE) {
            eprintln!("freeze: not finished within {DEADLINE:?}: a call hangs");
            std::process::exit(101);
        }
    });
    tx
}

#[test]
fn a_frozen_server_gives_timeouts_not_hangs_and_the_node_goes_on() {
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

    let thawed = AtomicBool::new(false);
    let all: Mutex<Vec<Ack>> = Mutex::new(Vec::new());
    let (calls, before) = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|thread| {
                let (service, all, thawed) = (&service, &all, &thawed);
                s.spawn(move || {
                    let mut calls = Calls::default();
                    let mut after = 0;
                    for i in 0..100_000 {
                        let was_thawed = thawed.load(Ordering::SeqCst);
                        let got = node::one(
                            service,
                            &mut calls,
                            i + thread,
                            &format!("f{thread}-{i}"),
                            Instant::now() + RETRY_FOR,
                        );
                        all.lock().expect("acks").extend(got);
                        if was_thawed {
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
                "the node did not get {BEFORE} commands through before the freeze"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        cluster.freeze();
        let before = all.lock().expect("acks").len();
        std::thread::sleep(FROZEN);
        cluster.thaw();
        thawed.store(true, Ordering::SeqCst);
        let calls: Vec<Calls> = workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect();
        (calls, before)
    });
    acks.extend(all.into_inner().expect("acks"));
    let attempts: u64 = calls.iter().map(|c| c.attempts).sum();
    let errors: Vec<&String> = calls.iter().flat_map(|c| &c.errors).collect();
    let longest = calls.iter().map(|c| c.longest).max().unwrap_or_default();
    assert!(
        !errors.is_empty(),
        "the callers saw no error while the server was frozen"
    );
    for e in &errors {
        assert!(
            e.starts_with("store unavailable (retryable)"),
            "not a clear error: {e}"
        );
    }
    drop(service);
    drop(store);

    let checked = node::check(&cluster.url, &acks, "after a frozen server");
    let mut kinds: Vec<&str> = errors.iter().map(|e| e.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    eprintln!(
        "freeze: server frozen for {FROZEN:?} after {before} acks; {attempts} attempts, {} failed \
         (retried with the same command id), longest attempt {longest:.2?}; {} commands \
         acknowledged, {} records, {} applications; errors seen: {kinds:#?}",
        errors.len(),
        acks.len(),
        checked.records,
        checked.applications
    );
}
