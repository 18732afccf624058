//! `PgOutbox` across processes on one database: two nodes claiming the outbox deliver every SMS
//! (exactly once while no lease runs out); the claims of a node killed with `kill -9` are taken
//! over after their lease; a stalled node's late completion after a takeover is fenced.
//!
//! The children are this test binary run with `--exact child_node --ignored`; what they send
//! goes to their stdout as `SENT <node> <key>`. Bounded in time: a child still running after
//! [`DEADLINE`] is killed and the test fails.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use acikkapi_core::ids::PhoneNumber;
use acikkapi_core::notify::{
    DeliveryQueue, DeliveryReceipt, DeliveryState, Notifier, RecordingNotifier, RetryPolicy,
};
use acikkapi_core::workflow::ports::Notification;
use acikkapi_postgres::{Completion, PgOptions, PgOutbox, PgOutboxOptions, PgStore};
use chrono::{DateTime, TimeZone, Utc};
use support::TestDb;

const DEADLINE: Duration = Duration::from_secs(180);
const URL: &str = "ACIKKAPI_OUTBOX_URL";
const ROLE: &str = "ACIKKAPI_OUTBOX_ROLE";
const NODE: &str = "ACIKKAPI_OUTBOX_NODE";
const TOTAL: &str = "ACIKKAPI_OUTBOX_TOTAL";
const LEASE_MS: &str = "ACIKKAPI_OUTBOX_LEASE_MS";
const GO_FILE: &str = "ACIKKAPI_OUTBOX_GO";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn sms(i: usize) -> Notification {
    let to = PhoneNumber::parse("+905321234567").unwrap();
    Notification::sms(
        format!("AK-{i:04}/registered"),
        to,
        "Başvurunuz kaydedildi.",
    )
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("child without {name}"))
}

/// "Sends" by printing the attempt with the node and the idempotency key.
struct Printing {
    node: String,
}

impl Notifier for Printing {
    fn send(&self, m: &Notification) -> acikkapi_core::Result<DeliveryReceipt> {
        // A gateway takes a moment: lets the two nodes interleave.
        std::thread::sleep(Duration::from_millis(2));
        let mut out = std::io::stdout().lock();
        writeln!(out, "SENT {} {}", self.node, m.key).expect("stdout");
        out.flush().expect("stdout");
        Ok(DeliveryReceipt {
            provider_id: format!("{}:{}", self.node, m.key),
            segments: None,
        })
    }
}

fn open(url: &str, node: &str, lease: Duration) -> PgOutbox {
    PgStore::connect(url, PgOptions::default())
        .expect("connect")
        .outbox(PgOutboxOptions {
            node: node.into(),
            lease,
            batch: 10,
            policy: RetryPolicy::default(),
            ..PgOutboxOptions::default()
        })
        .expect("outbox")
}

