//! Personel değişikliği hizmeti: the personnel-change workflow of the 2020 circular behind the
//! same kind of service as [`Applications`](super::Applications).
//!
//! Every method takes `&self` and the [`Actor`] who asks, asks the one policy of the workflow
//! ([`policy::check`], the table [`policy::MATRIX`]) for every command and every read, listings
//! item by item, numbers new requests from durable state (`PD-<plate>-<year>-<seq>`, per
//! province and year, continuing after a restart) and derives idempotent command ids
//! (`<id>:<version>:<step>` unless the caller gives one). The engine is a [`SharedEngine`]:
//! commands from many threads, group-committed.
//!
//! ```
//! use acikkapi_core::service::Personnel;
//! use acikkapi_core::org::{OfficerId, UnitId};
//! use acikkapi_core::workflow::personnel::{ChangeKind, ChangeRequest, Staff};
//! use acikkapi_core::workflow::{Actor, GovernorPost};
//! let service = Personnel::in_memory().unwrap();
//! let clerk = Actor::clerk("buro-1", UnitId::parse("20.ACIK_KAPI").unwrap());
//! let vali = Actor::governor(GovernorPost::Vali, OfficerId::parse("20.VALILIK.VALI").unwrap());
//! let now = "2026-11-23T09:00:00Z".parse().unwrap();
//! let request = ChangeRequest {
//!     staff: Staff { id: "S-1".into(), unit: "20.ACIK_KAPI".into(), trained: false },
//!     kind: ChangeKind::ExtraDuty,
//!     under_investigation: false,
//!     justification: "Hizmet gereği".into(),
//! };
//! let submitted = service.submit(&clerk, request, now, None).unwrap();
//! assert!(submitted.id.starts_with("PD-20-2026-"));
//! let out = service.approve(&vali, &submitted.id, now, None).unwrap();
//! assert_eq!(out.status, "approved");
//! ```

use std::sync::Arc;

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use super::Page;
use crate::ids::SequenceCounters;
use crate::journal::{Journal, MemoryJournal};
use crate::workflow::personnel::policy::{self, PersonnelOperation};
use crate::workflow::personnel::{
    ChangeKind, ChangeRequest, Opinion, PersonnelCommand, PersonnelState, PersonnelStatus,
    PersonnelWorkflow, StaffUnit,
};
use crate::workflow::ports::{MemorySink, NotificationSink, local_date};
use crate::workflow::{
    Actor, CommandId, CommandOutcome, Engine, EngineOptions, Fired, InstanceId, SharedEngine,
    SharedStats,
};
use crate::{Error, Result};

/// The prefix of personnel request ids.
pub const ID_PREFIX: &str = "PD";

/// What [`Personnel::submit`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonnelSubmitted {
    /// The request's id (`PD-20-2026-0000001`).
    pub id: String,
    /// `requested` or `awaiting_opinion`.
    pub status: String,
}

/// The view of one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonnelView {
    /// The request's id.
    pub id: String,
    /// The instance's version (for optimistic concurrency of the next command).
    pub version: u64,
    /// The state.
    pub state: PersonnelState,
}

/// One line of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonnelItem {
    /// The request's id.
    pub id: String,
    /// Status.
    pub status: PersonnelStatus,
    /// What is asked.
    pub kind: ChangeKind,
    /// The staff's sicil number.
    pub staff: String,
    /// The staff's unit.
    pub unit: StaffUnit,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// Whether the opinion is late.
    pub opinion_late: bool,
}

/// Filters and page of a listing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonnelQuery {
    /// Only these statuses; empty: the open ones (requested, awaiting opinion, opinion given).
    pub statuses: Vec<PersonnelStatus>,
    /// Page number, from 0.
    pub page: usize,
    /// Items per page (0 = 50).
    pub per_page: usize,
}

/// Personel değişikliği hizmeti (see the module docs). `Send + Sync`.
pub struct Personnel {
    engine: SharedEngine<PersonnelWorkflow>,
    /// The last number given per (plate, year).
    numbers: SequenceCounters,
}

impl std::fmt::Debug for Personnel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Personnel").finish_non_exhaustive()
    }
}

/// `PD-20-2026-0000001` → (20, 2026, 1).
fn parse_id(id: &str) -> Option<(u8, u16, u32)> {
    let mut parts = id.split('-');
    if parts.next()? != ID_PREFIX {
        return None;
    }
    let plate = parts.next()?.parse().ok()?;
    let year = parts.next()?.parse().ok()?;
    let seq = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((plate, year, seq))
}

