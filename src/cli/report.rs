//! `acikkapi report`: statistics over application records.
//!
//! INPUT is either an application-workflow **journal file** (recognised by its `ACIKJRNL` header;
//! opened read-only, every application's history folded into a record, see
//! [`acikkapi_core::stats::records_from_journal`]), an application-workflow journal in
//! **PostgreSQL** (`postgres://…?stream=NAME`; without `stream`, every application stream of the
//! database together, other workflows' streams such as an SMS outbox left out; read-only, see
//! [`super::store`]) or a **JSON Lines file** (`-` for standard input): one
//! [`ApplicationRecord`] per line, blank lines ignored. A
//! later line with the same tracking number replaces the earlier one, so the file may be an
//! append-only log of record snapshots. Any invalid line makes the command print every problem
//! (`kayıt dosyası, satır N: …`, at most 20) and exit with 1 without a report.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;

use acikkapi_core::Error;
use acikkapi_core::journal::{Journal, Seq};
use acikkapi_core::stats::render::{Format, render};
use acikkapi_core::stats::{self, ApplicationRecord, Dimension, Projection, ReportOptions};
use acikkapi_core::workflow::application::ApplicationWorkflow;
use acikkapi_core::workflow::ports::NullSink;
use acikkapi_core::workflow::{Engine, EngineOptions, SnapshotStatus, WorkflowDefinition};
use clap::Args;
use std::sync::Arc;

use super::input::{LineReader, input_name};
use super::store::{Location, PgLocation};
use super::{CliError, CliResult, Io};

/// Most problems listed for an invalid input file.
const MAX_PROBLEMS: usize = 20;

/// `acikkapi report INPUT [--by …] [--format …] [--out FILE]`
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Application-workflow journal file, PostgreSQL journal (`postgres://…[?stream=NAME]`), or
    /// JSON Lines file of application records (`-` for standard input).
    pub input: PathBuf,
    /// Break down by: heading, category, province, district, channel, kind, institution, unit,
    /// week, month, age, gender. Without it: the summary (block, SLA, scorecards, provinces).
    #[arg(long, value_parser = parse_dimension)]
    pub by: Option<Dimension>,
    /// Output format: table, csv, json, html.
    #[arg(long, default_value = "table", value_parser = parse_format)]
    pub format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Longest backlog / overdue list in the report.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

fn parse_dimension(s: &str) -> Result<Dimension, String> {
    s.parse().map_err(|e: acikkapi_core::Error| e.to_string())
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse().map_err(|e: acikkapi_core::Error| e.to_string())
}

/// Reads JSON Lines records into a projection; returns the problems found (a line that is not a
/// record, or whose category does not belong to its heading), each with its line number, at most
/// `MAX_PROBLEMS` of them, and how many there were in all. Lines are read one at a time, each
/// at most [`MAX_LINE_BYTES`](super::input::MAX_LINE_BYTES): a longer one (`/dev/zero`) ends the
/// reading with [`CliError::LineTooLong`].
pub fn read_records(
    input: &mut dyn BufRead,
    name: &str,
    projection: &mut Projection,
) -> Result<(Vec<Error>, usize), CliError> {
    let mut problems = Vec::new();
    let mut count = 0usize;
    let mut lines = LineReader::new(input, name);
    while let Some((n, line)) = lines.next_line()? {
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let problem = match serde_json::from_str::<ApplicationRecord>(text) {
            Ok(r) if !r.is_consistent() => Error::InvalidRecord {
                line: n,
                message: format!(
                    "kategori {} başlık {} ile uyuşmuyor",
                    r.category.as_ref().map_or("-", |c| c.as_str()),
                    r.heading.as_ref().map_or("-", |h| h.as_str())
                ),
            },
            Ok(r) => {
                projection.upsert(r);
                continue;
            }
            Err(e) => Error::InvalidRecord {
                line: n,
                message: e.to_string(),
            },
        };
        count += 1;
        if problems.len() < MAX_PROBLEMS {
            problems.push(problem);
        }
    }
    Ok((problems, count))
}

