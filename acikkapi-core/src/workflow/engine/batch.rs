//! The commit path: commands (and timer firings) are decided against a staged overlay of the
//! engine's state, their events go to the journal in one append, and only then are they applied.
//!
//! [`Engine::execute`], [`Engine::execute_batch`], [`Engine::tick`] and
//! [`SharedEngine`](crate::workflow::SharedEngine) all go through here:
//!
//! 1. [`Engine::prepare_batch`] (and `Engine::prepare_tick` in `tick.rs`), with `&self`: each
//!    command is checked (command id, expected version, guards) against the engine's state *plus*
//!    the commands before it in the same batch, its events are folded and encoded; a command that
//!    fails does so alone and stages nothing;
//! 2. [`Prepared::append`]: every staged record in one [`Journal::append_if`] (one fsync), with no
//!    engine lock held by a [`SharedEngine`](crate::workflow::SharedEngine);
//! 3. [`Engine::apply_prepared`] (`&mut self`) on success, or [`Prepared::fail`] when the append
//!    failed: then every staged command fails and nothing in memory has changed.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::panic::AssertUnwindSafe;

use chrono::{DateTime, Utc};

use super::{CommandOutcome, Engine, Envelope, Fired, Instance};
use crate::ids::Full;
use crate::journal::{Journal, Seq};
use crate::workflow::ports::storage_error;
use crate::workflow::{Actor, CommandId, Context, InstanceId, WorkflowDefinition};
use crate::{Error, Result};

/// One command for [`Engine::execute_batch`] or a [`SharedEngine`](crate::workflow::SharedEngine):
/// the arguments of [`Engine::execute`].
#[derive(Debug)]
pub struct CommandRequest<W: WorkflowDefinition> {
    /// The instance the command is for.
    pub instance: InstanceId,
    /// The caller's command id (a repeat returns the original result).
    pub command_id: CommandId,
    /// `Some(v)`: the instance must be at version `v` (0 for a new instance).
    pub expected_version: Option<u64>,
    /// Who acts.
    pub actor: Actor,
    /// Now, as given by the caller.
    pub now: DateTime<Utc>,
    /// The command.
    pub command: W::Command,
}

// By hand: a derived `Clone` would ask `W: Clone`, but only the command is cloned.
impl<W: WorkflowDefinition> Clone for CommandRequest<W> {
    fn clone(&self) -> Self {
        CommandRequest {
            instance: self.instance.clone(),
            command_id: self.command_id.clone(),
            expected_version: self.expected_version,
            actor: self.actor.clone(),
            now: self.now,
            command: self.command.clone(),
        }
    }
}

impl<W: WorkflowDefinition> CommandRequest<W> {
    /// A request from the arguments of [`Engine::execute`].
    pub fn new(
        instance: &InstanceId,
        command_id: CommandId,
        expected_version: Option<u64>,
        actor: &Actor,
        now: DateTime<Utc>,
        command: W::Command,
    ) -> Self {
        CommandRequest {
            instance: instance.clone(),
            command_id,
            expected_version,
            actor: actor.clone(),
            now,
            command,
        }
    }
}

/// A command whose events are staged: the state and version right after it.
pub(super) struct Staged<W: WorkflowDefinition> {
    instance: InstanceId,
    now: DateTime<Utc>,
    pub(super) state: W::State,
    pub(super) version: u64,
    envelopes: Vec<Envelope<W::Event>>,
    outcome: CommandOutcome,
}

/// What became of one request while preparing.
pub(super) enum Slot {
    /// Refused (guard, version conflict, reused id…): fails alone.
    Failed(Error),
    /// A repeat of a command already applied: the stored result.
    Ready(CommandOutcome),
    /// Staged as commit `index` (`repeated`: a repeat, in this batch, of that commit's command id).
    Pending { index: usize, repeated: bool },
}

