//! A service node on a PostgreSQL journal, for the fault tests (`kill9.rs`,
//! `terminate_backend.rs`, `restart.rs`), and the checks made on what it left behind.
//!
//! A node is [`Applications`] on one [`PgJournal`](acikkapi_postgres::PgJournal) (stream
//! [`STREAM`], Denizli): a clerk of Denizli's Açık Kapı bureau submits the bundled Denizli sample
//! applications and routes the registered ones. After each acknowledged command the node keeps
//! (or prints) an [`Ack`]: the tracking number, the command id, and the instance's version and
//! status right after it. [`check`] then reopens the database and proves that nothing
//! acknowledged was lost and nothing half-written or doubled is visible.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use acikkapi_core::application::ApplicationInput;
use acikkapi_core::ids::TrackingNumber;
use acikkapi_core::org::UnitId;
use acikkapi_core::service::Applications;
use acikkapi_core::workflow::application::{ApplicationEvent, ApplicationWorkflow};
use acikkapi_core::workflow::ports::NullSink;
use acikkapi_core::workflow::{Actor, CommandId, Engine, EngineOptions, InstanceId};
use acikkapi_core::{Error, Result};
use acikkapi_postgres::{PgOptions, PgStore};
use chrono::{DateTime, Utc};

/// The stream the node writes (Denizli's plate).
pub const STREAM: &str = "20";

/// The clerk who submits and routes.
pub fn clerk() -> Actor {
    Actor::clerk(
        "buro-1",
        UnitId::parse("20.ACIK_KAPI").expect("Denizli's bureau"),
    )
}

/// The valid Denizli samples (01, 04 special, 06).
pub fn inputs() -> Vec<ApplicationInput> {
    [0, 3, 5]
        .into_iter()
        .map(|i| serde_json::from_str(acikkapi_core::samples::ALL[i].1).expect("sample"))
        .collect()
}

/// The time the commands are made at.
pub fn now() -> DateTime<Utc> {
    "2026-11-23T09:00:00Z".parse().expect("time")
}

/// Short timeouts, so a fault turns into an error quickly (every call is bounded by about
/// `connect_timeout + statement_timeout + 1 s`).
pub fn options() -> PgOptions {
    PgOptions {
        pool_size: 4,
        connect_timeout: Duration::from_secs(2),
        statement_timeout: Duration::from_secs(5),
        migrate: true,
    }
}

/// The longest one call may take before the tests call it a hang: the store's own bound
/// (connect + statement + 1 s) for each of the few statements a command makes, with room.
pub const CALL_BOUND: Duration = Duration::from_secs(30);

/// Opens the service on `store`'s journal of [`STREAM`].
pub fn open(store: &PgStore) -> Result<Applications> {
    Applications::open(
        ApplicationWorkflow::default(),
        Arc::new(store.journal(STREAM)?),
        NullSink,
        EngineOptions::default(),
    )
}

/// An acknowledged command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// `submit` or `route`.
    pub step: String,
    /// The application.
    pub tracking: String,
    /// The caller's command id (for a submit: the receive's; the registration is `<id>:register`).
    pub command: String,
    /// The instance's version right after the command.
    pub version: u64,
    /// The instance's status right after the command.
    pub status: String,
    /// The store already had the command: the answer to an earlier attempt was lost although it
    /// was committed (known for a route; not printed).
    pub repeated: bool,
}

impl Ack {
    /// The line a child node prints.
    pub fn line(&self) -> String {
        format!(
            "ACK {} {} {} {} {}",
            self.step, self.tracking, self.command, self.version, self.status
        )
    }

    /// Parses a line printed by [`line`](Self::line) (libtest may print text before it).
    pub fn parse(line: &str) -> Option<Ack> {
        let at = line.find("ACK ")?;
        let mut w = line[at + 4..].split(' ');
        let ack = Ack {
            step: w.next()?.to_owned(),
            tracking: w.next()?.to_owned(),
            command: w.next()?.to_owned(),
            version: w.next()?.parse().ok()?,
            status: w.next()?.to_owned(),
            repeated: false,
        };
        Some(ack)
    }

    /// The command id of the event at [`version`](Self::version).
    fn last_command(&self) -> String {
        match self.step.as_str() {
            "submit" => format!("{}:register", self.command),
            _ => self.command.clone(),
        }
    }
}

