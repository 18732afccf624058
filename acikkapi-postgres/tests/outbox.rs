//! `PgOutbox` on a real server, in one process: idempotent enqueue, claims under a lease with
//! `SKIP LOCKED`, takeover after the lease, fencing of a stale completion, retries.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use acikkapi_core::Error;
use acikkapi_core::ids::PhoneNumber;
use acikkapi_core::notify::{
    DeliveryQueue, DeliveryReceipt, DeliveryState, QueueCounts, RecordingNotifier, RetryPolicy,
    ScriptedFailure,
};
use acikkapi_core::workflow::ports::{Notification, NotificationSink};
use acikkapi_postgres::{Completion, PgOptions, PgOutbox, PgOutboxOptions, PgStore};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use support::TestDb;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn phone() -> PhoneNumber {
    PhoneNumber::parse("+905321234567").unwrap()
}

fn sms(key: &str) -> Notification {
    Notification::sms(key, phone(), format!("Başvurunuz {key} kaydedildi."))
}

fn node(store: &PgStore, name: &str, lease: Duration) -> PgOutbox {
    store
        .outbox(PgOutboxOptions {
            node: name.into(),
            lease,
            batch: 2,
            policy: RetryPolicy {
                initial_delay_secs: 10,
                max_delay_secs: 60,
                max_attempts: 3,
            },
            ..PgOutboxOptions::default()
        })
        .expect("outbox")
}

fn receipt() -> acikkapi_core::Result<DeliveryReceipt> {
    Ok(DeliveryReceipt {
        provider_id: "gw-1".into(),
        segments: Some(1),
    })
}

fn keys(claims: &[acikkapi_postgres::Claim]) -> Vec<&str> {
    claims
        .iter()
        .map(|c| c.notification.key.0.as_str())
        .collect()
}

#[test]
fn enqueue_is_idempotent_and_keeps_the_number_out_of_debug() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let a = node(&store, "a", Duration::from_secs(60));
    assert!(a.enqueue(sms("AK-1/registered"), t0()).unwrap());
    // A re-enqueue after a crash (same key, even with another text) changes nothing.
    let again = Notification::sms("AK-1/registered", phone(), "başka metin");
    assert!(!a.enqueue(again, t0() + TimeDelta::seconds(5)).unwrap());
    // Through the engine's port as well.
    let mut sink: Box<dyn NotificationSink> = Box::new(a.clone());
    sink.enqueue(sms("AK-1/registered"), t0()).unwrap();
    sink.enqueue(sms("AK-2/registered"), t0()).unwrap();
    assert_eq!(a.depth().unwrap(), 2);

    let m = a.message("AK-1/registered").unwrap().expect("stored");
    assert_eq!(m.status.notification, sms("AK-1/registered"));
    assert_eq!(m.status.notification.recipient.expose(), "+905321234567");
    assert_eq!(
        (
            m.status.state,
            m.status.attempts,
            m.token,
            m.claimed_by.clone()
        ),
        (DeliveryState::Pending, 0, 0, None)
    );
    assert_eq!(m.status.enqueued_at, t0());
    assert_eq!(m.status.next_attempt_at, Some(t0()));
    assert!(a.message("AK-9").unwrap().is_none());

    let claims = a.claim(t0()).unwrap();
    assert_eq!(keys(&claims), ["AK-1/registered", "AK-2/registered"]);
    for shown in [
        format!("{claims:?}"),
        format!("{m:?}"),
        format!("{a:?}"),
        format!("{store:?}"),
    ] {
        assert!(!shown.contains("1234567"), "{shown}");
    }
    // Bad input is a typed error, not a database error or a panic.
    for bad in [sms(""), sms("a\0b"), sms(&"k".repeat(501))] {
        assert!(matches!(
            a.enqueue(bad, t0()),
            Err(Error::WorkflowStorage { .. })
        ));
    }
    assert!(
        store
            .outbox(PgOutboxOptions {
                node: String::new(),
                ..PgOutboxOptions::default()
            })
            .is_err()
    );
}

