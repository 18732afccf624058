//! `kill -9` of a node at random points: every acknowledged command survives, nothing
//! half-written is visible.
//!
//! The parent runs this test binary again as a child process (the `#[ignore]`d test `child_node`,
//! activated by environment variables), [`TRIALS`] times on the same database, so each trial
//! reopens what the ones before left. The child opens the service on the PostgreSQL journal
//! (replaying everything so far), prints `READY`, and from [`THREADS`] threads submits and routes
//! applications, printing an ACK line (`support::node::Ack`) after each command returned. The
//! parent SIGKILLs it at a random moment — one trial in eight during start-up, the others up to
//! [`WINDOW_MS`] after `READY` — waits until the server has finished what the dead child's
//! connections were doing, then checks the database (`support::node::check`): positions gapless,
//! the last record ends its batch, the engine replays it all, every ACK is there with its effect,
//! no command wrote twice, tracking numbers unique.
//!
//! Seed: `ACIKKAPI_PG_KILL9_SEED` (printed on stderr).

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use support::TestDb;
use support::node::{self, Ack};

const URL_VAR: &str = "ACIKKAPI_PG_KILL9_URL";
const TRIAL_VAR: &str = "ACIKKAPI_PG_KILL9_TRIAL";
const TRIALS: u64 = 50;
const THREADS: u64 = 2;
/// Longest run of a child after `READY`.
const WINDOW_MS: u64 = 400;
/// Children started ahead of their trial (their start-up loads the bundled data: about 1.5 s of
/// CPU each in a debug build).
const AHEAD: u64 = 2;
/// A child that is not ready by then has failed.
const READY_WITHIN: Duration = Duration::from_secs(30);

/// xorshift64*: small deterministic randomness without a dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// The child node. Does nothing unless started by the parent with the environment set.
#[test]
#[ignore = "run by kill9_keeps_every_acknowledged_command as a child process"]
fn child_node() {
    let (Ok(url), Ok(trial)) = (std::env::var(URL_VAR), std::env::var(TRIAL_VAR)) else {
        return;
    };
    // Validation data, the organisation and the router load on first use (seconds in a debug
    // build): one application through a service in memory first, then wait for the parent's
    // GO, so that the kills fall in the node's start-up on the database and among its commands.
    let inputs = node::inputs();
    let warm = acikkapi_core::service::Applications::in_memory().expect("service in memory");
    let ack = node::submit(&warm, &inputs[0], "warm-up").expect("warm-up submit");
    node::route(&warm, &ack.tracking, "warm-up-route").expect("warm-up route");
    drop(warm);
    let mut go = String::new();
    if std::io::stdin().read_line(&mut go).unwrap_or(0) == 0 {
        return; // the parent is gone
    }
    let store = acikkapi_postgres::PgStore::connect(&url, node::options()).expect("connect");
    let service = node::open(&store).expect("open the service");
    println!("READY");
    std::io::stdout().flush().expect("stdout");
    std::thread::scope(|s| {
        for thread in 0..THREADS {
            let (service, inputs, trial) = (&service, &inputs, &trial);
            s.spawn(move || {
                let print = |line: String| {
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "{line}").expect("stdout");
                    out.flush().expect("stdout");
                };
                for i in 0..1_000_000u64 {
                    let cid = format!("k{trial}-{thread}-{i}");
                    let input = &inputs[((i + thread) % inputs.len() as u64) as usize];
                    let ack = match node::submit(service, input, &cid) {
                        Ok(ack) => ack,
                        Err(e) => return print(format!("FAIL {cid} {e}")),
                    };
                    print(ack.line());
                    if ack.status == "registered" {
                        let route = format!("{cid}-route");
                        match node::route(service, &ack.tracking, &route) {
                            Ok(ack) => print(ack.line()),
                            Err(e) => return print(format!("FAIL {route} {e}")),
                        }
                    }
                }
            });
        }
    });
}