const OPEN: &[PersonnelStatus] = &[
    PersonnelStatus::Requested,
    PersonnelStatus::AwaitingOpinion,
    PersonnelStatus::OpinionGiven,
];

impl Personnel {
    /// The service on an engine (opened on its journal); numbering continues after the highest
    /// id stored.
    pub fn new(engine: Engine<PersonnelWorkflow>) -> Self {
        let numbers = SequenceCounters::new();
        for (id, _) in engine.instances() {
            if let Some((plate, year, seq)) = parse_id(id.as_str()) {
                numbers.observe(plate, year, seq);
            }
        }
        Personnel {
            engine: SharedEngine::new(engine),
            numbers,
        }
    }

    /// Opens the engine on `journal` and the service on it.
    pub fn open(
        workflow: PersonnelWorkflow,
        journal: Arc<dyn Journal>,
        sink: impl NotificationSink + 'static,
        options: EngineOptions,
    ) -> Result<Self> {
        Ok(Self::new(Engine::open(workflow, journal, sink, options)?))
    }

    /// A service on a journal in memory (tests, examples).
    pub fn in_memory() -> Result<Self> {
        Self::open(
            PersonnelWorkflow::default(),
            Arc::new(MemoryJournal::new()),
            MemorySink::new(),
            EngineOptions::default(),
        )
    }

    /// The engine, for the embedding system's reads that need no access check (journal
    /// position, counts); front ends read through the service's methods.
    pub fn with_engine<R>(&self, f: impl FnOnce(&Engine<PersonnelWorkflow>) -> R) -> R {
        self.engine.read(f)
    }

    /// Group-commit counters of the engine behind the service.
    pub fn commit_stats(&self) -> SharedStats {
        self.engine.stats()
    }

    fn next_id(&self, plate: u8, year: u16) -> Result<String> {
        let next = self
            .numbers
            .next(plate, year, u32::MAX)
            .ok_or_else(|| Error::GuardFailed {
                rule: format!("{ID_PREFIX}-{plate:02}-{year}: numara kalmadı"),
            })?;
        Ok(format!("{ID_PREFIX}-{plate:02}-{year}-{next:07}"))
    }

    /// The state of a request after checking `op` for `actor`.
    fn checked<R>(
        &self,
        actor: &Actor,
        id: &str,
        op: PersonnelOperation,
        f: impl FnOnce(&crate::workflow::Instance<PersonnelWorkflow>) -> R,
    ) -> Result<R> {
        let iid = InstanceId::new(id);
        self.engine.read(|e| {
            let inst = e
                .instance(&iid)
                .ok_or_else(|| Error::UnknownInstance(id.to_owned()))?;
            policy::check(actor, op, Some(&inst.state.request), Some(&iid))?;
            Ok(f(inst))
        })
    }

    /// Runs one command on an existing request: the current version is the expected one, the
    /// command id is the caller's or `<id>:<version>:<step>`. The policy is asked first, also
    /// for a repeated command id (a stored result is shown only to who may do the command).
    fn run(
        &self,
        actor: &Actor,
        id: &str,
        step: &str,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
        command: PersonnelCommand,
    ) -> Result<CommandOutcome> {
        let iid = InstanceId::new(id);
        let op = PersonnelOperation::of(&command);
        let version = self.checked(actor, id, op, |i| i.version)?;
        if let Some(cid) = &command_id
            && let Some(done) = self.engine.read(|e| e.command_outcome(cid).cloned())
            && done.instance == iid
        {
            return Ok(CommandOutcome {
                repeated: true,
                ..done
            });
        }
        let cid = command_id.unwrap_or_else(|| CommandId::new(format!("{iid}:{version}:{step}")));
        self.engine
            .execute(&iid, cid, Some(version), actor, now, command)
    }

