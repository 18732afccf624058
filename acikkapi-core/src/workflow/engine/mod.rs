//! The engine: commands, events, timers, journal, recovery.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod batch;
#[cfg(test)]
mod catch_up_tests;
mod replay;
mod tick;
mod upcast;

pub use batch::CommandRequest;
pub(crate) use batch::{Predecided, Prepared, fail_all};

use super::ports::{
    BusinessCalendar, EscalationChain, FixedChain, Notification, NotificationSink, storage_error,
};
use super::{Actor, CommandId, InstanceId, WorkflowDefinition};
use crate::calendar::Calendar;
use crate::journal::Journal;
use crate::{Error, Result};

/// Kayıt: one event as stored in the journal, with everything needed to replay it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<E> {
    /// The workflow's name (a journal holds one workflow).
    pub workflow: String,
    /// The schema version the record is in ([`WorkflowDefinition::schema_version`] of the code
    /// that wrote it; 1 for records written before versions existed). Records replayed from an
    /// older schema are upcast ([`WorkflowDefinition::upcast`]) and carry the current one.
    #[serde(default = "upcast::first_schema")]
    pub schema: u32,
    /// Position in the journal (1-based, gap-free).
    pub seq: u64,
    /// The instance.
    pub instance: InstanceId,
    /// The instance's version after this event (1 = the creating event).
    pub version: u64,
    /// The command that produced it (timers use `timer:<instance>:<key>`).
    pub command: CommandId,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: Actor,
    /// The event.
    pub event: E,
}

/// One workflow instance: its state, version and history.
#[derive(Debug, Serialize, Deserialize)]
#[serde(bound(
    serialize = "W::State: Serialize, W::Event: Serialize",
    deserialize = "W::State: serde::de::DeserializeOwned, W::Event: serde::de::DeserializeOwned"
))]
pub struct Instance<W: WorkflowDefinition> {
    /// State = fold of the history.
    pub state: W::State,
    /// Number of events so far.
    pub version: u64,
    /// Every event, oldest first.
    pub history: Vec<Envelope<W::Event>>,
}

impl<W: WorkflowDefinition> Clone for Instance<W> {
    fn clone(&self) -> Self {
        Instance {
            state: self.state.clone(),
            version: self.version,
            history: self.history.clone(),
        }
    }
}

impl<W: WorkflowDefinition> PartialEq for Instance<W> {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state && self.version == other.version && self.history == other.history
    }
}

/// The result of a command. A repeated command id returns the original result with
/// `repeated = true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandOutcome {
    /// The command.
    pub command: CommandId,
    /// The instance it acted on.
    pub instance: InstanceId,
    /// The instance's version right after the command.
    pub version: u64,
    /// How many events the command produced.
    pub events: u32,
    /// The instance's status right after the command.
    pub status: String,
    /// Whether this is the stored result of an earlier, identical command id.
    pub repeated: bool,
}

/// A timer that fired during [`Engine::tick`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fired {
    /// The instance.
    pub instance: InstanceId,
    /// The timer's key.
    pub key: String,
    /// When it was due.
    pub due: DateTime<Utc>,
    /// Set when the definition refused to act on it (the timer is then dropped until the
    /// instance changes).
    pub error: Option<String>,
}

/// What an engine is built with besides the definition, the journal and the outbox.
#[derive(Clone)]
pub struct EngineOptions {
    /// The business calendar (default: [`Calendar::public_sector`]).
    pub calendar: Arc<dyn BusinessCalendar>,
    /// The escalation chain.
    pub escalation: Arc<dyn EscalationChain>,
    /// Write a snapshot every this many events (0 = never automatically).
    pub snapshot_every: u64,
    /// Start from the journal's snapshot when there is one (default); `false` does not read the
    /// snapshot at all (a damaged one included) and replays every record (for checks and tools).
    pub use_snapshot: bool,
}

/// How [`Engine::open`] used the journal's snapshot ([`Engine::snapshot_status`]). A snapshot is
/// only a shortcut: the journal holds every record, so a snapshot that cannot be used is
/// replaced by a full replay, never an error, and the reason is kept here for the caller to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SnapshotStatus {
    /// The journal has no snapshot: every record was replayed.
    None,
    /// Not read ([`EngineOptions::use_snapshot`] is false): every record was replayed.
    Ignored,
    /// Loaded; the records after `seq` were replayed on top of it.
    Loaded {
        /// The last record the snapshot covers.
        seq: u64,
    },
    /// Refused and every record replayed instead: the snapshot does not match the journal
    /// ([`Error::SnapshotMismatch`]), is damaged, or is not a snapshot of this workflow.
    Rejected {
        /// Why, in words.
        reason: String,
    },
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            calendar: Arc::new(Calendar::public_sector().clone()),
            escalation: Arc::new(FixedChain::default()),
            snapshot_every: 0,
            use_snapshot: true,
        }
    }
}

