//! `acikkapi journal`: check and replay a workflow journal file (read-only; the file is never changed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use acikkapi_core::Error;
use acikkapi_core::journal::{
    FileJournal, FileJournalOptions, Journal, RecoveryReport, Seq, Snapshot,
};
use acikkapi_core::workflow::application::ApplicationWorkflow;
use acikkapi_core::workflow::personnel::PersonnelWorkflow;
use acikkapi_core::workflow::ports::NullSink;
use acikkapi_core::workflow::{Engine, EngineOptions, SnapshotStatus, WorkflowDefinition};
use clap::Subcommand;
use std::sync::Arc;

use super::{CliResult, Io};

/// `acikkapi journal …`
#[derive(Debug, Subcommand)]
pub enum JournalCmd {
    /// Integrity report: records, bytes, last sequence, snapshot. Exit 0 if clean, 1 if damaged
    /// (torn tail or corruption, with the byte offset and reason), empty (no journal header), not
    /// a journal, or its snapshot is damaged or was not made from this journal's records.
    Verify {
        /// The journal file.
        file: PathBuf,
    },
    /// Reads every record (after the snapshot, if there is one and it matches the journal) and
    /// prints counts: records, payload bytes, and records per top-level `"type"` (or `"kind"`) of
    /// the JSON payloads. A torn tail, an empty file or a snapshot not used is a warning on stderr.
    Replay {
        /// The journal file.
        file: PathBuf,
        /// Replay from the first record even if a snapshot exists (the snapshot is not read, so a
        /// damaged one does not matter).
        #[arg(long)]
        ignore_snapshot: bool,
    },
}

/// Runs `acikkapi journal …`.
pub fn run(cmd: JournalCmd, io: &mut Io<'_>) -> CliResult {
    match cmd {
        JournalCmd::Verify { file } => verify(file, io),
        JournalCmd::Replay {
            file,
            ignore_snapshot,
        } => replay(file, ignore_snapshot, io),
    }
}

/// Opens read-only; damage that prevents opening is printed and turned into exit code 1.
fn open(file: &PathBuf, io: &mut Io<'_>) -> Result<Result<FileJournal, i32>, super::CliError> {
    match FileJournal::open(file, read_only()) {
        Ok(j) => Ok(Ok(j)),
        Err(Error::JournalCorrupt { offset, reason, .. }) => {
            writeln!(io.stdout, "journal: {}", file.display())?;
            writeln!(io.stdout, "status: CORRUPT at offset {offset}: {reason}")?;
            Ok(Err(1))
        }
        Err(Error::JournalFormat { reason, .. }) => {
            writeln!(io.stdout, "journal: {}", file.display())?;
            writeln!(io.stdout, "status: NOT A JOURNAL at offset 0: {reason}")?;
            Ok(Err(1))
        }
        Err(e) => Err(e.into()),
    }
}

fn print_report(r: &RecoveryReport, io: &mut Io<'_>) -> std::io::Result<()> {
    writeln!(io.stdout, "journal: {}", r.path.display())?;
    writeln!(io.stdout, "records: {}", r.records)?;
    writeln!(
        io.stdout,
        "bytes: {} valid of {}",
        r.valid_bytes, r.file_bytes
    )?;
    writeln!(io.stdout, "last sequence: {}", r.last_seq)
}

/// The snapshot, if it matches the journal; `Err` with the line to print when it is damaged or
/// was not made from this journal's records.
fn snapshot(j: &FileJournal) -> Result<Option<Snapshot>, String> {
    j.read_snapshot().map_err(|e| match e {
        Error::SnapshotMismatch { reason, .. } => {
            format!(
                "REFUSED: does not match the journal: {reason} (not used: every record is replayed)"
            )
        }
        e => format!("DAMAGED: {e}"),
    })
}

/// The status line of a file that has no journal header.
const EMPTY: &str = "EMPTY: 0 bytes, no journal header (a journal whose creation was interrupted, or an empty file; a writable open writes the header)";

