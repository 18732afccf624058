//! [`SharedEngine`]: one engine for many threads, with group commit across commands.
//!
//! Design: leader/follower on the callers' own threads (no background thread to start, stop or
//! lose: the thread that waits for a batch is the one that commits it). One batch is in flight at
//! a time; the next one forms while its fsync runs. Deciding batch *n + 1* while batch *n* is
//! being written (pipelining) was left out: its overlay would have to include a batch that may
//! still fail, and a failure would have to cascade; with one batch in flight 64 submitters
//! get 6.7× the rate of one when an fsync costs ≈ 0.15 ms and ≈ 95× when it costs ≈ 3.7 ms (`benches/concurrent_commands.rs`, BENCHMARKS.md).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::engine::{Predecided, fail_all};
use super::ports::storage_error;
use super::{
    Actor, CONFLICT_ATTEMPTS, CommandId, CommandOutcome, CommandRequest, Engine, Fired, InstanceId,
    WorkflowDefinition,
};
use crate::journal::{Journal, JournalIter, Seq};
use crate::{Error, Result};

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
    /// Raised by every [`SharedEngine::write`] (under the engine's write lock): the engine may
    /// have been changed in ways versions do not show (even replaced), so pre-decisions made
    /// before are decided again.
    epoch: AtomicU64,
    log: Arc<dyn Journal>,
    queue: Mutex<Queue<W>>,
    /// The engine is free again (for ticks and writes waiting to be exclusive; callers of
    /// commands wait on their own [`Slot`]).
    done: Condvar,
    /// Room in the queue.
    room: Condvar,
}

/// A queued command: where its caller waits, the request, and the caller's pre-decision of it
/// with the epoch it was made in.
type Queued<W> = (Arc<Slot>, CommandRequest<W>, Option<(u64, Predecided<W>)>);

struct Queue<W: WorkflowDefinition> {
    pending: VecDeque<Queued<W>>,
    /// A leader (a batch, a tick or a [`SharedEngine::write`]) is at work, or leadership was
    /// handed to a waiting caller who has not woken yet.
    busy: bool,
    /// Ticks and writes waiting for the engine: no new batch starts before they had it, so a
    /// steady stream of commands cannot starve them.
    exclusive_waiting: usize,
    stats: SharedStats,
}

/// Where one caller of [`SharedEngine::execute`] waits: for its result, or for the leadership
/// of the next batch. Each caller has its own, so a finished batch wakes exactly its callers and
/// the next leader, not every thread waiting (64 submitters would otherwise all wake for every
/// batch and go back to sleep); its callers wake one another (see `Release::finish`).
struct Slot {
    state: Mutex<SlotState>,
    wake: Condvar,
}

enum SlotState {
    Waiting,
    /// Lead the next batch (the queue's `busy` flag is already set for this caller).
    Lead,
    /// The result, and the callers of the same batch this caller wakes once it is awake.
    Done(Result<CommandOutcome>, [Option<Arc<Slot>>; 2]),
}

impl Slot {
    fn new() -> Arc<Slot> {
        Arc::new(Slot {
            state: Mutex::new(SlotState::Waiting),
            wake: Condvar::new(),
        })
    }

    fn set(&self, state: SlotState) {
        self.set_quiet(state);
        self.wake.notify_one();
    }

    /// Sets the state without waking the caller (someone else wakes it).
    fn set_quiet(&self, state: SlotState) {
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = state;
    }

    /// Waits until the slot is no longer `Waiting`; returns the result, or `None` to lead.
    fn wait(&self) -> Option<Result<CommandOutcome>> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            match std::mem::replace(&mut *state, SlotState::Waiting) {
                SlotState::Waiting => {
                    state = self.wake.wait(state).unwrap_or_else(|p| p.into_inner());
                }
                SlotState::Lead => return None,
                SlotState::Done(result, next) => {
                    drop(state);
                    for slot in next.into_iter().flatten() {
                        slot.wake.notify_one();
                    }
                    return Some(result);
                }
            }
        }
    }
}

/// Makes sure the engine is released (and waiting callers answered) even if the work of a leader
/// panics: otherwise every later caller would wait forever.
struct Release<'a, W: WorkflowDefinition> {
    inner: &'a Inner<W>,
    slots: Vec<Arc<Slot>>,
    armed: bool,
}

