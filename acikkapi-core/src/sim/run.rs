//! The discrete-event driver: replays arrivals through the real workflow [`Engine`], routes with a
//! real router ([`SimRouter`]: the native [`Router`] or a scripted one), queues each unit's work
//! and ticks the engine's business-day timers on the public-sector calendar.
//!
//! Time advances in office-hour slots of business days (09:00 … 17:00, then 18:00 for the
//! deadlines that fall at 17:30). At each office slot, in this order: arrivals up to the slot are
//! received (at their own instant; those outside office hours are registered at the next office
//! slot), the bureau's and the vali's scheduled actions run (approvals, re-routing, closing), each
//! unit answers what is ready as far as its capacity allows (capacity/9 answers per hour, unused
//! capacity is not banked beyond one hour's worth or one answer), then the engine's timers fire.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate, Timelike, Utc};

use super::intake::{Arrival, Intake};
use super::model::Model;
use super::policy::{Policy, QueueDiscipline};
use crate::application::Application;
use crate::calendar::Calendar;
use crate::journal::Journal;
use crate::org::UnitId;
use crate::routing::{Decision, RouteRequest, Router, Target};
use crate::workflow::application::{ApplicationCommand, ApplicationWorkflow, Assignment, Status};
use crate::workflow::ports::{NotificationSink, local_date, local_time};
use crate::workflow::{Actor, CommandId, Engine, EngineOptions, InstanceId, Role};
use crate::{Error, Result};

/// Yönlendirici: what the simulation routes with. Implemented by the native [`Router`]; the
/// `acikkapi` CLI implements it for the scripted router of `acikkapi-rules`.
pub trait SimRouter {
    /// The decision for a registered application.
    fn route(&self, app: &Application) -> Result<Decision>;
    /// The name of a unit as shown to citizens.
    fn unit_name(&self, unit: &UnitId) -> String;
    /// A label for reports (`"native"`, `"20-denizli.rhai@1a2b3c"`).
    fn label(&self) -> String;
}

impl SimRouter for Router {
    fn route(&self, app: &Application) -> Result<Decision> {
        Router::route(self, &RouteRequest::from(app))
    }

    fn unit_name(&self, unit: &UnitId) -> String {
        Router::unit_name(self, unit)
    }

    fn label(&self) -> String {
        "native".to_owned()
    }
}

