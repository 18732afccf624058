//! The `acikkapi` command line: argument parsing and the subcommands. Thin glue over the library:
//! every subcommand module parses its arguments with clap, calls the library and formats the result.
//!
//! Each subcommand module exposes a clap `Subcommand`/`Args` type and a `run` function taking the
//! parsed arguments plus the process's standard input and output, and returning the exit code.

use std::io::{BufRead, Write};

use clap::{Parser, Subcommand};

pub mod calendar;
pub mod db;
pub mod demo;
pub mod geo;
pub mod input;
pub mod journal;
pub mod org;
pub mod report;
pub mod route;
pub mod rules;
pub mod serve;
pub mod simulate;
pub mod store;
pub mod taxonomy;
pub mod validate;

/// What a subcommand can fail with. Printed on stderr as `acikkapi: <message>`, exit code 2
/// (exit code 1 is reserved for "the input was checked and is invalid").
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// An error from the library.
    #[error(transparent)]
    Core(#[from] acikkapi_core::Error),
    /// Bad arguments that clap could not catch.
    #[error("{0}")]
    Usage(String),
    /// Reading input or writing output failed.
    #[error("G/Ç hatası: {0}")]
    Io(#[from] std::io::Error),
    /// JSON input or output failed.
    #[error("JSON hatası: {}", acikkapi_core::redact::serde_error(.0))]
    Json(#[from] serde_json::Error),
    /// An input over the size limit of its kind ([`input::MAX_INPUT_BYTES`]); it was not read
    /// past the limit.
    #[error("{input}: girdi {} sınırını aşıyor; okunmadı", size(*.limit))]
    InputTooLarge {
        /// The file, or "standart girdi".
        input: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// A line of a line-oriented input over [`input::MAX_LINE_BYTES`]; reading stopped there.
    #[error("{input}: satır {line} {} sınırını aşıyor; okunmadı", size(*.limit as u64))]
    LineTooLong {
        /// The file, or "standart girdi".
        input: String,
        /// 1-based line number.
        line: usize,
        /// The limit in bytes.
        limit: usize,
    },
}

/// A byte count for a message: whole MiB as `8 MiB`, anything else in bytes.
fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bayt")
    }
}

/// Exit code or error of a subcommand.
pub type CliResult = Result<i32, CliError>;

/// The process's standard streams, passed to subcommands so tests can run them in memory.
pub struct Io<'a> {
    /// Standard input.
    pub stdin: &'a mut dyn BufRead,
    /// Standard output.
    pub stdout: &'a mut dyn Write,
    /// Standard error (diagnostics, one problem per line).
    pub stderr: &'a mut dyn Write,
}

/// `acikkapi`: Açık Kapı citizen applications, Turkish business calendar, routing rules, workflow.
#[derive(Debug, Parser)]
#[command(name = "acikkapi", version, about, long_about = None)]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Turkish business-day calendar: holidays, bayrams, business-day arithmetic.
    Calendar {
        /// What to do.
        #[command(subcommand)]
        cmd: calendar::CalendarCmd,
    },
    /// Provinces and districts (CSV).
    #[command(subcommand)]
    Geo(geo::GeoCmd),
    /// Service headings and categories; category suggestions for a text.
    #[command(subcommand)]
    Taxonomy(taxonomy::TaxonomyCmd),
    /// Check, replay or copy a workflow journal (a file or a PostgreSQL stream).
    Journal {
        /// What to do with the journal.
        #[command(subcommand)]
        cmd: journal::JournalCmd,
    },
    /// The PostgreSQL store's schema: `db migrate URL`, `db status URL`.
    Db {
        /// What to do with the database.
        #[command(subcommand)]
        cmd: db::DbCmd,
    },
    /// Province routing scripts: rule tests with coverage, lint, dry-run diff.
    Rules {
        /// What to do.
        #[command(subcommand)]
        cmd: rules::RulesCmd,
    },
    /// Routes one application (JSON) natively and prints the decision with its trace.
    Route(route::RouteCmd),
    /// Organisation files: check a file, coverage report of a province.
    #[command(subcommand)]
    Org(org::OrgCmd),
    /// Checks an application input (JSON) and prints it normalised, or every problem (exit 1).
    Validate(validate::ValidateArgs),
    /// The main job: a month of Açık Kapı applications for one province, end to end (synthetic data).
    Demo(demo::DemoArgs),
    /// Policy experiments: a province's applications simulated on the real engine (one policy, or two compared).
    Simulate(simulate::SimulateArgs),
    /// Statistics over application records or a journal: the statistics block, breakdowns, SLA (table, CSV, JSON, HTML).
    Report(report::ReportArgs),
    /// The HTTP service: Open311 GeoReport v2, /healthz, /readyz, on a data directory.
    Serve(serve::ServeArgs),
    /// API keys of channels and integrators (`key add`), stored only hashed.
    #[command(subcommand)]
    Key(serve::KeyCmd),
}

/// Runs a parsed command line.
pub fn run(cli: Cli, io: &mut Io<'_>) -> CliResult {
    match cli.command {
        Command::Calendar { cmd } => calendar::run(cmd, io),
        Command::Geo(cmd) => geo::run(cmd, io),
        Command::Taxonomy(cmd) => taxonomy::run(cmd, io),
        Command::Journal { cmd } => journal::run(cmd, io),
        Command::Db { cmd } => db::run(cmd, io),
        Command::Rules { cmd } => rules::run(cmd, io),
        Command::Route(cmd) => route::run(cmd, io),
        Command::Org(cmd) => org::run(cmd, io),
        Command::Validate(args) => validate::run(args, io),
        Command::Demo(args) => demo::run(args, io),
        Command::Simulate(args) => simulate::run(args, io),
        Command::Report(args) => report::run(args, io),
        Command::Serve(args) => serve::run_serve(args, io),
        Command::Key(cmd) => serve::run_key(cmd, io),
    }
}

pub use input::read_input;

/// Quotes a CSV text cell when it needs it (RFC 4180) and keeps it from starting a spreadsheet
/// formula, as the reports do.
pub use acikkapi_core::stats::render::csv_field;