impl<W: WorkflowDefinition> Release<'_, W> {
    /// Releases the engine, handing every caller its result (in the order of `slots`).
    ///
    /// Every caller gets its result without being woken, then only the first is woken: each
    /// caller that wakes wakes the next two (slot `i` wakes `2i + 1` and `2i + 2`), so the
    /// wake-ups of a batch (a system call each) are spread over its callers' threads, in
    /// about log₂ n rounds, instead of all being made here by the leader, whose work is the part
    /// of the commit path that does not run in parallel.
    fn finish(mut self, results: Vec<Result<CommandOutcome>>, appended: bool) {
        self.armed = false;
        let slots = std::mem::take(&mut self.slots);
        let mut results = results.into_iter();
        for (i, slot) in slots.iter().enumerate() {
            let result = results.next().unwrap_or_else(|| {
                Err(storage_error(
                    "the batch of this command produced no result for it",
                ))
            });
            let next = [2 * i + 1, 2 * i + 2].map(|j| slots.get(j).cloned());
            slot.set_quiet(SlotState::Done(result, next));
        }
        if let Some(first) = slots.first() {
            first.wake.notify_one();
        }
        let mut q = self.inner.lock_queue();
        if appended {
            q.stats.appends += 1;
        }
        self.inner.hand_over(q);
    }
}

