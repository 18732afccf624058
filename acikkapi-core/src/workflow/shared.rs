//! [`SharedEngine`]: one engine for many threads, with group commit across commands.
//!
//! Design: leader/follower on the callers' own threads (no background thread to start, stop or
//! lose: the thread that waits for a batch is the one that commits it). One batch is in flight at
//! a time; the next one forms while its fsync runs. Deciding batch *n + 1* while batch *n* is
//! being written (pipelining) was left out: its overlay would have to include a batch that may
//! still fail, and a failure would have to cascade; with one batch in flight 64 submitters
//! already get ≈ 95× the rate of one (`benches/concurrent_commands.rs`).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::engine::Prepared;
use super::ports::storage_error;
use super::{
    Actor, CommandId, CommandOutcome, CommandRequest, Engine, Fired, InstanceId, WorkflowDefinition,
};
use crate::Result;
use crate::journal::Journal;

/// The most commands decided and appended together; also the bound of the queue of waiting
/// commands (a caller finding it full waits for room).
pub const MAX_BATCH: usize = 1024;

/// Paylaşılan motor: an [`Engine`] that many threads use at once.
///
/// Commands arrive concurrently through [`SharedEngine::execute`]. Callers queue their commands;
/// the first that finds no batch in progress becomes the *leader*: it takes every queued command
/// (at most [`MAX_BATCH`]), decides them in order against the current state — each one sees the
/// commands before it in the batch, so command ids stay idempotent and expected versions
/// (optimistic concurrency) hold within a batch too — appends all their events to the journal in
/// **one** append (one fsync on a [`FileJournal`](crate::journal::FileJournal)), applies them,
/// and hands every caller its result. The others wait (on a condition variable, no spinning) and
/// return only once their events are durable; commands that arrive while the leader's fsync runs
/// form the next batch, which one of them leads.
///
/// * A command that is refused (guard, version conflict, reused id) fails alone.
/// * A journal failure fails every command of the batch that produced events and changes nothing
///   in memory.
/// * Readers ([`SharedEngine::read`]) never wait for an fsync: the state lock is held only while
///   a batch is decided (shared) and applied (exclusive), not during the journal write.
///
/// ```
/// use acikkapi_core::workflow::{Actor, CommandId, Engine, EngineOptions, InstanceId, SharedEngine};
/// use acikkapi_core::geo::ProvincePlate;
/// use acikkapi_core::workflow::application::{ApplicationCommand, ApplicationWorkflow};
/// use acikkapi_core::workflow::ports::NullSink;
/// use acikkapi_core::journal::MemoryJournal;
/// use std::sync::Arc;
///
/// let engine = Engine::open(ApplicationWorkflow::default(), Arc::new(MemoryJournal::new()),
///                           NullSink, EngineOptions::default()).unwrap();
/// let shared = SharedEngine::new(engine);
/// let bureau = Actor::bureau_of(ProvincePlate::new(20).unwrap()).unwrap();
/// std::thread::scope(|s| {
///     for t in 0..4 {
///         let (shared, bureau) = (shared.clone(), bureau.clone());
///         s.spawn(move || {
///             let id = InstanceId::new(format!("A-{t}"));
///             let note = ApplicationCommand::Receive { input: Box::default() };
///             shared.execute(&id, CommandId::new(format!("c{t}")), Some(0), &bureau,
///                            chrono::Utc::now(), note).unwrap();
///         });
///     }
/// });
/// assert_eq!(shared.read(|e| e.len()), 4);
/// ```
pub struct SharedEngine<W: WorkflowDefinition> {
    inner: Arc<Inner<W>>,
}

impl<W: WorkflowDefinition> Clone for SharedEngine<W> {
    fn clone(&self) -> Self {
        SharedEngine {
            inner: self.inner.clone(),
        }
    }
}

impl<W: WorkflowDefinition> std::fmt::Debug for SharedEngine<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedEngine")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// Counters of a [`SharedEngine`] since it was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedStats {
    /// Batches of commands decided (each at most one journal append).
    pub batches: u64,
    /// Commands received through [`SharedEngine::execute`].
    pub commands: u64,
    /// Journal appends made (batches that produced events, and ticks that fired).
    pub appends: u64,
    /// The largest batch so far.
    pub largest_batch: u64,
}

struct Inner<W: WorkflowDefinition> {
    engine: RwLock<Engine<W>>,
    log: Arc<dyn Journal>,
    queue: Mutex<Queue<W>>,
    /// A batch finished (results are in), or the engine is free again.
    done: Condvar,
    /// Room in the queue.
    room: Condvar,
}