#[test]
fn claims_skip_live_leases_and_not_yet_due_messages() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let a = node(&store, "a", Duration::from_secs(600));
    let b = node(&store, "b", Duration::from_secs(600));
    for k in ["k1", "k2", "k3"] {
        a.enqueue(sms(k), t0()).unwrap();
    }
    a.enqueue(sms("later"), t0() + TimeDelta::hours(1)).unwrap();

    let first = a.claim(t0()).unwrap();
    assert_eq!(keys(&first), ["k1", "k2"], "a batch of 2, oldest first");
    assert!(first.iter().all(|c| c.token == 1 && c.attempts == 0));
    let second = b.claim(t0()).unwrap();
    assert_eq!(keys(&second), ["k3"], "b skips a's live claims");
    assert!(a.claim(t0()).unwrap().is_empty());
    assert!(b.claim(t0()).unwrap().is_empty());
    let m = a.message("k3").unwrap().unwrap();
    assert_eq!((m.token, m.claimed_by.as_deref()), (1, Some("b")));
    assert!(m.lease_until.is_some());
    assert_eq!(
        a.counts().unwrap(),
        QueueCounts {
            pending: 4,
            claimed: 3,
            sent: 0,
            failed_permanently: 0
        }
    );

    // Completing releases the claim.
    assert_eq!(
        a.complete(&first[0], &receipt(), t0()).unwrap(),
        Completion::Sent
    );
    let m = a.message("k1").unwrap().unwrap();
    assert_eq!(
        (
            m.status.state,
            m.status.attempts,
            m.claimed_by,
            m.lease_until
        ),
        (DeliveryState::Sent, 1, None, None)
    );
    assert_eq!(m.status.receipt.unwrap().provider_id, "gw-1");
    assert_eq!(m.status.sent_at, Some(t0()));
    // The later message is claimable once the caller's clock reaches it.
    assert_eq!(
        keys(&b.claim(t0() + TimeDelta::hours(1)).unwrap()),
        ["later"]
    );
}

#[test]
fn an_expired_claim_is_taken_over_and_the_stale_completion_is_fenced() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    // A zero lease runs out as soon as it is taken (database clock): a claim that is never
    // completed is claimable again at once.
    let slow = node(&store, "slow", Duration::ZERO);
    let fast = node(&store, "fast", Duration::from_secs(600));
    slow.enqueue(sms("k"), t0()).unwrap();
    let stale = slow.claim(t0()).unwrap();
    assert_eq!(keys(&stale), ["k"]);
    let fresh = fast.claim(t0()).unwrap();
    assert_eq!(keys(&fresh), ["k"], "taken over after the lease");
    assert!(fresh[0].token > stale[0].token, "the token grew");

    // The slow node finishes late: its outcome is not recorded, whatever it is.
    assert_eq!(
        slow.complete(&stale[0], &receipt(), t0()).unwrap(),
        Completion::Fenced
    );
    let m = fast.message("k").unwrap().unwrap();
    assert_eq!(
        (m.status.state, m.status.attempts, m.claimed_by.as_deref()),
        (DeliveryState::Pending, 1, Some("fast")),
        "the abandoned claim counts as an attempt"
    );
    assert_eq!(fresh[0].attempts, 1);
    assert_eq!(
        m.status.last_error.as_deref(),
        Some("the claim of slow ran out without an outcome")
    );
    assert_eq!(
        fast.complete(&fresh[0], &receipt(), t0()).unwrap(),
        Completion::Sent
    );
    let failure = Err(Error::NotifyPermanent {
        reason: "late".into(),
    });
    assert_eq!(
        slow.complete(&stale[0], &failure, t0()).unwrap(),
        Completion::Fenced
    );
    // Completing the same claim twice is fenced as well (the message is no longer pending).
    assert_eq!(
        fast.complete(&fresh[0], &receipt(), t0()).unwrap(),
        Completion::Fenced
    );
    let m = fast.message("k").unwrap().unwrap();
    assert_eq!(
        (m.status.state, m.status.attempts),
        (DeliveryState::Sent, 2)
    );
    assert!(
        slow.claim(t0()).unwrap().is_empty(),
        "sent: never claimed again"
    );
}

