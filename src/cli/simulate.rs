//! `acikkapi simulate`: policy experiments on the real engine (see `acikkapi_core::sim`).
//!
//! One policy: the statistics block, the SLA figures and summaries per heading and unit.
//! `--compare A.toml B.toml`: both policies on the same arrivals (generated from the seed before
//! any policy is looked at), side by side with the difference.

mod render;

use std::path::{Path, PathBuf};

use acikkapi_core::geo::Geography;
use acikkapi_core::sim::{self, Model, Policy, Prepared, Scenario, SimRouter};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use super::{CliError, CliResult, Io};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Turkish tables.
    Table,
    /// One row per group (total, heading, district, unit), plain numbers.
    Csv,
    /// The full report(s).
    Json,
}

/// `acikkapi simulate` options.
#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// Province (plate or name).
    #[arg(long, default_value = "20")]
    pub province: String,
    /// Number of days to simulate.
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    /// First day (YYYY-MM-DD).
    #[arg(long, default_value = "2026-01-01")]
    pub start: String,
    /// Seed of the arrivals.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Policy file (TOML; see `acikkapi_core::sim::Policy`). Default: the rules in force.
    #[arg(long, conflicts_with = "compare")]
    pub policy: Option<PathBuf>,
    /// Rhai rule set to route with (overrides the policy's `rules`; default: native router).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Deadline in business days (overrides the policy's).
    #[arg(long)]
    pub deadline: Option<u32>,
    /// Applications per 100 000 inhabitants per year (overrides the model's).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Compare two policies on the same arrivals.
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub compare: Option<Vec<PathBuf>>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// How many units to list in the table (by number of applications).
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Also write the run's application records (JSON Lines, `acikkapi_core::stats`) to this file,
    /// for `acikkapi report FILE --format table|csv|json|html` (one policy only).
    #[arg(long, conflicts_with = "compare")]
    pub records: Option<PathBuf>,
    /// Also write the statistics module's HTML report of the run to this file (one policy only).
    #[arg(long, conflicts_with = "compare")]
    pub html: Option<PathBuf>,
}

/// Loads a policy file (its `rules` path made relative to the file's folder).
fn load_policy(path: &Path) -> Result<Policy, CliError> {
    let text = super::input::read_file(path)?;
    let mut p = Policy::from_toml(&text)
        .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
    if let (Some(r), Some(dir)) = (&p.rules, path.parent()) {
        p.rules = Some(dir.join(r).to_string_lossy().into_owned());
    }
    if p.name == Policy::default().name && path.file_stem().is_some() {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if stem != p.name && !text.contains("name") {
            p.name = stem;
        }
    }
    Ok(p)
}

fn router_for(policy: &Policy, plate: u8) -> Result<Box<dyn SimRouter>, CliError> {
    acikkapi_rules::sim::router_for_policy(policy, plate)
        .map_err(|e| CliError::Usage(e.to_string()))
}

fn apply_overrides(mut p: Policy, args: &SimulateArgs) -> Result<Policy, CliError> {
    if let Some(r) = &args.rules {
        p.rules = Some(r.to_string_lossy().into_owned());
    }
    if let Some(d) = args.deadline {
        p.deadline_days = d;
        p.reminder_before = p.reminder_before.min(d.saturating_sub(1));
    }
    p.check().map_err(|e| CliError::Usage(e.to_string()))?;
    Ok(p)
}

fn run_one(prepared: &Prepared, policy: &Policy) -> Result<sim::Run, CliError> {
    let router = router_for(policy, prepared.scenario.plate.get())?;
    Ok(sim::run_policy(prepared, policy, router.as_ref())?)
}

/// Writes the run's records (JSON Lines) and the HTML report when asked.
fn write_stats(run: &sim::Run, args: &SimulateArgs) -> Result<(), CliError> {
    if args.records.is_none() && args.html.is_none() {
        return Ok(());
    }
    let records = run.stats_records()?;
    if let Some(path) = &args.records {
        let mut text = String::new();
        for r in &records {
            text.push_str(&serde_json::to_string(r)?);
            text.push('\n');
        }
        std::fs::write(path, text)?;
    }
    if let Some(path) = &args.html {
        let report =
            acikkapi_core::stats::report(&records, &acikkapi_core::stats::ReportOptions::default());
        let html = acikkapi_core::stats::render::render(
            &report,
            None,
            acikkapi_core::stats::render::Format::Html,
        );
        std::fs::write(path, html)?;
    }
    Ok(())
}

/// Runs `acikkapi simulate`.
pub fn run(args: SimulateArgs, io: &mut Io<'_>) -> CliResult {
    let province = Geography::embedded().require_province(&args.province)?;
    let start = NaiveDate::parse_from_str(&args.start, "%Y-%m-%d").map_err(|_| {
        CliError::Usage(format!(
            "başlangıç günü YYYY-AA-GG olmalı: {:?}",
            args.start
        ))
    })?;
    let mut scenario = Scenario::new(province.plate.get(), start, args.days, args.seed)?;
    scenario.per_100k_year = args.rate;
    // The arrivals and capacities first, from the seed alone: both policies see the same.
    let prepared = sim::prepare(&scenario, &Model::embedded()?)?;
    let out = &mut *io.stdout;
    match &args.compare {
        Some(files) => {
            let [a, b] = files.as_slice() else {
                return Err(CliError::Usage(
                    "--compare iki politika dosyası ister".into(),
                ));
            };
            let pa = apply_overrides(load_policy(a)?, &args)?;
            let pb = apply_overrides(load_policy(b)?, &args)?;
            let ra = run_one(&prepared, &pa)?.report;
            let rb = run_one(&prepared, &pb)?.report;
            render::comparison(out, args.format, &ra, &rb, prepared.arrivals.len())?;
        }
        None => {
            let policy = match &args.policy {
                Some(p) => load_policy(p)?,
                None => Policy::default(),
            };
            let policy = apply_overrides(policy, &args)?;
            let run = run_one(&prepared, &policy)?;
            write_stats(&run, &args)?;
            render::single(out, args.format, &run.report, &policy, args.top)?;
        }
    }
    Ok(0)
}