/// A command decided by its caller before it reached the leader of a batch
/// ([`Engine::predecide`]): its events folded on the instance's state at `base_version` and
/// encoded, with the journal position of each record left open. The leader reuses it when the
/// instance is still at `base_version` (the state at a version never changes: histories only
/// grow) and decides the command again otherwise, so a stale pre-decision costs time, never
/// correctness.
pub(crate) struct Predecided<W: WorkflowDefinition> {
    /// The instance's version the command was decided at (0: the instance did not exist).
    base_version: u64,
    now: DateTime<Utc>,
    state: W::State,
    /// `seq` still 0: set when the command is staged.
    envelopes: Vec<Envelope<W::Event>>,
    records: Vec<OpenRecord>,
    outcome: CommandOutcome,
}

/// An encoded journal record without the digits of its `seq` (not known before the batch is
/// formed): they go at byte `at`.
struct OpenRecord {
    bytes: Vec<u8>,
    at: usize,
}

/// The top-level `seq` field of an envelope encoded with seq 0. An envelope's fields are written
/// in declaration order (`workflow`, `schema`, `seq`, …), and a JSON string cannot hold this
/// pattern (its quotes would be escaped), so the first occurrence is the envelope's own field.
const SEQ_PLACEHOLDER: &[u8] = b"\"seq\":0,";

impl OpenRecord {
    /// Opens a record encoded with `seq` 0; `None` if the placeholder is not where it must be.
    fn open(mut bytes: Vec<u8>) -> Option<OpenRecord> {
        let start = bytes
            .windows(SEQ_PLACEHOLDER.len())
            .position(|w| w == SEQ_PLACEHOLDER)?;
        let at = start + SEQ_PLACEHOLDER.len() - 2;
        bytes.remove(at);
        Some(OpenRecord { bytes, at })
    }

    /// The record with `seq` written in.
    fn close(&self, seq: u64) -> Vec<u8> {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut n = seq;
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let mut out = Vec::with_capacity(self.bytes.len() + digits.len() - i);
        out.extend_from_slice(&self.bytes[..self.at]);
        out.extend_from_slice(&digits[i..]);
        out.extend_from_slice(&self.bytes[self.at..]);
        out
    }
}

/// One command's events folded on its state and encoded, before they are staged in a batch.
struct Folded<W: WorkflowDefinition> {
    state: W::State,
    version: u64,
    envelopes: Vec<Envelope<W::Event>>,
    records: Vec<Vec<u8>>,
    outcome: CommandOutcome,
}

/// A batch decided against the engine's state, ready to be appended and applied. It is only
/// valid for the engine that prepared it, as long as that engine does not change in between.
pub(crate) struct Prepared<W: WorkflowDefinition> {
    pub(super) base_seq: u64,
    pub(super) records: Vec<Vec<u8>>,
    pub(super) commits: Vec<Staged<W>>,
    pub(super) slots: Vec<Slot>,
    /// Timers fired (for [`Engine::tick`]).
    pub(super) fired: Vec<Fired>,
    /// Instances whose timer is dropped until they change (the definition refused to fire it).
    pub(super) dropped: Vec<InstanceId>,
    /// Instances whose timer is to be recomputed (stale entry in the timer set).
    pub(super) resched: Vec<InstanceId>,
}

/// The results of an applied batch.
pub(crate) struct Applied {
    /// One per request, in order.
    pub results: Vec<Result<CommandOutcome>>,
    /// The timers that fired, for a tick.
    pub fired: Vec<Fired>,
    /// The snapshot taken after the batch failed (the events are durable).
    pub snapshot_error: Option<Error>,
}

impl<W: WorkflowDefinition> Prepared<W> {
    pub(super) fn new(base_seq: u64) -> Self {
        Prepared {
            base_seq,
            records: Vec::new(),
            commits: Vec::new(),
            slots: Vec::new(),
            fired: Vec::new(),
            dropped: Vec::new(),
            resched: Vec::new(),
        }
    }

    /// Number of journal records staged.
    pub(crate) fn records(&self) -> usize {
        self.records.len()
    }

