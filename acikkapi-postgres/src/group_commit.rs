//! Group commit of [`PgJournal`](crate::PgJournal)'s unconditional appends.
//!
//! Every unconditional append of one stream takes the stream's advisory lock, so without help
//! concurrent appenders queue for the lock and pay one commit (one WAL flush, with
//! `synchronous_commit = on`) each. Here they queue in the handle instead: an appender puts its
//! batch in the queue and waits; when no flush is running it starts one, as a task on the store's
//! runtime (so a caller that gives up cannot strand the others). A flush takes everything queued
//! (up to [`MAX_GROUP_RECORDS`] records / [`MAX_GROUP_BYTES`] bytes), writes it in **one**
//! transaction — advisory lock, last position, one multi-row `INSERT`, `COMMIT` — and only after
//! the commit answers each appender with its own positions (its batch keeps its `batch_end`
//! mark, so the records still copy to a file journal batch by batch). Batches that arrive while a
//! flush runs wait for the next one, which the same task runs right after. So with many threads
//! one commit covers many batches, and an append still returns only once its own records are
//! committed.
//!
//! A flush first tries the cheapest write: one autocommit conditional `INSERT` after the position
//! the handle's previous flush ended at (one round trip, one commit; the primary key and the
//! `EXISTS` check make it safe without the lock, exactly as [`append_if`](crate::PgJournal)).
//! Only when that guess is wrong — another handle or node appended meanwhile, or it is the
//! handle's first flush on a non-empty stream — does it fall back to the locked transaction,
//! which learns the true last position for the next guess.
//!
//! A flush that fails (connection lost, lock or statement timeout, stream full) wrote nothing (its
//! transaction is rolled back) and fails every appender of that flush with the same typed error;
//! later flushes start afresh. An appender that gave up (its call timed out or its future was
//! dropped) before its batch was taken is left out of the flush, so it is not written behind its
//! caller's back; once taken, its batch commits or fails with the others.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use acikkapi_core::journal::Seq;
use acikkapi_core::{Error, Result};
use deadpool_postgres::Pool;
use tokio::sync::oneshot;

use crate::journal::{append_unconditional, insert};
use crate::{bounded, db_error, fatal, pool_error};
use tokio_postgres::error::SqlState;

/// Most records one flush writes (the rest wait for the next flush).
pub const MAX_GROUP_RECORDS: usize = 8192;

/// Most payload bytes one flush writes, unless a single batch is larger (it then goes alone).
pub const MAX_GROUP_BYTES: usize = 16 << 20;

/// Counters of a journal handle's group commit since it was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupCommitStats {
    /// Unconditional appends (non-empty batches) queued.
    pub appends: u64,
    /// Records in them.
    pub records: u64,
    /// Transactions committed for them (fewer than `appends` under load).
    pub commits: u64,
    /// Flushes that failed (each failed all of its appends).
    pub failed: u64,
    /// Most appends one flush took.
    pub largest: u64,
}

struct Waiter {
    payloads: Vec<Vec<u8>>,
    reply: oneshot::Sender<Result<Vec<Seq>>>,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<Waiter>,
    /// A flush task is running (it takes what is queued before it stops).
    flushing: bool,
    stats: GroupCommitStats,
}

/// The group commit of one journal handle.
pub(crate) struct GroupCommit {
    pool: Pool,
    stream: String,
    timeout: Duration,
    queue: Mutex<Queue>,
    /// Where the last flush ended: the guess of the stream's last position for the next one.
    last: AtomicU64,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("stream", &self.stream)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// The same error for another appender of a failed flush.
fn replicate(e: &Error) -> Error {
    match e {
        Error::StoreUnavailable { retryable, message } => Error::StoreUnavailable {
            retryable: *retryable,
            message: message.clone(),
        },
        Error::JournalInvalid(m) => Error::JournalInvalid(m.clone()),
        other => fatal(other.to_string()),
    }
}

impl GroupCommit {
    pub(crate) fn new(pool: Pool, stream: String, timeout: Duration) -> GroupCommit {
        GroupCommit {
            pool,
            stream,
            timeout,
            queue: Mutex::new(Queue::default()),
            last: AtomicU64::new(0),
        }
    }

    /// Every update of the queue is straight-line code that cannot panic half-way, so a poisoned
    /// lock still guards consistent data.
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn stats(&self) -> GroupCommitStats {
        self.lock().stats
    }

