//! The outbox (*giden kutusu*): at-least-once delivery of notifications with retries.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::{DeliveryReceipt, IdempotencyKey, Notification, Notifier, QueueCounts, is_transient};

/// When to retry after a transient failure: `initial_delay_secs × 2^(attempt-1)`, capped at
/// `max_delay_secs`; after `max_attempts` attempts the message fails permanently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Delay after the first failed attempt, in seconds.
    pub initial_delay_secs: u64,
    /// Longest delay between attempts, in seconds.
    pub max_delay_secs: u64,
    /// Attempts before giving up (at least 1).
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// 30 s, 1 min, 2 min … capped at 1 h; 10 attempts (about 4.5 hours in all).
    fn default() -> Self {
        RetryPolicy {
            initial_delay_secs: 30,
            max_delay_secs: 3600,
            max_attempts: 10,
        }
    }
}

impl RetryPolicy {
    /// The delay after failed attempt number `attempt` (1-based).
    pub fn delay(&self, attempt: u32) -> TimeDelta {
        let factor = 1u64
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u64::MAX);
        let secs = self
            .initial_delay_secs
            .saturating_mul(factor)
            .min(self.max_delay_secs);
        TimeDelta::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 1000))
    }
}

/// What happened to the outbox; the outbox is rebuilt by applying these in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutboxEvent {
    /// A notification was accepted for delivery.
    Enqueued {
        /// The notification.
        notification: Notification,
        /// When.
        at: DateTime<Utc>,
    },
    /// An attempt succeeded.
    Delivered {
        /// Which notification.
        key: IdempotencyKey,
        /// When.
        at: DateTime<Utc>,
        /// The gateway's receipt.
        receipt: DeliveryReceipt,
    },
    /// An attempt failed.
    AttemptFailed {
        /// Which notification.
        key: IdempotencyKey,
        /// When.
        at: DateTime<Utc>,
        /// The error message.
        error: String,
        /// When to try again; `None` when the message has failed for good.
        next_attempt_at: Option<DateTime<Utc>>,
    },
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its (next) attempt.
    Pending,
    /// Delivered.
    Sent,
    /// Given up: a permanent error, or too many attempts.
    FailedPermanently,
}

/// The visible state of one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageStatus {
    /// The notification.
    pub notification: Notification,
    /// Its state.
    pub state: DeliveryState,
    /// Attempts made.
    pub attempts: u32,
    /// When it was enqueued.
    pub enqueued_at: DateTime<Utc>,
    /// When it is due next (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last error, if an attempt failed.
    pub last_error: Option<String>,
    /// The receipt, once sent.
    pub receipt: Option<DeliveryReceipt>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
}

/// What one [`Outbox::tick`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TickReport {
    /// Messages delivered.
    pub sent: u32,
    /// Messages that failed and will be retried.
    pub retry_scheduled: u32,
    /// Messages that failed for good.
    pub failed_permanently: u32,
    /// Attempts whose outcome was not recorded because another node had taken the message over
    /// meanwhile (its claim's lease ran out): the newer attempt's outcome stands. Always 0 for
    /// the single-process [`Outbox`]; see `acikkapi_postgres::PgOutbox`.
    #[serde(default)]
    pub fenced: u32,
}

/// Outbox: delivers each notification at least once, retrying transient failures with
/// exponential backoff. The clock is the caller's (`now` arguments; nothing here sleeps).
/// Everything that happens is an [`OutboxEvent`]; the caller persists the events (e.g. in the
/// workflow journal, see [`take_events`](Outbox::take_events)) and rebuilds the outbox from them
/// after a restart. A crash between a delivery and the persisting of its event causes one resend
/// with the same idempotency key (at least once, not exactly once).
///
/// ```
/// use acikkapi_core::notify::{DeliveryState, Notification, Outbox, RecordingNotifier, RetryPolicy, ScriptedFailure};
/// use chrono::{TimeDelta, TimeZone, Utc};
///
/// let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
/// let gateway = RecordingNotifier::new();
/// gateway.fail_next(1, ScriptedFailure::Transient);
/// let mut outbox = Outbox::new(RetryPolicy::default());
/// let to = acikkapi_core::ids::PhoneNumber::parse("+905321234567").unwrap();
/// let sms = Notification::sms("2026-000123/registered", to, "Başvurunuz kaydedildi.");
/// assert!(outbox.enqueue(sms.clone(), now));
/// assert!(!outbox.enqueue(sms, now)); // same key: deduplicated
///
/// assert_eq!(outbox.tick(now, &gateway).retry_scheduled, 1);
/// assert_eq!(outbox.tick(now + TimeDelta::seconds(10), &gateway).sent, 0); // not due yet
/// assert_eq!(outbox.tick(now + TimeDelta::seconds(30), &gateway).sent, 1);
///
/// let events = outbox.take_events();
/// let rebuilt = Outbox::rebuild(RetryPolicy::default(), &events);
/// let status = rebuilt.status("2026-000123/registered").unwrap();
/// assert_eq!((status.state, status.attempts), (DeliveryState::Sent, 2));
/// ```
#[derive(Debug, Clone)]
pub struct Outbox {
    policy: RetryPolicy,
    messages: HashMap<IdempotencyKey, MessageStatus>,
    order: Vec<IdempotencyKey>,
    new_events: Vec<OutboxEvent>,
}