    /// Whether a command of the batch was refused while the journal already holds records the
    /// batch was not decided on (another writer's): the refusal may come from a stale state, so
    /// the batch is to be decided again after catching up. Asks the journal only when something
    /// was refused (an append that goes through needs no such check: it is conditional).
    pub(crate) fn refused_on_stale_state(&self, log: &dyn Journal) -> bool {
        self.slots.iter().any(|s| matches!(s, Slot::Failed(_))) && log.last_seq().0 > self.base_seq
    }

    /// Appends every staged record in one conditional append (nothing to do when none is staged).
    pub(crate) fn append(&self, log: &dyn Journal) -> Result<()> {
        if self.records.is_empty() {
            return Ok(());
        }
        let seqs = log.append_if(Some(Seq(self.base_seq)), &self.records)?;
        let expected = self.base_seq + self.records.len() as u64;
        let last = seqs.last().map_or(0, |s| s.0);
        if last != expected || seqs.len() != self.records.len() {
            return Err(storage_error(format!(
                "journal numbered the last record {last}, engine expected {expected}"
            )));
        }
        Ok(())
    }

    /// The results when the append failed: every staged command fails with the journal's error
    /// (the first with the error itself, the others with an equal copy); the commands refused or
    /// repeated while preparing keep their results. Nothing was applied.
    pub(crate) fn fail(self, error: Error) -> Vec<Result<CommandOutcome>> {
        let mut error = Some(error);
        self.slots
            .into_iter()
            .map(|slot| match slot {
                Slot::Failed(e) => Err(e),
                Slot::Ready(o) => Ok(o),
                Slot::Pending { .. } => Err(take_or_share(&mut error)),
            })
            .collect()
    }
}

/// `n` results, all the error `e` (the first the error itself, the others equal copies).
pub(crate) fn fail_all(n: usize, e: Error) -> Vec<Result<CommandOutcome>> {
    let mut error = Some(e);
    (0..n).map(|_| Err(take_or_share(&mut error))).collect()
}

/// The message of a panic payload (`panic!` gives a `&str` or a `String`).
fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// The error itself the first time, an equal copy afterwards.
fn take_or_share(error: &mut Option<Error>) -> Error {
    match error {
        Some(e) => {
            let copy = share_error(e);
            // Keep a copy for the next caller, hand out the original first.
            std::mem::replace(e, copy)
        }
        None => storage_error("batch failed"),
    }
}

/// A copy of a journal error for another caller of the same failed batch (`Error` is not
/// `Clone`: it may hold an `io::Error`). Same variant where the data allows it.
pub(crate) fn share_error(e: &Error) -> Error {
    match e {
        Error::JournalIo { path, source } => Error::JournalIo {
            path: path.clone(),
            source: std::io::Error::new(source.kind(), source.to_string()),
        },
        Error::JournalUnwritable { path, reason } => Error::JournalUnwritable {
            path: path.clone(),
            reason: reason.clone(),
        },
        Error::JournalCorrupt {
            path,
            offset,
            reason,
        } => Error::JournalCorrupt {
            path: path.clone(),
            offset: *offset,
            reason: reason.clone(),
        },
        Error::ConcurrencyConflict { expected, actual } => Error::ConcurrencyConflict {
            expected: *expected,
            actual: *actual,
        },
        Error::JournalInvalid(m) => Error::JournalInvalid(m.clone()),
        Error::StoreUnavailable { retryable, message } => Error::StoreUnavailable {
            retryable: *retryable,
            message: message.clone(),
        },
        Error::WorkflowStorage { message } => Error::WorkflowStorage {
            message: message.clone(),
        },
        other => storage_error(other),
    }
}

