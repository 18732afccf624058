//! `acikkapi journal`: check, replay and copy a workflow journal. The journal is a file or a
//! PostgreSQL stream (see [`super::store`]); verify and replay never change it, copy writes only
//! its destination.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use acikkapi_core::Error;
use acikkapi_core::journal::{
    FileJournal, FileJournalOptions, FsyncPolicy, Journal, JournalIter, RecoveryReport, Seq,
    Snapshot,
};
use acikkapi_core::workflow::application::ApplicationWorkflow;
use acikkapi_core::workflow::personnel::PersonnelWorkflow;
use acikkapi_core::workflow::ports::NullSink;
use acikkapi_core::workflow::{Engine, EngineOptions, SnapshotStatus, WorkflowDefinition};
use acikkapi_postgres::PgStore;
use clap::Subcommand;
use std::sync::Arc;

use super::store::{Location, MarkedJournal, PgLocation};
use super::{CliError, CliResult, Io};

/// `acikkapi journal …`
///
/// JOURNAL is a journal file or a PostgreSQL stream, `postgres://user@host/db?stream=NAME`; a
/// database URL without `stream` means every stream of the database.
#[derive(Debug, Subcommand)]
pub enum JournalCmd {
    /// Integrity report: records, bytes, last sequence, snapshot. Exit 0 if clean, 1 if damaged
    /// (torn tail or corruption, with the byte offset and reason; on PostgreSQL a missing
    /// position or a record failing its CRC, with the position), empty (no journal header; no
    /// records), not a journal, or its snapshot is damaged or was not made from this journal's
    /// records. Read-only (a database is not migrated).
    Verify {
        /// The journal file, or `postgres://…[?stream=NAME]`.
        #[arg(value_name = "JOURNAL")]
        file: PathBuf,
    },
    /// Reads every record (after the snapshot, if there is one and it matches the journal) and
    /// prints counts: records, payload bytes, and records per top-level `"type"` (or `"kind"`) of
    /// the JSON payloads. A torn tail, an empty file or a snapshot not used is a warning on stderr.
    Replay {
        /// The journal file, or `postgres://…[?stream=NAME]`.
        #[arg(value_name = "JOURNAL")]
        file: PathBuf,
        /// Replay from the first record even if a snapshot exists (the snapshot is not read, so a
        /// damaged one does not matter).
        #[arg(long)]
        ignore_snapshot: bool,
    },
    /// Copies a journal (file to PostgreSQL stream, stream to file, file to file, stream to
    /// stream; a whole database to another) with its batches and snapshot, then checks the copy:
    /// the same records (positions, payload CRCs, batch marks) and snapshot, and for a workflow
    /// journal the same states and statistics block when both are replayed. Exit 1 if the source
    /// does not verify (nothing is written) or the copy differs. Copy a journal nobody writes
    /// meanwhile (records appended during the copy are not copied, and the checks see them).
    Copy {
        /// Where to copy from (verified first).
        #[arg(value_name = "SRC")]
        src: PathBuf,
        /// Where to copy to: a file (written next to it and renamed into place once checked) or
        /// a stream (`?stream=NAME`; without it, the source stream's name).
        #[arg(value_name = "DST")]
        dst: PathBuf,
        /// Replace a destination that is not empty (its records and snapshot are deleted first).
        #[arg(long)]
        replace: bool,
    },
}

