//! Simülasyon: discrete-event policy experiments on the real engine.
//!
//! What if the deadline, the escalation settings, the queue discipline, the staff or the routing
//! rules changed? A [`Scenario`] (province, first day, number of days, seed) gives the arrivals
//! ([`Intake`]: Poisson per category and district with weekday, seasonal and holiday shapes,
//! realistic forms, a share of invalid ones, special/OHAL/confidential/redirect shares) and each
//! unit's capacity ([`capacities`]), both independent of the policy. [`run_policy`] then drives
//! the real workflow [`Engine`] with the policy's
//! [`ApplicationConfig`](crate::workflow::application::ApplicationConfig) (deadline, reminder,
//! escalation timers on the public-sector [`Calendar`]), routes every
//! registered application with a real router ([`SimRouter`]: the native
//! [`Router`] or, from the CLI, the Rhai rule set of `acikkapi-rules`),
//! and lets officers answer from a queue per unit ([`Simulation`]). Answer times, overdue marks and
//! escalations emerge from capacity and queueing; [`SimReport`] has the statistics block, the SLA
//! figures and summaries per heading, district and unit.
//!
//! Deterministic: the same scenario, policy and router give the same journal, byte for byte
//! (seeded [`Rng`], `BTreeMap`/`BTreeSet` everywhere order matters).
//!
//! ```
//! use acikkapi_core::sim::{Model, Policy, Scenario, prepare, run_policy};
//! use acikkapi_core::routing::Router;
//! let model = Model::embedded().unwrap();
//! let scenario = Scenario::new(20, chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), 5, 1).unwrap();
//! let prepared = prepare(&scenario, &model).unwrap();
//! let router = Router::for_province(scenario.plate).unwrap();
//! let run = run_policy(&prepared, &Policy::default(), &router).unwrap();
//! let t = &run.report.total;
//! assert_eq!(t.received, t.answered + t.pending + t.not_processed + t.redirected);
//! ```

mod intake;
mod model;
mod policy;
mod report;
mod run;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::rng::Rng;
pub use intake::{Arrival, Fate, Intake};
pub use model::{CapacityModel, Model, Shares};
pub use policy::{Policy, QueueDiscipline};
pub use report::{End, Record, SimReport, Summary, figures, group_by};
pub use run::{SimRouter, Simulation, capacities};

use crate::calendar::Calendar;
use crate::geo::{Geography, ProvincePlate};
use crate::journal::{Journal, MemoryJournal};
use crate::routing::Router;
use crate::taxonomy::Taxonomy;
use crate::workflow::Engine;
use crate::workflow::application::ApplicationWorkflow;
use crate::workflow::ports::NullSink;
use crate::{Error, Result};

/// Senaryo: what is simulated, independent of the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Province.
    pub plate: ProvincePlate,
    /// First day.
    pub start: NaiveDate,
    /// Number of days (1–3660).
    pub days: u32,
    /// Seed of the arrivals.
    pub seed: u64,
    /// Overrides the model's applications per 100 000 inhabitants per year.
    pub per_100k_year: Option<f64>,
    /// Exactly this many arrivals (the Poisson process conditioned on its total; see
    /// [`Intake::arrivals_exact`]); `None`: a Poisson number.
    pub exact_count: Option<u64>,
}

impl Scenario {
    /// A scenario; an error for an unknown plate or a day count outside 1–3660.
    pub fn new(plate: u8, start: NaiveDate, days: u32, seed: u64) -> Result<Scenario> {
        let plate = ProvincePlate::new(plate)?;
        if !(1..=3660).contains(&days) {
            return Err(Error::InvalidSimulation {
                what: "options",
                message: format!("days = {days}: 1–3660 expected"),
            });
        }
        Ok(Scenario {
            plate,
            start,
            days,
            seed,
            per_100k_year: None,
            exact_count: None,
        })
    }
}

/// The policy-independent part of an experiment: the arrivals and the capacities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prepared {
    /// The scenario.
    pub scenario: Scenario,
    /// Province name.
    pub province: String,
    /// The arrivals, in time order.
    pub arrivals: Vec<Arrival>,
    /// Answers per business day per unit id.
    pub capacity: BTreeMap<String, f64>,
    /// Capacity of a unit the native router never uses.
    pub min_capacity: f64,
}

