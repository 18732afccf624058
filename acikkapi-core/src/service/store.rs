//! The engine behind the service and the tracking-number allocator, each behind one private
//! type with the shapes of `workflow::SharedEngine` and `ids::TrackingAllocator`, so that the
//! concurrent engine (group commit) and the shared allocator replace them in one place.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::geo::ProvincePlate;
use crate::ids::TrackingNumber;
use crate::workflow::application::{ApplicationCommand, ApplicationWorkflow};
use crate::workflow::{Actor, CommandId, CommandOutcome, Engine, Fired, InstanceId};
use crate::{Error, Result};

/// The engine, shared by the service's `&self` methods (one lock; commands are serialised).
pub(super) struct Store {
    engine: Mutex<Engine<ApplicationWorkflow>>,
}

impl Store {
    pub(super) fn new(engine: Engine<ApplicationWorkflow>) -> Self {
        Store {
            engine: Mutex::new(engine),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Engine<ApplicationWorkflow>> {
        // A panic in another thread while holding the lock leaves the engine as it was before
        // the command (the engine changes memory only after the journal append).
        self.engine.lock().unwrap_or_else(|p| p.into_inner())
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
        self.lock()
            .execute(instance, command_id, expected_version, actor, now, command)
    }

    pub(super) fn read<R>(&self, f: impl FnOnce(&Engine<ApplicationWorkflow>) -> R) -> R {
        f(&self.lock())
    }

    pub(super) fn write<R>(&self, f: impl FnOnce(&mut Engine<ApplicationWorkflow>) -> R) -> R {
        f(&mut self.lock())
    }

    pub(super) fn tick(&self, now: DateTime<Utc>) -> Result<Vec<Fired>> {
        self.lock().tick(now)
    }

    pub(super) fn into_inner(self) -> Engine<ApplicationWorkflow> {
        self.engine.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

/// Takip numarası dağıtıcı: the next free sequence number per province and year, initialised from
/// the instances in the journal (so a number is never given twice, a restart included: a number
/// allocated but never received was given to no application).
pub(super) struct Allocator {
    next: Mutex<HashMap<(u8, u16), u32>>,
}

impl Allocator {
    pub(super) fn from_ids<'a>(ids: impl IntoIterator<Item = &'a InstanceId>) -> Self {
        let mut next: HashMap<(u8, u16), u32> = HashMap::new();
        for id in ids {
            if let Ok(t) = TrackingNumber::parse(id.as_str()) {
                let e = next.entry((t.plate().get(), t.year())).or_insert(1);
                *e = (*e).max(t.sequence().saturating_add(1));
            }
        }
        Allocator {
            next: Mutex::new(next),
        }
    }

    pub(super) fn next(&self, plate: ProvincePlate, year: u16) -> Result<TrackingNumber> {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let seq = next.entry((plate.get(), year)).or_insert(1);
        let t = TrackingNumber::new(plate, year, *seq).map_err(Error::from)?;
        *seq += 1;
        Ok(t)
    }

    /// Records that `t` is taken (an application received under a number from elsewhere).
    pub(super) fn observe(&self, t: &TrackingNumber) {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let e = next.entry((t.plate().get(), t.year())).or_insert(1);
        *e = (*e).max(t.sequence().saturating_add(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allocator_continues_after_the_highest_number_per_province_and_year() {
        let p20 = ProvincePlate::new(20).unwrap();
        let ids = [
            InstanceId::new(TrackingNumber::new(p20, 2026, 7).unwrap().to_string()),
            InstanceId::new(TrackingNumber::new(p20, 2026, 3).unwrap().to_string()),
            InstanceId::new("not a tracking number"),
        ];
        let a = Allocator::from_ids(&ids);
        assert_eq!(a.next(p20, 2026).unwrap().sequence(), 8);
        assert_eq!(a.next(p20, 2026).unwrap().sequence(), 9);
        assert_eq!(a.next(p20, 2027).unwrap().sequence(), 1);
        assert_eq!(
            a.next(ProvincePlate::new(34).unwrap(), 2026)
                .unwrap()
                .sequence(),
            1
        );
    }
}