impl<W: WorkflowDefinition> Engine<W> {
    /// Runs commands in order as one batch: each is decided against the state left by the ones
    /// before it, all their events go to the journal in one append (one fsync on a
    /// [`FileJournal`](crate::journal::FileJournal)), and only then does the state change. A
    /// command that is refused fails alone (so does one on which the definition panics: a bug,
    /// reported as [`Error::WorkflowStorage`]); a journal failure fails every command that
    /// produced events and changes nothing. Returns one result per command, in order.
    ///
    /// When the append finds that another writer appended first, the engine catches up with the
    /// new records ([`Engine::catch_up`]) and decides the batch again, at most
    /// [`CONFLICT_ATTEMPTS`](super::CONFLICT_ATTEMPTS) times in all: a command whose expected
    /// version went stale then fails with [`Error::Conflict`], a command id the other writer
    /// committed returns its stored result. A command refused while the journal holds records
    /// the batch was not decided on is decided again after catching up too (its refusal may come
    /// from a stale state). After an append whose outcome is unknown (the store became
    /// unavailable), the next batch catches up first.
    pub fn execute_batch(
        &mut self,
        requests: impl IntoIterator<Item = CommandRequest<W>>,
    ) -> Vec<Result<CommandOutcome>> {
        let mut requests: Vec<CommandRequest<W>> = requests.into_iter().collect();
        let mut attempt = 1;
        loop {
            if let Err(e) = self.catch_up_if_behind() {
                return fail_all(requests.len(), e);
            }
            let last = attempt >= super::CONFLICT_ATTEMPTS;
            let prepared = if last {
                self.prepare_batch(std::mem::take(&mut requests))
            } else {
                self.prepare_batch(requests.iter().cloned())
            };
            if !last && prepared.refused_on_stale_state(self.log.as_ref()) {
                self.mark_behind();
                attempt += 1;
                continue;
            }
            match prepared.append(self.log.as_ref()) {
                Ok(()) => return self.apply_prepared(prepared).results,
                Err(e) => {
                    self.mark_behind();
                    if !last && matches!(e, Error::ConcurrencyConflict { .. }) {
                        attempt += 1;
                        continue;
                    }
                    return prepared.fail(e);
                }
            }
        }
    }

    /// Decides every request against the engine's state and the requests before it.
    pub(crate) fn prepare_batch(
        &self,
        requests: impl IntoIterator<Item = CommandRequest<W>>,
    ) -> Prepared<W> {
        self.prepare_batch_predecided(requests.into_iter().map(|r| (r, None)))
    }

    /// [`prepare_batch`](Self::prepare_batch) with each request's pre-decision, if its caller
    /// made one ([`Engine::predecide`]): reused when the instance is still at the version it was
    /// made at, decided again otherwise. Every other check (command id, expected version) is
    /// made here as for any request.
    pub(crate) fn prepare_batch_predecided(
        &self,
        requests: impl IntoIterator<Item = (CommandRequest<W>, Option<Predecided<W>>)>,
    ) -> Prepared<W> {
        let mut p = Prepared::new(self.seq);
        // The last staged commit of each instance, and the commit of each staged command id.
        let mut overlay: HashMap<InstanceId, usize> = HashMap::new();
        let mut staged_ids: HashMap<CommandId, usize> = HashMap::new();
        let mut requests = requests.into_iter().peekable();
        while let Some((req, pre)) = requests.next() {
            // The overlay is only read by later requests: a batch of one skips it.
            let track = requests.peek().is_some();
            // A definition that panics on one command (a bug) fails that command alone: nothing
            // is staged before the definition's work for it is done, so `p` and the overlay are
            // as they were.
            let slot = std::panic::catch_unwind(AssertUnwindSafe(|| {
                self.prepare_one(&mut p, &mut overlay, &mut staged_ids, track, req, pre)
            }))
            .unwrap_or_else(|panic| {
                Slot::Failed(storage_error(format!(
                    "the {} workflow definition panicked on this command: {}",
                    self.def.name(),
                    panic_message(panic.as_ref())
                )))
            });
            p.slots.push(slot);
        }
        p
    }

