//! The delivery queue port: what a front end (the CLI, the HTTP server) needs to drive SMS
//! delivery without knowing where the outbox is stored.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Notification, Notifier, Outbox, TickReport};
use crate::Result;

/// How many messages an outbox holds in each state (for metrics and health checks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCounts {
    /// Not delivered yet and not given up: waiting for their (next) attempt, or being attempted.
    /// This is the outbox *depth*.
    pub pending: u64,
    /// Of the pending ones, those a node is attempting right now (claimed under a lease that has
    /// not run out). Always 0 for an outbox in one process, which attempts inside
    /// [`DeliveryQueue::tick`] only.
    pub claimed: u64,
    /// Delivered.
    pub sent: u64,
    /// Given up (a permanent error, or too many attempts).
    pub failed_permanently: u64,
}

/// Giden kutusu kapısı: an outbox as a front end sees it, whatever stores it. Implemented by
/// `Mutex<`[`Outbox`]`>` (memory), by `Mutex<`[`DurableOutbox`](crate::workflow::DurableOutbox)`>`
/// (a journal) and by `acikkapi_postgres::PgOutbox` (a table shared by several nodes).
///
/// Delivery is at least once: a notification may reach the notifier more than once (after a
/// crash, or when a node's claim ran out while it was still sending), always with the same
/// [`IdempotencyKey`](super::IdempotencyKey), which the gateway uses to drop the resend.
/// The engine puts notifications in through an `Arc<dyn DeliveryQueue>`, which is a
/// [`NotificationSink`](crate::workflow::ports::NotificationSink).
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use acikkapi_core::ids::PhoneNumber;
/// use acikkapi_core::notify::{DeliveryQueue, Notification, Outbox, RecordingNotifier, RetryPolicy};
/// use chrono::{TimeZone, Utc};
///
/// let queue: Arc<dyn DeliveryQueue> = Arc::new(Mutex::new(Outbox::new(RetryPolicy::default())));
/// let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
/// let to = PhoneNumber::parse("+905321234567").unwrap();
/// assert!(queue.enqueue(Notification::sms("AK-1/registered", to, "Kaydedildi."), now)?);
/// assert!(!queue.enqueue(Notification::sms("AK-1/registered", to, "Kaydedildi."), now)?);
/// assert_eq!(queue.depth()?, 1);
/// assert_eq!(queue.tick(now, &RecordingNotifier::new())?.sent, 1);
/// assert_eq!((queue.depth()?, queue.counts()?.sent), (0, 1));
/// # Ok::<(), acikkapi_core::Error>(())
/// ```
pub trait DeliveryQueue: Send + Sync {
    /// Queues a notification due at `now`; `Ok(false)` (and nothing changed) when its key is
    /// already known, whatever its state. So re-offering notifications after a crash
    /// ([`Engine::requeue_notifications`](crate::workflow::Engine::requeue_notifications)) is
    /// harmless.
    fn enqueue(&self, notification: Notification, now: DateTime<Utc>) -> Result<bool>;

    /// Attempts every message due at `now` through `notifier` and records the outcomes
    /// (retries scheduled by the outbox's [`RetryPolicy`](super::RetryPolicy)).
    fn tick(&self, now: DateTime<Utc>, notifier: &dyn Notifier) -> Result<TickReport>;

    /// How many messages are in each state.
    fn counts(&self) -> Result<QueueCounts>;

    /// The outbox depth: messages not delivered yet and not given up.
    fn depth(&self) -> Result<u64> {
        Ok(self.counts()?.pending)
    }
}

/// Locks a mutex whose data stays consistent even if a notifier panicked mid-tick (each update
/// of the outbox is a single insert or a single status change).
pub(crate) fn relock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl DeliveryQueue for Mutex<Outbox> {
    fn enqueue(&self, notification: Notification, now: DateTime<Utc>) -> Result<bool> {
        Ok(relock(self).enqueue(notification, now))
    }

    fn tick(&self, now: DateTime<Utc>, notifier: &dyn Notifier) -> Result<TickReport> {
        Ok(relock(self).tick(now, notifier))
    }

    fn counts(&self) -> Result<QueueCounts> {
        Ok(relock(self).counts())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};

    use super::*;
    use crate::notify::{RecordingNotifier, RetryPolicy, ScriptedFailure};

    fn sms(key: &str) -> Notification {
        let to = crate::ids::PhoneNumber::parse("+905321234567").unwrap();
        Notification::sms(key, to, "mesaj")
    }

    #[test]
    fn memory_queue_counts_each_state() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let policy = RetryPolicy {
            initial_delay_secs: 10,
            max_delay_secs: 10,
            max_attempts: 2,
        };
        let q = Mutex::new(Outbox::new(policy));
        for k in ["a", "b", "c"] {
            assert!(q.enqueue(sms(k), t0).unwrap());
        }
        assert!(!q.enqueue(sms("b"), t0).unwrap());
        assert_eq!(q.depth().unwrap(), 3);
        let gw = RecordingNotifier::new();
        gw.fail_next(1, ScriptedFailure::Permanent);
        gw.fail_next(1, ScriptedFailure::Transient);
        let r = q.tick(t0, &gw).unwrap();
        assert_eq!((r.sent, r.retry_scheduled, r.failed_permanently), (1, 1, 1));
        assert_eq!(
            q.counts().unwrap(),
            QueueCounts {
                pending: 1,
                claimed: 0,
                sent: 1,
                failed_permanently: 1
            }
        );
        q.tick(t0 + TimeDelta::seconds(10), &gw).unwrap();
        assert_eq!(q.depth().unwrap(), 0);
        assert_eq!(q.counts().unwrap().sent, 2);
    }
}