struct Queue<W: WorkflowDefinition> {
    pending: VecDeque<(u64, CommandRequest<W>)>,
    /// A leader (a batch, a tick or a [`SharedEngine::write`]) is at work.
    busy: bool,
    /// Ticks and writes waiting for the engine: no new batch starts before they had it, so a
    /// steady stream of commands cannot starve them.
    exclusive_waiting: usize,
    results: HashMap<u64, Result<CommandOutcome>>,
    next_ticket: u64,
    stats: SharedStats,
}

/// Makes sure the engine is released (and waiting callers answered) even if the work of a leader
/// panics: otherwise every later caller would wait forever.
struct Release<'a, W: WorkflowDefinition> {
    inner: &'a Inner<W>,
    tickets: Vec<u64>,
    armed: bool,
}

impl<W: WorkflowDefinition> Release<'_, W> {
    /// Releases the engine, storing `results` for their callers.
    fn finish(mut self, results: Vec<(u64, Result<CommandOutcome>)>, appended: bool) {
        self.armed = false;
        let mut q = self.inner.lock_queue();
        q.busy = false;
        if appended {
            q.stats.appends += 1;
        }
        q.results.extend(results);
        drop(q);
        self.inner.done.notify_all();
    }
}

impl<W: WorkflowDefinition> Drop for Release<'_, W> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut q = self.inner.lock_queue();
        q.busy = false;
        for t in self.tickets.drain(..) {
            q.results.insert(
                t,
                Err(storage_error(
                    "the thread committing this command panicked; its outcome is unknown \
                     until the engine is reopened",
                )),
            );
        }
        drop(q);
        self.inner.done.notify_all();
    }
}

impl<W: WorkflowDefinition> Inner<W> {
    /// Every update of the queue is straight-line code that cannot panic half-way, so a lock
    /// poisoned by a panicking thread still guards consistent data.
    fn lock_queue(&self) -> MutexGuard<'_, Queue<W>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn read_engine(&self) -> RwLockReadGuard<'_, Engine<W>> {
        self.engine.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write_engine(&self) -> RwLockWriteGuard<'_, Engine<W>> {
        self.engine.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until no leader is at work and becomes it (for a tick or a write).
    fn acquire(&self) -> Release<'_, W> {
        let mut q = self.lock_queue();
        q.exclusive_waiting += 1;
        while q.busy {
            q = self.done.wait(q).unwrap_or_else(|p| p.into_inner());
        }
        q.exclusive_waiting -= 1;
        q.busy = true;
        Release {
            inner: self,
            tickets: Vec::new(),
            armed: true,
        }
    }

    /// Appends a prepared batch and applies it (or fails it); the engine is not locked during
    /// the append.
    fn commit(&self, prepared: Prepared<W>) -> Vec<Result<CommandOutcome>> {
        match prepared.append(self.log.as_ref()) {
            Ok(()) => self.write_engine().apply_prepared(prepared).results,
            Err(e) => prepared.fail(e),
        }
    }
}

impl<W: WorkflowDefinition> SharedEngine<W> {
    /// Shares `engine` between threads (clone the `SharedEngine` for each).
    pub fn new(engine: Engine<W>) -> Self {
        let log = engine.journal().clone();
        SharedEngine {
            inner: Arc::new(Inner {
                engine: RwLock::new(engine),
                log,
                queue: Mutex::new(Queue {
                    pending: VecDeque::new(),
                    busy: false,
                    exclusive_waiting: 0,
                    results: HashMap::new(),
                    next_ticket: 0,
                    stats: SharedStats::default(),
                }),
                done: Condvar::new(),
                room: Condvar::new(),
            }),
        }
    }