/// Generates the arrivals and derives the capacities of a scenario.
pub fn prepare(scenario: &Scenario, model: &Model) -> Result<Prepared> {
    let mut model = model.clone();
    if let Some(rate) = scenario.per_100k_year {
        if !(rate.is_finite() && rate >= 0.0) {
            return Err(Error::InvalidSimulation {
                what: "options",
                message: format!("rate {rate}"),
            });
        }
        model.per_100k_year = rate;
    }
    let geo = Geography::embedded();
    let intake = Intake::new(&model, scenario.plate, geo, Taxonomy::embedded());
    let arrivals = match scenario.exact_count {
        Some(n) => intake.arrivals_exact(scenario.start, scenario.days, scenario.seed, n)?,
        None => intake.arrivals(scenario.start, scenario.days, scenario.seed)?,
    };
    let native = Router::shared(scenario.plate)?;
    let capacity = capacities(&intake, &model, &native, scenario.start);
    Ok(Prepared {
        scenario: scenario.clone(),
        province: intake.province_name().to_owned(),
        arrivals,
        capacity,
        min_capacity: model.capacity.min_per_day,
    })
}

/// A finished run: the report, the engine and its journal.
pub struct Run {
    /// The results.
    pub report: SimReport,
    /// Every application's record, in tracking-number order.
    pub records: Vec<Record>,
    /// The engine after the run.
    pub engine: Engine<ApplicationWorkflow>,
    /// The journal the engine wrote.
    pub journal: Arc<MemoryJournal>,
}

impl Run {
    /// The run as the statistics module's records ([`crate::stats::ApplicationRecord`], folded
    /// from the engine's histories), so that every report of [`crate::stats`] (table, CSV, JSON,
    /// HTML) works on simulated data.
    pub fn stats_records(&self) -> Result<Vec<crate::stats::ApplicationRecord>> {
        crate::stats::records_from_engine(&self.engine)
    }

    /// The statistics module's report of the run.
    pub fn stats_report(&self, opts: &crate::stats::ReportOptions) -> Result<crate::stats::Report> {
        Ok(crate::stats::report(&self.stats_records()?, opts))
    }
}

/// Runs a policy on prepared arrivals with an in-memory journal and no notifications.
pub fn run_policy(prepared: &Prepared, policy: &Policy, router: &dyn SimRouter) -> Result<Run> {
    let journal = Arc::new(MemoryJournal::new());
    let engine = run_with(prepared, policy, router, journal.clone(), NullSink, |_| {
        Ok(())
    })?;
    let (report, records) = report(prepared, policy, router, &engine)?;
    Ok(Run {
        report,
        records,
        engine,
        journal,
    })
}

/// Runs a policy with the journal, notification sink and per-slot hook given (the demo uses a
/// file journal and the SMS outbox).
pub fn run_with(
    prepared: &Prepared,
    policy: &Policy,
    router: &dyn SimRouter,
    journal: Arc<dyn Journal>,
    sink: impl crate::workflow::ports::NotificationSink + 'static,
    on_slot: impl FnMut(chrono::DateTime<chrono::Utc>) -> Result<()>,
) -> Result<Engine<ApplicationWorkflow>> {
    let sim = Simulation::new(
        policy,
        router,
        &prepared.arrivals,
        &prepared.capacity,
        prepared.min_capacity,
        &prepared.province,
        journal,
        sink,
    )?;
    sim.run(prepared.scenario.start, prepared.scenario.days, on_slot)
}

/// The records and the report of an engine after a run.
pub fn report(
    prepared: &Prepared,
    policy: &Policy,
    router: &dyn SimRouter,
    engine: &Engine<ApplicationWorkflow>,
) -> Result<(SimReport, Vec<Record>)> {
    let cal = Calendar::public_sector();
    let records = engine
        .states()
        .iter()
        .map(|(id, s)| Record::from_state(id, s, cal))
        .collect::<Result<Vec<_>>>()?;
    let report = SimReport {
        policy: policy.name.clone(),
        router: router.label(),
        province: prepared.province.clone(),
        start: prepared.scenario.start,
        days: prepared.scenario.days,
        seed: prepared.scenario.seed,
        events: engine.last_seq(),
        total: Summary::of(&records),
        by_heading: group_by(&records, |r| r.heading.clone()),
        by_district: group_by(&records, |r| r.district.clone()),
        by_unit: group_by(&records, |r| {
            r.unit
                .clone()
                .unwrap_or_else(|| "(birime iletilmedi)".to_owned())
        }),
    };
    Ok((report, records))
}
