//! Başvuru hizmeti: the one application service every front end uses (the CLI, the Python
//! binding, the simulation, `examples/embed.rs`, the coming HTTP server).
//!
//! A front end translates its input into a call of [`Applications`] with the [`Actor`] who asks;
//! the service decides: it allocates tracking numbers from durable state, validates and registers,
//! turns a routing [`Decision`] into the workflow's commands (the redirect reasons and the
//! institution a rejected application goes to live here, once), derives idempotent command ids,
//! and asks the [`Authorizer`] on every command and every read, listings item by item.
//!
//! # Partitions and nodes
//!
//! The service holds one engine per *partition*, an ordered stream of the applications of one
//! or more provinces. [`Applications::new`] / [`Applications::open`] make one partition holding
//! every province (the file journal: one file, as always). [`Applications::partitioned`] makes
//! several (e.g. `acikkapi_postgres::open_applications`: one PostgreSQL stream per province,
//! written by several nodes): a command goes to the partition of its tracking number's province;
//! listings, search and statistics read every partition and give the same results as one.
//! Tracking numbers come from a [`TrackingNumbers`] source: by default a [`TrackingAllocator`]
//! counted on from the durable instances, on PostgreSQL counters in the database shared by the
//! nodes. Another node's work is applied when a command meets it (the conditional append
//! conflicts, the engine catches up and decides again), when a number is not known here, and on
//! [`Applications::refresh`].
//!
//! ```
//! use acikkapi_core::service::Applications;
//! use acikkapi_core::application::ApplicationInput;
//! use acikkapi_core::org::UnitId;
//! use acikkapi_core::workflow::Actor;
//! let service = Applications::in_memory().unwrap();
//! let clerk = Actor::clerk("buro-1", UnitId::parse("20.ACIK_KAPI").unwrap());
//! let now = "2026-11-23T09:00:00Z".parse().unwrap();
//! let input: ApplicationInput = serde_json::from_str(acikkapi_core::samples::ALL[0].1).unwrap();
//! let submitted = service.submit(&clerk, input, now, None).unwrap();
//! assert_eq!(submitted.status, "registered");
//! assert!(submitted.tracking.to_string().starts_with("AK-20-2026-"));
//! ```

pub mod personnel;
pub mod public;

pub use personnel::{Personnel, PersonnelItem, PersonnelQuery, PersonnelSubmitted, PersonnelView};
pub use public::{MAX_PUBLIC_REQUESTS, PublicQuery, PublicRequest};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::application::{Application, ApplicationInput};
use crate::geo::ProvincePlate;
use crate::ids::{TrackingAllocator, TrackingNumber, TrackingNumbers};
use crate::journal::{Journal, MemoryJournal};
use crate::org::UnitId;
use crate::routing::{Decision, RouteRequest, Router, Target};
use crate::stats::StatisticsBlock;
use crate::workflow::application::authz::{Authorizer, Operation, Subject};
use crate::workflow::application::{
    AnalystRecord, ApplicationCommand, ApplicationState, ApplicationWorkflow, Assignment, Outcome,
    PublicHistory, Status,
};
use crate::workflow::ports::{MemorySink, NotificationSink, local_date, storage_error};
use crate::workflow::{
    Actor, CommandId, CommandOutcome, Engine, EngineOptions, Fired, InstanceId, SharedEngine,
};
use crate::{Error, Result};

/// CİMER: where the bureau sends an application no unit of the province handles (the router's
/// `Reject`).
pub const REJECTED_TO: &str = "CİMER";
/// The reason recorded when a routing rule sends an application to another authority.
pub const REDIRECT_REASON: &str = "Yönlendirme kuralı";

/// Yönlendirici: what the service routes with. Implemented by the native [`Router`]; the
/// scripted router of `acikkapi-rules` implements it too.
pub trait ApplicationRouter {
    /// The decision for a registered application; `importance` (0–5) is the bureau's grading of a
    /// special application.
    fn route_application(&self, app: &Application, importance: u8) -> Result<Decision>;
    /// The name of a unit as shown to citizens.
    fn unit_name(&self, unit: &UnitId) -> String;
}

impl ApplicationRouter for Router {
    fn route_application(&self, app: &Application, importance: u8) -> Result<Decision> {
        let mut req = RouteRequest::from(app);
        req.importance = importance;
        self.route(&req)
    }