    /// Queues `payloads` (non-empty, checked) and waits for the flush that commits them.
    /// `spawn` starts the flush task on the store's runtime; it fails only when that runtime is
    /// gone.
    pub(crate) async fn append(
        self: &std::sync::Arc<Self>,
        payloads: Vec<Vec<u8>>,
        spawn: impl FnOnce(std::pin::Pin<Box<dyn Future<Output = ()> + Send>>) -> Result<()>,
    ) -> Result<Vec<Seq>> {
        let (reply, answer) = oneshot::channel();
        let start = {
            let mut q = self.lock();
            q.stats.appends += 1;
            q.stats.records += payloads.len() as u64;
            q.waiting.push(Waiter { payloads, reply });
            !std::mem::replace(&mut q.flushing, true)
        };
        if start {
            let me = self.clone();
            if let Err(e) = spawn(Box::pin(async move { me.flush().await })) {
                let waiting = {
                    let mut q = self.lock();
                    q.flushing = false;
                    std::mem::take(&mut q.waiting)
                };
                for w in waiting {
                    let _ = w.reply.send(Err(replicate(&e)));
                }
            }
        }
        answer.await.unwrap_or_else(|_| {
            Err(fatal(
                "the append was dropped before it was committed (the store shut down)",
            ))
        })
    }

    /// The appenders of the next flush (those still waiting for an answer), or `None` (and the
    /// flush task ends) when there are none.
    fn take(&self) -> Option<Vec<Waiter>> {
        let mut q = self.lock();
        q.waiting.retain(|w| !w.reply.is_closed());
        if q.waiting.is_empty() {
            q.flushing = false;
            return None;
        }
        let (mut records, mut bytes, mut n) = (0usize, 0usize, 0usize);
        for w in &q.waiting {
            let size: usize = w.payloads.iter().map(Vec::len).sum();
            if n > 0
                && (records + w.payloads.len() > MAX_GROUP_RECORDS
                    || bytes + size > MAX_GROUP_BYTES)
            {
                break;
            }
            records += w.payloads.len();
            bytes += size;
            n += 1;
        }
        let rest = q.waiting.split_off(n);
        let taken = std::mem::replace(&mut q.waiting, rest);
        q.stats.largest = q.stats.largest.max(taken.len() as u64);
        Some(taken)
    }

    /// Writes one flush: the guessed position first, the locked transaction if the guess is
    /// wrong; the first position written.
    async fn write(
        &self,
        client: &mut deadpool_postgres::Client,
        payloads: &[&[u8]],
        ends: &[bool],
    ) -> Result<u64> {
        let n = payloads.len() as u64;
        let guess = self.last.load(Ordering::Relaxed);
        let first = match guess.checked_add(n).filter(|end| *end <= i64::MAX as u64) {
            Some(_) => match insert(&*client, &self.stream, guess, payloads, ends).await {
                Ok(rows) if rows == n => Some(guess + 1),
                // Record `guess` is missing (the stream is shorter than the guess) or the next
                // position is taken: ask under the lock.
                Ok(_) => None,
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => None,
                Err(e) => return Err(db_error("appending", &e)),
            },
            None => None,
        };
        let first = match first {
            Some(first) => first,
            None => append_unconditional(client, &self.stream, payloads, ends).await?,
        };
        self.last.store(first + n - 1, Ordering::Relaxed);
        Ok(first)
    }

    /// Flushes until the queue is empty.
    async fn flush(&self) {
        while let Some(batch) = self.take() {
            let payloads: Vec<&[u8]> = batch
                .iter()
                .flat_map(|w| w.payloads.iter().map(Vec::as_slice))
                .collect();
            let ends: Vec<bool> = batch
                .iter()
                .flat_map(|w| (1..=w.payloads.len()).map(move |i| i == w.payloads.len()))
                .collect();
            let result = bounded(self.timeout, async {
                let mut client = self.pool.get().await.map_err(|e| pool_error(&e))?;
                self.write(&mut client, &payloads, &ends).await
            })
            .await;
            {
                let mut q = self.lock();
                match result {
                    Ok(_) => q.stats.commits += 1,
                    Err(_) => q.stats.failed += 1,
                }
            }
            match result {
                Ok(first) => {
                    let mut next = first;
                    for w in batch {
                        let n = w.payloads.len() as u64;
                        let _ = w.reply.send(Ok((next..next + n).map(Seq).collect()));
                        next += n;
                    }
                }
                Err(e) => {
                    for w in batch {
                        let _ = w.reply.send(Err(replicate(&e)));
                    }
                }
            }
        }
    }
}