/// Runs `acikkapi journal …`.
pub fn run(cmd: JournalCmd, io: &mut Io<'_>) -> CliResult {
    match cmd {
        JournalCmd::Verify { file } => match Location::parse(&file)? {
            Location::File(file) => verify(file, io),
            Location::Pg(pg) => verify_database(&pg, io),
        },
        JournalCmd::Replay {
            file,
            ignore_snapshot,
        } => match Location::parse(&file)? {
            Location::File(file) => replay(file, ignore_snapshot, io),
            Location::Pg(pg) => replay_database(&pg, ignore_snapshot, io),
        },
        JournalCmd::Copy { src, dst, replace } => copy(
            &Location::parse(&src)?,
            &Location::parse(&dst)?,
            replace,
            io,
        ),
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
fn snapshot(j: &dyn Journal) -> Result<Option<Snapshot>, String> {
    j.read_snapshot().map_err(|e| match e {
        Error::SnapshotMismatch { reason, .. } => {
            format!(
                "REFUSED: does not match the journal: {reason} (not used: every record is replayed)"
            )
        }
        e => format!("DAMAGED: {e}"),
    })
}

/// Prints the `snapshot:` line of a verify; 1 if the snapshot is damaged, refused, or its state
/// is not the records' state.
fn verify_snapshot(j: &Arc<dyn Journal>, io: &mut Io<'_>) -> CliResult {
    match snapshot(j.as_ref()) {
        Ok(None) => writeln!(io.stdout, "snapshot: none")?,
        Ok(Some(s)) => match snapshot_problem(j)? {
            None => writeln!(
                io.stdout,
                "snapshot: sequence {} ({} bytes), matches the journal",
                s.seq,
                s.data.len()
            )?,
            Some(problem) => {
                writeln!(
                    io.stdout,
                    "snapshot: REFUSED: sequence {} ({} bytes): {problem} (not used: every record is replayed)",
                    s.seq,
                    s.data.len()
                )?;
                return Ok(1);
            }
        },
        Err(line) => {
            writeln!(io.stdout, "snapshot: {line}")?;
            return Ok(1);
        }
    }
    Ok(0)
}

/// The status line of a file that has no journal header.
const EMPTY: &str = "EMPTY: 0 bytes, no journal header (a journal whose creation was interrupted, or an empty file; a writable open writes the header)";

fn verify(file: PathBuf, io: &mut Io<'_>) -> CliResult {
    let j = match open(&file, io)? {
        Ok(j) => j,
        Err(code) => return Ok(code),
    };
    let r = j.recovery().clone();
    print_report(&r, io)?;
    let j: Arc<dyn Journal> = Arc::new(j);
    let mut code = verify_snapshot(&j, io)?;
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

/// Records read per page when a stream is checked or copied.
const PAGE: usize = 4096;

/// What reading a whole stream found.
struct StreamScan {
    records: u64,
    bytes: u64,
    last: u64,
    /// The last record ends its batch (or there are none).
    last_ends_batch: bool,
}

/// Reads every record of `j` in pages (positions checked gapless from 1, every CRC checked).
fn scan_stream(j: &dyn MarkedJournal) -> acikkapi_core::Result<StreamScan> {
    let mut scan = StreamScan {
        records: 0,
        bytes: 0,
        last: 0,
        last_ends_batch: true,
    };
    loop {
        let page = j.read_marked(Seq(scan.last + 1), PAGE)?;
        let Some((last, end)) = page.last() else {
            return Ok(scan);
        };
        scan.records += page.len() as u64;
        scan.bytes += page
            .iter()
            .map(|(r, _)| r.payload.len() as u64)
            .sum::<u64>();
        (scan.last, scan.last_ends_batch) = (last.seq.0, *end);
    }
}

/// `journal verify` of a database: every stream it means, one report each.
fn verify_database(pg: &PgLocation, io: &mut Io<'_>) -> CliResult {
    let store = pg.connect_read_only()?;
    let streams = pg.streams(&store)?;
    if streams.is_empty() {
        writeln!(io.stdout, "journal: {}", pg.shown(None))?;
        writeln!(
            io.stdout,
            "status: EMPTY: no streams (no records, no snapshots)"
        )?;
        return Ok(1);
    }
    let mut code = 0;
    for (i, stream) in streams.iter().enumerate() {
        if i > 0 {
            writeln!(io.stdout)?;
        }
        code = code.max(verify_stream(&store, pg, stream, io)?);
    }
    Ok(code)
}

/// `journal verify` of one PostgreSQL stream.
fn verify_stream(store: &PgStore, pg: &PgLocation, stream: &str, io: &mut Io<'_>) -> CliResult {
    let j = Arc::new(store.journal(stream)?);
    writeln!(io.stdout, "journal: {}", pg.shown(Some(stream)))?;
    let scan = match scan_stream(j.as_ref()) {
        Ok(scan) => scan,
        Err(Error::JournalCorrupt { offset, reason, .. }) => {
            writeln!(io.stdout, "status: CORRUPT at position {offset}: {reason}")?;
            return Ok(1);
        }
        Err(e) => return Err(e.into()),
    };
    writeln!(io.stdout, "records: {}", scan.records)?;
    writeln!(io.stdout, "bytes: {} of payloads", scan.bytes)?;
    writeln!(io.stdout, "last sequence: {}", scan.last)?;
    let j: Arc<dyn Journal> = j;
    let mut code = verify_snapshot(&j, io)?;
    if scan.records == 0 {
        code = 1;
        writeln!(io.stdout, "status: EMPTY: the stream has no records")?;
    } else if !scan.last_ends_batch {
        code = 1;
        writeln!(
            io.stdout,
            "status: INCOMPLETE BATCH at position {}: the last record does not end its batch \
             (an append is one transaction: the table was changed by hand)",
            scan.last
        )?;
    } else {
        writeln!(io.stdout, "status: clean")?;
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
    replay_journal(Arc::new(j), ignore_snapshot, io)
}

/// `journal replay` of a database: every stream it means, one report each.
fn replay_database(pg: &PgLocation, ignore_snapshot: bool, io: &mut Io<'_>) -> CliResult {
    let store = pg.connect_read_only()?;
    let streams = pg.streams(&store)?;
    if streams.is_empty() {
        writeln!(io.stdout, "journal: {}", pg.shown(None))?;
        writeln!(io.stderr, "warning: the database has no streams")?;
        return Ok(0);
    }
    let mut code = 0;
    for (i, stream) in streams.iter().enumerate() {
        if i > 0 {
            writeln!(io.stdout)?;
        }
        writeln!(io.stdout, "journal: {}", pg.shown(Some(stream)))?;
        let j = Arc::new(store.journal(stream)?);
        if j.last_seq() == Seq(0) {
            writeln!(io.stderr, "warning: the stream has no records")?;
        }
        match replay_journal(j, ignore_snapshot, io) {
            Ok(c) => code = code.max(c),
            Err(CliError::Core(Error::JournalCorrupt { offset, reason, .. })) => {
                writeln!(io.stdout, "status: CORRUPT at position {offset}: {reason}")?;
                code = 1;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(code)
}

/// The replay report of an opened journal, from the `snapshot:` line on.
fn replay_journal(j: Arc<dyn Journal>, ignore_snapshot: bool, io: &mut Io<'_>) -> CliResult {
    let mut from = Seq(1);
    if ignore_snapshot {
        writeln!(io.stdout, "snapshot: not read (--ignore-snapshot)")?;
    } else {
        match snapshot(j.as_ref()) {
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
    let (mut records, mut bytes, mut last) = (0u64, 0u64, from.0 - 1);
    let mut types: BTreeMap<String, u64> = BTreeMap::new();
    for rec in JournalIter::new(j.as_ref(), from) {
        let rec = rec?;
        records += 1;
        bytes += rec.payload.len() as u64;
        last = rec.seq.0;
        *types.entry(type_of(&rec.payload)).or_default() += 1;
    }
    writeln!(io.stdout, "replayed from sequence: {from}")?;
    writeln!(io.stdout, "records: {records}")?;
    writeln!(io.stdout, "bytes: {bytes}")?;
    writeln!(io.stdout, "last sequence: {}", j.last_seq().max(Seq(last)))?;
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
fn workflow_name(j: &dyn Journal) -> Result<Option<String>, CliError> {
    let first = j.read_range(Seq(1), 1)?;
    Ok(first
        .first()
        .and_then(|r| serde_json::from_slice::<serde_json::Value>(&r.payload).ok())
        .and_then(|v| v.get("workflow")?.as_str().map(str::to_owned)))
}

/// For a workflow journal whose snapshot matches it: what is wrong with the snapshot's state, if
/// the engine cannot use it or it differs from the state rebuilt from every record. (Position and
/// digest tie a snapshot to the records; only a full replay shows that its state is theirs.)
fn snapshot_problem(journal: &Arc<dyn Journal>) -> Result<Option<String>, CliError> {
    fn check<W: WorkflowDefinition>(
        def: impl Fn() -> W,
        journal: &Arc<dyn Journal>,
    ) -> Result<Option<String>, CliError> {
        let states = |use_snapshot| -> Result<_, CliError> {
            let options = EngineOptions {
                use_snapshot,
                ..EngineOptions::default()
            };
            let engine = Engine::open(def(), journal.clone(), NullSink, options)?;
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
    match workflow_name(journal.as_ref())?.as_deref() {
        Some("basvuru") => check(ApplicationWorkflow::default, journal),
        Some("personel") => check(PersonnelWorkflow::default, journal),
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
    journal: Arc<dyn Journal>,
    ignore_snapshot: bool,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let name = workflow_name(journal.as_ref())?;
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

/// One source stream or file and where it goes.
struct CopyPair {
    src: Location,
    dst: Location,
}

/// The (source, destination) pairs of `journal copy SRC DST`: a database without a stream means
/// each of its streams, copied to the stream of the same name.
fn copy_pairs(src: &Location, dst: &Location) -> Result<Vec<CopyPair>, CliError> {
    let name_it = |dst: &Location, stream: &str| match dst {
        Location::Pg(d) if d.stream.is_none() => Location::Pg(d.with_stream(stream)),
        other => other.clone(),
    };
    match (src, dst) {
        (Location::File(_), Location::Pg(d)) if d.stream.is_none() => Err(CliError::Usage(
            "name the destination stream: postgres://…?stream=NAME".into(),
        )),
        (Location::Pg(s), _) if s.stream.is_none() => {
            let streams = s.connect_read_only()?.streams()?;
            let many_to_one = !matches!(dst, Location::Pg(d) if d.stream.is_none());
            if streams.is_empty() {
                return Err(CliError::Usage(format!(
                    "{}: the database has no streams to copy",
                    s.shown(None)
                )));
            }
            if many_to_one && streams.len() > 1 {
                return Err(CliError::Usage(format!(
                    "{} has {} streams ({}): name one with ?stream=NAME, or copy to a database URL without a stream",
                    s.shown(None),
                    streams.len(),
                    streams.join(", ")
                )));
            }
            Ok(streams
                .iter()
                .map(|stream| CopyPair {
                    src: Location::Pg(s.with_stream(stream)),
                    dst: name_it(dst, stream),
                })
                .collect())
        }
        (Location::Pg(s), _) => Ok(vec![CopyPair {
            src: src.clone(),
            dst: name_it(dst, s.stream.as_deref().unwrap_or_default()),
        }]),
        (Location::File(_), _) => Ok(vec![CopyPair {
            src: src.clone(),
            dst: dst.clone(),
        }]),
    }
}

/// How a location is shown.
fn shown(loc: &Location) -> String {
    match loc {
        Location::File(p) => p.display().to_string(),
        Location::Pg(pg) => pg.shown(None),
    }
}

/// `acikkapi journal copy SRC DST`.
fn copy(src: &Location, dst: &Location, replace: bool, io: &mut Io<'_>) -> CliResult {
    let pairs = copy_pairs(src, dst)?;
    let mut code = 0;
    for (i, pair) in pairs.iter().enumerate() {
        if i > 0 {
            writeln!(io.stdout)?;
        }
        code = code.max(copy_one(pair, replace, io)?);
    }
    Ok(code)
}

/// Verifies one source into a buffer: its exit code and report.
fn verify_source(src: &Location) -> Result<(i32, Vec<u8>), CliError> {
    let mut report = Vec::new();
    let mut stderr = Vec::new();
    let mut no_input: &[u8] = &[];
    let mut io = Io {
        stdin: &mut no_input,
        stdout: &mut report,
        stderr: &mut stderr,
    };
    let code = match src {
        Location::File(file) => verify(file.clone(), &mut io)?,
        Location::Pg(pg) => {
            let store = pg.connect_read_only()?;
            verify_stream(
                &store,
                pg,
                pg.stream.as_deref().unwrap_or_default(),
                &mut io,
            )?
        }
    };
    Ok((code, report))
}

/// The destination of one copy, open for writing.
enum Dest {
    /// A file journal written at `tmp`, renamed to `path` once checked.
    File {
        path: PathBuf,
        tmp: PathBuf,
        journal: Arc<FileJournal>,
    },
    /// A PostgreSQL stream.
    Pg(Arc<acikkapi_postgres::PgJournal>),
}

impl Dest {
    fn journal(&self) -> Arc<dyn MarkedJournal> {
        match self {
            Dest::File { journal, .. } => journal.clone(),
            Dest::Pg(j) => j.clone(),
        }
    }
}

/// The file a copy writes before it is renamed over `path`: `.NAME.copying` next to it.
fn temporary_sibling(path: &Path) -> Result<PathBuf, CliError> {
    let name = path
        .file_name()
        .ok_or_else(|| CliError::Usage(format!("{}: not a file name", path.display())))?;
    let mut tmp = std::ffi::OsString::from(".");
    tmp.push(name);
    tmp.push(".copying");
    Ok(path.with_file_name(tmp))
}

/// Opens the destination; refuses one that is not empty unless `replace`, and never replaces a
/// stream that holds exactly the source's records and snapshot (the source itself under another
/// spelling of its URL, e.g. `localhost` for `127.0.0.1`: deleting it would lose the source).
fn open_dest(dst: &Location, replace: bool, src: &dyn MarkedJournal) -> Result<Dest, CliError> {
    match dst {
        Location::File(path) => {
            let snapshot = FileJournal::snapshot_path_of(path);
            let used = std::fs::metadata(path).is_ok_and(|m| m.len() > 0) || snapshot.exists();
            if used && !replace {
                return Err(CliError::Usage(format!(
                    "{}: the destination exists and is not empty (--replace replaces it)",
                    path.display()
                )));
            }
            let tmp = temporary_sibling(path)?;
            for leftover in [tmp.clone(), FileJournal::snapshot_path_of(&tmp)] {
                match std::fs::remove_file(&leftover) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                    _ => {}
                }
            }
            let options = FileJournalOptions {
                // One sync at the end, before the rename, instead of one per batch.
                fsync: FsyncPolicy::Never,
                ..FileJournalOptions::default()
            };
            let journal = Arc::new(FileJournal::open(&tmp, options)?);
            Ok(Dest::File {
                path: path.clone(),
                tmp,
                journal,
            })
        }
        Location::Pg(pg) => {
            let store = pg.connect_for_writing()?;
            let stream = pg.stream.as_deref().unwrap_or_default();
            let j = Arc::new(store.journal(stream)?);
            let used = j.last_seq() > Seq(0) || !matches!(j.read_snapshot(), Ok(None));
            if used {
                if !replace {
                    return Err(CliError::Usage(format!(
                        "{}: the destination stream is not empty (--replace replaces it)",
                        pg.shown(None)
                    )));
                }
                let same = first_record_difference(src, j.as_ref())?.is_none()
                    && src.read_snapshot().ok() == j.read_snapshot().ok();
                if same {
                    return Err(CliError::Usage(format!(
                        "{}: the destination holds exactly the source's records and snapshot \
                         (the same stream?): not replaced",
                        pg.shown(None)
                    )));
                }
                store.delete_stream(stream)?;
            }
            Ok(Dest::Pg(j))
        }
    }
}

/// Opens a source for reading.
fn open_source(src: &Location) -> Result<Arc<dyn MarkedJournal>, CliError> {
    match src {
        Location::File(path) => Ok(Arc::new(FileJournal::open(path, read_only())?)),
        Location::Pg(pg) => {
            let store = pg.connect_read_only()?;
            Ok(Arc::new(
                store.journal(pg.stream.as_deref().unwrap_or_default())?,
            ))
        }
    }
}

/// Longest batch a copy holds in memory (records); a source batch longer than this is refused.
const MAX_COPY_BATCH: usize = 1 << 20;

/// Copies records `1..=last` of `src` to `dst` in pages: each page's complete batches are
/// appended at once with their marks (a batch cut by the page's end waits for the next page);
/// returns the number of batches.
fn copy_records(
    src: &dyn MarkedJournal,
    dst: &dyn MarkedJournal,
    last: u64,
) -> Result<u64, CliError> {
    let (mut next, mut written, mut batches) = (1u64, 0u64, 0u64);
    let (mut payloads, mut marks): (Vec<Vec<u8>>, Vec<bool>) = (Vec::new(), Vec::new());
    while next <= last {
        let want = usize::try_from(last - next + 1).map_or(PAGE, |n| n.min(PAGE));
        let page = src.read_marked(Seq(next), want)?;
        if page.is_empty() {
            return Err(CliError::Usage(format!(
                "the source ended at record {} while copying up to {last}",
                next - 1
            )));
        }
        for (record, end) in page {
            if record.seq.0 != next {
                return Err(CliError::Usage(format!(
                    "the source gave record {} where {next} was expected",
                    record.seq
                )));
            }
            next += 1;
            payloads.push(record.payload);
            marks.push(end);
            batches += u64::from(end);
        }
        // Everything up to the last batch end of what is held goes out now.
        let Some(cut) = marks.iter().rposition(|end| *end).map(|i| i + 1) else {
            if marks.len() > MAX_COPY_BATCH {
                return Err(CliError::Usage(format!(
                    "a batch of more than {MAX_COPY_BATCH} records at position {}: not copied",
                    written + 1
                )));
            }
            continue;
        };
        written = append_in_chunks(dst, written, &payloads[..cut], &marks[..cut])?;
        payloads.drain(..cut);
        marks.drain(..cut);
    }
    if !payloads.is_empty() {
        return Err(CliError::Usage(format!(
            "the source's last {} records do not end a batch: not copied",
            payloads.len()
        )));
    }
    Ok(batches)
}

/// Payload bytes per append of a copy (a batch larger than this goes alone, as it was written).
const COPY_CHUNK_BYTES: usize = 16 << 20;

/// Appends complete batches after position `written` in appends of at most [`COPY_CHUNK_BYTES`]
/// (cut at batch ends); returns the new last position.
fn append_in_chunks(
    dst: &dyn MarkedJournal,
    mut written: u64,
    payloads: &[Vec<u8>],
    marks: &[bool],
) -> Result<u64, CliError> {
    let (mut start, mut bytes, mut cut) = (0usize, 0usize, 0usize);
    for (i, (payload, end)) in payloads.iter().zip(marks).enumerate() {
        bytes += payload.len();
        if *end {
            if bytes > COPY_CHUNK_BYTES && cut > start {
                dst.append_marked(Seq(written), &payloads[start..cut], &marks[start..cut])?;
                written += (cut - start) as u64;
                bytes = payloads[cut..=i].iter().map(Vec::len).sum();
                start = cut;
            }
            cut = i + 1;
        }
    }
    if cut > start {
        dst.append_marked(Seq(written), &payloads[start..cut], &marks[start..cut])?;
        written += (cut - start) as u64;
    }
    Ok(written)
}

/// The first difference between the records of two journals (positions, payload CRCs, batch
/// marks), read side by side in pages; `None` if they are the same.
fn first_record_difference(
    a: &dyn MarkedJournal,
    b: &dyn MarkedJournal,
) -> Result<Option<String>, CliError> {
    let mut next = 1u64;
    loop {
        let (pa, pb) = (
            a.read_marked(Seq(next), PAGE)?,
            b.read_marked(Seq(next), PAGE)?,
        );
        for ((ra, ea), (rb, eb)) in pa.iter().zip(&pb) {
            let (ca, cb) = (crc32fast::hash(&ra.payload), crc32fast::hash(&rb.payload));
            if ra.seq != rb.seq || ca != cb || ea != eb {
                return Ok(Some(format!(
                    "record {}: position {} / {}, payload CRC {ca:08x} / {cb:08x}, batch end {ea} / {eb}",
                    next, ra.seq, rb.seq
                )));
            }
            next += 1;
        }
        if pa.len() != pb.len() {
            let only = if pa.len() > pb.len() {
                "the source"
            } else {
                "the copy"
            };
            return Ok(Some(format!("record {next} is in {only} only")));
        }
        if pa.is_empty() {
            return Ok(None);
        }
    }
}

/// Replays both journals from their records alone and compares the states (and, for
/// applications, the statistics block). `None` if the journal holds no known workflow; else the
/// workflow, the instance count and the difference found, if any.
fn compare_replays(
    a: Arc<dyn Journal>,
    b: Arc<dyn Journal>,
) -> Result<Option<(String, usize, Option<String>)>, CliError> {
    let options = || EngineOptions {
        use_snapshot: false,
        ..EngineOptions::default()
    };
    let name = workflow_name(a.as_ref())?;
    let (n, difference) = match name.as_deref() {
        Some("basvuru") => {
            let def = ApplicationWorkflow::default;
            let ea = Engine::open(def(), a, NullSink, options())?;
            let eb = Engine::open(def(), b, NullSink, options())?;
            let difference = if ea.states() != eb.states() {
                Some("the states differ".to_string())
            } else if ea.statistics().to_string() != eb.statistics().to_string() {
                Some("the statistics blocks differ".to_string())
            } else {
                None
            };
            (ea.len(), difference)
        }
        Some("personel") => {
            let def = PersonnelWorkflow::default;
            let ea = Engine::open(def(), a, NullSink, options())?;
            let eb = Engine::open(def(), b, NullSink, options())?;
            let difference = (ea.states() != eb.states()).then(|| "the states differ".to_string());
            (ea.len(), difference)
        }
        _ => return Ok(None),
    };
    Ok(name.map(|name| (name, n, difference)))
}

/// Copies one source to one destination and checks the copy.
fn copy_one(pair: &CopyPair, replace: bool, io: &mut Io<'_>) -> CliResult {
    writeln!(
        io.stdout,
        "copy: {} -> {}",
        shown(&pair.src),
        shown(&pair.dst)
    )?;
    if same_place(&pair.src, &pair.dst) {
        return Err(CliError::Usage(
            "the source and the destination are the same journal".into(),
        ));
    }
    let (code, report) = verify_source(&pair.src)?;
    if code != 0 {
        io.stdout.write_all(&report)?;
        writeln!(
            io.stdout,
            "copy: REFUSED: the source does not verify; nothing was written"
        )?;
        return Ok(1);
    }
    let src = open_source(&pair.src)?;
    let last = src.last_seq().0;
    let snapshot = src.read_snapshot()?;
    let dest = open_dest(&pair.dst, replace, src.as_ref())?;
    let result = copy_and_check(src, &dest, last, snapshot.as_ref(), io);
    match (dest, result) {
        (Dest::File { path, tmp, journal }, Ok(0)) => {
            drop(journal);
            finish_file(&tmp, &path)?;
            Ok(0)
        }
        (Dest::File { tmp, journal, .. }, other) => {
            drop(journal);
            let _ = std::fs::remove_file(FileJournal::snapshot_path_of(&tmp));
            let _ = std::fs::remove_file(&tmp);
            other
        }
        (Dest::Pg(_), other) => other,
    }
}

/// Copies, then checks; prints what it did and found.
fn copy_and_check(
    src: Arc<dyn MarkedJournal>,
    dest: &Dest,
    last: u64,
    snapshot: Option<&Snapshot>,
    io: &mut Io<'_>,
) -> CliResult {
    let dst = dest.journal();
    let batches = copy_records(src.as_ref(), dst.as_ref(), last)?;
    writeln!(io.stdout, "records: {last} in {batches} batches")?;
    match snapshot {
        Some(s) => {
            dst.write_snapshot(s)?;
            writeln!(
                io.stdout,
                "snapshot: sequence {} ({} bytes)",
                s.seq,
                s.data.len()
            )?;
        }
        None => writeln!(io.stdout, "snapshot: none")?,
    }
    let mut code = 0;
    match first_record_difference(src.as_ref(), dst.as_ref())? {
        None => writeln!(
            io.stdout,
            "check: the same {last} records (positions, payload CRCs, batch marks)"
        )?,
        Some(d) => {
            code = 1;
            writeln!(io.stdout, "check: FAILED: the records differ: {d}")?;
        }
    }
    let copied = dst.read_snapshot()?;
    if copied.as_ref() == snapshot {
        writeln!(io.stdout, "check: the same snapshot")?;
    } else {
        code = 1;
        writeln!(io.stdout, "check: FAILED: the snapshots differ")?;
    }
    let (a, b): (Arc<dyn Journal>, Arc<dyn Journal>) = (src, dst);
    match compare_replays(a, b)? {
        None => {}
        Some((name, n, None)) => writeln!(
            io.stdout,
            "check: {name}: both replay to the same states ({n} instances){}",
            if name == "basvuru" {
                " and statistics block"
            } else {
                ""
            }
        )?,
        Some((name, _, Some(d))) => {
            code = 1;
            writeln!(io.stdout, "check: FAILED: {name}: {d}")?;
        }
    }
    writeln!(
        io.stdout,
        "status: {}",
        if code == 0 { "copied" } else { "COPY DIFFERS" }
    )?;
    Ok(code)
}

/// Whether two locations are the same journal (the same file, or the same database URL and
/// stream).
fn same_place(a: &Location, b: &Location) -> bool {
    match (a, b) {
        (Location::File(x), Location::File(y)) => match (x.canonicalize(), y.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => x == y,
        },
        (Location::Pg(x), Location::Pg(y)) => x == y,
        _ => false,
    }
}

/// Makes a checked file copy durable and puts it in place: sync, then the snapshot and the
/// journal renamed over the destination's (a destination snapshot the copy has none for is
/// removed), then the folder synced.
fn finish_file(tmp: &Path, path: &Path) -> Result<(), CliError> {
    std::fs::File::open(tmp)?.sync_all()?;
    let (tmp_snapshot, snapshot) = (
        FileJournal::snapshot_path_of(tmp),
        FileJournal::snapshot_path_of(path),
    );
    if tmp_snapshot.exists() {
        std::fs::File::open(&tmp_snapshot)?.sync_all()?;
        std::fs::rename(&tmp_snapshot, &snapshot)?;
    } else {
        match std::fs::remove_file(&snapshot) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    std::fs::rename(tmp, path)?;
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        // Not every platform can open a folder to sync it; the rename is done either way.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use acikkapi_core::journal::{MemoryJournal, Record};
    use std::sync::Mutex;

    /// A memory journal that records how it was appended to.
    #[derive(Default)]
    struct Recording {
        journal: MemoryJournal,
        appends: Mutex<Vec<(u64, Vec<bool>)>>,
    }

    impl Journal for Recording {
        fn append_if(
            &self,
            expected: Option<Seq>,
            payloads: &[Vec<u8>],
        ) -> acikkapi_core::Result<Vec<Seq>> {
            self.journal.append_if(expected, payloads)
        }
        fn read_range(&self, from: Seq, limit: usize) -> acikkapi_core::Result<Vec<Record>> {
            self.journal.read_range(from, limit)
        }
        fn last_seq(&self) -> Seq {
            self.journal.last_seq()
        }
        fn write_snapshot(&self, snapshot: &Snapshot) -> acikkapi_core::Result<()> {
            self.journal.write_snapshot(snapshot)
        }
        fn read_snapshot(&self) -> acikkapi_core::Result<Option<Snapshot>> {
            self.journal.read_snapshot()
        }
    }

    impl MarkedJournal for Recording {
        /// Every record of a memory journal is read as ending its batch.
        fn read_marked(
            &self,
            from: Seq,
            limit: usize,
        ) -> acikkapi_core::Result<Vec<(Record, bool)>> {
            Ok(self
                .read_range(from, limit)?
                .into_iter()
                .map(|r| (r, true))
                .collect())
        }
        fn append_marked(
            &self,
            expected: Seq,
            payloads: &[Vec<u8>],
            batch_ends: &[bool],
        ) -> acikkapi_core::Result<()> {
            self.appends
                .lock()
                .unwrap()
                .push((expected.0, batch_ends.to_vec()));
            self.journal.append_if(Some(expected), payloads).map(|_| ())
        }
    }

    #[test]
    fn chunks_are_cut_at_batch_ends_and_a_large_batch_goes_alone() {
        let dst = Recording::default();
        let big = vec![0u8; COPY_CHUNK_BYTES - 10];
        let payloads = vec![
            b"a".to_vec(),
            big.clone(),
            big,
            b"b".to_vec(),
            b"c".to_vec(),
        ];
        let marks = [false, true, true, false, true];
        let last = append_in_chunks(&dst, 0, &payloads, &marks).unwrap();
        assert_eq!(last, 5);
        assert_eq!(
            *dst.appends.lock().unwrap(),
            [(0, vec![false, true]), (2, vec![true, false, true])]
        );
        assert_eq!(dst.last_seq(), Seq(5));
    }

    #[test]
    fn copy_records_keeps_order_and_refuses_a_source_ending_inside_a_batch() {
        let src = Recording::default();
        let payloads: Vec<Vec<u8>> = (0..(PAGE + 10) as u32)
            .map(|i| i.to_le_bytes().to_vec())
            .collect();
        src.journal.append(&payloads).unwrap();
        let dst = Recording::default();
        assert_eq!(
            copy_records(&src, &dst, src.last_seq().0).unwrap(),
            (PAGE + 10) as u64
        );
        // One append per page.
        assert_eq!(dst.appends.lock().unwrap().len(), 2);
        assert_eq!(first_record_difference(&src, &dst).unwrap(), None);
        // Copying past the source's end is refused.
        let more = Recording::default();
        assert!(matches!(
            copy_records(&src, &more, src.last_seq().0 + 1),
            Err(CliError::Usage(_))
        ));
    }
}