    /// Talep et: numbers the request in its staff unit's province (the year of `now` in
    /// Türkiye) and submits it. A repeated `command_id` returns the first call's id.
    pub fn submit(
        &self,
        actor: &Actor,
        request: ChangeRequest,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<PersonnelSubmitted> {
        policy::check(actor, PersonnelOperation::Submit, Some(&request), None)?;
        if let Some(cid) = &command_id
            && let Some(done) = self.engine.read(|e| e.command_outcome(cid).cloned())
        {
            return Ok(PersonnelSubmitted {
                id: done.instance.to_string(),
                status: done.status,
            });
        }
        // The policy admitted the request, so its unit has a province; refused otherwise.
        let plate = policy::province_of(&request).ok_or_else(|| Error::Forbidden {
            role: actor.role_tr().to_owned(),
            action: PersonnelOperation::Submit.name().to_owned(),
        })?;
        let year = u16::try_from(local_date(now).year()).map_err(|_| Error::GuardFailed {
            rule: format!("{now}: yıl aralık dışında"),
        })?;
        let id = self.next_id(plate, year)?;
        let iid = InstanceId::new(id.clone());
        let cid = command_id.unwrap_or_else(|| CommandId::new(format!("{iid}:0:talep")));
        let out = self.engine.execute(
            &iid,
            cid,
            Some(0),
            actor,
            now,
            PersonnelCommand::Submit { request },
        )?;
        Ok(PersonnelSubmitted {
            id,
            status: out.status,
        })
    }

    /// Görüş ver (Strateji Geliştirme Başkanlığı).
    pub fn give_opinion(
        &self,
        actor: &Actor,
        id: &str,
        opinion: Opinion,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        self.run(
            actor,
            id,
            "gorus",
            now,
            command_id,
            PersonnelCommand::GiveOpinion { opinion },
        )
    }

    /// Onayla (the governor's office of the province).
    pub fn approve(
        &self,
        actor: &Actor,
        id: &str,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        self.run(
            actor,
            id,
            "onay",
            now,
            command_id,
            PersonnelCommand::Approve,
        )
    }

    /// Reddet (the governor's office of the province).
    pub fn reject(
        &self,
        actor: &Actor,
        id: &str,
        reason: &str,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        self.run(
            actor,
            id,
            "ret",
            now,
            command_id,
            PersonnelCommand::Reject {
                reason: reason.to_owned(),
            },
        )
    }

    /// Geri çek (the bureau or the governor's office of the province).
    pub fn withdraw(
        &self,
        actor: &Actor,
        id: &str,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        self.run(
            actor,
            id,
            "geri-cek",
            now,
            command_id,
            PersonnelCommand::Withdraw,
        )
    }

    /// One request.
    pub fn view(&self, actor: &Actor, id: &str) -> Result<PersonnelView> {
        self.checked(actor, id, PersonnelOperation::Read, |i| PersonnelView {
            id: id.to_owned(),
            version: i.version,
            state: i.state.clone(),
        })
    }

    /// Gelen kutusu: the requests the actor may read (by default the open ones), oldest first,
    /// one page.
    pub fn inbox(&self, actor: &Actor, query: &PersonnelQuery) -> Page<PersonnelItem> {
        let statuses: &[PersonnelStatus] = if query.statuses.is_empty() {
            OPEN
        } else {
            &query.statuses
        };
        let mut items: Vec<PersonnelItem> = self.engine.read(|e| {
            e.instances()
                .filter(|(_, inst)| {
                    let s = &inst.state;
                    statuses.contains(&s.status)
                        && policy::permits(actor, PersonnelOperation::Read, Some(&s.request))
                })
                .map(|(id, inst)| {
                    let s = &inst.state;
                    PersonnelItem {
                        id: id.to_string(),
                        status: s.status,
                        kind: s.request.kind,
                        staff: s.request.staff.id.clone(),
                        unit: s.request.staff.unit.clone(),
                        submitted_at: s.submitted_at,
                        opinion_late: s.opinion_late,
                    }
                })
                .collect()
        });
        items.sort_by(|a, b| (a.submitted_at, &a.id).cmp(&(b.submitted_at, &b.id)));
        let per_page = if query.per_page == 0 {
            50
        } else {
            query.per_page
        };
        let total = items.len();
        let items = items
            .into_iter()
            .skip(query.page.saturating_mul(per_page))
            .take(per_page)
            .collect();
        Page {
            items,
            total,
            page: query.page,
            per_page,
        }
    }

    /// Fires the timers due at `now` (the system).
    pub fn tick(&self, actor: &Actor, now: DateTime<Utc>) -> Result<Vec<Fired>> {
        policy::check(actor, PersonnelOperation::Tick, None, None)?;
        self.engine.tick(now)
    }
}

#[cfg(test)]
mod tests;