/// Submits `input` with command id `cid`; the ack carries the version after registration (the
/// node's threads each work on their own applications, so nothing else changes it in between).
pub fn submit(service: &Applications, input: &ApplicationInput, cid: &str) -> Result<Ack> {
    let s = service.submit(&clerk(), input.clone(), now(), Some(CommandId::new(cid)))?;
    let tracking = s.tracking.to_string();
    let version = service
        .with_engine(|e| e.instance(&InstanceId::new(&tracking)).map(|i| i.version))
        .ok_or_else(|| Error::UnknownInstance(tracking.clone()))?;
    Ok(Ack {
        step: "submit".into(),
        tracking,
        command: cid.to_owned(),
        version,
        status: s.status,
        repeated: false,
    })
}

/// Routes `tracking` with command id `cid`.
pub fn route(service: &Applications, tracking: &str, cid: &str) -> Result<Ack> {
    let o = service.route(&clerk(), tracking, 0, now(), Some(CommandId::new(cid)))?;
    Ok(Ack {
        step: "route".into(),
        tracking: tracking.to_owned(),
        command: cid.to_owned(),
        version: o.version,
        status: o.status,
        repeated: o.repeated,
    })
}

/// What a call under faults saw.
#[derive(Debug, Default)]
pub struct Calls {
    /// Calls made (attempts).
    pub attempts: u64,
    /// Failed attempts: the error's text.
    pub errors: Vec<String>,
    /// The longest attempt.
    pub longest: Duration,
    /// Retried routes the store already had (their failed attempt was committed after all).
    pub in_doubt: u64,
}

impl Calls {
    /// Runs `f` until it succeeds, retrying (with the same arguments, so the same command id) a
    /// retryable [`Error::StoreUnavailable`] until `deadline`. Any other error, a retryable one
    /// after the deadline, or an attempt longer than [`CALL_BOUND`] fails the test.
    pub fn retry<T>(
        &mut self,
        what: &str,
        deadline: Instant,
        mut f: impl FnMut() -> Result<T>,
    ) -> T {
        loop {
            let started = Instant::now();
            let r = f();
            let took = started.elapsed();
            self.attempts += 1;
            self.longest = self.longest.max(took);
            assert!(took <= CALL_BOUND, "{what}: one attempt took {took:?}");
            match r {
                Ok(v) => return v,
                Err(
                    e @ Error::StoreUnavailable {
                        retryable: true, ..
                    },
                ) if Instant::now() < deadline => {
                    self.errors.push(e.to_string());
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e @ Error::ConcurrencyConflict { .. }) => panic!(
                    "{what}: {e}. The node is behind its own journal: an append whose answer \
                     was lost (connection killed, server stopped or timed out during the commit) \
                     was committed after all, and the engine does not read what it missed \
                     before appending again (needs Engine::catch_up, the multinode helper's work)"
                ),
                Err(e) => panic!("{what}: {e:?}"),
            }
        }
    }
}

/// Submits (and routes, when registered) sample `i` as application `cid`, retrying faults
/// until `deadline` ([`Calls::retry`]); its acks.
pub fn one(
    service: &Applications,
    calls: &mut Calls,
    i: u64,
    cid: &str,
    deadline: Instant,
) -> Vec<Ack> {
    let inputs = inputs();
    let input = &inputs[(i % inputs.len() as u64) as usize];
    let submitted = calls.retry(&format!("submit {cid}"), deadline, || {
        submit(service, input, cid)
    });
    let mut acks = vec![submitted.clone()];
    if submitted.status == "registered" {
        let route_id = format!("{cid}-route");
        let failed_before = calls.errors.len();
        let routed = calls.retry(&format!("route {route_id}"), deadline, || {
            route(service, &submitted.tracking, &route_id)
        });
        if routed.repeated && calls.errors.len() > failed_before {
            calls.in_doubt += 1;
        }
        acks.push(routed);
    }
    acks
}

/// The positions and batch marks of the stream, read with plain SQL.
fn marks(url: &str) -> Vec<(i64, bool)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect for the check");
        let driver = tokio::spawn(conn);
        let rows = client
            .query(
                "SELECT position, batch_end FROM journal_records WHERE stream = $1 ORDER BY position",
                &[&STREAM],
            )
            .await
            .expect("read the batch marks");
        drop(client);
        let _ = driver.await;
        rows.iter().map(|r| (r.get(0), r.get(1))).collect()
    })
}

/// What [`check`] found.
#[derive(Debug)]
pub struct Checked {
    /// Records in the stream.
    pub records: u64,
    /// Applications in it.
    pub applications: usize,
}