    /// Decides one request in its caller's thread, against the engine's state alone (no batch),
    /// so that the leader of its batch only has to check that the instance did not change in
    /// between ([`prepare_batch_predecided`](Self::prepare_batch_predecided)). `None` when there
    /// is nothing to reuse: the command id is known already, the expected version does not hold,
    /// the command is refused or the definition panics — the leader then decides the request in
    /// full and reports what it finds.
    pub(crate) fn predecide(&self, req: &CommandRequest<W>) -> Option<Predecided<W>> {
        if self.commands.contains_key(&req.command_id) || req.instance.as_str().is_empty() {
            return None;
        }
        let (state, version) = match self.instances.get(&req.instance) {
            Some(inst) => (Some(&inst.state), inst.version),
            None => (None, 0),
        };
        if req.expected_version.is_some_and(|v| v != version) {
            return None;
        }
        std::panic::catch_unwind(AssertUnwindSafe(|| {
            let ctx = Context {
                instance: &req.instance,
                now: req.now,
                actor: &req.actor,
                calendar: self.options.calendar.as_ref(),
                escalation: self.options.escalation.as_ref(),
            };
            let events = self.def.decide(state, &req.command, &ctx).ok()?;
            if events.is_empty() {
                return None;
            }
            let folded = self
                .fold(
                    &req.instance,
                    &req.command_id,
                    &req.actor,
                    req.now,
                    state.cloned(),
                    version,
                    events,
                    None,
                )
                .ok()?;
            let records = folded
                .records
                .into_iter()
                .map(OpenRecord::open)
                .collect::<Option<Vec<_>>>()?;
            Some(Predecided {
                base_version: version,
                now: req.now,
                state: folded.state,
                envelopes: folded.envelopes,
                records,
                outcome: folded.outcome,
            })
        }))
        .ok()
        .flatten()
    }

    #[allow(clippy::too_many_arguments)] // the batch's bookkeeping and the request
    fn prepare_one(
        &self,
        p: &mut Prepared<W>,
        overlay: &mut HashMap<InstanceId, usize>,
        staged_ids: &mut HashMap<CommandId, usize>,
        track: bool,
        req: CommandRequest<W>,
        pre: Option<Predecided<W>>,
    ) -> Slot {
        let CommandRequest {
            instance,
            command_id,
            expected_version,
            actor,
            now,
            command,
        } = req;
        let earlier = self
            .commands
            .get(&command_id)
            .or_else(|| staged_ids.get(&command_id).map(|&i| &p.commits[i].outcome));
        if let Some(done) = earlier {
            if done.instance != instance {
                return Slot::Failed(Error::CommandIdReused {
                    command: command_id.to_string(),
                    instance: done.instance.to_string(),
                });
            }
            return match staged_ids.get(&command_id) {
                Some(&index) if !self.commands.contains_key(&command_id) => Slot::Pending {
                    index,
                    repeated: true,
                },
                _ => Slot::Ready(CommandOutcome {
                    repeated: true,
                    ..done.clone()
                }),
            };
        }
        if instance.as_str().is_empty() {
            return Slot::Failed(Error::UnknownInstance(String::new()));
        }
        let (state, version) = match overlay.get(&instance) {
            Some(&i) => (Some(&p.commits[i].state), p.commits[i].version),
            None => match self.instances.get(&instance) {
                Some(inst) => (Some(&inst.state), inst.version),
                None => (None, 0),
            },
        };
        if let Some(expected) = expected_version
            && expected != version
        {
            return Slot::Failed(Error::Conflict {
                instance: instance.to_string(),
                expected,
                actual: version,
            });
        }
        let staged = match pre {
            // Decided by the caller on this very state: only the journal positions are new.
            Some(pre) if pre.base_version == version => Ok(self.stage_predecided(p, pre)),
            _ => {
                let ctx = Context {
                    instance: &instance,
                    now,
                    actor: &actor,
                    calendar: self.options.calendar.as_ref(),
                    escalation: self.options.escalation.as_ref(),
                };
                let events = match self.def.decide(state, &command, &ctx) {
                    Ok(events) => events,
                    Err(e) => return Slot::Failed(e),
                };
                if events.is_empty() {
                    return Slot::Failed(Error::InvalidTransition {
                        workflow: self.def.name(),
                        state: state.map_or("none", |s| self.def.status(s)).to_owned(),
                        command: self.def.command_name(&command),
                    });
                }
                let state = state.cloned();
                self.stage(
                    p,
                    &instance,
                    command_id.clone(),
                    &actor,
                    now,
                    state,
                    version,
                    events,
                )
            }
        };
        match staged {
            Ok(index) => {
                if track {
                    overlay.insert(instance, index);
                    staged_ids.insert(command_id, index);
                }
                Slot::Pending {
                    index,
                    repeated: false,
                }
            }
            Err(e) => Slot::Failed(e),
        }
    }