impl std::fmt::Debug for EngineOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineOptions")
            .field("snapshot_every", &self.snapshot_every)
            .finish_non_exhaustive()
    }
}

/// Motor: carries the instances of one workflow definition.
///
/// ```
/// use acikkapi_core::workflow::{Engine, EngineOptions};
/// use acikkapi_core::workflow::application::ApplicationWorkflow;
/// use acikkapi_core::workflow::ports::MemorySink;
/// use acikkapi_core::journal::MemoryJournal;
/// use std::sync::Arc;
///
/// let engine = Engine::open(ApplicationWorkflow::default(), Arc::new(MemoryJournal::new()),
///                           MemorySink::new(), EngineOptions::default()).unwrap();
/// assert_eq!(engine.len(), 0);
/// ```
pub struct Engine<W: WorkflowDefinition> {
    def: W,
    options: EngineOptions,
    log: Arc<dyn Journal>,
    /// Behind a mutex only so that the engine is `Sync` (shared readers never touch it); the
    /// engine reaches it with `get_mut`, without locking.
    sink: std::sync::Mutex<Box<dyn NotificationSink>>,
    instances: HashMap<InstanceId, Instance<W>>,
    commands: HashMap<CommandId, CommandOutcome>,
    timers: BTreeSet<(DateTime<Utc>, InstanceId)>,
    timer_of: HashMap<InstanceId, DateTime<Utc>>,
    unsent: Vec<Notification>,
    seq: u64,
    snapshot_seq: u64,
    snapshot_status: SnapshotStatus,
    /// An append failed (another writer got there first, or its outcome is unknown): the next
    /// command catches up with the journal before it is decided ([`Engine::catch_up`]).
    behind: bool,
}

/// How often a batch is decided again when its append finds that another writer appended first
/// ([`Error::ConcurrencyConflict`]): the engine catches up with the new records and prepares the
/// batch anew, up to this many attempts in all; then the batch's commands fail with the conflict
/// (the caller may retry). Each lost attempt means another writer made progress. Two nodes
/// writing one stream as fast as they can lose about half their attempts (a catch-up and an
/// append are two round trips, and the other node appends in between): with 8 attempts about 2 %
/// of their commands ran out (`acikkapi-postgres/tests/two_nodes.rs`), with 32 none did.
pub const CONFLICT_ATTEMPTS: usize = 32;

impl<W: WorkflowDefinition> Engine<W> {
    /// The definition this engine runs.
    pub fn definition(&self) -> &W {
        &self.def
    }

    /// The business calendar.
    pub fn calendar(&self) -> &dyn BusinessCalendar {
        self.options.calendar.as_ref()
    }

    /// Number of instances.
    pub fn len(&self) -> usize {
        self.instances.len()
    }

    /// Whether there are no instances.
    pub fn is_empty(&self) -> bool {
        self.instances.is_empty()
    }

    /// Sequence number of the last stored event.
    pub fn last_seq(&self) -> u64 {
        self.seq
    }

    /// Whether an append failed since the engine last caught up (a conflict with another writer,
    /// or an outcome that is unknown): the next command catches up first.
    pub fn is_behind(&self) -> bool {
        self.behind
    }

    /// Records that the journal may hold records this engine has not applied.
    pub(crate) fn mark_behind(&mut self) {
        self.behind = true;
    }

    /// Catches up first if an earlier append failed ([`Engine::is_behind`]).
    pub(crate) fn catch_up_if_behind(&mut self) -> Result<()> {
        if self.behind {
            self.catch_up()?;
        }
        Ok(())
    }

    /// How [`Engine::open`] used the journal's snapshot (a refused one is a warning to show).
    pub fn snapshot_status(&self) -> &SnapshotStatus {
        &self.snapshot_status
    }

    /// One instance, without access checks (for the embedding system).
    pub fn instance(&self, id: &InstanceId) -> Option<&Instance<W>> {
        self.instances.get(id)
    }

    /// One instance, if `actor` may see it.
    pub fn view(&self, id: &InstanceId, actor: &Actor) -> Result<&Instance<W>> {
        let inst = self
            .instances
            .get(id)
            .ok_or_else(|| Error::UnknownInstance(id.to_string()))?;
        if self.def.visible_to(&inst.state, actor) {
            Ok(inst)
        } else {
            Err(Error::Forbidden {
                role: actor.role_tr().to_owned(),
                action: format!("{id} kaydını görmek"),
            })
        }
    }

    /// Every instance (in no particular order).
    pub fn instances(&self) -> impl Iterator<Item = (&InstanceId, &Instance<W>)> {
        self.instances.iter()
    }

    /// Every state, sorted by id (for comparisons).
    pub fn states(&self) -> BTreeMap<InstanceId, W::State> {
        self.instances
            .iter()
            .map(|(k, v)| (k.clone(), v.state.clone()))
            .collect()
    }

