//! The engine: commands, events, timers, journal, recovery.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod replay;

use super::ports::{
    BusinessCalendar, EscalationChain, FixedChain, Notification, NotificationSink, storage_error,
};
use super::{Actor, CommandId, Context, InstanceId, WorkflowDefinition};
use crate::calendar::Calendar;
use crate::ids::Full;
use crate::journal::{Journal, Seq};
use crate::{Error, Result};

/// Kayıt: one event as stored in the journal, with everything needed to replay it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<E> {
    /// The workflow's name (a journal holds one workflow).
    pub workflow: String,
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
    sink: Box<dyn NotificationSink>,
    instances: HashMap<InstanceId, Instance<W>>,
    commands: HashMap<CommandId, CommandOutcome>,
    timers: BTreeSet<(DateTime<Utc>, InstanceId)>,
    timer_of: HashMap<InstanceId, DateTime<Utc>>,
    unsent: Vec<Notification>,
    seq: u64,
    snapshot_seq: u64,
    snapshot_status: SnapshotStatus,
}

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
    /// state. On any error nothing changes.
    pub fn execute(
        &mut self,
        instance: &InstanceId,
        command_id: CommandId,
        expected_version: Option<u64>,
        actor: &Actor,
        now: DateTime<Utc>,
        command: W::Command,
    ) -> Result<CommandOutcome> {
        if let Some(done) = self.commands.get(&command_id) {
            if &done.instance != instance {
                return Err(Error::CommandIdReused {
                    command: command_id.to_string(),
                    instance: done.instance.to_string(),
                });
            }
            return Ok(CommandOutcome {
                repeated: true,
                ..done.clone()
            });
        }
        if instance.as_str().is_empty() {
            return Err(Error::UnknownInstance(String::new()));
        }
        let current = self.instances.get(instance);
        let version = current.map_or(0, |i| i.version);
        if let Some(expected) = expected_version
            && expected != version
        {
            return Err(Error::Conflict {
                instance: instance.to_string(),
                expected,
                actual: version,
            });
        }
        let ctx = Context {
            instance,
            now,
            actor,
            calendar: self.options.calendar.as_ref(),
            escalation: self.options.escalation.as_ref(),
        };
        let events = self.def.decide(current.map(|i| &i.state), &command, &ctx)?;
        if events.is_empty() {
            return Err(Error::InvalidTransition {
                workflow: self.def.name(),
                state: current
                    .map_or("none", |i| self.def.status(&i.state))
                    .to_owned(),
                command: self.def.command_name(&command),
            });
        }
        self.commit(instance, command_id, actor, now, events)
    }

    /// Appends events for one command and applies them.
    fn commit(
        &mut self,
        instance: &InstanceId,
        command_id: CommandId,
        actor: &Actor,
        now: DateTime<Utc>,
        events: Vec<W::Event>,
    ) -> Result<CommandOutcome> {
        let current = self.instances.get(instance);
        let mut state = current.map(|i| i.state.clone());
        let mut version = current.map_or(0, |i| i.version);
        let mut envelopes = Vec::with_capacity(events.len());
        let mut records = Vec::with_capacity(events.len());
        let mut seq = self.seq;
        for event in events {
            state = Some(self.def.apply(state, &event)?);
            seq += 1;
            version += 1;
            let env = Envelope {
                workflow: self.def.name().to_owned(),
                seq,
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
            // Invariant: commit is only called with at least one event, so the fold ran.
            return Err(storage_error("no events to commit"));
        };
        let seqs = self.log.append_if(Some(Seq(self.seq)), &records)?;
        let last = seqs.last().map_or(0, |s| s.0);
        if last != seq {
            return Err(storage_error(format!(
                "journal numbered the last record {last}, engine expected {seq}"
            )));
        }
        self.seq = seq;
        let outcome = CommandOutcome {
            command: command_id.clone(),
            instance: instance.clone(),
            version,
            events: u32::try_from(envelopes.len()).unwrap_or(u32::MAX),
            status: self.def.status(&state).to_owned(),
            repeated: false,
        };
        self.commands.insert(command_id, outcome.clone());
        let inst = self
            .instances
            .entry(instance.clone())
            .or_insert_with(|| Instance {
                state: state.clone(),
                version: 0,
                history: Vec::new(),
            });
        inst.state = state;
        inst.version = version;
        for env in &envelopes {
            self.unsent.extend(self.def.notifications(env, &inst.state));
        }
        inst.history.extend(envelopes);
        self.reschedule(instance);
        self.flush_notifications(now);
        if self.options.snapshot_every > 0
            && self.seq - self.snapshot_seq >= self.options.snapshot_every
        {
            self.snapshot()?;
        }
        Ok(outcome)
    }

    fn flush_notifications(&mut self, now: DateTime<Utc>) {
        let mut failed = Vec::new();
        for n in self.unsent.drain(..) {
            if self.sink.enqueue(n.clone(), now).is_err() {
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
    /// the journal. Idempotent: a second call with the same `now` fires nothing new, because a
    /// fired timer is recorded in the instance's state.
    pub fn tick(&mut self, now: DateTime<Utc>) -> Result<Vec<Fired>> {
        let mut fired = Vec::new();
        let mut seen: std::collections::HashSet<(InstanceId, String)> =
            std::collections::HashSet::new();
        let system = Actor::system();
        while let Some((at, id)) = self.timers.first().cloned() {
            if at > now {
                break;
            }
            self.timers.remove(&(at, id.clone()));
            self.timer_of.remove(&id);
            let Some(inst) = self.instances.get(&id) else {
                continue;
            };
            let Some(timer) = self
                .def
                .next_timer(&inst.state, self.options.calendar.as_ref())
            else {
                continue;
            };
            if timer.at > now {
                self.timers.insert((timer.at, id.clone()));
                self.timer_of.insert(id, timer.at);
                continue;
            }
            // A definition whose fired timer is still due would loop forever: report it and drop
            // the timer until the instance changes.
            if !seen.insert((id.clone(), timer.key.clone())) {
                fired.push(Fired {
                    instance: id,
                    key: timer.key,
                    due: timer.at,
                    error: Some("timer still due after firing (definition bug)".to_owned()),
                });
                continue;
            }
            let ctx = Context {
                instance: &id,
                now,
                actor: &system,
                calendar: self.options.calendar.as_ref(),
                escalation: self.options.escalation.as_ref(),
            };
            let events = match self.def.on_timer(&inst.state, &timer, &ctx) {
                Ok(events) if !events.is_empty() => events,
                Ok(_) => {
                    fired.push(Fired {
                        instance: id,
                        key: timer.key,
                        due: timer.at,
                        error: Some("timer produced no events".to_owned()),
                    });
                    continue;
                }
                Err(e) => {
                    fired.push(Fired {
                        instance: id,
                        key: timer.key,
                        due: timer.at,
                        error: Some(e.to_string()),
                    });
                    continue;
                }
            };
            let command = CommandId::new(format!("timer:{id}:{}", timer.key));
            if let Err(e) = self.commit(&id, command, &system, now, events) {
                self.reschedule(&id);
                return Err(e);
            }
            fired.push(Fired {
                instance: id,
                key: timer.key,
                due: timer.at,
                error: None,
            });
        }
        self.flush_notifications(now);
        Ok(fired)
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