#[test]
fn a_live_lease_holds_until_it_runs_out_on_the_database_clock() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let a = node(&store, "a", Duration::from_secs(3));
    let b = node(&store, "b", Duration::from_secs(600));
    a.enqueue(sms("k"), t0()).unwrap();
    let claimed = a.claim(t0()).unwrap();
    assert_eq!(keys(&claimed), ["k"]);
    // A caller's clock far ahead does not end the lease: it is the database's.
    let far = t0() + TimeDelta::days(365);
    assert!(
        b.claim(far).unwrap().is_empty(),
        "b took a live claim (lease until {})",
        claimed[0].lease_until
    );
    // Poll until the lease has run out; bounded.
    let deadline = Instant::now() + Duration::from_secs(30);
    let taken = loop {
        let c = b.claim(far).unwrap();
        if !c.is_empty() {
            break c;
        }
        assert!(Instant::now() < deadline, "the lease never ran out");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(keys(&taken), ["k"]);
    assert_eq!(taken[0].token, 2);
    assert!(taken[0].lease_until > claimed[0].lease_until);
}

#[test]
fn failures_are_retried_per_the_policy_then_given_up() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let shared: Arc<dyn DeliveryQueue> = Arc::new(node(&store, "a", Duration::from_secs(600)));
    let q = shared.as_ref();
    q.enqueue(sms("k"), t0()).unwrap();
    q.enqueue(sms("ok"), t0()).unwrap();
    let gw = RecordingNotifier::new();
    gw.fail_next(3, ScriptedFailure::Transient);
    let r = q.tick(t0(), &gw).unwrap();
    assert_eq!((r.sent, r.retry_scheduled, r.fenced), (0, 2, 0));
    // Not due before the backoff (10 s, then 20 s), due after it.
    assert_eq!(q.tick(t0() + TimeDelta::seconds(9), &gw).unwrap().sent, 0);
    let r = q.tick(t0() + TimeDelta::seconds(10), &gw).unwrap();
    assert_eq!((r.sent, r.retry_scheduled), (1, 1));
    let r = q.tick(t0() + TimeDelta::seconds(30), &gw).unwrap();
    assert_eq!((r.sent, r.retry_scheduled, r.failed_permanently), (1, 0, 0));
    assert_eq!(
        q.counts().unwrap(),
        QueueCounts {
            pending: 0,
            claimed: 0,
            sent: 2,
            failed_permanently: 0
        }
    );
    assert_eq!(gw.attempts().len(), 5);

    // A permanent error, and the last attempt, give up.
    let a = node(&store, "a", Duration::from_secs(600));
    a.enqueue(sms("bad"), t0()).unwrap();
    let c = a.claim(t0()).unwrap();
    let permanent = Err(Error::NotifyPermanent {
        reason: "numara kapalı".into(),
    });
    assert_eq!(
        a.complete(&c[0], &permanent, t0()).unwrap(),
        Completion::FailedPermanently
    );
    let m = a.message("bad").unwrap().unwrap();
    assert_eq!(
        (m.status.state, m.status.attempts, m.status.next_attempt_at),
        (DeliveryState::FailedPermanently, 1, None)
    );
    assert!(m.status.last_error.unwrap().contains("numara kapalı"));
    a.enqueue(sms("flaky"), t0()).unwrap();
    let transient = || {
        Err(Error::NotifyTransient {
            reason: "zaman aşımı".into(),
        })
    };
    let mut now = t0();
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let c = a.claim(now).unwrap();
        assert_eq!(keys(&c), ["flaky"]);
        let done = a.complete(&c[0], &transient(), now).unwrap();
        outcomes.push(done);
        if let Completion::RetryScheduled(at) = done {
            now = at;
        }
    }
    assert_eq!(
        outcomes,
        [
            Completion::RetryScheduled(t0() + TimeDelta::seconds(10)),
            Completion::RetryScheduled(t0() + TimeDelta::seconds(30)),
            Completion::FailedPermanently
        ]
    );
    assert_eq!(a.counts().unwrap().failed_permanently, 2);
    assert_eq!(a.depth().unwrap(), 0);
}