fn verify(file: PathBuf, io: &mut Io<'_>) -> CliResult {
    let j = match open(&file, io)? {
        Ok(j) => j,
        Err(code) => return Ok(code),
    };
    let r = j.recovery();
    print_report(r, io)?;
    let mut code = 0;
    match snapshot(&j) {
        Ok(None) => writeln!(io.stdout, "snapshot: none")?,
        Ok(Some(s)) => match snapshot_problem(&file)? {
            None => writeln!(
                io.stdout,
                "snapshot: sequence {} ({} bytes), matches the journal",
                s.seq,
                s.data.len()
            )?,
            Some(problem) => {
                code = 1;
                writeln!(
                    io.stdout,
                    "snapshot: REFUSED: sequence {} ({} bytes): {problem} (not used: every record is replayed)",
                    s.seq,
                    s.data.len()
                )?;
            }
        },
        Err(line) => {
            code = 1;
            writeln!(io.stdout, "snapshot: {line}")?;
        }
    }
    match &r.torn_tail {
        None if r.header_missing => {
            code = 1;
            writeln!(io.stdout, "status: {EMPTY}")?;
        }
        None => writeln!(io.stdout, "status: clean")?,
        Some(t) => {
            code = 1;
            writeln!(
                io.stdout,
                "status: TORN TAIL at offset {}: {} ({} bytes; cut when the journal is next opened for writing)",
                t.offset, t.reason, t.bytes
            )?;
        }
    }
    Ok(code)
}

/// The top-level `"type"` (or `"kind"`) of a JSON object payload.
fn type_of(payload: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(payload) {
        Ok(serde_json::Value::Object(map)) => match map.get("type").or_else(|| map.get("kind")) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            // A workflow envelope: `"event": {"<name>": {…}}` or `"event": "<name>"`.
            None => match map.get("event") {
                Some(serde_json::Value::Object(e)) if e.len() == 1 => {
                    e.keys().next().cloned().unwrap_or_default()
                }
                Some(serde_json::Value::String(s)) => s.clone(),
                _ => "(no type)".into(),
            },
        },
        Ok(_) => "(not an object)".into(),
        Err(_) => "(not JSON)".into(),
    }
}

fn replay(file: PathBuf, ignore_snapshot: bool, io: &mut Io<'_>) -> CliResult {
    let j = match open(&file, io)? {
        Ok(j) => j,
        Err(code) => return Ok(code),
    };
    let mut from = Seq(1);
    writeln!(io.stdout, "journal: {}", file.display())?;
    if let Some(t) = &j.recovery().torn_tail {
        writeln!(
            io.stderr,
            "warning: torn tail at offset {} ignored: {}",
            t.offset, t.reason
        )?;
    } else if j.recovery().header_missing {
        writeln!(io.stderr, "warning: {EMPTY}")?;
    }
    if ignore_snapshot {
        writeln!(io.stdout, "snapshot: not read (--ignore-snapshot)")?;
    } else {
        match snapshot(&j) {
            Ok(Some(s)) => {
                writeln!(
                    io.stdout,
                    "snapshot: sequence {} ({} bytes)",
                    s.seq,
                    s.data.len()
                )?;
                from = s.seq.next();
            }
            Ok(None) => writeln!(io.stdout, "snapshot: none")?,
            Err(line) => writeln!(io.stderr, "warning: snapshot {line}")?,
        }
    }
    let (mut records, mut bytes) = (0u64, 0u64);
    let mut types: BTreeMap<String, u64> = BTreeMap::new();
    for rec in j.iter_from(from) {
        let rec = rec?;
        records += 1;
        bytes += rec.payload.len() as u64;
        *types.entry(type_of(&rec.payload)).or_default() += 1;
    }
    writeln!(io.stdout, "replayed from sequence: {from}")?;
    writeln!(io.stdout, "records: {records}")?;
    writeln!(io.stdout, "bytes: {bytes}")?;
    writeln!(io.stdout, "last sequence: {}", j.last_seq())?;
    let mut by_count: Vec<_> = types.into_iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    writeln!(io.stdout, "types:")?;
    for (t, n) in by_count {
        writeln!(io.stdout, "  {t}: {n}")?;
    }
    workflow_states(j, ignore_snapshot, io)?;
    Ok(0)
}

