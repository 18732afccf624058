//! A durable outbox: the notify module's [`Outbox`] with its [`OutboxEvent`]s kept in a journal,
//! so that deliveries survive a restart, and [`Engine::requeue_notifications`](super::Engine::requeue_notifications) to close the gap
//! between an event being stored and its SMS being queued.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::ports::{Notification, NotificationSink, storage_error};
use crate::Result;
use crate::ids::Full;
use crate::journal::{Journal, JournalIter, Seq};
use crate::notify::{Notifier, Outbox, OutboxEvent, RetryPolicy, TickReport};

/// Kalıcı giden kutusu: an [`Outbox`] whose events are appended to a journal of their own.
///
/// Share it as `Arc<Mutex<DurableOutbox>>`: the engine enqueues into it (it is a
/// [`NotificationSink`]), the embedding system calls [`tick`](Self::tick) with its notifier.
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

    /// Queues a notification (ignored if its key is known) and journals it.
    pub fn enqueue(&mut self, notification: Notification, now: DateTime<Utc>) -> Result<()> {
        self.outbox.enqueue(notification, now);
        self.persist()
    }
}

impl NotificationSink for Arc<Mutex<DurableOutbox>> {
    fn enqueue(&mut self, notification: Notification, now: DateTime<Utc>) -> Result<()> {
        // A poisoned lock means a notifier panicked mid-tick; the outbox's maps stay consistent.
        self.lock()
            .unwrap_or_else(|p| p.into_inner())
            .enqueue(notification, now)
    }
}