#[test]
fn the_async_methods_work_on_the_callers_runtime_and_the_blocking_ones_refuse_there() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let a = node(&store, "a", Duration::ZERO);
    let b = node(&store, "b", Duration::from_secs(600));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        assert!(a.enqueue_async(&sms("x"), t0()).await.unwrap());
        assert!(!a.enqueue_async(&sms("x"), t0()).await.unwrap());
        assert!(a.enqueue_async(&sms("y"), t0()).await.unwrap());
        assert_eq!(a.depth_async().await.unwrap(), 2);
        let stale = a.claim_async(t0()).await.unwrap();
        assert_eq!(keys(&stale), ["x", "y"]);
        // The blocking API would stall this runtime: refused with a typed error.
        assert!(matches!(
            a.depth(),
            Err(Error::StoreUnavailable {
                retryable: false,
                ..
            })
        ));
        let gw = RecordingNotifier::new();
        let r = b.tick_async(t0(), &gw).await.unwrap();
        assert_eq!((r.sent, r.fenced), (2, 0), "taken over (zero lease)");
        let done = a.complete_async(&stale[0], &receipt(), t0()).await.unwrap();
        assert_eq!(done, Completion::Fenced);
        let c = b.counts_async().await.unwrap();
        assert_eq!((c.pending, c.sent), (0, 2));
        let m = b.message_async("x").await.unwrap().unwrap();
        assert_eq!(m.claimed_by, None);
        assert_eq!(m.status.receipt.unwrap().provider_id, "rec-1");
    });
}

#[test]
fn a_message_whose_claims_keep_running_out_is_given_up() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    // As if every node that tries to send it dies: claims that are never completed.
    let dying = node(&store, "dying", Duration::ZERO);
    dying.enqueue(sms("poison"), t0()).unwrap();
    dying.enqueue(sms("fine"), t0()).unwrap();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let c = dying.claim(t0()).unwrap();
        seen.push(c.iter().map(|c| c.attempts).collect::<Vec<_>>());
    }
    assert_eq!(seen, [[0, 0], [1, 1], [2, 2]]);
    // The policy allows 3 attempts: the fourth claim gives both up instead of returning them.
    let r = dying.tick(t0(), &RecordingNotifier::new()).expect("tick");
    assert_eq!((r.sent, r.failed_permanently), (0, 2));
    let m = dying.message("poison").unwrap().unwrap();
    assert_eq!(
        (m.status.state, m.status.attempts, m.claimed_by),
        (DeliveryState::FailedPermanently, 3, None)
    );
    assert!(m.status.last_error.unwrap().contains("dying"));
    assert_eq!(dying.depth().unwrap(), 0);
}

#[test]
fn a_claim_is_extended_until_it_is_fenced() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let a = node(&store, "a", Duration::from_secs(600));
    a.enqueue(sms("k"), t0()).unwrap();
    let mut c = a.claim(t0()).unwrap().remove(0);
    let first = c.lease_until;
    assert!(a.extend(&mut c).unwrap());
    assert!(c.lease_until >= first);
    // Taken over (a zero lease on the other side: as if a's lease had run out).
    let zero = node(&store, "zero", Duration::ZERO);
    let mut mine = zero.claim(t0()).unwrap();
    assert!(mine.is_empty(), "a's extended lease holds");
    support::sql(
        &db.url,
        "UPDATE outbox_messages SET lease_until = now() - interval '1 s'",
    )
    .expect("expire");
    mine = zero.claim(t0()).unwrap();
    assert_eq!(keys(&mine), ["k"]);
    assert!(!a.extend(&mut c).unwrap(), "fenced: a must stop");
    assert_eq!(
        a.complete(&c, &receipt(), t0()).unwrap(),
        Completion::Fenced
    );
}