    fn unit_name(&self, unit: &UnitId) -> String {
        Router::unit_name(self, unit)
    }
}

/// A router per province, made on first use.
pub type RouterFactory =
    dyn Fn(ProvincePlate) -> Result<Arc<dyn ApplicationRouter + Send + Sync>> + Send + Sync;

/// What [`Applications::submit`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitted {
    /// The tracking number allocated.
    pub tracking: TrackingNumber,
    /// `registered` or `not_processed`.
    pub status: String,
}

/// One line of an inbox or a search result: no applicant data beyond the subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    /// The tracking number.
    pub tracking: String,
    /// Status.
    pub status: Status,
    /// Category code.
    pub category: Option<String>,
    /// Subject (konu).
    pub subject: Option<String>,
    /// The unit it is assigned to (or waits for approval to be assigned to).
    pub unit: Option<UnitId>,
    /// Answer deadline.
    pub deadline: Option<DateTime<Utc>>,
    /// Overdue.
    pub overdue: bool,
    /// Special.
    pub special: bool,
    /// Confidential.
    pub confidential: bool,
}

/// Filters and page of an inbox or a search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Query {
    /// Only applications assigned to this unit (inbox of a unit); `None`: all the actor may see.
    pub unit: Option<UnitId>,
    /// Only these statuses; empty: open ones for an inbox, all for a search.
    pub statuses: Vec<Status>,
    /// Only overdue ones.
    pub overdue_only: bool,
    /// Text in the subject or the tracking number (search; case-insensitive, Turkish rules).
    pub text: Option<String>,
    /// Page number, from 0.
    pub page: usize,
    /// Items per page (0 = 50).
    pub per_page: usize,
}

/// A page of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many match in all.
    pub total: usize,
    /// This page.
    pub page: usize,
    /// Items per page.
    pub per_page: usize,
}

/// The staff view of one application (what [`Operation::Read`] shows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationView {
    /// The tracking number.
    pub tracking: String,
    /// The instance's version (for optimistic concurrency of the next command).
    pub version: u64,
    /// The state.
    pub state: ApplicationState,
}

/// Başvuru hizmeti: the application service (see the module docs). `Send + Sync`; every method
/// takes `&self`.
pub struct Applications {
    /// The engines, one per partition (an ordered stream of one or more provinces): commands
    /// from many threads, group-committed (one journal append and one fsync per batch), each
    /// caller answered once its events are durable. One partition on the file journal.
    partitions: Vec<SharedEngine<ApplicationWorkflow>>,
    /// The partition of each province, by plate (index 0 unused).
    partition_of: [usize; 82],
    /// Where tracking numbers come from ([`TrackingAllocator`] by default).
    ids: Box<dyn TrackingNumbers>,
    /// Other nodes may write the streams ([`Applications::partitioned`]): a number unknown here
    /// is looked for in the stream before it is called unknown.
    shared: bool,
    authz: Authorizer,
    routers: Mutex<HashMap<u8, Arc<dyn ApplicationRouter + Send + Sync>>>,
    factory: Box<RouterFactory>,
}

impl std::fmt::Debug for Applications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Applications").finish_non_exhaustive()
    }
}

fn native_router(plate: ProvincePlate) -> Result<Arc<dyn ApplicationRouter + Send + Sync>> {
    let r: Arc<dyn ApplicationRouter + Send + Sync> = Router::shared(plate)?;
    Ok(r)
}

/// A receive onto a number that already holds an application (its receive's derived command id
/// was found): refused, the application is left as it is.
fn already_received(outcome: &CommandOutcome) -> Error {
    Error::Conflict {
        instance: outcome.instance.to_string(),
        expected: 0,
        actual: outcome.version,
    }
}

/// The statistics blocks of several partitions, added up.
fn add_blocks(mut total: StatisticsBlock, b: &StatisticsBlock) -> StatisticsBlock {
    total.received += b.received;
    total.concluded += b.concluded;
    total.positive += b.positive;
    total.negative += b.negative;
    total.partly_positive += b.partly_positive;
    total.pending += b.pending;
    total.closed += b.closed;
    total.not_processed += b.not_processed;
    total.redirected += b.redirected;
    total
}