/// Runs `acikkapi report`.
pub fn run(args: ReportArgs, io: &mut Io<'_>) -> CliResult {
    let opts = ReportOptions {
        list_limit: args.limit,
        ..ReportOptions::default()
    };
    if let Location::Pg(pg) = Location::parse(&args.input)? {
        let records = pg_records(&pg, io)?;
        let report = stats::report(&records, &opts);
        return write_report(&args, &render(&report, args.by, args.format), io);
    }
    let from_stdin = args.input.as_os_str() == "-";
    if !from_stdin && args.input.is_file() && stats::is_journal_file(&args.input)? {
        let read = stats::read_journal_records(&args.input)?;
        for warning in read.warnings() {
            writeln!(io.stderr, "warning: {}: {warning}", args.input.display())?;
        }
        let report = stats::report(&read.records, &opts);
        return write_report(&args, &render(&report, args.by, args.format), io);
    }
    let mut projection = Projection::new();
    let name = input_name(&args.input);
    let (problems, count) = if from_stdin {
        read_records(io.stdin, &name, &mut projection)?
    } else {
        let file = std::fs::File::open(&args.input)
            .map_err(|e| CliError::Usage(format!("{name}: {e}")))?;
        read_records(&mut BufReader::new(file), &name, &mut projection)?
    };
    if !problems.is_empty() {
        for problem in &problems {
            let line = format!("{}: {problem}", args.input.display());
            writeln!(io.stderr, "{}", acikkapi_core::redact::message(&line))?;
        }
        if count > problems.len() {
            writeln!(io.stderr, "… ve {} sorun daha", count - problems.len())?;
        }
        return Ok(1);
    }
    let report = projection.report(&opts);
    write_report(&args, &render(&report, args.by, args.format), io)
}

/// The records of the application streams a PostgreSQL location means, by tracking number.
/// A named stream of another workflow is refused; without a stream, those are left out.
fn pg_records(pg: &PgLocation, io: &mut Io<'_>) -> Result<Vec<ApplicationRecord>, CliError> {
    let store = pg.connect_read_only()?;
    let workflow = ApplicationWorkflow::default();
    let mut records = Vec::new();
    for stream in pg.streams(&store)? {
        let journal = store.journal(&stream)?;
        let first = journal.read_range(Seq(1), 1)?;
        if let Some(first) = first.first() {
            let name = serde_json::from_slice::<serde_json::Value>(&first.payload)
                .ok()
                .and_then(|v| v.get("workflow")?.as_str().map(str::to_owned));
            if name.as_deref() != Some(workflow.name()) {
                if pg.stream.is_none() {
                    // Reading them all: another workflow's stream (an SMS outbox) has no
                    // applications to count.
                    continue;
                }
                return Err(Error::NotApplicationJournal {
                    path: PathBuf::from(pg.shown(Some(&stream))),
                    found: name.unwrap_or_else(|| "?".to_string()),
                }
                .into());
            }
        }
        let engine = Engine::open(
            ApplicationWorkflow::default(),
            Arc::new(journal),
            NullSink,
            EngineOptions::default(),
        )?;
        if let SnapshotStatus::Rejected { reason } = engine.snapshot_status() {
            writeln!(
                io.stderr,
                "warning: {}: snapshot not used, every record replayed instead: {reason}",
                pg.shown(Some(&stream))
            )?;
        }
        records.extend(stats::records_from_engine(&engine)?);
    }
    records.sort_by(|a, b| a.tracking_number.cmp(&b.tracking_number));
    Ok(records)
}

fn write_report(args: &ReportArgs, text: &str, io: &mut Io<'_>) -> CliResult {
    match &args.out {
        Some(path) => std::fs::write(path, text)?,
        None => io.stdout.write_all(text.as_bytes())?,
    }
    Ok(0)
}