    /// Number of instances in each status; every status of the definition is present.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts: BTreeMap<&'static str, usize> =
            self.def.statuses().iter().map(|s| (*s, 0)).collect();
        for inst in self.instances.values() {
            *counts.entry(self.def.status(&inst.state)).or_default() += 1;
        }
        counts
    }

    /// The result of an earlier command, if it produced events.
    pub fn command_outcome(&self, id: &CommandId) -> Option<&CommandOutcome> {
        self.commands.get(id)
    }

    /// The next timer due, over all instances.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.timers.first().map(|(at, _)| *at)
    }

    /// Runs a command: checks the command id (a repeat returns the original result), the
    /// expected version (`Some(v)` must equal the instance's version, 0 for a new instance), asks
    /// the definition's guards, appends the events to the journal and only then changes the
    /// state. On any error nothing changes. (A batch of one for [`Engine::execute_batch`]; for
    /// many threads and one fsync per batch of commands, see
    /// [`SharedEngine`](crate::workflow::SharedEngine).)
    pub fn execute(
        &mut self,
        instance: &InstanceId,
        command_id: CommandId,
        expected_version: Option<u64>,
        actor: &Actor,
        now: DateTime<Utc>,
        command: W::Command,
    ) -> Result<CommandOutcome> {
        let request =
            CommandRequest::new(instance, command_id, expected_version, actor, now, command);
        self.execute_batch([request])
            .pop()
            .unwrap_or_else(|| Err(storage_error("a batch of one gave no result")))
    }

    /// The journal the engine writes to.
    pub(crate) fn journal(&self) -> &Arc<dyn Journal> {
        &self.log
    }

    /// Offers the unsent notifications to the sink; those it refuses stay for the next try.
    pub(crate) fn flush_notifications(&mut self, now: DateTime<Utc>) {
        let mut failed = Vec::new();
        for n in self.unsent.drain(..) {
            let sink = self.sink.get_mut().unwrap_or_else(|p| p.into_inner());
            if sink.enqueue(n.clone(), now).is_err() {
                failed.push(n);
            }
        }
        self.unsent = failed;
    }

    /// Offers every notification of every stored event to the sink again. With a durable outbox
    /// (which ignores keys it has seen) this queues exactly the notifications lost by a crash
    /// between the journal append and the enqueue; call it after [`Engine::open`]. Returns how
    /// many notifications were offered. Notifications are derived from each event and the
    /// instance's current state (the phone number as it is now).
    pub fn requeue_notifications(&mut self, now: DateTime<Utc>) -> usize {
        let mut all = Vec::new();
        for inst in self.instances.values() {
            for env in &inst.history {
                all.extend(self.def.notifications(env, &inst.state));
            }
        }
        let n = all.len();
        self.unsent.extend(all);
        self.flush_notifications(now);
        n
    }

    /// Notifications the outbox refused so far; they are retried on every command and tick.
    pub fn unsent_notifications(&self) -> &[Notification] {
        &self.unsent
    }

    fn reschedule(&mut self, id: &InstanceId) {
        if let Some(at) = self.timer_of.remove(id) {
            self.timers.remove(&(at, id.clone()));
        }
        if let Some(inst) = self.instances.get(id)
            && let Some(timer) = self
                .def
                .next_timer(&inst.state, self.options.calendar.as_ref())
        {
            self.timers.insert((timer.at, id.clone()));
            self.timer_of.insert(id.clone(), timer.at);
        }
    }

    /// Fires every timer due at `now` (reminders, overdue marks, escalations), each as events in
    /// the journal, all in one append. Idempotent: a second call with the same `now` fires
    /// nothing new, because a fired timer is recorded in the instance's state. On a journal error
    /// nothing fires and nothing changes.
    ///
    /// When another writer appended first, the engine catches up and decides again (at most
    /// [`CONFLICT_ATTEMPTS`] times): timers another node fired are then not fired twice.
    pub fn tick(&mut self, now: DateTime<Utc>) -> Result<Vec<Fired>> {
        let mut attempt = 1;
        let prepared = loop {
            self.catch_up_if_behind()?;
            let prepared = self.prepare_tick(now)?;
            match prepared.append(self.log.as_ref()) {
                Ok(()) => break prepared,
                Err(e) => {
                    self.behind = true;
                    if attempt < CONFLICT_ATTEMPTS && matches!(e, Error::ConcurrencyConflict { .. })
                    {
                        attempt += 1;
                        continue;
                    }
                    return Err(e);
                }
            }
        };
        let applied = self.apply_prepared(prepared);
        self.flush_notifications(now);
        match applied.snapshot_error {
            Some(e) => Err(e),
            None => Ok(applied.fired),
        }
    }
}

impl<W: WorkflowDefinition> std::fmt::Debug for Engine<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("workflow", &self.def.name())
            .field("instances", &self.instances.len())
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}