impl Applications {
    /// The service on an engine (opened on its journal), routing with the native router: one
    /// partition holding every province, tracking numbers from a [`TrackingAllocator`] counted
    /// on from the engine's instances.
    pub fn new(engine: Engine<ApplicationWorkflow>) -> Self {
        let ids = TrackingAllocator::from_ids(engine.instances().map(|(id, _)| id));
        // The same policy the workflow's guards ask.
        let authz = engine.definition().authorizer.clone();
        Applications {
            partitions: vec![SharedEngine::new(engine)],
            partition_of: [0; 82],
            ids: Box::new(ids),
            shared: false,
            authz,
            routers: Mutex::new(HashMap::new()),
            factory: Box::new(native_router),
        }
    }

    /// The service on several partitions, each an engine on its own ordered stream holding the
    /// applications of the provinces listed with it (e.g. one stream per province on
    /// PostgreSQL), numbering with `numbers`. Every province (plates 1–81) must be in exactly
    /// one partition, and every engine must run the same definition (the first one's access
    /// policy is the service's). A command goes to the partition of its tracking number's
    /// province; listings, search and statistics read every partition. The streams may be
    /// written by other nodes too: a number not known here is looked for in its stream (caught
    /// up) before it is reported unknown.
    pub fn partitioned(
        partitions: Vec<(Vec<ProvincePlate>, Engine<ApplicationWorkflow>)>,
        numbers: Box<dyn TrackingNumbers>,
    ) -> Result<Self> {
        let invalid = |m: String| Error::JournalInvalid(format!("partitions: {m}"));
        let mut partition_of = [usize::MAX; 82];
        for (i, (plates, _)) in partitions.iter().enumerate() {
            for p in plates {
                let slot = &mut partition_of[usize::from(p.get())];
                if *slot != usize::MAX {
                    return Err(invalid(format!("province {p} is in two partitions")));
                }
                *slot = i;
            }
        }
        if let Some(missing) = (1..=81).find(|&p| partition_of[p] == usize::MAX) {
            return Err(invalid(format!("province {missing} is in no partition")));
        }
        partition_of[0] = 0;
        let authz = partitions
            .first()
            .map(|(_, e)| e.definition().authorizer.clone())
            .ok_or_else(|| invalid("none given".to_owned()))?;
        Ok(Applications {
            partitions: partitions
                .into_iter()
                .map(|(_, e)| SharedEngine::new(e))
                .collect(),
            partition_of,
            ids: numbers,
            shared: true,
            authz,
            routers: Mutex::new(HashMap::new()),
            factory: Box::new(native_router),
        })
    }

    /// Numbers with `numbers` instead of the allocator the service was made with.
    pub fn with_numbers(mut self, numbers: Box<dyn TrackingNumbers>) -> Self {
        self.ids = numbers;
        self
    }

    /// The engine of a province's partition.
    fn engine_of(&self, plate: ProvincePlate) -> &SharedEngine<ApplicationWorkflow> {
        &self.partitions[self.partition_of[usize::from(plate.get())]]
    }

    /// The engine holding the application `tracking`: the one partition, or (with several) that
    /// of its province; a number that is not a tracking number is unknown there.
    fn engine_for(&self, tracking: &str) -> Result<&SharedEngine<ApplicationWorkflow>> {
        if let [only] = self.partitions.as_slice() {
            return Ok(only);
        }
        TrackingNumber::parse(tracking)
            .map(|t| self.engine_of(t.plate()))
            .map_err(|_| Error::UnknownInstance(tracking.to_owned()))
    }

    /// Number of partitions (1 on the file journal).
    pub fn partitions(&self) -> usize {
        self.partitions.len()
    }

    /// Catches every partition up with what other nodes appended to its stream
    /// ([`SharedEngine::refresh`]); returns how many records were applied. Commands catch up by
    /// themselves when they meet another node's records; call this before reads (listings,
    /// statistics) that must include the other nodes' latest work.
    pub fn refresh(&self) -> Result<u64> {
        let mut total = 0;
        for p in &self.partitions {
            total += p.refresh()?;
        }
        Ok(total)
    }

    /// Reads every partition's engine in turn (no access check; see
    /// [`with_engine`](Self::with_engine)).
    pub fn with_engines(&self, mut f: impl FnMut(&Engine<ApplicationWorkflow>)) {
        for p in &self.partitions {
            p.read(&mut f);
        }
    }

