//! Policy experiments for Python: simulate a province on the real engine.

use acikkapi_core::sim::{self, Model, Policy, Scenario};
use acikkapi_core::stats::{self, ReportOptions};
use chrono::NaiveDate;
use pyo3::prelude::*;

use crate::errors::{core_err, py_error};

/// Runs a simulation and returns `(sim_report_json, stats_report_json, stats_records_json)`.
/// `policy_toml` is a policy file's text (empty: the baseline); `deadline`, when given, overrides
/// the policy's deadline; `policy_dir` is the folder the policy's `rules` path is relative to;
/// `rules` a path to a `.rhai` rule set overriding the policy's.
/// The engine work runs without the GIL.
#[pyfunction]
#[pyo3(signature = (province, days, seed, start, policy_toml = "", deadline = None, rules = None, policy_dir = None))]
#[allow(clippy::too_many_arguments)] // mirrors the Python keyword arguments one to one
fn simulate_json(
    py: Python<'_>,
    province: u8,
    days: u32,
    seed: u64,
    start: NaiveDate,
    policy_toml: &str,
    deadline: Option<u32>,
    rules: Option<String>,
    policy_dir: Option<std::path::PathBuf>,
) -> PyResult<(String, String, String)> {
    let mut policy = if policy_toml.trim().is_empty() {
        Policy::default()
    } else {
        Policy::from_toml(policy_toml).map_err(|e| core_err(py, e))?
    };
    // A policy file names its rule set relative to itself.
    if let (Some(r), Some(dir)) = (&policy.rules, &policy_dir) {
        policy.rules = Some(dir.join(r).to_string_lossy().into_owned());
    }
    if let Some(d) = deadline {
        policy.deadline_days = d;
        policy.reminder_before = policy.reminder_before.min(d.saturating_sub(1));
    }
    if rules.is_some() {
        policy.rules = rules;
    }
    policy.check().map_err(|e| core_err(py, e))?;
    let result: Result<(String, String, String), String> = py.allow_threads(move || {
        let scenario = Scenario::new(province, start, days, seed).map_err(|e| e.to_string())?;
        let model = Model::embedded().map_err(|e| e.to_string())?;
        let prepared = sim::prepare(&scenario, &model).map_err(|e| e.to_string())?;
        let router =
            acikkapi_rules::sim::router_for_policy(&policy, province).map_err(|e| e.to_string())?;
        let run =
            sim::run_policy(&prepared, &policy, router.as_ref()).map_err(|e| e.to_string())?;
        let records = run.stats_records().map_err(|e| e.to_string())?;
        let report = stats::report(&records, &ReportOptions::default());
        let j = |r: serde_json::Result<String>| r.map_err(|e| e.to_string());
        Ok((
            j(serde_json::to_string(&run.report))?,
            j(serde_json::to_string(&report))?,
            j(serde_json::to_string(&records))?,
        ))
    });
    result.map_err(|msg| py_error(py, "AcikKapiError", (msg,)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(simulate_json, m)?)
}