/// Reopens the database at `url` and checks, panicking with `context` on the first failure:
/// * positions are 1, 2, … without a gap and the last record closes its batch (`batch_end`): no
///   record of a half-written append is visible; no command's events span a batch end (each
///   command is in one append);
/// * a fresh engine opens and replays every record (no snapshot) without error, to the last one;
/// * every application is a tracking number whose history starts with its only `Received`;
/// * every command id made events in one application, in one unbroken run (a retried command
///   never wrote twice);
/// * every [`Ack`] is there with its effect: the application has at least the acknowledged
///   version, and the event at that version is the acknowledged command's; for a submit, the
///   receipt (version 1) is the submit's command;
/// * no tracking number was acknowledged for two different submissions.
pub fn check(url: &str, acks: &[Ack], context: &str) -> Checked {
    let marks = marks(url);
    for (i, (pos, _)) in marks.iter().enumerate() {
        assert_eq!(*pos, i as i64 + 1, "{context}: positions have a gap");
    }
    if let Some((pos, end)) = marks.last() {
        assert!(
            end,
            "{context}: record {pos} is the last one but not the end of its batch"
        );
    }
    let store = PgStore::connect(url, options()).expect("connect for the check");
    let engine = Engine::open(
        ApplicationWorkflow::default(),
        Arc::new(store.journal(STREAM).expect("journal")),
        NullSink,
        EngineOptions {
            use_snapshot: false,
            ..EngineOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{context}: the engine does not open: {e}"));
    assert_eq!(
        engine.last_seq(),
        marks.len() as u64,
        "{context}: the engine did not replay every record"
    );

    // Command id -> (application, index of its run).
    let mut runs: HashMap<String, (String, usize)> = HashMap::new();
    for (id, inst) in engine.instances() {
        TrackingNumber::parse(id.as_str())
            .unwrap_or_else(|e| panic!("{context}: {id} is not a tracking number: {e}"));
        let received = inst
            .history
            .iter()
            .filter(|env| matches!(env.event, ApplicationEvent::Received { .. }))
            .count();
        assert_eq!(received, 1, "{context}: {id} received {received} times");
        assert!(
            matches!(inst.history[0].event, ApplicationEvent::Received { .. }),
            "{context}: {id} does not start with its receipt"
        );
        assert_eq!(inst.version, inst.history.len() as u64);
        let mut run = 0;
        for (i, env) in inst.history.iter().enumerate() {
            if i > 0 && inst.history[i - 1].command != env.command {
                run += 1;
            }
            let here = (id.to_string(), run);
            if let Some(before) = runs.insert(env.command.to_string(), here.clone()) {
                assert_eq!(
                    before, here,
                    "{context}: command {} made events twice",
                    env.command
                );
            }
        }
    }
    // A command's events are one append: none spans a batch end.
    let mut command_at: HashMap<u64, String> = HashMap::new();
    for (_, inst) in engine.instances() {
        for env in &inst.history {
            command_at.insert(env.seq, env.command.to_string());
        }
    }
    for (pos, end) in &marks {
        let pos = *pos as u64;
        if *end && command_at.contains_key(&pos) {
            assert_ne!(
                command_at.get(&pos),
                command_at.get(&(pos + 1)),
                "{context}: a command's events span the end of the append at {pos}"
            );
        }
    }
    let mut submitted: BTreeMap<&str, &str> = BTreeMap::new();
    for ack in acks {
        let inst = engine
            .instance(&InstanceId::new(&ack.tracking))
            .unwrap_or_else(|| {
                panic!("{context}: acknowledged {ack:?} but the application is missing")
            });
        assert!(
            inst.version >= ack.version,
            "{context}: acknowledged {ack:?} but the application is at version {}",
            inst.version
        );
        let at = &inst.history[ack.version as usize - 1];
        assert_eq!(
            at.command.as_str(),
            ack.last_command(),
            "{context}: acknowledged {ack:?} but version {} is another command's",
            ack.version
        );
        if ack.step == "submit" {
            assert_eq!(
                inst.history[0].command.as_str(),
                ack.command,
                "{context}: {} was received by another command than {ack:?}",
                ack.tracking
            );
            if let Some(other) = submitted.insert(&ack.tracking, &ack.command) {
                assert_eq!(
                    other, ack.command,
                    "{context}: tracking number {} acknowledged for two submissions",
                    ack.tracking
                );
            }
        }
    }
    Checked {
        records: marks.len() as u64,
        applications: engine.instances().count(),
    }
}
