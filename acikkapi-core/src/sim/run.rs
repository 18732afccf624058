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
use crate::geo::Geography;
use crate::ids::TrackingNumber;
use crate::journal::Journal;
use crate::org::{Organisation, Role, UnitId};
use crate::routing::{Decision, RouteRequest, Router, Target};
use crate::service::{ApplicationRouter, Applications};
use crate::workflow::application::{ApplicationWorkflow, Assignment};
use crate::workflow::ports::{NotificationSink, local_date, local_time};
use crate::workflow::{Actor, Engine, EngineOptions, GovernorPost, InstanceId};
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

/// The simulation's router as the service's router.
struct Routing<'a>(&'a dyn SimRouter);

impl ApplicationRouter for Routing<'_> {
    fn route_application(&self, app: &Application, _importance: u8) -> Result<Decision> {
        self.0.route(app)
    }

    fn unit_name(&self, unit: &UnitId) -> String {
        self.0.unit_name(unit)
    }
}

/// One run of one policy over a list of arrivals.
pub struct Simulation<'a> {
    service: Applications,
    org: std::sync::Arc<Organisation>,
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
        let service = Applications::open(
            ApplicationWorkflow::with_config(policy.workflow_config()),
            journal,
            sink,
            EngineOptions::default(),
        )?;
        let plate = Geography::embedded()
            .find_province(province)
            .map(|p| p.plate)
            .ok_or_else(|| Error::UnknownProvince(province.to_owned()))?;
        let org = Organisation::for_province(plate)?;
        let vali = org
            .valilik()
            .first_with(Role::Vali)
            .ok_or_else(|| Error::MissingRole {
                unit: org.valilik().id.to_string(),
                role: Role::Vali.to_string(),
            })?
            .id
            .clone();
        let mut capacity = capacity.clone();
        for (k, v) in &policy.capacity {
            capacity.insert(k.clone(), *v);
        }
        capacity
            .values_mut()
            .for_each(|v| *v *= policy.capacity_factor);
        Ok(Simulation {
            service,
            bureau: Actor::clerk("buro-1", org.acik_kapi_unit().id.clone()),
            vali: Actor::governor(GovernorPost::Vali, vali),
            org,
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
            calendar: Calendar::public_sector(),
        })
    }

    /// The state of arrival `i`'s application as the bureau reads it (`None` before it is
    /// received).
    fn state<R>(
        &self,
        i: usize,
        f: impl FnOnce(&crate::workflow::application::ApplicationState) -> R,
    ) -> Option<R> {
        self.service
            .view_with(
                &self.bureau,
                self.ids[i].as_str(),
                self.arrivals[i].at,
                |s, _| f(s),
            )
            .ok()
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
                self.service.tick(&Actor::system(), now)?;
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
        self.service.into_engine()
    }

    fn schedule(&mut self, slot: usize, action: Action) {
        self.order += 1;
        self.actions.insert((slot, self.order, action));
    }

    /// Receives an arrival at its instant; registers it at once in office hours (not after the
    /// horizon: `slot == usize::MAX`), else at the next office slot.
    fn receive(&mut self, i: usize, slot: usize) -> Result<()> {
        let at = self.arrivals[i].at;
        let input = self.arrivals[i].input.clone();
        let tracking = TrackingNumber::parse(&self.arrivals[i].tracking)?;
        self.service
            .receive_as(&self.bureau, &tracking, input, at)?;
        if slot != usize::MAX && office_hours(self.calendar, at)? {
            self.register(i, at, slot)?;
        } else {
            self.deferred.push(i);
        }
        Ok(())
    }

    fn register(&mut self, i: usize, now: DateTime<Utc>, slot: usize) -> Result<()> {
        let id = self.ids[i].to_string();
        if self.service.register(&self.bureau, &id, now, None)?.status != "registered" {
            return Ok(());
        }
        self.items[i].deadline = self.state(i, |s| s.deadline).flatten();
        if let Some((to, reason)) = self.arrivals[i].fate.bureau_redirect.clone() {
            self.service
                .redirect(&self.bureau, &id, &to, &reason, now, None)?;
            return Ok(());
        }
        self.route(i, now, slot, "ilet")
    }

    /// Routes through the service (which turns the decision into route or redirect commands)
    /// and queues the application at its unit or for the vali's approval.
    fn route(&mut self, i: usize, now: DateTime<Utc>, slot: usize, step: &str) -> Result<()> {
        let id = self.ids[i].to_string();
        // The step names the command id (`ilet`, `yeniden-ilet`), as the journal always had it.
        let version = self.service.view_with(&self.bureau, &id, now, |_, v| v)?;
        let cid = Some(crate::workflow::CommandId::new(format!(
            "{id}:{version}:{step}"
        )));
        let router = Routing(self.router);
        let outcome = self
            .service
            .route_with(&self.bureau, &id, &router, 0, now, cid)?;
        let assignment = self
            .state(i, |s| s.pending.clone().or_else(|| s.assignment.clone()))
            .flatten();
        match outcome.status.as_str() {
            "awaiting_approval" | "routed" => {
                self.items[i].unit = assignment.as_ref().map(|a| a.unit.to_string());
                self.items[i].assignment = assignment;
                if outcome.status == "awaiting_approval" {
                    self.schedule(slot + 1, Action::Approve(i));
                } else {
                    self.enqueue(i, now)?;
                }
            }
            _ => {}
        }
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
        let id = self.ids[i_of(&action)].to_string();
        match action {
            Action::Approve(i) => {
                self.service.approve(&self.vali, &id, now, None)?;
                self.enqueue(i, now)?;
            }
            Action::Reroute(i) => {
                if let Some(category) = self.arrivals[i].fate.recategorise_to.clone() {
                    self.service
                        .recategorise(&self.bureau, &id, &category, now, None)?;
                }
                self.route(i, now, slot, "yeniden-ilet")?;
            }
            Action::Close(_) => {
                self.service.close(&self.bureau, &id, now, None)?;
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
                    let level = self.state(*i, |s| s.escalations).unwrap_or(0);
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
        let Some(a) = self.items[i].assignment.clone() else {
            return Err(Error::UnknownInstance(self.ids[i].to_string()));
        };
        // The officer the application was routed to, with their post in the organisation.
        let role = self
            .org
            .officer(&a.officer)
            .map_or(Role::Yetkili, |(_, o)| o.role);
        let officer = Actor::officer(a.officer.clone(), role);
        let id = self.ids[i].to_string();
        let fate = &self.arrivals[i].fate;
        if fate.not_ours && !self.items[i].returned {
            self.items[i].returned = true;
            self.service.return_not_ours(
                &officer,
                &id,
                "Kurumumuzun görev alanında değildir",
                now,
                None,
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
            self.service
                .answer(&officer, &id, outcome, text, now, None)?;
            self.schedule(slot + 1, Action::Close(i));
        }
        Ok(())
    }
}

fn i_of(action: &Action) -> usize {
    match action {
        Action::Approve(i) | Action::Reroute(i) | Action::Close(i) => *i,
    }
}