/// Waits until no other session is connected to the database: the server has finished (committed
/// or rolled back) what the killed child's connections were doing.
fn wait_for_orphans(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let busy = support::sql(
            url,
            "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()) \
             THEN RAISE EXCEPTION 'busy'; END IF; END $$",
        )
        .is_err();
        if !busy {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the killed child's sessions did not end within 20 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A child started and warmed up, waiting for GO.
struct Child {
    process: std::process::Child,
    ready: mpsc::Receiver<()>,
    reader: std::thread::JoinHandle<Vec<String>>,
    stderr: std::path::PathBuf,
}

fn spawn(url: &str, trial: u64) -> Child {
    let stderr = std::env::temp_dir().join(format!(
        "acikkapi-pg-kill9-{}-{trial}.stderr",
        std::process::id()
    ));
    let exe = std::env::current_exe().expect("test binary");
    let mut process = Command::new(exe)
        .args([
            "--exact",
            "child_node",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(URL_VAR, url)
        .env(TRIAL_VAR, trial.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr).expect("stderr file"))
        .spawn()
        .expect("spawn the child");
    let stdout = process.stdout.take().expect("stdout");
    let (tx, ready) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.contains("READY") {
                let _ = tx.send(());
            }
            lines.push(line);
        }
        lines
    });
    Child {
        process,
        ready,
        reader,
        stderr,
    }
}

/// One trial: lets `child` go, SIGKILLs it at a random moment; its printed lines and stderr.
fn run_and_kill(mut child: Child, trial: u64, rng: &mut Rng) -> (Vec<String>, String) {
    let mut stdin = child.process.stdin.take().expect("stdin");
    // A child that died already shows in its stderr below.
    let _ = writeln!(stdin, "GO");
    let _ = stdin.flush();
    if rng.below(8) == 0 {
        std::thread::sleep(Duration::from_millis(rng.below(40)));
    } else if child.ready.recv_timeout(READY_WITHIN).is_err() {
        let _ = child.process.kill();
        let _ = child.process.wait();
        panic!(
            "trial {trial}: the child was not ready within {READY_WITHIN:?}: {}",
            std::fs::read_to_string(&child.stderr).unwrap_or_default()
        );
    } else {
        std::thread::sleep(Duration::from_millis(rng.below(WINDOW_MS)));
    }
    child.process.kill().expect("SIGKILL the child");
    child.process.wait().expect("reap the child");
    drop(stdin);
    let lines = child.reader.join().expect("reader");
    let stderr = std::fs::read_to_string(&child.stderr).unwrap_or_default();
    let _ = std::fs::remove_file(&child.stderr);
    (lines, stderr)
}

#[test]
fn kill9_keeps_every_acknowledged_command() {
    let Some(db) = TestDb::create() else { return };
    let seed = std::env::var("ACIKKAPI_PG_KILL9_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    eprintln!("PostgreSQL kill -9 test: seed {seed} (set ACIKKAPI_PG_KILL9_SEED to repeat)");
    let mut rng = Rng(seed);
    // Migrate once, so that the children's start-up is the same path each time.
    drop(acikkapi_postgres::PgStore::connect(&db.url, node::options()).expect("migrate"));
    let started = Instant::now();
    let mut acks: Vec<Ack> = Vec::new();
    let mut killed_before_ready = 0;
    let mut last = None;
    // The next children warm up while the current one runs and is checked.
    let mut warming: std::collections::VecDeque<Child> =
        (0..AHEAD.min(TRIALS)).map(|t| spawn(&db.url, t)).collect();
    for trial in 0..TRIALS {
        let child = warming.pop_front().expect("a child for each trial");
        if trial + AHEAD < TRIALS {
            warming.push_back(spawn(&db.url, trial + AHEAD));
        }
        let (lines, stderr) = run_and_kill(child, trial, &mut rng);
        if !lines.iter().any(|l| l.contains("READY")) {
            killed_before_ready += 1;
        }
        for line in &lines {
            if let Some(at) = line.find("FAIL ") {
                panic!(
                    "seed {seed} trial {trial}: a command failed: {}\n{stderr}",
                    &line[at..]
                );
            }
            if let Some(ack) = Ack::parse(line) {
                acks.push(ack);
            }
        }
        wait_for_orphans(&db.url);
        last = Some(node::check(
            &db.url,
            &acks,
            &format!("seed {seed} trial {trial}"),
        ));
    }
    let last = last.expect("trials ran");
    eprintln!(
        "PostgreSQL kill -9 test: {TRIALS} trials ({killed_before_ready} killed before ready) in \
         {:.1} s; {} commands acknowledged, {} records and {} applications in the journal",
        started.elapsed().as_secs_f64(),
        acks.len(),
        last.records,
        last.applications
    );
    assert!(
        acks.len() as u64 > TRIALS,
        "the children acknowledged too little to test anything"
    );
}
