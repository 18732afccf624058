//! A durable outbox: the notify module's [`Outbox`] with its [`OutboxEvent`]s kept in a journal,
//! so that deliveries survive a restart, and [`Engine::requeue_notifications`](super::Engine::requeue_notifications) to close the gap
//! between an event being stored and its SMS being queued.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::ports::{Notification, NotificationSink, storage_error};
use crate::Result;
use crate::ids::Full;
use crate::journal::{Journal, JournalIter, Seq};
use crate::notify::{
    DeliveryQueue, Notifier, Outbox, OutboxEvent, QueueCounts, RetryPolicy, TickReport, relock,
};

/// Kalıcı giden kutusu: an [`Outbox`] whose events are appended to a journal of their own.
///
/// Share it as `Arc<Mutex<DurableOutbox>>`: the engine enqueues into it (it is a
/// [`NotificationSink`]), the embedding system calls [`tick`](Self::tick) with its notifier.
/// `Mutex<DurableOutbox>` is a [`DeliveryQueue`], so a front end can hold it as
/// `Arc<dyn DeliveryQueue>` beside other stores' outboxes.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use acikkapi_core::ids::PhoneNumber;
/// use acikkapi_core::journal::MemoryJournal;
/// use acikkapi_core::notify::{Notification, RecordingNotifier, RetryPolicy};
/// use acikkapi_core::workflow::DurableOutbox;
/// use acikkapi_core::workflow::ports::NotificationSink;
/// use chrono::{TimeZone, Utc};
///
/// let journal = Arc::new(MemoryJournal::new());
/// let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
/// let mut outbox = Arc::new(Mutex::new(DurableOutbox::open(journal.clone(), RetryPolicy::default())?));
/// let to = PhoneNumber::parse("+905321234567").unwrap();
/// outbox.enqueue(Notification::sms("AK-1/registered/2", to, "Kaydedildi."), now)?;
/// drop(outbox);
/// // After a restart the message is still there, and is sent once.
/// let mut outbox = DurableOutbox::open(journal, RetryPolicy::default())?;
/// let gateway = RecordingNotifier::new();
/// assert_eq!(outbox.tick(now, &gateway)?.sent, 1);
/// assert_eq!(outbox.tick(now, &gateway)?.sent, 0);
/// assert_eq!(gateway.sent()[0].recipient, to); // the full number survived the restart
/// # Ok::<(), acikkapi_core::Error>(())
/// ```
pub struct DurableOutbox {
    outbox: Outbox,
    journal: Arc<dyn Journal>,
}

impl std::fmt::Debug for DurableOutbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DurableOutbox")
            .field("outbox", &self.outbox)
            .finish_non_exhaustive()
    }
}

impl DurableOutbox {
    /// Opens the outbox on its journal, rebuilding it from the recorded events.
    pub fn open(journal: Arc<dyn Journal>, policy: RetryPolicy) -> Result<Self> {
        let mut events = Vec::new();
        for record in JournalIter::new(journal.as_ref(), Seq(1)) {
            let record = record?;
            let event: OutboxEvent = serde_json::from_slice(&record.payload).map_err(|e| {
                crate::Error::CorruptHistory {
                    seq: record.seq.0,
                    message: format!("outbox event: {e}"),
                }
            })?;
            events.push(event);
        }
        Ok(DurableOutbox {
            outbox: Outbox::rebuild(policy, &events),
            journal,
        })
    }

    /// The outbox (statuses, next due time).
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    fn persist(&mut self) -> Result<()> {
        let events = self.outbox.take_events();
        if events.is_empty() {
            return Ok(());
        }
        // Full: the outbox must keep the number it delivers to (masked everywhere else).
        let records = events
            .iter()
            .map(|e| serde_json::to_vec(&Full(e)).map_err(storage_error))
            .collect::<Result<Vec<_>>>()?;
        self.journal.append(&records)?;
        Ok(())
    }

    /// Delivers what is due through `notifier` and journals what happened.
    pub fn tick(&mut self, now: DateTime<Utc>, notifier: &dyn Notifier) -> Result<TickReport> {
        let report = self.outbox.tick(now, notifier);
        self.persist()?;
        Ok(report)
    }

    /// Queues a notification and journals it; `false` (nothing journaled) if its key is known.
    pub fn enqueue(&mut self, notification: Notification, now: DateTime<Utc>) -> Result<bool> {
        let new = self.outbox.enqueue(notification, now);
        self.persist()?;
        Ok(new)
    }
}

impl DeliveryQueue for Mutex<DurableOutbox> {
    fn enqueue(&self, notification: Notification, now: DateTime<Utc>) -> Result<bool> {
        relock(self).enqueue(notification, now)
    }

    fn tick(&self, now: DateTime<Utc>, notifier: &dyn Notifier) -> Result<TickReport> {
        relock(self).tick(now, notifier)
    }

    fn counts(&self) -> Result<QueueCounts> {
        Ok(relock(self).outbox.counts())
    }
}

impl NotificationSink for Arc<Mutex<DurableOutbox>> {
    fn enqueue(&mut self, notification: Notification, now: DateTime<Utc>) -> Result<()> {
        // A poisoned lock means a notifier panicked mid-tick; the outbox's maps stay consistent.
        relock(self).enqueue(notification, now).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};

    use super::*;
    use crate::ids::PhoneNumber;
    use crate::journal::MemoryJournal;
    use crate::notify::{RecordingNotifier, ScriptedFailure};

    #[test]
    fn durable_outbox_is_a_delivery_queue_that_survives_a_restart() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let journal: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
        let to = PhoneNumber::parse("+905321234567").unwrap();
        let queue: Arc<dyn DeliveryQueue> = Arc::new(Mutex::new(
            DurableOutbox::open(journal.clone(), RetryPolicy::default()).unwrap(),
        ));
        // (`NotificationSink::enqueue` of the `Arc` would be found first: name the trait.)
        let q = queue.as_ref();
        assert!(q.enqueue(Notification::sms("a", to, "x"), t0).unwrap());
        assert!(q.enqueue(Notification::sms("b", to, "y"), t0).unwrap());
        assert!(!q.enqueue(Notification::sms("a", to, "z"), t0).unwrap());
        let gw = RecordingNotifier::new();
        gw.fail_next(1, ScriptedFailure::Transient);
        let r = queue.tick(t0, &gw).unwrap();
        assert_eq!((r.sent, r.retry_scheduled, r.fenced), (1, 1, 0));
        let before = queue.counts().unwrap();
        assert_eq!(
            before,
            QueueCounts {
                pending: 1,
                claimed: 0,
                sent: 1,
                failed_permanently: 0
            }
        );
        drop(queue);
        // The counts come back from the journal after a restart, and the retry goes out.
        let again = Mutex::new(DurableOutbox::open(journal, RetryPolicy::default()).unwrap());
        assert_eq!(DeliveryQueue::counts(&again).unwrap(), before);
        assert!(!DeliveryQueue::enqueue(&again, Notification::sms("b", to, "y"), t0).unwrap());
        let r = DeliveryQueue::tick(&again, t0 + TimeDelta::seconds(30), &gw).unwrap();
        assert_eq!(r.sent, 1);
        assert_eq!(DeliveryQueue::depth(&again).unwrap(), 0);
        assert_eq!(gw.attempts().len(), 3);
    }
}