    /// Opens the engine on `journal` and the service on it.
    pub fn open(
        workflow: ApplicationWorkflow,
        journal: Arc<dyn Journal>,
        sink: impl NotificationSink + 'static,
        options: EngineOptions,
    ) -> Result<Self> {
        Ok(Self::new(Engine::open(workflow, journal, sink, options)?))
    }

    /// A service on a journal in memory (tests, examples).
    pub fn in_memory() -> Result<Self> {
        Self::open(
            ApplicationWorkflow::default(),
            Arc::new(MemoryJournal::new()),
            MemorySink::new(),
            EngineOptions::default(),
        )
    }

    /// Routes with routers made by `factory` (e.g. the scripted routers of `acikkapi-rules`).
    pub fn with_routers(mut self, factory: Box<RouterFactory>) -> Self {
        self.factory = factory;
        self.routers = Mutex::new(HashMap::new());
        self
    }

    /// The engine, for the embedding system's reads that need no access check (journal position,
    /// counts) and for the statistics module; front ends read through the service's methods.
    /// With several partitions this is the first one's: use
    /// [`with_engines`](Self::with_engines) to read them all.
    pub fn with_engine<R>(&self, f: impl FnOnce(&Engine<ApplicationWorkflow>) -> R) -> R {
        self.partitions[0].read(f)
    }

    /// Gives the engine back (the simulation returns it); an error with several partitions.
    pub fn into_engine(self) -> Result<Engine<ApplicationWorkflow>> {
        let mut partitions = self.partitions;
        let (Some(only), true) = (partitions.pop(), partitions.is_empty()) else {
            return Err(storage_error(
                "a service on several partitions has no single engine to give back",
            ));
        };
        // The service never hands out clones of its `SharedEngine`, so this is the last handle;
        // the error is for the impossible case, never a panic.
        only.into_inner()
            .ok_or_else(|| storage_error("the engine is still shared"))
    }

    /// Group-commit counters of the engines behind the service (batches, commands, appends,
    /// largest batch), added up over the partitions: one append, one fsync per batch.
    pub fn commit_stats(&self) -> crate::workflow::SharedStats {
        self.partitions.iter().map(SharedEngine::stats).fold(
            crate::workflow::SharedStats::default(),
            |mut t, s| {
                t.batches += s.batches;
                t.commands += s.commands;
                t.appends += s.appends;
                t.largest_batch = t.largest_batch.max(s.largest_batch);
                t
            },
        )
    }

    fn router(&self, plate: ProvincePlate) -> Result<Arc<dyn ApplicationRouter + Send + Sync>> {
        let mut routers = self.routers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = routers.get(&plate.get()) {
            return Ok(Arc::clone(r));
        }
        let r = (self.factory)(plate)?;
        routers.insert(plate.get(), Arc::clone(&r));
        Ok(r)
    }

    /// Runs one command on an existing application: the current version is the expected one,
    /// the command id is the caller's or `<tracking>:<version>:<step>`.
    fn run(
        &self,
        actor: &Actor,
        tracking: &str,
        step: &str,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
        command: ApplicationCommand,
    ) -> Result<CommandOutcome> {
        let id = InstanceId::new(tracking);
        // The policy first, on the current state, also for a repeated command id: the stored
        // result of a command is not shown to someone who may not do it (derived ids are easy
        // to guess). The guards ask again when the command runs.
        let version = self.checked(actor, tracking, command.operation(), now, |i| i.version)?;
        let engine = self.engine_for(tracking)?;
        if let Some(cid) = &command_id
            && let Some(done) = engine.read(|e| e.command_outcome(cid).cloned())
            && done.instance == id
        {
            return Ok(CommandOutcome {
                repeated: true,
                ..done
            });
        }
        let cid = command_id.unwrap_or_else(|| CommandId::new(format!("{id}:{version}:{step}")));
        engine.execute(&id, cid, Some(version), actor, now, command)
    }

    /// The state of an application after checking `op` for `actor`: an unknown number is
    /// `UnknownInstance`, a known one the actor may not reach is `Forbidden` (tracking numbers
    /// carry a check digit, so guessing one is not free, but the two errors do tell a caller
    /// that a number exists).
    fn checked<R>(
        &self,
        actor: &Actor,
        tracking: &str,
        op: Operation,
        now: DateTime<Utc>,
        f: impl FnOnce(&crate::workflow::Instance<ApplicationWorkflow>) -> R,
    ) -> Result<R> {
        let id = InstanceId::new(tracking);
        let engine = self.engine_for(tracking)?;
        if self.shared && engine.read(|e| e.instance(&id).is_none()) {
            // Perhaps another node received it: catch up once before calling it unknown.
            engine.refresh()?;
        }
        engine.read(|e| {
            let inst = e
                .instance(&id)
                .ok_or_else(|| Error::UnknownInstance(tracking.to_owned()))?;
            self.authz
                .check(actor, op, Subject::Existing(&id, &inst.state), now)?;
            Ok(f(inst))
        })
    }