/// A gateway slow on its first message (past half the sender's lease), which records each
/// message's lease as the outbox has it when sent; optionally lets another node take the rest
/// of the batch over during that first send.
struct SlowGateway {
    observer: PgOutbox,
    first_send: Duration,
    takeover: Option<(PgOutbox, String)>,
    taken: std::sync::Mutex<Vec<acikkapi_postgres::Claim>>,
    leases: std::sync::Mutex<Vec<Option<DateTime<Utc>>>>,
}

impl acikkapi_core::notify::Notifier for SlowGateway {
    fn send(&self, m: &Notification) -> acikkapi_core::Result<DeliveryReceipt> {
        let row = self.observer.message(&m.key.0)?.expect("row");
        let first = {
            let mut leases = self.leases.lock().unwrap();
            leases.push(row.lease_until);
            leases.len() == 1
        };
        if first {
            if let Some((other, url)) = &self.takeover {
                support::sql(
                    url,
                    "UPDATE outbox_messages SET lease_until = now() - interval '1 s' WHERE state = 'pending'",
                )
                .expect("expire");
                let taken = other.claim(t0())?;
                self.taken.lock().unwrap().extend(taken);
            }
            std::thread::sleep(self.first_send);
        }
        receipt()
    }
}

fn batch_of_three(store: &PgStore, name: &str, lease: Duration) -> PgOutbox {
    store
        .outbox(PgOutboxOptions {
            node: name.into(),
            lease,
            batch: 3,
            ..PgOutboxOptions::default()
        })
        .expect("outbox")
}

#[test]
fn a_slow_tick_extends_the_rest_of_its_batch() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let a = batch_of_three(&store, "a", Duration::from_secs(1));
    for k in ["k1", "k2", "k3"] {
        a.enqueue(sms(k), t0()).unwrap();
    }
    let gw = SlowGateway {
        observer: a.clone(),
        first_send: Duration::from_millis(600),
        takeover: None,
        taken: Default::default(),
        leases: Default::default(),
    };
    let r = a.tick(t0(), &gw).unwrap();
    assert_eq!((r.sent, r.fenced), (3, 0));
    let leases: Vec<_> = gw
        .leases
        .lock()
        .unwrap()
        .iter()
        .map(|l| l.unwrap())
        .collect();
    assert!(
        leases[1] > leases[0] + TimeDelta::milliseconds(500) && leases[2] >= leases[1],
        "the rest extended after the slow first send: {leases:?}"
    );
}

#[test]
fn a_slow_tick_skips_what_another_node_took_meanwhile() {
    let Some(db) = TestDb::create() else { return };
    let store = PgStore::connect(&db.url, PgOptions::default()).expect("connect");
    let a = batch_of_three(&store, "a", Duration::from_secs(1));
    let b = batch_of_three(&store, "b", Duration::from_secs(600));
    for k in ["k1", "k2", "k3"] {
        a.enqueue(sms(k), t0()).unwrap();
    }
    let gw = SlowGateway {
        observer: a.clone(),
        first_send: Duration::from_millis(600),
        takeover: Some((b.clone(), db.url.clone())),
        taken: Default::default(),
        leases: Default::default(),
    };
    let r = a.tick(t0(), &gw).unwrap();
    // k1 was sent by a but is fenced (b took it during the send); k2 and k3 were never sent by a.
    assert_eq!((r.sent, r.fenced), (0, 3));
    assert_eq!(gw.leases.lock().unwrap().len(), 1, "a sent only k1");
    let taken = gw.taken.lock().unwrap().clone();
    assert_eq!(keys(&taken), ["k1", "k2", "k3"]);
    for c in &taken {
        assert_eq!(b.complete(c, &receipt(), t0()).unwrap(), Completion::Sent);
    }
    assert_eq!(b.counts().unwrap().sent, 3);
}
