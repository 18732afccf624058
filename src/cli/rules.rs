//! `acikkapi rules`: province routing scripts — rule tests with coverage, lint, dry-run diff.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use acikkapi_core::routing::RouteRequest;
use acikkapi_rules::analysis::Severity;
use acikkapi_rules::diff::{self, Difference};
use acikkapi_rules::testing::{self, TestFile};
use acikkapi_rules::{AppView, Environment, OrgEnv, RuleSet, ScriptedRouter, StaticEnv};
use clap::Subcommand;

use super::{CliError, CliResult, Io, csv_field};

/// `acikkapi rules …`
#[derive(Debug, Subcommand)]
pub enum RulesCmd {
    /// Runs the rule tests of a script (`x.rhai` → `x.tests.toml` or `x.tests.json`) or of every
    /// script in a directory; prints pass/fail per case and branch/category coverage. Exit 1 on
    /// any failure.
    Test {
        /// A `.rhai` script or a directory of scripts.
        path: PathBuf,
        /// Province plate (default: the `NN-` prefix of the file name, else the test file's).
        #[arg(long)]
        province: Option<u8>,
    },
    /// Compiles and lints a script: unknown units in `route_to`/`redirect`, unknown categories and
    /// headings, unknown `app` fields, unreachable branches. Prints `file:line:col: message`;
    /// exit 1 on any error.
    Check {
        /// The `.rhai` script.
        file: PathBuf,
        /// Province plate whose organisation the unit names are checked against (default: the
        /// `NN-` prefix of the file name).
        #[arg(long)]
        province: Option<u8>,
    },
    /// Lists the applications a new rule set would route differently from an old one (CSV:
    /// index, category, district, old, new).
    Diff {
        /// The rule set in force.
        old: PathBuf,
        /// The candidate rule set.
        new: PathBuf,
        /// A JSON array of route requests (compared on final decisions) or of application views
        /// (compared on script outcomes).
        #[arg(long)]
        applications: PathBuf,
        /// Province plate (default: the `NN-` prefix of NEW's file name).
        #[arg(long)]
        province: Option<u8>,
    },
}

/// The province plate from a file name like `20-denizli.rhai`.
fn plate_of(path: &Path) -> Option<u8> {
    let name = path.file_name()?.to_str()?;
    let (num, _) = name.split_once('-')?;
    num.parse().ok().filter(|p| (1..=81).contains(p))
}

fn environment(plate: Option<u8>) -> Result<Arc<dyn Environment>, CliError> {
    Ok(match plate {
        Some(p) => Arc::new(
            OrgEnv::for_province(p).map_err(|e| CliError::Usage(format!("il {p:02}: {e}")))?,
        ),
        None => Arc::new(StaticEnv::with_turkish_calendar(&[])),
    })
}

fn display_name(path: &Path) -> String {
    path.display().to_string()
}

/// Reads and compiles a script; on a compile error prints it and returns `None`.
fn load(path: &Path, plate: Option<u8>, io: &mut Io<'_>) -> Result<Option<RuleSet>, CliError> {
    let source = match acikkapi_rules::read_script(path) {
        Ok(source) => source,
        // Too large: refused like a script that does not compile (not read past the cap).
        Err(e @ acikkapi_rules::Error::ScriptTooLarge { .. }) => {
            writeln!(io.stderr, "{e}")?;
            return Ok(None);
        }
        Err(e) => return Err(CliError::Usage(e.to_string())),
    };
    match RuleSet::compile(&display_name(path), &source, environment(plate)?) {
        Ok(r) => Ok(Some(r)),
        Err(e) => {
            writeln!(io.stderr, "{e}")?;
            Ok(None)
        }
    }
}

/// Runs `acikkapi rules …`.
pub fn run(cmd: RulesCmd, io: &mut Io<'_>) -> CliResult {
    match cmd {
        RulesCmd::Test { path, province } => test(&path, province, io),
        RulesCmd::Check { file, province } => check(&file, province, io),
        RulesCmd::Diff {
            old,
            new,
            applications,
            province,
        } => diff_cmd(&old, &new, &applications, province, io),
    }
}

fn scripts_in(path: &Path) -> Result<Vec<PathBuf>, CliError> {
    if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "rhai"))
            .collect();
        v.sort();
        Ok(v)
    } else if path.is_file() {
        Ok(vec![path.to_path_buf()])
    } else {
        Err(CliError::Usage(format!(
            "{}: no such file or directory",
            path.display()
        )))
    }
}

