//! Two nodes (separate processes) on one database, interleaving 10,000 commands on the same
//! applications through the service (`open_applications`): submit, route, answer, close and
//! notes, each by the actor permitted to, on applications either node received (one province,
//! one stream, so the nodes really conflict). Afterwards every acknowledged command is in the
//! history exactly once, no event is lost or duplicated, both nodes and a fresh replay reach the
//! same state, and tracking numbers are unique. Bounded in time: children still running after
//! [`DEADLINE`] are killed and the test fails.
//!
//! A child prints one line per acknowledged command, `ACK <command id> <tracking> <version>
//! <events>`, then `DONE <attempts> <conflicts>`, waits for `GO` on its stdin (sent once both
//! are done), catches up and prints `STATE <crc> <records>` of what it holds.

mod support;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use acikkapi_core::Error;
use acikkapi_core::application::ApplicationInput;
use acikkapi_core::geo::ProvincePlate;
use acikkapi_core::ids::TrackingNumber;
use acikkapi_core::org::{Role, UnitId};
use acikkapi_core::service::Applications;
use acikkapi_core::workflow::application::{ApplicationWorkflow, Outcome, Status};
use acikkapi_core::workflow::ports::NullSink;
use acikkapi_core::workflow::{Actor, CommandId, CommandOutcome, EngineOptions};
use acikkapi_postgres::{PgOptions, PgStore, open_applications};
use chrono::{DateTime, Utc};
use support::TestDb;

const NODES: usize = 2;
/// Commands per node (10,000 in all).
const EACH: usize = 5_000;
/// Applications each node receives, spread over its run.
const APPS_EACH: usize = 60;
const PLATE: u8 = 20;
const DEADLINE: Duration = Duration::from_secs(300);
const URL_VAR: &str = "ACIKKAPI_TWO_NODES_URL";
const ID_VAR: &str = "ACIKKAPI_TWO_NODES_ID";

fn clerk() -> Actor {
    Actor::clerk(
        "buro",
        UnitId::parse(&format!("{PLATE}.ACIK_KAPI")).unwrap(),
    )
}

fn now() -> DateTime<Utc> {
    "2026-11-23T09:00:00Z".parse().unwrap()
}

fn sample() -> ApplicationInput {
    serde_json::from_str(acikkapi_core::samples::ALL[0].1).expect("sample")
}

/// A small deterministic generator (xorshift64*), so a failing run can be read again.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    }
}

/// The fingerprint of a service's state: CRC-32 of every partition's states, in order, and the
/// number of records applied.
fn fingerprint(service: &Applications) -> (u32, u64) {
    let mut h = crc32fast::Hasher::new();
    let mut records = 0;
    service.with_engines(|e| {
        h.update(format!("{:?}", e.states()).as_bytes());
        records += e.last_seq();
    });
    (h.finalize(), records)
}

fn ack(outcome: &CommandOutcome) {
    println!(
        "ACK {} {} {} {}",
        outcome.command, outcome.instance, outcome.version, outcome.events
    );
}