/// Each unit's answers per business day: its expected load under `native` routing of the model's
/// rates (a year's arrivals over 250 business days; ordinary and special applications) times the
/// model's headroom, at least the model's minimum. Depends on the model and the organisation only, never on the policy.
pub fn capacities(
    intake: &Intake<'_>,
    model: &Model,
    native: &Router,
    date: NaiveDate,
) -> BTreeMap<String, f64> {
    let per_day = intake.expected_per_year() / 250.0;
    let districts: Vec<(&str, f64)> = intake.districts().collect();
    let dw: f64 = districts.iter().map(|(_, w)| w).sum();
    let mut load: BTreeMap<String, f64> = BTreeMap::new();
    let special = model.shares.special;
    for (cat, share) in intake.category_shares() {
        for (d, w) in &districts {
            let mut req = RouteRequest::new(cat.code.clone(), intake.plate(), d, date);
            for (flag, part) in [(false, 1.0 - special), (true, special)] {
                req.special = flag;
                if let Ok(Decision {
                    target: Target::Route { unit, .. },
                    ..
                }) = native.route(&req)
                {
                    *load.entry(unit.to_string()).or_default() += per_day * share * part * w / dw;
                }
            }
        }
    }
    load.into_iter()
        .map(|(u, l)| {
            (
                u,
                (l * model.capacity.headroom).max(model.capacity.min_per_day),
            )
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Action {
    Approve(usize),
    Reroute(usize),
    Close(usize),
}

#[derive(Debug, Default)]
struct UnitQueue {
    capacity: f64,
    credit: f64,
    /// (ready at, arrival index), not yet ready.
    waiting: BTreeSet<(DateTime<Utc>, usize)>,
    /// Ready, in the order they became ready.
    ready: Vec<(DateTime<Utc>, usize)>,
}

#[derive(Debug, Default, Clone)]
struct Item {
    assignment: Option<Assignment>,
    unit: Option<String>,
    deadline: Option<DateTime<Utc>>,
    returned: bool,
}

/// One run of one policy over a list of arrivals.
pub struct Simulation<'a> {
    engine: Engine<ApplicationWorkflow>,
    router: &'a dyn SimRouter,
    policy: &'a Policy,
    arrivals: &'a [Arrival],
    ids: Vec<InstanceId>,
    items: Vec<Item>,
    units: BTreeMap<String, UnitQueue>,
    capacity: BTreeMap<String, f64>,
    min_capacity: f64,
    actions: BTreeSet<(usize, u64, Action)>,
    order: u64,
    deferred: Vec<usize>,
    bureau: Actor,
    vali: Actor,
    calendar: &'static Calendar,
}

fn office_hours(cal: &Calendar, t: DateTime<Utc>) -> Result<bool> {
    let local = crate::time::to_local(t);
    let minutes = local.hour() * 60 + local.minute();
    Ok(cal.is_business_day(local.date_naive())? && (540..1050).contains(&minutes))
}

impl<'a> Simulation<'a> {
    /// A simulation of `policy` on `arrivals`, journalling to `journal` and notifying `sink`.
    /// `capacity` is each unit's answers per business day (see [`capacities`]); units not in it get
    /// `min_capacity`. The policy's overrides and factor are applied here.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        policy: &'a Policy,
        router: &'a dyn SimRouter,
        arrivals: &'a [Arrival],
        capacity: &BTreeMap<String, f64>,
        min_capacity: f64,
        province: &str,
        journal: Arc<dyn Journal>,
        sink: impl NotificationSink + 'static,
    ) -> Result<Simulation<'a>> {
        policy.check()?;
        let engine = Engine::open(
            ApplicationWorkflow::with_config(policy.workflow_config()),
            journal,
            sink,
            EngineOptions::default(),
        )?;
        let mut capacity = capacity.clone();
        for (k, v) in &policy.capacity {
            capacity.insert(k.clone(), *v);
        }
        capacity
            .values_mut()
            .for_each(|v| *v *= policy.capacity_factor);
        Ok(Simulation {
            engine,
            router,
            policy,
            arrivals,
            ids: arrivals
                .iter()
                .map(|a| InstanceId::new(a.tracking.clone()))
                .collect(),
            items: vec![Item::default(); arrivals.len()],
            units: BTreeMap::new(),
            capacity,
            min_capacity: min_capacity * policy.capacity_factor,
            actions: BTreeSet::new(),
            order: 0,
            deferred: Vec::new(),
            bureau: Actor::new(
                Role::Bureau,
                "buro-1",
                format!("{province} Valiliği Açık Kapı Bürosu"),
            ),
            vali: Actor::new(Role::Governor, "vali", format!("{province} Valiliği")),
            calendar: Calendar::public_sector(),
        })
    }

    /// The engine (states, journal position, statistics).
    pub fn engine(&self) -> &Engine<ApplicationWorkflow> {
        &self.engine
    }

    /// Runs `days` days from `start`, calling `on_slot` after every slot's timers (e.g. to deliver
    /// the outbox), and returns the engine.
    pub fn run(
        mut self,
        start: NaiveDate,
        days: u32,
        mut on_slot: impl FnMut(DateTime<Utc>) -> Result<()>,
    ) -> Result<Engine<ApplicationWorkflow>> {
        let mut next = 0;
        let mut slot = 0usize;
        for i in 0..days {
            let date = start
                .checked_add_days(Days::new(u64::from(i)))
                .ok_or_else(|| Error::InvalidSimulation {
                    what: "options",
                    message: format!("{start} + {i}"),
                })?;
            if !self.calendar.is_business_day(date)? {
                continue;
            }
            for hour in 9..=18 {
                let now = local_time(date, hour, 0);
                let office = hour <= 17;
                while next < self.arrivals.len() && self.arrivals[next].at <= now {
                    self.receive(next, slot)?;
                    next += 1;
                }
                if office {
                    for i in std::mem::take(&mut self.deferred) {
                        self.register(i, now, slot)?;
                    }
                    while let Some((s, _, _)) = self.actions.first() {
                        if *s > slot {
                            break;
                        }
                        if let Some((_, _, a)) = self.actions.pop_first() {
                            self.act(a, now, slot)?;
                        }
                    }
                    self.work(now, slot)?;
                }
                self.engine.tick(now)?;
                on_slot(now)?;
                slot += 1;
            }
        }
        // Arrivals after the last slot of the horizon are still received (they count as pending).
        let end = local_time(
            start
                .checked_add_days(Days::new(u64::from(days)))
                .unwrap_or(start),
            0,
            0,
        );
        while next < self.arrivals.len() && self.arrivals[next].at < end {
            self.receive(next, usize::MAX)?;
            next += 1;
        }
        Ok(self.engine)
    }

    fn exec(
        &mut self,
        i: usize,
        step: &str,
        actor: &Actor,
        now: DateTime<Utc>,
        cmd: ApplicationCommand,
    ) -> Result<Status> {
        let id = &self.ids[i];
        let version = self.engine.instance(id).map_or(0, |inst| inst.version);
        let cid = CommandId::new(format!("{id}:{version}:{step}"));
        self.engine
            .execute(id, cid, Some(version), actor, now, cmd)?;
        Ok(self.status(i))
    }

    fn status(&self, i: usize) -> Status {
        self.engine
            .instance(&self.ids[i])
            .map_or(Status::Received, |s| s.state.status)
    }

    fn schedule(&mut self, slot: usize, action: Action) {
        self.order += 1;
        self.actions.insert((slot, self.order, action));
    }

    /// Receives an arrival at its instant; registers it at once in office hours (not after the
    /// horizon: `slot == usize::MAX`), else at the next office slot.
    fn receive(&mut self, i: usize, slot: usize) -> Result<()> {
        let at = self.arrivals[i].at;
        let bureau = self.bureau.clone();
        let input = self.arrivals[i].input.clone();
        self.exec(
            i,
            "al",
            &bureau,
            at,
            ApplicationCommand::Receive {
                input: Box::new(input),
            },
        )?;
        if slot != usize::MAX && office_hours(self.calendar, at)? {
            self.register(i, at, slot)?;
        } else {
            self.deferred.push(i);
        }
        Ok(())
    }

    fn register(&mut self, i: usize, now: DateTime<Utc>, slot: usize) -> Result<()> {
        let bureau = self.bureau.clone();
        if self.exec(i, "kaydet", &bureau, now, ApplicationCommand::Register)? != Status::Registered
        {
            return Ok(());
        }
        self.items[i].deadline = self
            .engine
            .instance(&self.ids[i])
            .and_then(|s| s.state.deadline);
        if let Some((to, reason)) = self.arrivals[i].fate.bureau_redirect.clone() {
            self.exec(
                i,
                "yonlendir",
                &bureau,
                now,
                ApplicationCommand::Redirect { to, reason },
            )?;
            return Ok(());
        }
        self.route(i, now, slot, "ilet")
    }

    fn route(&mut self, i: usize, now: DateTime<Utc>, slot: usize, step: &str) -> Result<()> {
        let bureau = self.bureau.clone();
        let inst = self
            .engine
            .instance(&self.ids[i])
            .ok_or_else(|| Error::UnknownInstance(self.ids[i].to_string()))?;
        let app = inst
            .state
            .application
            .clone()
            .ok_or_else(|| Error::UnknownInstance(self.ids[i].to_string()))?;
        let category = inst.state.category.clone().unwrap_or_default();
        let decision = self.router.route(&app)?;
        match &decision.target {
            Target::Route { unit, officer } => {
                // The chain and deadline decided with the routing: escalations go up that chain.
                let assignment =
                    Assignment::routed(&decision, unit, officer, |u| self.router.unit_name(u));
                self.items[i].assignment = Some(assignment.clone());
                self.items[i].unit = Some(unit.to_string());
                if self.exec(
                    i,
                    step,
                    &bureau,
                    now,
                    ApplicationCommand::Route { assignment },
                )? == Status::AwaitingApproval
                {
                    self.schedule(slot + 1, Action::Approve(i));
                } else {
                    self.enqueue(i, now)?;
                }
            }
            Target::Redirect { unit } => {
                let to = self.router.unit_name(unit);
                self.redirect(i, now, category, to, "Yönlendirme kuralı".to_owned())?;
            }
            Target::Reject { reason } => {
                self.redirect(i, now, category, "CİMER".to_owned(), reason.clone())?;
            }
        }
        Ok(())
    }

    fn redirect(
        &mut self,
        i: usize,
        now: DateTime<Utc>,
        category: String,
        to: String,
        reason: String,
    ) -> Result<()> {
        let bureau = self.bureau.clone();
        if self.status(i) == Status::Returned {
            // A redirect is only possible from `registered`: the bureau first takes the returned
            // application back (recategorised under its own category).
            self.exec(
                i,
                "geri-al",
                &bureau,
                now,
                ApplicationCommand::Recategorise { category },
            )?;
        }
        self.exec(
            i,
            "yonlendir",
            &bureau,
            now,
            ApplicationCommand::Redirect { to, reason },
        )?;
        Ok(())
    }

    fn enqueue(&mut self, i: usize, now: DateTime<Utc>) -> Result<()> {
        let fate = &self.arrivals[i].fate;
        let lead = if self.items[i].returned {
            fate.second_lead_days
        } else {
            fate.lead_days
        };
        let ready = if lead == 0 {
            now + chrono::Duration::hours(1)
        } else {
            local_time(
                self.calendar
                    .add_business_days(local_date(now), i64::from(lead))?,
                9,
                0,
            )
        };
        let unit = self.items[i].unit.clone().unwrap_or_default();
        let cap = self
            .capacity
            .get(&unit)
            .copied()
            .unwrap_or(self.min_capacity);
        let q = self.units.entry(unit).or_insert_with(|| UnitQueue {
            capacity: cap,
            credit: 1.0_f64.min(cap),
            ..UnitQueue::default()
        });
        q.waiting.insert((ready, i));
        Ok(())
    }

    fn act(&mut self, action: Action, now: DateTime<Utc>, slot: usize) -> Result<()> {
        let bureau = self.bureau.clone();
        match action {
            Action::Approve(i) => {
                let vali = self.vali.clone();
                self.exec(i, "onay", &vali, now, ApplicationCommand::Approve)?;
                self.enqueue(i, now)?;
            }
            Action::Reroute(i) => {
                if let Some(category) = self.arrivals[i].fate.recategorise_to.clone() {
                    self.exec(
                        i,
                        "yeniden-siniflandir",
                        &bureau,
                        now,
                        ApplicationCommand::Recategorise { category },
                    )?;
                }
                self.route(i, now, slot, "yeniden-ilet")?;
            }
            Action::Close(i) => {
                self.exec(i, "kapat", &bureau, now, ApplicationCommand::Close)?;
            }
        }
        Ok(())
    }

    /// The next ready application of a unit under the policy's discipline (index into `ready`).
    fn pick(&self, ready: &[(DateTime<Utc>, usize)]) -> Option<usize> {
        match self.policy.queue {
            QueueDiscipline::Fifo => (!ready.is_empty()).then_some(0),
            QueueDiscipline::EarliestDeadline => ready
                .iter()
                .enumerate()
                .min_by_key(|(_, (at, i))| (self.items[*i].deadline, *at, *i))
                .map(|(k, _)| k),
            QueueDiscipline::EscalatedFirst => ready
                .iter()
                .enumerate()
                .min_by_key(|(_, (at, i))| {
                    let level = self
                        .engine
                        .instance(&self.ids[*i])
                        .map_or(0, |s| s.state.escalations);
                    (std::cmp::Reverse(level), *at, *i)
                })
                .map(|(k, _)| k),
        }
    }

    fn work(&mut self, now: DateTime<Utc>, slot: usize) -> Result<()> {
        let names: Vec<String> = self.units.keys().cloned().collect();
        for name in names {
            let Some(mut q) = self.units.remove(&name) else {
                continue;
            };
            while let Some(&(at, i)) = q.waiting.first() {
                if at > now {
                    break;
                }
                q.waiting.pop_first();
                q.ready.push((at, i));
            }
            q.credit += q.capacity / 9.0;
            while q.credit >= 1.0 {
                let Some(k) = self.pick(&q.ready) else { break };
                let (_, i) = q.ready.remove(k);
                q.credit -= 1.0;
                self.serve(i, now, slot)?;
            }
            if q.ready.is_empty() {
                // An idle officer cannot bank time: at most one hour's work (or one answer) waits.
                q.credit = q.credit.min((q.capacity / 9.0).max(1.0));
            }
            self.units.insert(name, q);
        }
        Ok(())
    }

    fn serve(&mut self, i: usize, now: DateTime<Utc>, slot: usize) -> Result<()> {
        let a = self.items[i].assignment.clone().unwrap_or(Assignment {
            unit: String::new(),
            officer: String::new(),
            escalation: Vec::new(),
            deadline_days: None,
        });
        let officer = Actor::new(Role::Officer, a.officer, a.unit);
        let fate = &self.arrivals[i].fate;
        if fate.not_ours && !self.items[i].returned {
            self.items[i].returned = true;
            let reason = "Kurumumuzun görev alanında değildir".to_owned();
            self.exec(
                i,
                "iade",
                &officer,
                now,
                ApplicationCommand::Return { reason },
            )?;
            self.schedule(slot + 1, Action::Reroute(i));
        } else {
            let outcome = fate.outcome;
            let text = match outcome {
                crate::notify::AnswerOutcome::Positive => {
                    "Talebiniz doğrultusunda gerekli işlem yapılmıştır."
                }
                crate::notify::AnswerOutcome::Negative => {
                    "Talebiniz mevzuat gereği karşılanamamaktadır."
                }
                crate::notify::AnswerOutcome::PartlyPositive => {
                    "Talebinizin bir kısmı karşılanmış, kalan kısmı programa alınmıştır."
                }
            };
            self.exec(
                i,
                "cevap",
                &officer,
                now,
                ApplicationCommand::Answer {
                    outcome,
                    text: text.to_owned(),
                },
            )?;
            self.schedule(slot + 1, Action::Close(i));
        }
        Ok(())
    }
}