/// A child node; its role says what it does.
#[test]
#[ignore = "run by the tests below as a child process"]
fn child_node() {
    let Ok(url) = std::env::var(URL) else { return };
    let role = env(ROLE);
    let node = env(NODE);
    let lease = Duration::from_millis(env(LEASE_MS).parse().expect("lease"));
    let outbox = open(&url, &node, lease);
    let started = Instant::now();
    let line = |s: String| {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{s}").expect("stdout");
        out.flush().expect("stdout");
    };
    match role.as_str() {
        // Tick until every message is sent.
        "deliver" => {
            let total: u64 = env(TOTAL).parse().expect("total");
            let notifier = Printing { node: node.clone() };
            line("READY".into());
            loop {
                let report = outbox.tick(t0(), &notifier).expect("tick");
                assert_eq!(report.fenced, 0, "{node}: a completion was fenced");
                if outbox.counts().expect("counts").sent >= total {
                    break;
                }
                assert!(started.elapsed() < DEADLINE, "{node}: not done in time");
                if report.sent == 0 {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            line("DONE".into());
        }
        // Claim a batch, then hang as if sending, until killed.
        "victim" => {
            for c in outbox.claim(t0()).expect("claim") {
                line(format!("CLAIMED {} {}", c.notification.key, c.token));
            }
            line("HOLDING".into());
            std::thread::sleep(DEADLINE);
        }
        // Claim a batch, "send" it, stall until told to go on, then complete it late.
        "stale" => {
            let go = std::path::PathBuf::from(env(GO_FILE));
            let claims = outbox.claim(t0()).expect("claim");
            for c in &claims {
                line(format!("CLAIMED {} {}", c.notification.key, c.token));
            }
            line("STALLED".into());
            while !go.exists() {
                assert!(started.elapsed() < DEADLINE, "{node}: never told to go on");
                std::thread::sleep(Duration::from_millis(20));
            }
            let receipt = Ok(DeliveryReceipt {
                provider_id: format!("{node}:late"),
                segments: None,
            });
            for c in &claims {
                let done = outbox.complete(c, &receipt, t0()).expect("complete");
                line(format!("COMPLETION {} {done:?}", c.notification.key));
            }
        }
        other => panic!("unknown role {other}"),
    }
}

/// A running child and its stdout lines.
struct Node {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
    stderr: std::thread::JoinHandle<String>,
}

fn spawn(url: &str, role: &str, node: &str, lease: Duration, extra: &[(&str, String)]) -> Node {
    let exe = std::env::current_exe().expect("test binary");
    let mut cmd = Command::new(exe);
    cmd.args([
        "--exact",
        "child_node",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(URL, url)
    .env(ROLE, role)
    .env(NODE, node)
    .env(LEASE_MS, lease.as_millis().to_string())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn child");
    let out = child.stdout.take().expect("stdout");
    let err = child.stderr.take().expect("stderr");
    let (tx, lines) = channel();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            // libtest's "test child_node ... " may precede the first line (no newline).
            let l = match l.find("test child_node ... ") {
                Some(at) => l[at + "test child_node ... ".len()..].to_string(),
                None => l,
            };
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        for l in BufReader::new(err).lines().map_while(Result::ok) {
            s.push_str(&l);
            s.push('\n');
        }
        s
    });
    Node {
        child,
        lines,
        seen: Vec::new(),
        stderr,
    }
}

impl Node {
    /// Reads lines until one equals `marker`, bounded by the deadline.
    fn wait_for(&mut self, marker: &str, started: Instant) {
        loop {
            let left = DEADLINE.saturating_sub(started.elapsed());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    let done = l == marker;
                    self.seen.push(l);
                    if done {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.kill();
                    panic!("no {marker} from a child within {DEADLINE:?}");
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().expect("wait");
                    panic!("child ended ({status}) before {marker}: {:?}", self.seen);
                }
            }
        }
    }

    fn kill(&mut self) {
        // SIGKILL on Unix: the child gets no chance to clean up.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the child to exit (killing it at the deadline), then returns every line.
    fn finish(mut self, started: Instant) -> Vec<String> {
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break s;
            }
            if started.elapsed() > DEADLINE {
                self.kill();
                panic!("a child did not finish within {DEADLINE:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let stderr = self.stderr.join().expect("stderr");
        assert!(status.success(), "child failed: {status}\n{stderr}");
        self.seen.extend(self.lines.iter());
        self.seen
    }
}

/// `SENT node key` lines: key → nodes that sent it.
fn sends<'a>(lines: impl IntoIterator<Item = &'a String>) -> BTreeMap<String, Vec<String>> {
    let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for l in lines {
        if let Some(rest) = l.strip_prefix("SENT ") {
            let (node, key) = rest.split_once(' ').expect("SENT node key");
            by_key
                .entry(key.to_string())
                .or_default()
                .push(node.to_string());
        }
    }
    by_key
}

fn claimed(lines: &[String]) -> BTreeMap<String, u64> {
    lines
        .iter()
        .filter_map(|l| l.strip_prefix("CLAIMED "))
        .map(|rest| {
            let (key, token) = rest.split_once(' ').expect("CLAIMED key token");
            (key.to_string(), token.parse().expect("token"))
        })
        .collect()
}

fn migrated(db: &TestDb) -> PgOutbox {
    open(&db.url, "parent", Duration::from_secs(60))
}

#[test]
fn two_nodes_deliver_every_message_exactly_once_while_leases_hold() {
    let Some(db) = TestDb::create() else { return };
    const N: usize = 400;
    let parent = migrated(&db);
    let started = Instant::now();
    let lease = Duration::from_secs(60);
    let total = [(TOTAL, N.to_string())];
    let mut a = spawn(&db.url, "deliver", "node-a", lease, &total);
    let mut b = spawn(&db.url, "deliver", "node-b", lease, &total);
    a.wait_for("READY", started);
    b.wait_for("READY", started);
    // Enqueued once both nodes are ticking, so that both get a share.
    for i in 0..N {
        assert!(parent.enqueue(sms(i), t0()).unwrap());
    }
    let mut lines = a.finish(started);
    lines.extend(b.finish(started));
    let by_key = sends(&lines);
    let expected: BTreeSet<String> = (0..N).map(|i| sms(i).key.0).collect();
    assert_eq!(
        by_key.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "every message sent"
    );
    let twice: Vec<_> = by_key.iter().filter(|(_, n)| n.len() > 1).collect();
    assert!(
        twice.is_empty(),
        "a live claim is exclusive: sent twice {twice:?}"
    );
    let per_node = |n: &str| by_key.values().filter(|v| v[0] == n).count();
    let (sa, sb) = (per_node("node-a"), per_node("node-b"));
    assert!(sa > 0 && sb > 0, "both nodes delivered: {sa} / {sb}");
    let counts = parent.counts().unwrap();
    assert_eq!((counts.sent, counts.pending), (N as u64, 0));
    // Each row's receipt names the node that sent it.
    for (key, nodes) in by_key.iter().step_by(37) {
        let m = parent.message(key).unwrap().unwrap();
        assert_eq!(
            m.status.receipt.unwrap().provider_id,
            format!("{}:{key}", nodes[0])
        );
    }
    eprintln!(
        "two nodes: {N} messages in {:.2?}, node-a {sa}, node-b {sb}",
        started.elapsed()
    );
}

#[test]
fn the_claims_of_a_killed_node_are_taken_over_after_the_lease() {
    let Some(db) = TestDb::create() else { return };
    const N: usize = 60;
    let parent = migrated(&db);
    for i in 0..N {
        parent.enqueue(sms(i), t0()).unwrap();
    }
    let started = Instant::now();
    let lease = Duration::from_secs(3);
    let mut victim = spawn(&db.url, "victim", "victim", lease, &[]);
    victim.wait_for("HOLDING", started);
    let held = claimed(&victim.seen);
    assert_eq!(held.len(), 10, "one batch: {:?}", victim.seen);
    victim.kill(); // kill -9 while holding the claims
    for key in held.keys() {
        let m = parent.message(key).unwrap().unwrap();
        assert_eq!(m.claimed_by.as_deref(), Some("victim"));
        assert_eq!(m.status.state, DeliveryState::Pending);
    }

    let total = [(TOTAL, N.to_string())];
    let a = spawn(
        &db.url,
        "deliver",
        "node-a",
        Duration::from_secs(60),
        &total,
    );
    let b = spawn(
        &db.url,
        "deliver",
        "node-b",
        Duration::from_secs(60),
        &total,
    );
    let mut lines = a.finish(started);
    lines.extend(b.finish(started));
    let by_key = sends(&lines);
    assert_eq!(by_key.len(), N, "every message sent at least once");
    for (key, token) in &held {
        let nodes = by_key.get(key).expect("a held message was sent");
        assert!(nodes.iter().all(|n| n != "victim"));
        let m = parent.message(key).unwrap().unwrap();
        assert_eq!(m.status.state, DeliveryState::Sent);
        assert!(m.token > *token, "{key}: claimed again after the lease");
        assert_eq!(m.claimed_by, None);
        assert_eq!(
            m.status.attempts, 2,
            "{key}: the killed node's claim counts"
        );
    }
    assert_eq!(parent.counts().unwrap().sent, N as u64);
    eprintln!(
        "kill -9: {} held claims taken over, {N} messages in {:.2?}",
        held.len(),
        started.elapsed()
    );
}

#[test]
fn a_stalled_node_completing_after_a_takeover_is_fenced() {
    let Some(db) = TestDb::create() else { return };
    const N: usize = 5;
    let parent = migrated(&db);
    for i in 0..N {
        parent.enqueue(sms(i), t0()).unwrap();
    }
    let started = Instant::now();
    let go = std::env::temp_dir().join(format!(
        "acikkapi-outbox-go-{}-{}",
        std::process::id(),
        started.elapsed().as_nanos()
    ));
    let _ = std::fs::remove_file(&go);
    let mut stale = spawn(
        &db.url,
        "stale",
        "stalled",
        Duration::from_millis(500),
        &[(GO_FILE, go.display().to_string())],
    );
    stale.wait_for("STALLED", started);
    let held = claimed(&stale.seen);
    assert_eq!(held.len(), N);

    // This process takes over once the lease has run out, and sends.
    let taker = open(&db.url, "taker", Duration::from_secs(60));
    let gateway = RecordingNotifier::new();
    while gateway.sent().len() < N {
        assert!(started.elapsed() < DEADLINE, "no takeover");
        taker.tick(t0(), &gateway).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::write(&go, b"go").expect("go file");
    let lines = stale.finish(started);
    let _ = std::fs::remove_file(&go);
    let completions: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("COMPLETION "))
        .collect();
    assert_eq!(completions.len(), N);
    for l in completions {
        assert!(
            l.ends_with(&format!("{:?}", Completion::Fenced)),
            "the late completion was recorded: {l}"
        );
    }
    for key in held.keys() {
        let m = parent.message(key).unwrap().unwrap();
        // The stalled claim counts as an attempt (it ran out), the taker's is the second.
        assert_eq!(
            (m.status.state, m.status.attempts),
            (DeliveryState::Sent, 2)
        );
        let receipt = m.status.receipt.unwrap().provider_id;
        assert!(
            receipt.starts_with("rec-"),
            "the taker's receipt stands: {receipt}"
        );
    }
}