/// Runs one command, retrying a lost connection with the same command id (the engine recognises
/// it if it was committed). Returns the outcome, or the refusal.
fn attempt(
    mut f: impl FnMut() -> acikkapi_core::Result<CommandOutcome>,
) -> acikkapi_core::Result<CommandOutcome> {
    let mut tries = 0;
    loop {
        match f() {
            Err(e) if e.is_retryable() && tries < 20 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// The child: run by the parent as `two_nodes --exact child_node --ignored`.
#[test]
#[ignore = "run by two_nodes_interleave_on_the_same_applications as a child process"]
fn child_node() {
    let (Ok(url), Ok(id)) = (std::env::var(URL_VAR), std::env::var(ID_VAR)) else {
        return;
    };
    let node: usize = id.parse().expect("node id");
    let store = PgStore::connect(&url, PgOptions::default()).expect("child connects");
    let service = open_applications(
        &store,
        ApplicationWorkflow::default(),
        NullSink,
        EngineOptions::default(),
    )
    .expect("open the service");
    let plate = ProvincePlate::new(PLATE).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (node as u64 + 1));
    let mut highest = 0u32;
    let mut received = 0usize;
    let mut conflicts = 0u64;
    let clerk = clerk();
    for i in 0..EACH {
        let cid = CommandId::new(format!("n{node}-{i}"));
        let submit_now = received < APPS_EACH && (highest == 0 || i % (EACH / APPS_EACH) == 0);
        let result = if submit_now {
            received += 1;
            let tracking = loop {
                match service.receive(&clerk, sample(), now(), Some(cid.clone())) {
                    Err(e) if e.is_retryable() => std::thread::sleep(Duration::from_millis(20)),
                    other => break other,
                }
            };
            match tracking {
                Ok(t) => {
                    highest = highest.max(t.sequence());
                    println!("ACK {cid} {t} 1 1");
                    let register = CommandId::new(format!("{cid}:register"));
                    attempt(|| {
                        service.register(&clerk, &t.to_string(), now(), Some(register.clone()))
                    })
                }
                Err(e) => Err(e),
            }
        } else {
            // Any number handed out so far, by either node (the counter is shared).
            let seq = 1 + rng.below(highest as usize) as u32;
            let t = TrackingNumber::new(plate, 2026, seq).unwrap().to_string();
            match service.view(&clerk, &t, now()) {
                Err(e) => Err(e),
                Ok(view) => {
                    let s = &view.state;
                    let note = rng.below(10) < 3;
                    match s.status {
                        _ if note => attempt(|| {
                            service.add_note(&clerk, &t, "iç not", now(), Some(cid.clone()))
                        }),
                        Status::Registered | Status::Returned => {
                            attempt(|| service.route(&clerk, &t, 0, now(), Some(cid.clone())))
                        }
                        Status::Routed => {
                            let officer = s.assignment.as_ref().expect("assigned").officer.clone();
                            let officer = Actor::officer(officer, Role::Yetkili);
                            attempt(|| {
                                service.answer(
                                    &officer,
                                    &t,
                                    Outcome::Positive,
                                    "Gereği yapılmıştır.",
                                    now(),
                                    Some(cid.clone()),
                                )
                            })
                        }
                        Status::Answered => {
                            attempt(|| service.close(&clerk, &t, now(), Some(cid.clone())))
                        }
                        _ => attempt(|| {
                            service.add_note(&clerk, &t, "iç not", now(), Some(cid.clone()))
                        }),
                    }
                }
            }
        };
        match result {
            Ok(outcome) => ack(&outcome),
            Err(e @ (Error::Conflict { .. } | Error::ConcurrencyConflict { .. })) => {
                conflicts += 1;
                let kind = if matches!(e, Error::Conflict { .. }) {
                    "Conflict"
                } else {
                    "ConcurrencyConflict"
                };
                println!(
                    "REFUSED {} {kind}",
                    if submit_now { "submit" } else { "step" }
                );
            }
            // Refused on the state it found (another node moved the application on, a guard):
            // nothing was written.
            Err(e) => {
                let kind = format!("{e:?}");
                let kind = kind.split([' ', '(', '{']).next().unwrap_or("?");
                println!(
                    "REFUSED {} {kind}",
                    if submit_now { "submit" } else { "step" }
                );
            }
        }
    }
    println!("DONE {EACH} {conflicts}");
    std::io::stdout().flush().expect("flush");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).expect("wait for GO");
    assert_eq!(line.trim(), "GO");
    service.refresh().expect("catch up");
    let (crc, records) = fingerprint(&service);
    println!("STATE {crc} {records}");
}

fn spawn(url: &str, id: usize) -> Child {
    let exe = std::env::current_exe().expect("test binary");
    Command::new(exe)
        .args([
            "--exact",
            "child_node",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(URL_VAR, url)
        .env(ID_VAR, id.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn child")
}

/// What one child printed.
#[derive(Default)]
struct Report {
    acks: Vec<(String, String, u64, u64)>,
    done: Option<(usize, u64)>,
    state: Option<(u32, u64)>,
    /// Refusals, by operation and error.
    refused: BTreeMap<String, usize>,
}

fn parse(line: &str, report: &mut Report) {
    // libtest's "test child_node ... " may precede the first line (no newline).
    if let Some(at) = line.find("REFUSED ") {
        *report.refused.entry(line[at + 8..].to_owned()).or_default() += 1;
        return;
    }
    for (tag, at) in [
        ("ACK ", line.find("ACK ")),
        ("DONE ", line.find("DONE ")),
        ("STATE ", line.find("STATE ")),
    ] {
        let Some(at) = at else { continue };
        let rest: Vec<&str> = line[at + tag.len()..].split_whitespace().collect();
        match tag {
            "ACK " => report.acks.push((
                rest[0].to_owned(),
                rest[1].to_owned(),
                rest[2].parse().expect("version"),
                rest[3].parse().expect("events"),
            )),
            "DONE " => {
                report.done = Some((rest[0].parse().expect("n"), rest[1].parse().expect("c")))
            }
            _ => report.state = Some((rest[0].parse().expect("crc"), rest[1].parse().expect("n"))),
        }
        return;
    }
}

#[test]
fn two_nodes_interleave_on_the_same_applications() {
    let Some(db) = TestDb::create() else { return };
    // Migrate once up front, so the children's start-up is the same short path.
    drop(PgStore::connect(&db.url, PgOptions::default()).expect("migrate"));
    let started = Instant::now();
    let mut children: Vec<Child> = (0..NODES).map(|id| spawn(&db.url, id)).collect();
    let (tx, rx) = mpsc::channel::<(usize, Option<String>)>();
    let mut stderr_readers = Vec::new();
    for (id, child) in children.iter_mut().enumerate() {
        let out = child.stdout.take().expect("stdout");
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send((id, Some(line)));
            }
            let _ = tx.send((id, None));
        });
        let err = child.stderr.take().expect("stderr");
        stderr_readers.push(std::thread::spawn(move || {
            let mut s = String::new();
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                s.push_str(&l);
                s.push('\n');
            }
            s
        }));
    }
    drop(tx);
    let mut reports: Vec<Report> = (0..NODES).map(|_| Report::default()).collect();
    let mut closed = 0;
    let mut sent_go = false;
    let kill_all = |children: &mut Vec<Child>| {
        for c in children.iter_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    };
    while closed < NODES {
        let left = DEADLINE.checked_sub(started.elapsed()).unwrap_or_default();
        match rx.recv_timeout(left.min(Duration::from_secs(1))) {
            Ok((id, Some(line))) => parse(&line, &mut reports[id]),
            Ok((_, None)) => closed += 1,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if !sent_go && reports.iter().all(|r| r.done.is_some()) {
            sent_go = true;
            for c in &mut children {
                let stdin = c.stdin.as_mut().expect("stdin");
                writeln!(stdin, "GO").expect("send GO");
            }
        }
        if started.elapsed() > DEADLINE {
            kill_all(&mut children);
            panic!("the nodes did not finish within {DEADLINE:?}");
        }
    }
    let elapsed = started.elapsed();
    for (id, (child, err)) in children.iter_mut().zip(stderr_readers).enumerate() {
        let status = child.wait().expect("wait");
        let err = err.join().expect("stderr reader");
        assert!(status.success(), "node {id} failed: {status}\n{err}");
    }

    // Every command was tried, and the nodes really got in each other's way.
    let attempts: usize = reports.iter().map(|r| r.done.expect("DONE").0).sum();
    let conflicts: u64 = reports.iter().map(|r| r.done.expect("DONE").1).sum();
    assert_eq!(attempts, NODES * EACH);
    assert!(conflicts > 0, "the nodes never conflicted: not interleaved");

    // A fresh replay of the database.
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let replay = open_applications(
        &store,
        ApplicationWorkflow::default(),
        NullSink,
        EngineOptions::default(),
    )
    .expect("replay");
    let (crc, records) = fingerprint(&replay);
    for (id, r) in reports.iter().enumerate() {
        assert_eq!(
            r.state,
            Some((crc, records)),
            "node {id} replays to the replay's state"
        );
    }

    // The history: every event of every command, by command id.
    let mut events: HashMap<String, Vec<(String, u64)>> = HashMap::new();
    let mut receives: HashMap<String, usize> = HashMap::new();
    let mut seen: HashSet<(String, u64)> = HashSet::new();
    replay.with_engines(|e| {
        for (id, inst) in e.instances() {
            for (i, env) in inst.history.iter().enumerate() {
                assert_eq!(env.version, i as u64 + 1, "{id}: versions without gaps");
                assert!(seen.insert((id.to_string(), env.version)), "event twice");
                events
                    .entry(env.command.to_string())
                    .or_default()
                    .push((id.to_string(), env.version));
                if env.version == 1 {
                    *receives.entry(id.to_string()).or_default() += 1;
                }
            }
        }
    });
    assert_eq!(
        seen.len() as u64,
        records,
        "every record is one event of one application"
    );

    let mut acked: BTreeMap<String, (String, u64, u64)> = BTreeMap::new();
    for r in &reports {
        for (cid, tracking, version, n) in &r.acks {
            let before = acked.insert(cid.clone(), (tracking.clone(), *version, *n));
            assert!(before.is_none(), "{cid} acknowledged twice");
        }
    }
    for (cid, (tracking, version, n)) in &acked {
        let got = events
            .get(cid)
            .unwrap_or_else(|| panic!("{cid} acknowledged but lost"));
        assert_eq!(got.len() as u64, *n, "{cid}: its events, once");
        assert!(
            got.iter().all(|(t, _)| t == tracking),
            "{cid} on {tracking}"
        );
        assert_eq!(
            got.iter().map(|(_, v)| *v).max(),
            Some(*version),
            "{cid} version"
        );
    }
    // Nothing in the history that no one acknowledged (no faults here: every call answered);
    // the service's own ids for a step (`<id>:geri-al`) belong to an acknowledged command.
    for cid in events.keys() {
        let base = cid.split(":geri-al").next().unwrap_or(cid);
        assert!(
            acked.contains_key(base),
            "{cid} in the history, never acknowledged"
        );
    }
    // Tracking numbers: each application received once, by one node.
    let received: Vec<&String> = acked
        .iter()
        .filter(|(cid, (_, v, _))| !cid.contains(':') && *v == 1)
        .map(|(_, (t, _, _))| t)
        .collect();
    let unique: HashSet<&&String> = received.iter().collect();
    assert_eq!(
        unique.len(),
        received.len(),
        "a tracking number given twice"
    );
    assert!(receives.values().all(|&n| n == 1));
    assert_eq!(
        receives.len(),
        received.len(),
        "every application's receive acknowledged"
    );
    // The applications went through their whole course, by the permitted actors.
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    replay.with_engines(|e| {
        for (status, n) in e.counts() {
            *counts.entry(status).or_default() += n;
        }
    });
    assert!(counts["closed"] > 0, "{counts:?}");
    let acks: usize = reports.iter().map(|r| r.acks.len()).sum();
    let mut refused: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &reports {
        for (k, n) in &r.refused {
            *refused.entry(k).or_default() += n;
        }
    }
    eprintln!("two nodes: refused: {refused:?}");
    eprintln!(
        "two nodes: {attempts} commands ({acks} acknowledged, {conflicts} conflicts seen by \
         callers, {records} records, {} applications: {counts:?}) in {elapsed:.2?}",
        receives.len()
    );
}
