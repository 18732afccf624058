//! Two processes append to the same stream through `PgJournal` with `append_if` and retry on
//! conflict, 2 × 2,000 appends; afterwards the positions are gapless and every acknowledged append
//! is there exactly once, at its acknowledged position. Bounded in time: a child that has not
//! finished after [`DEADLINE`] is killed and the test fails.

mod support;

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use acikkapi_core::Error;
use acikkapi_core::journal::{Journal, Seq};
use acikkapi_postgres::{PgOptions, PgStore};
use support::TestDb;

const CHILDREN: usize = 2;
const EACH: usize = 2_000;
const STREAM: &str = "34";
const DEADLINE: Duration = Duration::from_secs(240);
const URL_VAR: &str = "ACIKKAPI_TWO_PROCESS_URL";
const ID_VAR: &str = "ACIKKAPI_TWO_PROCESS_ID";

/// The child: run by the parent as `two_process --exact child_appender --ignored`.
#[test]
#[ignore = "run by two_processes_share_one_stream as a child process"]
fn child_appender() {
    let (Ok(url), Ok(id)) = (std::env::var(URL_VAR), std::env::var(ID_VAR)) else {
        return;
    };
    let store = PgStore::connect(&url, PgOptions::default()).expect("child connects");
    let j = store.journal(STREAM).expect("journal");
    let mut conflicts = 0u64;
    for i in 0..EACH {
        let payload = format!("n{id}-{i}");
        loop {
            let expected = j.last_seq();
            match j.append_if(Some(expected), &[payload.clone().into_bytes()]) {
                Ok(seqs) => {
                    println!("ACK {} {payload}", seqs[0]);
                    break;
                }
                Err(Error::ConcurrencyConflict { .. }) => conflicts += 1,
                Err(e) => panic!("child {id}: append {i}: {e}"),
            }
        }
    }
    println!("CONFLICTS {conflicts}");
}

#[test]
fn two_processes_share_one_stream() {
    let Some(db) = TestDb::create() else { return };
    // Migrate once up front, so the children's start-up is the same short path.
    drop(PgStore::connect(&db.url, PgOptions::default()).expect("migrate"));
    let exe = std::env::current_exe().expect("test binary");
    let started = Instant::now();
    let mut children: Vec<_> = (0..CHILDREN)
        .map(|id| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "child_appender",
                    "--ignored",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(URL_VAR, &db.url)
                .env(ID_VAR, id.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn child")
        })
        .collect();
    let readers: Vec<_> = children
        .iter_mut()
        .map(|c| {
            let out = c.stdout.take().expect("stdout");
            let err = c.stderr.take().expect("stderr");
            std::thread::spawn(move || {
                let lines: Vec<String> =
                    BufReader::new(out).lines().map_while(Result::ok).collect();
                let mut stderr = String::new();
                for l in BufReader::new(err).lines().map_while(Result::ok) {
                    stderr.push_str(&l);
                    stderr.push('\n');
                }
                (lines, stderr)
            })
        })
        .collect();
    let mut statuses = vec![None; CHILDREN];
    while statuses.iter().any(Option::is_none) {
        for (c, s) in children.iter_mut().zip(statuses.iter_mut()) {
            if s.is_none() {
                *s = c.try_wait().expect("wait");
            }
        }
        if started.elapsed() > DEADLINE {
            for c in &mut children {
                let _ = c.kill();
                let _ = c.wait();
            }
            panic!("the children did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let elapsed = started.elapsed();

    let mut acked: BTreeMap<u64, String> = BTreeMap::new();
    let mut conflicts = Vec::new();
    for ((reader, status), id) in readers.into_iter().zip(&statuses).zip(0..) {
        let (lines, stderr) = reader.join().expect("reader");
        let status = status.expect("finished");
        assert!(status.success(), "child {id} failed: {status}\n{stderr}");
        for line in &lines {
            // libtest's "test child_appender ... " may precede the first line (no newline).
            if let Some(rest) = line.find("ACK ").map(|at| &line[at + 4..]) {
                let (seq, payload) = rest.split_once(' ').expect("ACK seq payload");
                let seq: u64 = seq.parse().expect("seq");
                let before = acked.insert(seq, payload.to_string());
                assert!(before.is_none(), "position {seq} acknowledged twice");
            } else if let Some(n) = line.strip_prefix("CONFLICTS ") {
                conflicts.push(n.parse::<u64>().expect("count"));
            }
        }
    }
    assert_eq!(acked.len(), CHILDREN * EACH, "every append acknowledged");

    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let j = store.journal(STREAM).expect("journal");
    let records: Vec<_> = j.iter_from(Seq(1)).map(|r| r.expect("read")).collect();
    assert_eq!(j.last_seq(), Seq((CHILDREN * EACH) as u64));
    assert_eq!(records.len(), CHILDREN * EACH);
    let mut seen = HashSet::new();
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.seq, Seq(i as u64 + 1), "gapless");
        let payload = String::from_utf8(r.payload.clone()).expect("utf-8");
        assert_eq!(
            acked.get(&r.seq.0),
            Some(&payload),
            "record {} is the acknowledged one",
            r.seq
        );
        assert!(seen.insert(payload), "a payload stored twice");
    }
    eprintln!(
        "two processes: {} appends in {elapsed:.2?} ({:.0}/s), conflicts per child {conflicts:?}",
        CHILDREN * EACH,
        (CHILDREN * EACH) as f64 / elapsed.as_secs_f64()
    );
}