fn test(path: &Path, province: Option<u8>, io: &mut Io<'_>) -> CliResult {
    let scripts = scripts_in(path)?;
    if scripts.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: no .rhai scripts",
            path.display()
        )));
    }
    let mut failed = false;
    for script in scripts {
        let Some(test_path) = testing::test_file_for(&script) else {
            writeln!(
                io.stdout,
                "{}: no test file (expected {}.tests.toml)",
                script.display(),
                script.with_extension("").display()
            )?;
            continue;
        };
        let tests = match TestFile::load(&test_path) {
            Ok(t) => t,
            Err(e) => {
                writeln!(io.stderr, "{e}")?;
                failed = true;
                continue;
            }
        };
        let plate = province.or_else(|| plate_of(&script)).or(tests.province);
        let Some(rules) = load(&script, plate, io)? else {
            failed = true;
            continue;
        };
        let report = testing::run(&rules, &tests);
        writeln!(
            io.stdout,
            "{} (sha256 {}): {} cases, {} passed, {} failed",
            report.script,
            rules.short_version(),
            report.cases.len(),
            report.passed(),
            report.failed()
        )?;
        for c in &report.cases {
            if c.passed {
                writeln!(io.stdout, "  ok    {}", c.name)?;
            } else {
                writeln!(
                    io.stdout,
                    "  FAIL  {}: expected {}, got {}",
                    c.name, c.expected, c.actual
                )?;
            }
        }
        let (run, all) = report.branch_coverage();
        let pct = (run * 100).checked_div(all).unwrap_or(100);
        writeln!(io.stdout, "  coverage: {run}/{all} branches ({pct}%)")?;
        for b in &report.branches {
            let mark = if b.hits == 0 { "MISSED" } else { "      " };
            writeln!(
                io.stdout,
                "    {mark} {}:{}:{} {} — {} case(s)",
                report.script, b.branch.line, b.branch.column, b.branch.label, b.hits
            )?;
        }
        let cats: Vec<String> = report
            .categories
            .iter()
            .map(|(c, n)| format!("{c} ({n})"))
            .collect();
        writeln!(io.stdout, "  categories exercised: {}", cats.join(", "))?;
        if !report.untested_literals.is_empty() {
            writeln!(
                io.stdout,
                "  tested by the script but by no case: {}",
                report.untested_literals.join(", ")
            )?;
        }
        failed |= report.failed() > 0;
    }
    Ok(i32::from(failed))
}

fn check(file: &Path, province: Option<u8>, io: &mut Io<'_>) -> CliResult {
    let plate = province.or_else(|| plate_of(file));
    let Some(rules) = load(file, plate, io)? else {
        return Ok(1);
    };
    let mut errors = 0;
    let mut findings = rules.lint();
    if plate.is_none() {
        findings.retain(|f| !f.message.starts_with("unknown unit"));
        writeln!(
            io.stderr,
            "{}: note: no province (give --province or name the file NN-name.rhai): unit names not checked",
            display_name(file)
        )?;
    }
    for f in &findings {
        let sev = match f.severity {
            Severity::Error => {
                errors += 1;
                "error"
            }
            Severity::Warning => "warning",
        };
        writeln!(
            io.stderr,
            "{}:{}:{}: {sev}: {}",
            display_name(file),
            f.line,
            f.column,
            f.message
        )?;
    }
    let reads: Vec<&str> = rules.reads().fields.iter().map(|f| f.name()).collect();
    writeln!(
        io.stdout,
        "{}: sha256 {}; {} error(s), {} warning(s); reads app.{{{}}}{}; decisions {}",
        display_name(file),
        rules.version(),
        errors,
        findings.len() - errors,
        reads.join(", "),
        if rules.reads().whole_app {
            " and the whole app"
        } else {
            ""
        },
        if rules.is_cacheable() {
            "cached"
        } else {
            "not cached (reads app.text or passes app around)"
        }
    )?;
    Ok(i32::from(errors > 0))
}

fn diff_cmd(
    old: &Path,
    new: &Path,
    applications: &Path,
    province: Option<u8>,
    io: &mut Io<'_>,
) -> CliResult {
    let text = super::input::read_file(applications)?;
    let values: Vec<serde_json::Value> = serde_json::from_str(&text)?;
    let requests: Option<Vec<RouteRequest>> = values
        .iter()
        .map(|v| serde_json::from_value(v.clone()).ok())
        .collect();
    let plate = province.or_else(|| plate_of(new)).or_else(|| {
        requests
            .as_ref()
            .and_then(|r| r.first())
            .map(|r| r.province.get())
    });
    let (Some(old_rules), Some(new_rules)) = (load(old, plate, io)?, load(new, plate, io)?) else {
        return Ok(1);
    };
    let (diffs, total): (Vec<Difference>, usize) = match (requests, plate) {
        (Some(reqs), Some(p)) if !reqs.is_empty() => {
            let router = acikkapi_core::geo::ProvincePlate::new(p)
                .map_err(|e| acikkapi_rules::Error::Native(e.to_string()))
                .and_then(ScriptedRouter::for_province)
                .map_err(|e| CliError::Usage(format!("il {p:02}: {e}")))?;
            (
                diff::diff_routes(&router, &old_rules, &new_rules, &reqs),
                reqs.len(),
            )
        }
        _ => {
            let apps: Vec<AppView> = values
                .into_iter()
                .map(serde_json::from_value)
                .collect::<Result<_, _>>()?;
            (
                diff::diff_outcomes(&old_rules, &new_rules, &apps),
                apps.len(),
            )
        }
    };
    writeln!(io.stdout, "index,category,district,old,new")?;
    for d in &diffs {
        writeln!(
            io.stdout,
            "{},{},{},{},{}",
            d.index,
            csv_field(&d.category),
            csv_field(&d.district),
            csv_field(&d.old),
            csv_field(&d.new)
        )?;
    }
    writeln!(
        io.stderr,
        "{} of {} applications routed differently ({} → {})",
        diffs.len(),
        total,
        old_rules.short_version(),
        new_rules.short_version()
    )?;
    Ok(0)
}