    /// Stages a pre-decision whose base version is the instance's current one: the journal
    /// positions of its records are written in, nothing is decided, folded or encoded again.
    fn stage_predecided(&self, p: &mut Prepared<W>, pre: Predecided<W>) -> usize {
        let Predecided {
            now,
            state,
            mut envelopes,
            records,
            outcome,
            ..
        } = pre;
        let first = p.base_seq + p.records.len() as u64 + 1;
        for ((seq, env), record) in (first..).zip(&mut envelopes).zip(&records) {
            env.seq = seq;
            p.records.push(record.close(seq));
        }
        p.commits.push(Staged {
            instance: outcome.instance.clone(),
            now,
            state,
            version: outcome.version,
            envelopes,
            outcome,
        });
        p.commits.len() - 1
    }

    /// Folds and encodes one command's events on top of `state` (at `version`) and stages them.
    /// On error nothing is staged.
    #[allow(clippy::too_many_arguments)] // the parts of one envelope; a struct would only rename them
    pub(super) fn stage(
        &self,
        p: &mut Prepared<W>,
        instance: &InstanceId,
        command_id: CommandId,
        actor: &Actor,
        now: DateTime<Utc>,
        state: Option<W::State>,
        version: u64,
        events: Vec<W::Event>,
    ) -> Result<usize> {
        let first = p.base_seq + p.records.len() as u64 + 1;
        let Folded {
            state,
            version,
            envelopes,
            records,
            outcome,
        } = self.fold(
            instance,
            &command_id,
            actor,
            now,
            state,
            version,
            events,
            Some(first),
        )?;
        p.records.extend(records);
        p.commits.push(Staged {
            instance: instance.clone(),
            now,
            state,
            version,
            envelopes,
            outcome,
        });
        Ok(p.commits.len() - 1)
    }

    /// Folds one command's events on top of `state` (at `version`) and encodes them, numbered
    /// from journal position `first` (`None`: every `seq` left at 0, for a pre-decision).
    #[allow(clippy::too_many_arguments)] // the parts of one envelope; a struct would only rename them
    fn fold(
        &self,
        instance: &InstanceId,
        command_id: &CommandId,
        actor: &Actor,
        now: DateTime<Utc>,
        mut state: Option<W::State>,
        mut version: u64,
        events: Vec<W::Event>,
        first: Option<u64>,
    ) -> Result<Folded<W>> {
        let mut envelopes = Vec::with_capacity(events.len());
        let mut records = Vec::with_capacity(events.len());
        for (i, event) in (0u64..).zip(events) {
            state = Some(self.def.apply(state, &event)?);
            version += 1;
            let env = Envelope {
                workflow: self.def.name().to_owned(),
                schema: self.def.schema_version(),
                seq: first.map_or(0, |f| f + i),
                instance: instance.clone(),
                version,
                command: command_id.clone(),
                at: now,
                actor: actor.clone(),
                event,
            };
            // Full: identifiers (TCKN, phone) are stored unmasked in the journal, masked everywhere else.
            records.push(serde_json::to_vec(&Full(&env)).map_err(storage_error)?);
            envelopes.push(env);
        }
        let Some(state) = state else {
            // Invariant: fold is only called with at least one event, so the fold ran.
            return Err(storage_error("no events to commit"));
        };
        let outcome = CommandOutcome {
            command: command_id.clone(),
            instance: instance.clone(),
            version,
            events: u32::try_from(envelopes.len()).unwrap_or(u32::MAX),
            status: self.def.status(&state).to_owned(),
            repeated: false,
        };
        Ok(Folded {
            state,
            version,
            envelopes,
            records,
            outcome,
        })
    }