    /// Başvuru al ve kaydet: allocates a tracking number in the clerk's province (the year of
    /// `now` in Türkiye), receives the input and registers it, or records it as not processed
    /// with the problems. A repeated `command_id` returns the first result.
    pub fn submit(
        &self,
        actor: &Actor,
        input: ApplicationInput,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<Submitted> {
        let tracking = self.receive(actor, input, now, command_id.clone())?;
        let register = command_id.map(|c| CommandId::new(format!("{c}:register")));
        let outcome = self.run(
            actor,
            &tracking.to_string(),
            "kaydet",
            now,
            register,
            ApplicationCommand::Register,
        )?;
        Ok(Submitted {
            tracking,
            status: outcome.status,
        })
    }

    /// Başvuru al: allocates a tracking number in the clerk's province and receives the input
    /// (registration is [`register`](Self::register)). A repeated `command_id` returns the
    /// number of the first call.
    pub fn receive(
        &self,
        actor: &Actor,
        input: ApplicationInput,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<TrackingNumber> {
        let plate = actor
            .unit()
            .and_then(|u| u.as_str().split('.').next()?.parse::<u8>().ok())
            .and_then(|p| ProvincePlate::new(p).ok())
            .ok_or_else(|| Error::Forbidden {
                role: actor.role_tr().to_owned(),
                action: Operation::Receive.name().to_owned(),
            })?;
        let engine = self.engine_of(plate);
        // The first call's number, to an actor who may receive under it.
        let earlier = |cid: &CommandId| -> Option<Result<TrackingNumber>> {
            let done = engine.read(|e| e.command_outcome(cid).cloned())?;
            Some(
                self.authz
                    .check(actor, Operation::Receive, Subject::New(&done.instance), now)
                    .and_then(|()| {
                        TrackingNumber::parse(done.instance.as_str()).map_err(Error::from)
                    }),
            )
        };
        if let Some(first) = command_id.as_ref().and_then(earlier) {
            return first;
        }
        let year = u16::try_from(local_date(now).year()).map_err(|_| Error::GuardFailed {
            rule: format!("{now}: yıl aralık dışında"),
        })?;
        let tracking = self.ids.next(plate, year)?;
        let id = InstanceId::new(tracking.to_string());
        let derived = command_id.is_none();
        let cid = command_id.unwrap_or_else(|| CommandId::new(format!("{id}:0:al")));
        let result = engine.execute(
            &id,
            cid.clone(),
            Some(0),
            actor,
            now,
            ApplicationCommand::Receive {
                input: Box::new(input),
            },
        );
        match result {
            Ok(outcome) if outcome.repeated && derived => Err(already_received(&outcome)),
            Ok(_) => Ok(tracking),
            // The caller's command id was used by a receive on another node this one had not
            // seen yet (the engine caught up on the way): that call's number. The number just
            // allocated is a gap.
            Err(Error::CommandIdReused { .. }) if !derived => earlier(&cid).unwrap_or_else(|| {
                Err(Error::CommandIdReused {
                    command: cid.to_string(),
                    instance: id.to_string(),
                })
            }),
            Err(e) => Err(e),
        }
    }

    /// Receives an application under a number given by the caller (the simulation's arrivals are
    /// numbered when generated). The allocator is told, so it never gives the number again.
    pub fn receive_as(
        &self,
        actor: &Actor,
        tracking: &TrackingNumber,
        input: ApplicationInput,
        now: DateTime<Utc>,
    ) -> Result<CommandOutcome> {
        self.ids.observe(tracking)?;
        let id = InstanceId::new(tracking.to_string());
        let outcome = self.engine_of(tracking.plate()).execute(
            &id,
            CommandId::new(format!("{id}:0:al")),
            Some(0),
            actor,
            now,
            ApplicationCommand::Receive {
                input: Box::new(input),
            },
        )?;
        if outcome.repeated {
            return Err(already_received(&outcome));
        }
        Ok(outcome)
    }

    /// Kaydet: validates a received application; registered or not processed.
    pub fn register(
        &self,
        actor: &Actor,
        tracking: &str,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        self.run(
            actor,
            tracking,
            "kaydet",
            now,
            command_id,
            ApplicationCommand::Register,
        )
    }

    /// Yetkiliye ilet: routes a registered (or returned) application with its province's router.
    /// A routing decision becomes `Route` (special applications then wait for approval); a
    /// redirect rule becomes `Redirect` to the unit ([`REDIRECT_REASON`]); a rejection becomes a
    /// `Redirect` to [`REJECTED_TO`] with the router's reason. A returned application that is
    /// redirected is first taken back under its category (redirects start from `registered`).
    pub fn route(
        &self,
        actor: &Actor,
        tracking: &str,
        importance: u8,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        self.route_by(actor, tracking, None, importance, now, command_id)
    }

    /// [`route`](Self::route) with a given router.
    pub fn route_with(
        &self,
        actor: &Actor,
        tracking: &str,
        router: &dyn ApplicationRouter,
        importance: u8,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        self.route_by(actor, tracking, Some(router), importance, now, command_id)
    }

    /// Routes with `router`, or (`None`) the router of the application's province: one access
    /// check and one read of the state before the command.
    fn route_by(
        &self,
        actor: &Actor,
        tracking: &str,
        router: Option<&dyn ApplicationRouter>,
        importance: u8,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        if importance > 5 {
            return Err(Error::GuardFailed {
                rule: format!("önem derecesi 0–5 olmalı ({importance} verildi)"),
            });
        }
        let (app, category, status) =
            self.checked(actor, tracking, Operation::Route, now, |i| {
                (
                    i.state.application.clone(),
                    i.state.category.clone(),
                    i.state.status,
                )
            })?;
        let app = app.ok_or_else(|| Error::InvalidTransition {
            workflow: "basvuru",
            state: status.name().to_owned(),
            command: "route".to_owned(),
        })?;
        let province_router;
        let router = match router {
            Some(r) => r,
            None => {
                province_router = self.router(app.location.province)?;
                province_router.as_ref()
            }
        };
        let decision = router.route_application(&app, importance)?;
        let (to, reason) = match &decision.target {
            Target::Route { unit, officer } => {
                let assignment =
                    Assignment::routed(&decision, unit, officer, |u| router.unit_name(u));
                return self.run(
                    actor,
                    tracking,
                    "ilet",
                    now,
                    command_id,
                    ApplicationCommand::Route { assignment },
                );
            }
            Target::Redirect { unit } => (router.unit_name(unit), REDIRECT_REASON.to_owned()),
            Target::Reject { reason } => (REJECTED_TO.to_owned(), reason.clone()),
        };
        if status == Status::Returned {
            self.run(
                actor,
                tracking,
                "geri-al",
                now,
                command_id
                    .as_ref()
                    .map(|c| CommandId::new(format!("{c}:geri-al"))),
                ApplicationCommand::Recategorise {
                    category: category.unwrap_or_else(|| app.category.as_str().to_owned()),
                },
            )?;
        }
        self.redirect(actor, tracking, &to, &reason, now, command_id)
    }

    /// Yönlendir: sends the application to another authority.
    pub fn redirect(
        &self,
        actor: &Actor,
        tracking: &str,
        to: &str,
        reason: &str,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        self.run(
            actor,
            tracking,
            "yonlendir",
            now,
            command_id,
            ApplicationCommand::Redirect {
                to: to.to_owned(),
                reason: reason.to_owned(),
            },
        )
    }

    /// Onayla (vali, vali yardımcısı, kaymakam): approves a special application's routing.
    pub fn approve(
        &self,
        actor: &Actor,
        tracking: &str,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        self.run(
            actor,
            tracking,
            "onay",
            now,
            command_id,
            ApplicationCommand::Approve,
        )
    }

    /// Geri gönder (vali, vali yardımcısı, kaymakam): refuses a special application's proposed
    /// routing; it is registered again, for the bureau to route anew.
    pub fn send_back(
        &self,
        actor: &Actor,
        tracking: &str,
        reason: &str,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        self.run(
            actor,
            tracking,
            "geri-gonder",
            now,
            command_id,
            ApplicationCommand::SendBack {
                reason: reason.to_owned(),
            },
        )
    }

    /// İade et: the assigned officer returns the application as not theirs.
    pub fn return_not_ours(
        &self,
        actor: &Actor,
        tracking: &str,
        reason: &str,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        self.run(
            actor,
            tracking,
            "iade",
            now,
            command_id,
            ApplicationCommand::Return {
                reason: reason.to_owned(),
            },
        )
    }

    /// Yeniden sınıflandır: a new category (back to registered).
    pub fn recategorise(
        &self,
        actor: &Actor,
        tracking: &str,
        category: &str,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        self.run(
            actor,
            tracking,
            "yeniden-siniflandir",
            now,
            command_id,
            ApplicationCommand::Recategorise {
                category: category.to_owned(),
            },
        )
    }

    /// Cevapla: the assigned officer (or the substitute while they are away) answers.
    pub fn answer(
        &self,
        actor: &Actor,
        tracking: &str,
        outcome: Outcome,
        text: &str,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        self.run(
            actor,
            tracking,
            "cevap",
            now,
            command_id,
            ApplicationCommand::Answer {
                outcome,
                text: text.to_owned(),
            },
        )
    }

    /// Kapat: the bureau informed the citizen of the answer.
    pub fn close(
        &self,
        actor: &Actor,
        tracking: &str,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        self.run(
            actor,
            tracking,
            "kapat",
            now,
            command_id,
            ApplicationCommand::Close,
        )
    }

    /// Not ekle: an internal note.
    pub fn add_note(
        &self,
        actor: &Actor,
        tracking: &str,
        text: &str,
        now: DateTime<Utc>,
        command_id: Option<CommandId>,
    ) -> Result<CommandOutcome> {
        self.run(
            actor,
            tracking,
            "not",
            now,
            command_id,
            ApplicationCommand::AddNote {
                text: text.to_owned(),
            },
        )
    }

    /// Başvuru sorgulama: the citizen's masked view, for the citizen who proved it is theirs.
    pub fn track(
        &self,
        actor: &Actor,
        tracking: &str,
        now: DateTime<Utc>,
    ) -> Result<PublicHistory> {
        self.checked(actor, tracking, Operation::Track, now, |_| ())?;
        self.engine_for(tracking)?.read(|e| e.track(tracking))
    }

    /// The staff view of one application.
    pub fn view(
        &self,
        actor: &Actor,
        tracking: &str,
        now: DateTime<Utc>,
    ) -> Result<ApplicationView> {
        self.checked(actor, tracking, Operation::Read, now, |i| ApplicationView {
            tracking: tracking.to_owned(),
            version: i.version,
            state: i.state.clone(),
        })
    }

    /// The staff view of one application given to `f` without a copy (state and version): the
    /// same check as [`view`](Self::view), for a front end's own bookkeeping.
    pub fn view_with<R>(
        &self,
        actor: &Actor,
        tracking: &str,
        now: DateTime<Utc>,
        f: impl FnOnce(&ApplicationState, u64) -> R,
    ) -> Result<R> {
        self.checked(actor, tracking, Operation::Read, now, |i| {
            f(&i.state, i.version)
        })
    }

    fn list(
        &self,
        actor: &Actor,
        query: &Query,
        now: DateTime<Utc>,
        default_statuses: &[Status],
    ) -> Page<InboxItem> {
        let statuses: &[Status] = if query.statuses.is_empty() {
            default_statuses
        } else {
            &query.statuses
        };
        let needle = query.text.as_deref().map(crate::text::search_key);
        let mut items: Vec<InboxItem> = Vec::new();
        self.with_engines(|e| {
            let found = e
                .instances()
                .filter(|(id, inst)| {
                    let s = &inst.state;
                    (statuses.is_empty() || statuses.contains(&s.status))
                        && (!query.overdue_only || s.overdue)
                        && query.unit.as_ref().is_none_or(|u| {
                            [&s.assignment, &s.pending]
                                .into_iter()
                                .flatten()
                                .any(|a| &a.unit == u)
                        })
                        && needle.as_ref().is_none_or(|n| {
                            id.as_str().contains(n.as_str())
                                || s.application.as_ref().is_some_and(|a| {
                                    crate::text::search_key(&a.subject).contains(n.as_str())
                                })
                        })
                        && self
                            .authz
                            .permits(actor, Operation::Read, Subject::Existing(id, s), now)
                })
                .map(|(id, inst)| {
                    let s = &inst.state;
                    InboxItem {
                        tracking: id.to_string(),
                        status: s.status,
                        category: s.category.clone(),
                        subject: s.application.as_ref().map(|a| a.subject.clone()),
                        unit: s
                            .assignment
                            .as_ref()
                            .or(s.pending.as_ref())
                            .map(|a| a.unit.clone()),
                        deadline: s.deadline,
                        overdue: s.overdue,
                        special: s.special(),
                        confidential: s.confidential(),
                    }
                });
            items.extend(found);
        });
        items.sort_by(|a, b| {
            (a.deadline.is_none(), a.deadline, &a.tracking).cmp(&(
                b.deadline.is_none(),
                b.deadline,
                &b.tracking,
            ))
        });
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

    /// Gelen kutusu: the open applications the actor may see (an officer: those of their unit;
    /// `query.unit` narrows to one unit), earliest deadline first, one page.
    pub fn inbox(&self, actor: &Actor, query: &Query, now: DateTime<Utc>) -> Page<InboxItem> {
        self.list(
            actor,
            query,
            now,
            &[
                Status::Registered,
                Status::AwaitingApproval,
                Status::Routed,
                Status::Returned,
            ],
        )
    }

    /// Arama: every application the actor may see (the bureau: what it received), filtered, one
    /// page.
    pub fn search(&self, actor: &Actor, query: &Query, now: DateTime<Utc>) -> Page<InboxItem> {
        self.list(actor, query, now, &[])
    }

    /// The statistics block (analysts).
    pub fn statistics(&self, actor: &Actor, now: DateTime<Utc>) -> Result<StatisticsBlock> {
        self.authz
            .check(actor, Operation::Statistics, Subject::All, now)?;
        Ok(self
            .partitions
            .iter()
            .map(|p| p.read(Engine::statistics))
            .fold(StatisticsBlock::default(), |t, b| add_blocks(t, &b)))
    }

    /// De-identified records (analysts).
    pub fn analyst_records(&self, actor: &Actor, now: DateTime<Utc>) -> Result<Vec<AnalystRecord>> {
        self.authz
            .check(actor, Operation::Statistics, Subject::All, now)?;
        if let [only] = self.partitions.as_slice() {
            return only.read(|e| e.analyst_records(actor));
        }
        let mut out = Vec::new();
        for p in &self.partitions {
            out.extend(p.read(|e| e.analyst_records(actor))?);
        }
        // The order of one engine's records: by content, not by id.
        out.sort_by(|a, b| {
            (a.received_on, &a.category, &a.district).cmp(&(
                b.received_on,
                &b.category,
                &b.district,
            ))
        });
        Ok(out)
    }

    /// The flat, de-identified records the reports are made from (analysts).
    pub fn stats_records(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<crate::stats::ApplicationRecord>> {
        self.authz
            .check(actor, Operation::Statistics, Subject::All, now)?;
        if let [only] = self.partitions.as_slice() {
            return only.read(crate::stats::records_from_engine);
        }
        let mut out = Vec::new();
        for p in &self.partitions {
            out.extend(p.read(crate::stats::records_from_engine)?);
        }
        out.sort_by(|a, b| a.tracking_number.cmp(&b.tracking_number));
        Ok(out)
    }

    /// Fires the timers due at `now` (the system).
    pub fn tick(&self, actor: &Actor, now: DateTime<Utc>) -> Result<Vec<Fired>> {
        self.authz
            .check(actor, Operation::Tick, Subject::All, now)?;
        // Every partition ticks, also after one failed; the first error is reported (what the
        // others fired is durable all the same).
        let mut fired = Vec::new();
        let mut error = None;
        for p in &self.partitions {
            match p.tick(now) {
                Ok(f) => fired.extend(f),
                Err(e) => {
                    error.get_or_insert(e);
                }
            }
        }
        match error {
            Some(e) => Err(e),
            None => Ok(fired),
        }
    }

    /// Offers every stored notification to the sink again (after a restart; see
    /// [`Engine::requeue_notifications`]).
    pub fn requeue_notifications(&self, now: DateTime<Utc>) -> usize {
        self.partitions
            .iter()
            .map(|p| p.write(|e| e.requeue_notifications(now)))
            .sum()
    }
}

#[cfg(test)]
mod partition_tests;
#[cfg(test)]
mod tests;