impl<W: WorkflowDefinition> Drop for Release<'_, W> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        for slot in self.slots.drain(..) {
            slot.set(SlotState::Done(
                Err(storage_error(
                    "the thread committing this command panicked; its outcome is unknown \
                     until the engine is reopened",
                )),
                [None, None],
            ));
        }
        let q = self.inner.lock_queue();
        self.inner.hand_over(q);
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

    /// The leader is done: the engine goes to a waiting tick or write first, else to the caller
    /// of the oldest queued command (it leads the next batch), else it is free.
    fn hand_over(&self, mut q: MutexGuard<'_, Queue<W>>) {
        if q.exclusive_waiting == 0
            && let Some((slot, _, _)) = q.pending.front()
        {
            // `busy` stays set: the new leader owns it.
            let slot = Arc::clone(slot);
            drop(q);
            slot.set(SlotState::Lead);
            return;
        }
        q.busy = false;
        drop(q);
        self.done.notify_all();
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
            slots: Vec::new(),
            armed: true,
        }
    }

    /// A tick through the commit path, deciding again after a conflict (as
    /// [`run_batch`](Self::run_batch)); returns the result and whether an append was made.
    fn run_tick(&self, now: DateTime<Utc>) -> (Result<Vec<Fired>>, bool) {
        let mut attempt = 1;
        loop {
            if let Err(e) = self.catch_up_if_behind() {
                return (Err(e), false);
            }
            let prepared = match self.read_engine().prepare_tick(now) {
                Ok(p) => p,
                Err(e) => return (Err(e), false),
            };
            let appended = prepared.records() > 0;
            match prepared.append(self.log.as_ref()) {
                Ok(()) => {
                    let mut engine = self.write_engine();
                    let applied = engine.apply_prepared(prepared);
                    engine.flush_notifications(now);
                    drop(engine);
                    return match applied.snapshot_error {
                        Some(e) => (Err(e), appended),
                        None => (Ok(applied.fired), appended),
                    };
                }
                Err(e) => {
                    self.write_engine().mark_behind();
                    if attempt < CONFLICT_ATTEMPTS && matches!(e, Error::ConcurrencyConflict { .. })
                    {
                        attempt += 1;
                        continue;
                    }
                    return (Err(e), false);
                }
            }
        }
    }

    /// Catches the engine up with the journal if an earlier append failed (exclusive; only the
    /// leader calls it).
    fn catch_up_if_behind(&self) -> Result<()> {
        if self.read_engine().is_behind() {
            self.catch_up()?;
        }
        Ok(())
    }

    /// Catches the engine up with the journal a page at a time: each page is read without the
    /// engine's lock (readers go on reading meanwhile) and applied under it. Only the leader
    /// calls it, so the engine does not move in between.
    fn catch_up(&self) -> Result<u64> {
        let mut applied = 0;
        loop {
            let from = Seq(self.read_engine().last_seq() + 1);
            let page = self.log.read_range(from, JournalIter::PAGE)?;
            let full = page.len() == JournalIter::PAGE;
            let mut engine = self.write_engine();
            let n = engine.apply_caught_up(page)?;
            applied += n;
            if full && n == 0 {
                return Err(storage_error(
                    "the journal answered a read with older records",
                ));
            }
            if !full {
                engine.caught_up();
                return Ok(applied);
            }
        }
    }

    /// Decides a batch, appends it and applies it (or fails it); the engine is not locked during
    /// the append. When another writer appended first ([`Error::ConcurrencyConflict`]) the
    /// engine catches up and the batch is decided again, at most [`CONFLICT_ATTEMPTS`] times
    /// (also when a command was refused while the journal had moved on: the refusal may come
    /// from a stale state);
    /// after any failed append the engine is marked behind, so the next batch catches up first
    /// (an append whose outcome is unknown becomes visible, and its command ids are recognised).
    /// Returns the results and whether an append was made.
    fn run_batch(
        &self,
        requests: Vec<(CommandRequest<W>, Option<Predecided<W>>)>,
    ) -> (Vec<Result<CommandOutcome>>, bool) {
        let (mut requests, pre): (Vec<_>, Vec<_>) = requests.into_iter().unzip();
        // The callers' pre-decisions are used (moved) by the first attempt; an attempt after a
        // conflict decides every command again in the leader (always correct, as a stale
        // pre-decision would be decided again anyway).
        let mut pre = Some(pre);
        let mut attempt = 1;
        loop {
            if let Err(e) = self.catch_up_if_behind() {
                return (fail_all(requests.len(), e), false);
            }
            let last = attempt >= CONFLICT_ATTEMPTS;
            let pre = pre
                .take()
                .into_iter()
                .flatten()
                .chain(std::iter::repeat_with(|| None));
            let prepared = if last {
                self.read_engine()
                    .prepare_batch_predecided(std::mem::take(&mut requests).into_iter().zip(pre))
            } else {
                self.read_engine()
                    .prepare_batch_predecided(requests.iter().cloned().zip(pre))
            };
            if !last && prepared.refused_on_stale_state(self.log.as_ref()) {
                self.write_engine().mark_behind();
                attempt += 1;
                continue;
            }
            let appended = prepared.records() > 0;
            match prepared.append(self.log.as_ref()) {
                Ok(()) => {
                    return (
                        self.write_engine().apply_prepared(prepared).results,
                        appended,
                    );
                }
                Err(e) => {
                    self.write_engine().mark_behind();
                    if !last && matches!(e, Error::ConcurrencyConflict { .. }) {
                        attempt += 1;
                        continue;
                    }
                    return (prepared.fail(e), false);
                }
            }
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
                epoch: AtomicU64::new(0),
                log,
                queue: Mutex::new(Queue {
                    pending: VecDeque::new(),
                    busy: false,
                    exclusive_waiting: 0,
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
        // The expensive part of the command (the definition's guards, the fold, the encoding)
        // runs here, in the caller's thread and in parallel with the other callers, instead of
        // in the leader's serial loop; the leader reuses it if the instance did not change.
        let pre = {
            let engine = inner.read_engine();
            let epoch = inner.epoch.load(Ordering::Acquire);
            engine.predecide(&request).map(|pre| (epoch, pre))
        };
        let slot = Slot::new();
        let mut q = inner.lock_queue();
        while q.pending.len() >= MAX_BATCH {
            q = inner.room.wait(q).unwrap_or_else(|p| p.into_inner());
        }
        q.stats.commands += 1;
        q.pending.push_back((Arc::clone(&slot), request, pre));
        // While a tick or a write waits, let it go first: it hands the queue to a caller when
        // it is done.
        let lead_now = !q.busy && q.exclusive_waiting == 0;
        if lead_now {
            q.busy = true;
        }
        drop(q);
        if !lead_now && let Some(result) = slot.wait() {
            return result;
        }
        // Lead: our own command is still queued (only leaders take commands out, and the
        // leadership was handed to us while it was queued), so the batch holds it.
        let mut q = inner.lock_queue();
        let n = q.pending.len().min(MAX_BATCH);
        let was_full = q.pending.len() >= MAX_BATCH;
        let (slots, requests): (Vec<Arc<Slot>>, Vec<_>) = q
            .pending
            .drain(..n)
            .map(|(slot, request, pre)| (slot, (request, pre)))
            .unzip();
        q.stats.batches += 1;
        q.stats.largest_batch = q.stats.largest_batch.max(n as u64);
        drop(q);
        if was_full {
            inner.room.notify_all();
        }
        let release = Release {
            inner,
            slots,
            armed: true,
        };
        // No write can run while this caller leads (it holds `busy`), so the epoch is stable.
        let epoch = inner.epoch.load(Ordering::Acquire);
        let requests = requests
            .into_iter()
            .map(|(request, pre)| {
                let pre = pre.and_then(|(e, pre)| (e == epoch).then_some(pre));
                (request, pre)
            })
            .collect();
        let (results, appended) = inner.run_batch(requests);
        release.finish(results, appended);
        slot.wait().unwrap_or_else(|| {
            Err(storage_error(
                "the batch led by this caller did not answer its own command",
            ))
        })
    }

    /// Runs commands as one batch from this thread (see [`Engine::execute_batch`]), serialised
    /// with the other commits.
    pub fn execute_batch(
        &self,
        requests: impl IntoIterator<Item = CommandRequest<W>>,
    ) -> Vec<Result<CommandOutcome>> {
        let inner = &*self.inner;
        let release = inner.acquire();
        let (results, appended) =
            inner.run_batch(requests.into_iter().map(|r| (r, None)).collect());
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
        let result = {
            let mut engine = inner.write_engine();
            inner.epoch.fetch_add(1, Ordering::AcqRel);
            f(&mut engine)
        };
        release.finish(Vec::new(), false);
        result
    }

    /// Fires every timer due at `now`, as [`Engine::tick`] does, through the same commit path:
    /// decided while readers keep reading, appended in one batch without the state lock, applied.
    pub fn tick(&self, now: DateTime<Utc>) -> Result<Vec<Fired>> {
        let inner = &*self.inner;
        let release = inner.acquire();
        let outcome = inner.run_tick(now);
        release.finish(Vec::new(), outcome.1);
        outcome.0
    }

    /// Catches up with the records other writers (other nodes on the same PostgreSQL stream)
    /// appended since this engine's last one ([`Engine::catch_up`]), serialised with commits
    /// and ticks; returns how many records were applied. Commands catch up by themselves when
    /// their append conflicts; call this before reads that must see the other nodes' work.
    pub fn refresh(&self) -> Result<u64> {
        let inner = &*self.inner;
        let release = inner.acquire();
        let result = inner.catch_up();
        release.finish(Vec::new(), false);
        result
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

    /// Callers wake one another in a tree (`Release::finish`): every caller of every batch is
    /// woken, with its own result. A lost wake-up would hang a caller: the test waits for the
    /// callers with a generous deadline and fails instead of hanging.
    #[test]
    fn every_caller_of_every_batch_is_woken_with_its_own_result() {
        use crate::application::ApplicationInput;
        use crate::journal::MemoryJournal;
        use crate::workflow::EngineOptions;
        use crate::workflow::application::ApplicationCommand;
        use crate::workflow::ports::NullSink;

        const THREADS: usize = 24;
        const PER_THREAD: usize = 40;
        let engine = Engine::open(
            ApplicationWorkflow::default(),
            Arc::new(MemoryJournal::new()),
            NullSink,
            EngineOptions::default(),
        )
        .unwrap();
        let shared = SharedEngine::new(engine);
        let clerk = Actor::clerk("b1", crate::org::UnitId::parse("20.ACIK_KAPI").unwrap());
        let now: DateTime<Utc> = "2026-03-02T06:00:00Z".parse().unwrap();
        let (done, finished) = std::sync::mpsc::channel();
        for t in 0..THREADS {
            let (shared, clerk, done) = (shared.clone(), clerk.clone(), done.clone());
            std::thread::spawn(move || {
                let mut wrong = Vec::new();
                for i in 0..PER_THREAD {
                    // Each thread its own instance, each command its own id and version.
                    let id = InstanceId::new(format!("T{t}"));
                    let cid = CommandId::new(format!("T{t}:{i}"));
                    let command = if i == 0 {
                        ApplicationCommand::Receive {
                            input: Box::new(ApplicationInput::default()),
                        }
                    } else {
                        ApplicationCommand::AddNote {
                            text: format!("not {i}"),
                        }
                    };
                    match shared.execute(&id, cid.clone(), Some(i as u64), &clerk, now, command) {
                        Ok(o)
                            if o.command == cid
                                && o.instance == id
                                && o.version == i as u64 + 1 => {}
                        other => wrong.push(format!("{cid}: {other:?}")),
                    }
                }
                let _ = done.send(wrong);
            });
        }
        drop(done);
        let mut wrong = Vec::new();
        for _ in 0..THREADS {
            match finished.recv_timeout(std::time::Duration::from_secs(120)) {
                Ok(w) => wrong.extend(w),
                Err(e) => panic!("a caller was never answered ({e})"),
            }
        }
        assert!(wrong.is_empty(), "{wrong:?}");
        let stats = shared.stats();
        assert_eq!(stats.commands, (THREADS * PER_THREAD) as u64);
        assert_eq!(shared.read(|e| e.len()), THREADS);
    }
}