    /// Applies a batch whose records are durable: states, versions, histories, command results,
    /// timers and notifications, in the batch's order; then a snapshot if one is due. A snapshot
    /// that fails is reported to the batch's applied commands (their events are durable: a retry
    /// with the same command id returns the result with `repeated = true`).
    pub(crate) fn apply_prepared(&mut self, p: Prepared<W>) -> Applied {
        let Prepared {
            base_seq,
            records,
            commits,
            slots,
            fired,
            dropped,
            resched,
        } = p;
        if base_seq != self.seq {
            // Invariant of every caller (the engine does not change between prepare and apply);
            // refuse rather than corrupt the state if it is ever broken.
            let mut error = Some(storage_error(format!(
                "batch prepared at record {base_seq}, engine at {}",
                self.seq
            )));
            let results = slots
                .into_iter()
                .map(|slot| match slot {
                    Slot::Failed(e) => Err(e),
                    Slot::Ready(o) => Ok(o),
                    Slot::Pending { .. } => Err(take_or_share(&mut error)),
                })
                .collect();
            return Applied {
                results,
                fired: Vec::new(),
                snapshot_error: None,
            };
        }
        self.seq = base_seq + records.len() as u64;
        let staged: Vec<bool> = slots
            .iter()
            .map(|s| matches!(s, Slot::Pending { .. }))
            .collect();
        let mut results: Vec<Result<CommandOutcome>> = slots
            .into_iter()
            .map(|slot| match slot {
                Slot::Failed(e) => Err(e),
                Slot::Ready(o) => Ok(o),
                Slot::Pending { index, repeated } => Ok(CommandOutcome {
                    repeated,
                    ..commits[index].outcome.clone()
                }),
            })
            .collect();
        let applied_any = !commits.is_empty();
        for commit in commits {
            self.apply_one(commit);
        }
        for id in resched {
            self.reschedule(&id);
        }
        for id in dropped {
            if let Some(at) = self.timer_of.remove(&id) {
                self.timers.remove(&(at, id));
            }
        }
        let mut snapshot_error = None;
        if applied_any
            && self.options.snapshot_every > 0
            && self.seq - self.snapshot_seq >= self.options.snapshot_every
            && let Err(e) = self.snapshot()
        {
            snapshot_error = Some(e);
            for (result, _) in results.iter_mut().zip(&staged).filter(|(_, s)| **s) {
                *result = Err(take_or_share(&mut snapshot_error));
            }
        }
        Applied {
            results,
            fired,
            snapshot_error,
        }
    }

    fn apply_one(&mut self, commit: Staged<W>) {
        let Staged {
            instance,
            now,
            state,
            version,
            envelopes,
            outcome,
        } = commit;
        self.commands.insert(outcome.command.clone(), outcome);
        // The state is moved in, not cloned (a new instance included).
        let inst = match self.instances.entry(instance.clone()) {
            Entry::Occupied(e) => {
                let inst = e.into_mut();
                inst.state = state;
                inst.version = version;
                inst
            }
            Entry::Vacant(e) => e.insert(Instance {
                state,
                version,
                history: Vec::new(),
            }),
        };
        for env in &envelopes {
            self.unsent.extend(self.def.notifications(env, &inst.state));
        }
        inst.history.extend(envelopes);
        self.reschedule(&instance);
        self.flush_notifications(now);
    }
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
