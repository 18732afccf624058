//! The engine behind the service: a [`SharedEngine`] (commands from many threads, group-committed:
//! one journal append and one fsync per batch, each caller answered once its events are durable),
//! and the tracking-number allocator ([`TrackingAllocator`], counters per province and year
//! initialised from the durable instances).

use chrono::{DateTime, Utc};

use crate::Result;
pub(super) use crate::ids::TrackingAllocator as Allocator;
use crate::workflow::application::{ApplicationCommand, ApplicationWorkflow};
use crate::workflow::ports::storage_error;
use crate::workflow::{Actor, CommandId, CommandOutcome, Engine, Fired, InstanceId, SharedEngine};

/// The engine, shared by the service's `&self` methods.
pub(super) struct Store {
    engine: SharedEngine<ApplicationWorkflow>,
}

impl Store {
    pub(super) fn new(engine: Engine<ApplicationWorkflow>) -> Self {
        Store {
            engine: SharedEngine::new(engine),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn execute(
        &self,
        instance: &InstanceId,
        command_id: CommandId,
        expected_version: Option<u64>,
        actor: &Actor,
        now: DateTime<Utc>,
        command: ApplicationCommand,
    ) -> Result<CommandOutcome> {
        self.engine
            .execute(instance, command_id, expected_version, actor, now, command)
    }

    pub(super) fn read<R>(&self, f: impl FnOnce(&Engine<ApplicationWorkflow>) -> R) -> R {
        self.engine.read(f)
    }

    pub(super) fn write<R>(&self, f: impl FnOnce(&mut Engine<ApplicationWorkflow>) -> R) -> R {
        self.engine.write(f)
    }

    pub(super) fn tick(&self, now: DateTime<Utc>) -> Result<Vec<Fired>> {
        self.engine.tick(now)
    }

    /// Group-commit counters (batches, commands, appends, largest batch).
    pub(super) fn stats(&self) -> crate::workflow::SharedStats {
        self.engine.stats()
    }

    /// The engine back. The store never hands out clones of its `SharedEngine`, so this is the
    /// last handle; the error is for the impossible case, never a panic.
    pub(super) fn into_inner(self) -> Result<Engine<ApplicationWorkflow>> {
        self.engine
            .into_inner()
            .ok_or_else(|| storage_error("the engine is still shared"))
    }
}
