//! İş akışı motoru: the plugin-based, event-sourced workflow engine.
//!
//! A workflow is a plugin: a type implementing [`WorkflowDefinition`] that names its states, decides
//! which events a command produces (the guards), folds events into state, and declares its
//! business-day timers. The [`Engine`] carries instances of one definition: it checks command ids
//! (idempotency) and expected versions (optimistic concurrency), appends every event to the journal
//! before it changes anything in memory, drives timers with [`Engine::tick`], emits notifications,
//! and rebuilds everything from the journal with [`Engine::open`]. [`SharedEngine`] lets many
//! threads use one engine: concurrent commands are decided in order against the current state and
//! committed together, one journal append (one fsync) per batch.
//!
//! Two definitions are built in:
//! * [`application::ApplicationWorkflow`]: the Açık Kapı application, from receipt to the answer;
//! * [`personnel::PersonnelWorkflow`]: the personnel change request of the 2020 circular.
//!
//! The engine talks to the rest of the system through small ports ([`ports`]): a business
//! calendar, an event log, a notification sink and an escalation chain.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Result;

mod actor;
pub mod application;
mod engine;
mod outbox;
pub mod personnel;
pub mod ports;
mod report;
mod runner;
mod shared;

pub use actor::{Actor, CitizenProof, GovernorPost};
pub use engine::{
    CONFLICT_ATTEMPTS, CommandOutcome, CommandRequest, Engine, EngineOptions, Envelope, Fired,
    Instance, SnapshotStatus,
};
pub use outbox::DurableOutbox;

/// Rol: the crate's one role enum (organisation posts and workflow actors), defined with the
/// organisation.
pub use crate::org::Role;
pub use report::{StatisticsBlock, format_tr};
pub use runner::{Clock, Runner, RunnerStats, SystemClock};
pub use shared::{MAX_BATCH, SharedEngine, SharedStats};

/// Süreç numarası: the identifier of one workflow instance (for applications, the tracking number).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InstanceId(String);

impl InstanceId {
    /// Wraps an identifier. Empty identifiers are allowed by the type but refused by the engine.
    pub fn new(id: impl Into<String>) -> Self {
        InstanceId(id.into())
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for InstanceId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Komut numarası: the caller-chosen id of a command. A command id is used once; repeating it
/// returns the original result and changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommandId(String);

impl CommandId {
    /// Wraps a command id.
    pub fn new(id: impl Into<String>) -> Self {
        CommandId(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CommandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Zamanlayıcı: a timer an instance is waiting for. `key` names the firing uniquely within the
/// instance (`"reminder"`, `"overdue"`, `"escalate:2"`), `at` is when it becomes due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    /// Unique name of this firing within the instance.
    pub key: String,
    /// When it becomes due.
    pub at: DateTime<Utc>,
}

/// What a definition gets when deciding on a command or a timer.
pub struct Context<'a> {
    /// The instance the command or timer is for.
    pub instance: &'a InstanceId,
    /// Now, as given by the embedding system.
    pub now: DateTime<Utc>,
    /// Who acts.
    pub actor: &'a Actor,
    /// The business calendar.
    pub calendar: &'a dyn ports::BusinessCalendar,
    /// Escalation chain.
    pub escalation: &'a dyn ports::EscalationChain,
}

/// A workflow plugin: states, commands with their guards, events and business-day timers.
///
/// The engine never looks inside states, commands or events; it only asks the definition.
/// Implementations must keep [`apply`](Self::apply) deterministic and free of outside input
/// (no clock, no calendar): everything a fold needs is in the event. Decisions that depend on
/// the calendar (deadlines) are taken in [`decide`](Self::decide) and recorded in the events.
pub trait WorkflowDefinition: Send + Sync + 'static {
    /// Durum: the state of one instance.
    type State: Clone + fmt::Debug + PartialEq + Serialize + DeserializeOwned + Send + Sync;
    /// Komut: what a person asks the workflow to do.
    type Command: Clone + fmt::Debug + Serialize + DeserializeOwned + Send + Sync;
    /// Olay: a fact appended to the instance's history.
    type Event: Clone + fmt::Debug + PartialEq + Serialize + DeserializeOwned + Send + Sync;

    /// Short name of the workflow (`"basvuru"`), used in errors and in journal records.
    fn name(&self) -> &'static str;

    /// The guards: the events a command produces on an instance (`None` = the instance does not
    /// exist yet), or a typed error ([`Error::InvalidTransition`](crate::Error::InvalidTransition),
    /// [`Error::Forbidden`](crate::Error::Forbidden), …). Must not return an empty list.
    fn decide(
        &self,
        state: Option<&Self::State>,
        command: &Self::Command,
        ctx: &Context<'_>,
    ) -> Result<Vec<Self::Event>>;

    /// The fold: the state after an event. `None` = the event creates the instance. An event that
    /// does not fit the state means a corrupted history ([`Error::CorruptHistory`](crate::Error::CorruptHistory)).
    fn apply(&self, state: Option<Self::State>, event: &Self::Event) -> Result<Self::State>;

    /// The name of the state (`"routed"`), for counts and errors.
    fn status(&self, state: &Self::State) -> &'static str;

    /// Every status name this workflow can be in, in lifecycle order.
    fn statuses(&self) -> &'static [&'static str];

    /// The next timer the instance waits for, if any. Timers are derived from the state: once the
    /// events of a firing are applied, the timer must no longer be returned (that is what makes
    /// [`Engine::tick`] idempotent and lets timers resume after [`Engine::open`]).
    fn next_timer(
        &self,
        state: &Self::State,
        calendar: &dyn ports::BusinessCalendar,
    ) -> Option<Timer>;

    /// The events a due timer produces.
    fn on_timer(
        &self,
        state: &Self::State,
        timer: &Timer,
        ctx: &Context<'_>,
    ) -> Result<Vec<Self::Event>>;

    /// Notifications to send after an event was stored (default: none).
    fn notifications(
        &self,
        _envelope: &Envelope<Self::Event>,
        _state: &Self::State,
    ) -> Vec<ports::Notification> {
        Vec::new()
    }

    /// Whether a person may see the instance (default: everyone but analysts).
    fn visible_to(&self, _state: &Self::State, actor: &Actor) -> bool {
        actor.role() != Role::Analyst
    }

    /// A short label of a command for errors (`"answer"`).
    fn command_name(&self, command: &Self::Command) -> String;

    /// Şema sürümü: the version of the shape of this workflow's journal records (the whole
    /// [`Envelope`]: event, actor, …), written into every new record. Journals written before
    /// versions existed are version 1 (the default). Raise it with every change of shape that
    /// old records do not deserialize into as they are, and teach [`upcast`](Self::upcast) the
    /// step.
    fn schema_version(&self) -> u32 {
        1
    }

    /// Yükseltme: rewrites one stored record of schema `from` into the shape of schema
    /// `from + 1`. The engine calls it once per step, from the record's schema up to
    /// [`schema_version`](Self::schema_version), on the whole envelope as JSON (`workflow`,
    /// `seq`, `instance` — which names the application and so its province — `version`,
    /// `command`, `at`, `actor`, `event`), before deserializing it; the `schema` field is set by
    /// the engine afterwards. Must be deterministic and must not change `seq`, `instance` or
    /// `version`. An error means the record cannot be read
    /// ([`Error::CorruptHistory`](crate::Error::CorruptHistory) is reported with its position).
    /// Default: the record unchanged (for steps that only add fields with serde defaults).
    fn upcast(&self, from: u32, envelope: serde_json::Value) -> Result<serde_json::Value> {
        let _ = from;
        Ok(envelope)
    }
}