impl Outbox {
    /// An empty outbox.
    pub fn new(policy: RetryPolicy) -> Self {
        Outbox {
            policy,
            messages: HashMap::new(),
            order: Vec::new(),
            new_events: Vec::new(),
        }
    }

    /// Rebuilds an outbox from its events (in the order they happened).
    pub fn rebuild<'a>(
        policy: RetryPolicy,
        events: impl IntoIterator<Item = &'a OutboxEvent>,
    ) -> Self {
        let mut outbox = Outbox::new(policy);
        for e in events {
            outbox.apply(e);
        }
        outbox
    }

    /// Applies one event to the state (used by [`rebuild`](Outbox::rebuild) and by every action).
    /// Events about unknown keys, and a second `Enqueued` for a known key, change nothing.
    pub fn apply(&mut self, event: &OutboxEvent) {
        match event {
            OutboxEvent::Enqueued { notification, at } => {
                if self.messages.contains_key(&notification.key) {
                    return;
                }
                self.order.push(notification.key.clone());
                self.messages.insert(
                    notification.key.clone(),
                    MessageStatus {
                        notification: notification.clone(),
                        state: DeliveryState::Pending,
                        attempts: 0,
                        enqueued_at: *at,
                        next_attempt_at: Some(*at),
                        last_error: None,
                        receipt: None,
                        sent_at: None,
                    },
                );
            }
            OutboxEvent::Delivered { key, at, receipt } => {
                if let Some(m) = self.messages.get_mut(key) {
                    m.attempts += 1;
                    m.state = DeliveryState::Sent;
                    m.next_attempt_at = None;
                    m.receipt = Some(receipt.clone());
                    m.sent_at = Some(*at);
                }
            }
            OutboxEvent::AttemptFailed {
                key,
                error,
                next_attempt_at,
                ..
            } => {
                if let Some(m) = self.messages.get_mut(key) {
                    m.attempts += 1;
                    m.last_error = Some(error.clone());
                    m.next_attempt_at = *next_attempt_at;
                    if next_attempt_at.is_none() {
                        m.state = DeliveryState::FailedPermanently;
                    }
                }
            }
        }
    }

    fn record(&mut self, event: OutboxEvent) {
        self.apply(&event);
        self.new_events.push(event);
    }

    /// Accepts a notification; `false` (and nothing recorded) if its key is already known.
    pub fn enqueue(&mut self, notification: Notification, now: DateTime<Utc>) -> bool {
        if self.messages.contains_key(&notification.key) {
            return false;
        }
        self.record(OutboxEvent::Enqueued {
            notification,
            at: now,
        });
        true
    }

    /// The pending notifications due at `now`, in the order they were enqueued.
    pub fn due(&self, now: DateTime<Utc>) -> Vec<&Notification> {
        self.order
            .iter()
            .filter_map(|k| self.messages.get(k))
            .filter(|m| {
                m.state == DeliveryState::Pending && m.next_attempt_at.is_some_and(|t| t <= now)
            })
            .map(|m| &m.notification)
            .collect()
    }

    /// When the next pending message is due (`None` if nothing is pending): when to tick next.
    pub fn next_due_at(&self) -> Option<DateTime<Utc>> {
        self.messages
            .values()
            .filter(|m| m.state == DeliveryState::Pending)
            .filter_map(|m| m.next_attempt_at)
            .min()
    }

    /// Sends every message due at `now` through `notifier` and records the outcomes.
    pub fn tick(&mut self, now: DateTime<Utc>, notifier: &dyn Notifier) -> TickReport {
        let due: Vec<Notification> = self.due(now).into_iter().cloned().collect();
        let mut report = TickReport::default();
        for n in due {
            let attempts = self.messages.get(&n.key).map_or(0, |m| m.attempts) + 1;
            let event = match notifier.send(&n) {
                Ok(receipt) => {
                    report.sent += 1;
                    OutboxEvent::Delivered {
                        key: n.key,
                        at: now,
                        receipt,
                    }
                }
                Err(e) => {
                    let next = (is_transient(&e) && attempts < self.policy.max_attempts)
                        .then(|| now + self.policy.delay(attempts));
                    if next.is_some() {
                        report.retry_scheduled += 1;
                    } else {
                        report.failed_permanently += 1;
                    }
                    OutboxEvent::AttemptFailed {
                        key: n.key,
                        at: now,
                        error: e.to_string(),
                        next_attempt_at: next,
                    }
                }
            };
            self.record(event);
        }
        report
    }

    /// The status of one message.
    pub fn status(&self, key: &str) -> Option<&MessageStatus> {
        self.messages.get(&IdempotencyKey(key.to_string()))
    }

    /// Every message's status, in the order enqueued.
    pub fn statuses(&self) -> impl Iterator<Item = &MessageStatus> {
        self.order.iter().filter_map(|k| self.messages.get(k))
    }

    /// How many messages are in each state (for metrics: the outbox depth is `pending`).
    pub fn counts(&self) -> QueueCounts {
        let mut c = QueueCounts::default();
        for m in self.messages.values() {
            match m.state {
                DeliveryState::Pending => c.pending += 1,
                DeliveryState::Sent => c.sent += 1,
                DeliveryState::FailedPermanently => c.failed_permanently += 1,
            }
        }
        c
    }

    /// The events recorded since the last call, for the caller to persist.
    pub fn take_events(&mut self) -> Vec<OutboxEvent> {
        std::mem::take(&mut self.new_events)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::journal::{MemoryJournal, Seq, TypedJournal};
    use crate::notify::{RecordingNotifier, ScriptedFailure};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
    }

    fn sms(key: &str) -> Notification {
        let to = crate::ids::PhoneNumber::parse("+905321234567").unwrap();
        Notification::sms(key, to, format!("mesaj {key}"))
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy {
            initial_delay_secs: 30,
            max_delay_secs: 100,
            max_attempts: 5,
        };
        let d: Vec<i64> = (1..=5).map(|a| p.delay(a).num_seconds()).collect();
        assert_eq!(d, [30, 60, 100, 100, 100]);
        assert_eq!(RetryPolicy::default().delay(200).num_seconds(), 3600);
    }

    #[test]
    fn transient_failures_retry_until_max_attempts() {
        let gw = RecordingNotifier::new();
        gw.fail_next(10, ScriptedFailure::Transient);
        let policy = RetryPolicy {
            initial_delay_secs: 10,
            max_delay_secs: 1000,
            max_attempts: 3,
        };
        let mut ob = Outbox::new(policy);
        ob.enqueue(sms("a"), t0());
        let r = ob.tick(t0(), &gw);
        assert_eq!(
            r,
            TickReport {
                sent: 0,
                retry_scheduled: 1,
                failed_permanently: 0,
                fenced: 0
            }
        );
        let s = ob.status("a").unwrap();
        assert_eq!(
            (s.state, s.attempts, s.next_attempt_at),
            (
                DeliveryState::Pending,
                1,
                Some(t0() + TimeDelta::seconds(10))
            )
        );
        assert!(s.last_error.as_deref().unwrap().contains("geçici"));
        assert!(ob.due(t0() + TimeDelta::seconds(9)).is_empty());
        assert_eq!(ob.next_due_at(), Some(t0() + TimeDelta::seconds(10)));
        ob.tick(t0() + TimeDelta::seconds(10), &gw);
        assert_eq!(
            ob.status("a").unwrap().next_attempt_at,
            Some(t0() + TimeDelta::seconds(30))
        );
        let r = ob.tick(t0() + TimeDelta::seconds(30), &gw);
        assert_eq!(r.failed_permanently, 1);
        let s = ob.status("a").unwrap();
        assert_eq!(
            (s.state, s.attempts, s.next_attempt_at),
            (DeliveryState::FailedPermanently, 3, None)
        );
        assert_eq!(ob.next_due_at(), None);
        assert_eq!(gw.attempts().len(), 3);
        assert!(gw.sent().is_empty());
    }

    #[test]
    fn permanent_failure_is_not_retried_and_others_still_go() {
        let gw = RecordingNotifier::new();
        gw.fail_next(1, ScriptedFailure::Permanent);
        let mut ob = Outbox::new(RetryPolicy::default());
        ob.enqueue(sms("bad"), t0());
        ob.enqueue(sms("good"), t0());
        let r = ob.tick(t0(), &gw);
        assert_eq!(
            r,
            TickReport {
                sent: 1,
                retry_scheduled: 0,
                failed_permanently: 1,
                fenced: 0
            }
        );
        assert_eq!(
            ob.status("bad").unwrap().state,
            DeliveryState::FailedPermanently
        );
        assert_eq!(ob.status("good").unwrap().state, DeliveryState::Sent);
        assert_eq!(
            gw.sent()
                .iter()
                .map(|n| n.key.0.as_str())
                .collect::<Vec<_>>(),
            ["good"]
        );
        assert_eq!(
            ob.tick(t0() + TimeDelta::days(1), &gw),
            TickReport::default()
        );
    }

    #[test]
    fn dedup_and_rebuild_through_a_journal() {
        let gw = RecordingNotifier::new();
        gw.fail_next(1, ScriptedFailure::Transient);
        let journal = TypedJournal::<OutboxEvent, _>::new(MemoryJournal::new());
        let mut ob = Outbox::new(RetryPolicy::default());
        assert!(ob.enqueue(sms("x/registered"), t0()));
        assert!(ob.enqueue(sms("x/routed"), t0()));
        assert!(!ob.enqueue(sms("x/registered"), t0() + TimeDelta::seconds(5)));
        ob.tick(t0(), &gw);
        journal.append(&ob.take_events()).unwrap();
        assert!(ob.take_events().is_empty());

        // "Restart": rebuild from the journal, then carry on.
        let events: Vec<OutboxEvent> = journal.read_from(Seq(1)).map(|r| r.unwrap().1).collect();
        assert_eq!(
            events.len(),
            4,
            "2 enqueued, 1 failed, 1 delivered: {events:?}"
        );
        let mut again = Outbox::rebuild(RetryPolicy::default(), &events);
        let a: Vec<_> = ob.statuses().cloned().collect();
        let b: Vec<_> = again.statuses().cloned().collect();
        assert_eq!(a, b);
        assert!(
            !again.enqueue(sms("x/routed"), t0()),
            "dedup survives the rebuild"
        );
        let r = again.tick(t0() + TimeDelta::seconds(30), &gw);
        assert_eq!(r.sent, 1);
        assert_eq!(gw.sent().len(), 2);
        // Each key reached the gateway once successfully.
        let mut keys: Vec<_> = gw.sent().into_iter().map(|n| n.key.0).collect();
        keys.sort();
        assert_eq!(keys, ["x/registered", "x/routed"]);
    }

    #[test]
    fn events_are_snake_case_json() {
        let e = OutboxEvent::AttemptFailed {
            key: IdempotencyKey("k".into()),
            at: t0(),
            error: "zaman aşımı".into(),
            next_attempt_at: None,
        };
        let json = serde_json::to_string(&e).unwrap();
        assert!(
            json.starts_with(r#"{"type":"attempt_failed","key":"k","#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<OutboxEvent>(&json).unwrap(), e);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Enqueue(u8),
        Fail(u8, bool),
        Tick(u16),
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            (0u8..6).prop_map(Op::Enqueue),
            (1u8..4, any::<bool>()).prop_map(|(n, p)| Op::Fail(n, p)),
            (0u16..200).prop_map(Op::Tick),
        ]
    }

    proptest::proptest! {
        #[test]
        fn outbox_invariants_and_rebuild(ops in proptest::collection::vec(op(), 1..60)) {
            use proptest::prop_assert;
            let policy = RetryPolicy { initial_delay_secs: 10, max_delay_secs: 60, max_attempts: 4 };
            let gw = RecordingNotifier::new();
            let mut ob = Outbox::new(policy);
            let mut events = Vec::new();
            let mut now = t0();
            for op in ops {
                match op {
                    Op::Enqueue(k) => {
                        ob.enqueue(sms(&format!("k{k}")), now);
                    }
                    Op::Fail(n, permanent) => gw.fail_next(
                        n as usize,
                        if permanent { ScriptedFailure::Permanent } else { ScriptedFailure::Transient },
                    ),
                    Op::Tick(secs) => {
                        now += TimeDelta::seconds(secs as i64);
                        ob.tick(now, &gw);
                    }
                }
                events.extend(ob.take_events());
                for m in ob.statuses() {
                    prop_assert!(m.attempts <= policy.max_attempts);
                    match m.state {
                        DeliveryState::Pending => prop_assert!(m.next_attempt_at.is_some() && m.receipt.is_none()),
                        DeliveryState::Sent => prop_assert!(m.receipt.is_some() && m.next_attempt_at.is_none()),
                        DeliveryState::FailedPermanently => {
                            prop_assert!(m.next_attempt_at.is_none() && m.last_error.is_some())
                        }
                    }
                }
                let rebuilt = Outbox::rebuild(policy, &events);
                prop_assert!(rebuilt.statuses().eq(ob.statuses()));
            }
            // Each key reached the gateway successfully at most once.
            let mut sent: Vec<_> = gw.sent().into_iter().map(|n| n.key).collect();
            let total = sent.len();
            sent.sort();
            sent.dedup();
            prop_assert!(sent.len() == total);
            // Ticking past the longest delay, every message ends sent or failed within max_attempts.
            for _ in 0..policy.max_attempts {
                now += TimeDelta::seconds(60);
                ob.tick(now, &gw);
            }
            prop_assert!(ob.statuses().all(|m| m.state != DeliveryState::Pending));
        }
    }
}