    /// Runs a command, as [`Engine::execute`] does, from any thread: decided against the
    /// application's state including the commands committed before it (in its batch too), and
    /// returned only once its events are durable. See the type's documentation for batching.
    pub fn execute(
        &self,
        instance: &InstanceId,
        command_id: CommandId,
        expected_version: Option<u64>,
        actor: &Actor,
        now: DateTime<Utc>,
        command: W::Command,
    ) -> Result<CommandOutcome> {
        let request =
            CommandRequest::new(instance, command_id, expected_version, actor, now, command);
        let inner = &*self.inner;
        let mut q = inner.lock_queue();
        while q.pending.len() >= MAX_BATCH {
            q = inner.room.wait(q).unwrap_or_else(|p| p.into_inner());
        }
        let ticket = q.next_ticket;
        q.next_ticket += 1;
        q.stats.commands += 1;
        q.pending.push_back((ticket, request));
        loop {
            if let Some(result) = q.results.remove(&ticket) {
                return result;
            }
            // While a tick or a write waits, let it go first (`busy` is then set, so the wait
            // ends when it is done).
            if q.busy || q.exclusive_waiting > 0 {
                q = inner.done.wait(q).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            // Lead: take the queue (our own command is in it, or was answered by an earlier
            // leader and found above).
            q.busy = true;
            let n = q.pending.len().min(MAX_BATCH);
            let (tickets, requests): (Vec<u64>, Vec<CommandRequest<W>>) =
                q.pending.drain(..n).unzip();
            q.stats.batches += 1;
            q.stats.largest_batch = q.stats.largest_batch.max(n as u64);
            drop(q);
            inner.room.notify_all();
            let release = Release {
                inner,
                tickets: tickets.clone(),
                armed: true,
            };
            let prepared = inner.read_engine().prepare_batch(requests);
            let appended = prepared.records() > 0;
            let results = inner.commit(prepared);
            release.finish(tickets.into_iter().zip(results).collect(), appended);
            q = inner.lock_queue();
        }
    }

    /// Runs commands as one batch from this thread (see [`Engine::execute_batch`]), serialised
    /// with the other commits.
    pub fn execute_batch(
        &self,
        requests: impl IntoIterator<Item = CommandRequest<W>>,
    ) -> Vec<Result<CommandOutcome>> {
        let inner = &*self.inner;
        let release = inner.acquire();
        let prepared = inner.read_engine().prepare_batch(requests);
        let appended = prepared.records() > 0;
        let results = inner.commit(prepared);
        release.finish(Vec::new(), appended);
        results
    }

    /// Reads the engine (shared with other readers and with the deciding phase of a batch;
    /// never waits for a journal write). `f` must not call back into this `SharedEngine`.
    pub fn read<R>(&self, f: impl FnOnce(&Engine<W>) -> R) -> R {
        f(&self.inner.read_engine())
    }

    /// Changes the engine exclusively, serialised with commits and ticks (snapshots,
    /// [`Engine::requeue_notifications`]). `f` must not call back into this `SharedEngine`.
    pub fn write<R>(&self, f: impl FnOnce(&mut Engine<W>) -> R) -> R {
        let inner = &*self.inner;
        let release = inner.acquire();
        let result = f(&mut inner.write_engine());
        release.finish(Vec::new(), false);
        result
    }

    /// Fires every timer due at `now`, as [`Engine::tick`] does, through the same commit path:
    /// decided while readers keep reading, appended in one batch without the state lock, applied.
    pub fn tick(&self, now: DateTime<Utc>) -> Result<Vec<Fired>> {
        let inner = &*self.inner;
        let release = inner.acquire();
        let prepared = inner.read_engine().prepare_tick(now);
        let outcome = match prepared {
            Ok(prepared) => {
                let appended = prepared.records() > 0;
                match prepared.append(inner.log.as_ref()) {
                    Ok(()) => {
                        let mut engine = inner.write_engine();
                        let applied = engine.apply_prepared(prepared);
                        engine.flush_notifications(now);
                        drop(engine);
                        match applied.snapshot_error {
                            Some(e) => (Err(e), appended),
                            None => (Ok(applied.fired), appended),
                        }
                    }
                    Err(e) => (Err(e), false),
                }
            }
            Err(e) => (Err(e), false),
        };
        release.finish(Vec::new(), outcome.1);
        outcome.0
    }

    /// Counters since the engine was shared.
    pub fn stats(&self) -> SharedStats {
        self.inner.lock_queue().stats
    }

    /// The engine back, if this is the last handle (no other clone is alive).
    pub fn into_inner(self) -> Option<Engine<W>> {
        Arc::try_unwrap(self.inner)
            .ok()
            .map(|inner| inner.engine.into_inner().unwrap_or_else(|p| p.into_inner()))
    }
}

impl<W: WorkflowDefinition> From<Engine<W>> for SharedEngine<W> {
    fn from(engine: Engine<W>) -> Self {
        SharedEngine::new(engine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::application::ApplicationWorkflow;

    #[test]
    fn shared_engine_is_send_and_sync() {
        fn check<T: Send + Sync + Clone>() {}
        check::<SharedEngine<ApplicationWorkflow>>();
    }
}