/// The workflow a journal holds, if its first record names one.
fn workflow_name(j: &FileJournal) -> Result<Option<String>, super::CliError> {
    let first = j.read_range(Seq(1), 1)?;
    Ok(first
        .first()
        .and_then(|r| serde_json::from_slice::<serde_json::Value>(&r.payload).ok())
        .and_then(|v| v.get("workflow")?.as_str().map(str::to_owned)))
}

/// For a workflow journal whose snapshot matches it: what is wrong with the snapshot's state, if
/// the engine cannot use it or it differs from the state rebuilt from every record. (Position and
/// digest tie a snapshot to the records; only a full replay shows that its state is theirs.)
fn snapshot_problem(file: &Path) -> Result<Option<String>, super::CliError> {
    fn check<W: WorkflowDefinition>(
        def: impl Fn() -> W,
        file: &Path,
    ) -> Result<Option<String>, super::CliError> {
        let states = |use_snapshot| -> Result<_, super::CliError> {
            let options = EngineOptions {
                use_snapshot,
                ..EngineOptions::default()
            };
            let j = FileJournal::open(file, read_only())?;
            let engine = Engine::open(def(), Arc::new(j), NullSink, options)?;
            Ok((engine.states(), engine.snapshot_status().clone()))
        };
        let (from_snapshot, status) = states(true)?;
        Ok(match status {
            SnapshotStatus::Rejected { reason } => Some(reason),
            SnapshotStatus::Loaded { .. } if from_snapshot != states(false)?.0 => {
                Some("its state differs from the state rebuilt from every record".to_string())
            }
            _ => None,
        })
    }
    let name = workflow_name(&FileJournal::open(file, read_only())?)?;
    match name.as_deref() {
        Some("basvuru") => check(ApplicationWorkflow::default, file),
        Some("personel") => check(PersonnelWorkflow::default, file),
        _ => Ok(None),
    }
}

fn read_only() -> FileJournalOptions {
    FileJournalOptions {
        read_only: true,
        ..FileJournalOptions::default()
    }
}

/// For a workflow journal (the first record names its workflow): rebuilds every instance with
/// the engine and prints the count per state (and, for applications, the statistics block).
fn workflow_states(
    j: FileJournal,
    ignore_snapshot: bool,
    io: &mut Io<'_>,
) -> Result<(), super::CliError> {
    let name = workflow_name(&j)?;
    let journal: Arc<dyn Journal> = Arc::new(j);
    let options = EngineOptions {
        use_snapshot: !ignore_snapshot,
        ..EngineOptions::default()
    };
    let (counts, stats) = match name.as_deref() {
        Some("basvuru") => {
            let engine = Engine::open(ApplicationWorkflow::default(), journal, NullSink, options)?;
            (engine.counts(), Some(engine.statistics()))
        }
        Some("personel") => {
            let engine = Engine::open(PersonnelWorkflow::default(), journal, NullSink, options)?;
            (engine.counts(), None)
        }
        _ => return Ok(()),
    };
    let total: usize = counts.values().sum();
    writeln!(
        io.stdout,
        "workflow: {} ({total} instances)",
        name.unwrap_or_default()
    )?;
    writeln!(io.stdout, "states:")?;
    for (state, n) in counts {
        writeln!(io.stdout, "  {state}: {n}")?;
    }
    if let Some(stats) = stats {
        write!(io.stdout, "{stats}")?;
    }
    Ok(())
}
