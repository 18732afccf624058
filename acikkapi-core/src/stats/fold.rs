//! From the workflow's event history to [`ApplicationRecord`]s: the projection of
//! [`ApplicationEvent`]s, one event at a time ([`step`], [`Projection::apply_event`]) or for a
//! whole history ([`fold`]), and the batch path over an engine or a journal file
//! ([`records_from_engine`], [`report_from_journal`]).
//!
//! Mapping of the workflow's lifecycle to the record's [`Status`]:
//!
//! | workflow status | record status |
//! |---|---|
//! | received, registered, awaiting approval, routed, returned | `Pending` (İşlem Yapılmayı Bekleyen) |
//! | not processed | `NotProcessed { reasons, problems }` (Turkish sentences; field and kind) |
//! | redirected | `Redirected` |
//! | answered, closed after an answer (citizen informed) | `Answered { outcome }` |
//! | closed without an answer (cannot happen in today's workflow) | `Closed` |
//!
//! Other fields: at receipt, what the unchecked form (`ApplicationInput`) gives, read leniently
//! (kind, channel, district, category when known to the taxonomy, age group from the birth year;
//! the province from the form, else from the receiving bureau's name); at registration, the
//! validated `Application` replaces them (kind, channel, location, category, de-identified age
//! group and gender). The category (and with it the heading and the institution type, from the
//! taxonomy) changes again on recategorisation; the unit is the last routing's unit, and every
//! routing after the first counts as a re-route; escalations count `Escalated` events; `overdue`
//! is set by `MarkedOverdue` or by an answer after the deadline date; the age group comes from the
//! birth year at receipt (never stored); business days to answer count the business days after
//! the receipt date up to and including the answer date (0 = answered the day it came), on the
//! engine's calendar.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

use super::projection::Projection;
use super::record::{AgeGroup, ApplicationKind, ApplicationRecord, Channel, Gender, Status};
use super::report::{Report, ReportOptions};
use crate::application::{Application, ApplicationInput, TextOrNumber};
use crate::error::{Error, Result};
use crate::geo::{Geography, ProvincePlate};
use crate::journal::{FileJournal, FileJournalOptions, Journal, RecoveryReport, Seq};
use crate::taxonomy::{CategoryCode, Taxonomy};
use crate::validate::Problem;
use crate::workflow::application::{ApplicationEvent, ApplicationWorkflow};
use crate::workflow::ports::{BusinessCalendar, MemorySink, local_date};
use crate::workflow::{Engine, EngineOptions, Envelope, SnapshotStatus, WorkflowDefinition};

fn bad(instance: &str, message: impl Into<String>) -> Error {
    Error::Projection {
        instance: instance.to_string(),
        message: message.into(),
    }
}

/// The instant with Türkiye's offset at that instant (+02:00 in winters before 2016).
fn istanbul(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    crate::time::to_local_fixed(at)
}

/// Sets category, heading and institution type from a category code known to the taxonomy;
/// an unknown code leaves the record as it was.
fn classify(r: &mut ApplicationRecord, code: &str) {
    let Ok(code) = CategoryCode::parse(code) else {
        return;
    };
    let Some(cat) = Taxonomy::embedded().category(&code) else {
        return;
    };
    r.heading = Some(cat.heading.clone());
    r.institution_type = Some(cat.institution.clone());
    r.category = Some(code);
}

/// The province of a form: its `province` field (plate or name), else a province named in the
/// receiving bureau (`"Denizli Valiliği Açık Kapı Bürosu"`).
fn province_of(input: &ApplicationInput, bureau: &str) -> Option<ProvincePlate> {
    let geo = Geography::embedded();
    let from_field = match &input.province {
        Some(TextOrNumber::Number(n)) => u8::try_from(*n)
            .ok()
            .and_then(|n| ProvincePlate::new(n).ok()),
        Some(TextOrNumber::Text(t)) => geo.find_province(t).map(|p| p.plate),
        None => None,
    };
    from_field.or_else(|| {
        bureau
            .split_whitespace()
            .find_map(|w| geo.find_province(w).map(|p| p.plate))
    })
}

/// The record of a form as received (before validation): what can be read from it leniently.
fn received(
    instance: &str,
    input: &ApplicationInput,
    at: DateTime<Utc>,
    bureau: &str,
) -> Result<ApplicationRecord> {
    let province = province_of(input, bureau)
        .ok_or_else(|| bad(instance, format!("il bilinmiyor (büro {bureau:?})")))?;
    let district = input
        .district
        .as_deref()
        .and_then(|d| Geography::embedded().district(province, d))
        .map(|d| d.name.clone());
    let birth_year = match &input.birth_year {
        Some(TextOrNumber::Number(n)) => i32::try_from(*n).ok(),
        Some(TextOrNumber::Text(t)) => t.trim().parse().ok(),
        None => None,
    };
    let age_group = birth_year
        .and_then(|y| u32::try_from(local_date(at).year() - y).ok())
        .map(AgeGroup::of_age);
    let mut r = ApplicationRecord {
        tracking_number: instance.to_string(),
        kind: input.kind.as_deref().and_then(ApplicationKind::parse),
        channel: input.channel.as_deref().and_then(Channel::parse),
        heading: None,
        category: None,
        province,
        district,
        institution_type: None,
        unit_id: None,
        received_at: istanbul(at),
        status: Status::Pending,
        deadline: None,
        answered_at: None,
        business_days_to_answer: None,
        escalations: 0,
        reroutes: 0,
        overdue: false,
        age_group,
        gender: input.gender.as_deref().and_then(Gender::parse),
    };
    if let Some(c) = &input.category {
        classify(&mut r, c);
    }
    Ok(r)
}

/// The record updated with the validated application of a registration.
fn registered(r: &mut ApplicationRecord, app: &Application) {
    let who = app.deidentified_applicant();
    r.kind = Some(app.kind);
    r.channel = Some(app.channel);
    r.province = app.location.province;
    r.district = (!app.location.district.trim().is_empty()).then(|| app.location.district.clone());
    r.age_group = who.age_group;
    r.gender = who.gender;
    classify(r, app.category.as_str());
}

/// Business days after `from` up to and including `to` (0 when `to <= from`), in O(1) through
/// the calendar port ([`BusinessCalendar::between`]).
pub fn business_days_between(
    cal: &dyn BusinessCalendar,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<u32> {
    let n = cal.between(from, to)?.max(0);
    // At most one per day between two supported dates (1981–2200: about 57,000 business days).
    u32::try_from(n).map_err(|_| Error::DateOutOfRange {
        date: to,
        supported: i32::MIN..=i32::MAX,
    })
}

/// One event applied to an application's record (`None` before its first event, which must be
/// `Received`).
pub fn step(
    record: Option<ApplicationRecord>,
    env: &Envelope<ApplicationEvent>,
    cal: &dyn BusinessCalendar,
) -> Result<ApplicationRecord> {
    use ApplicationEvent as E;
    let id = env.instance.as_str();
    let mut r = match (record, &env.event) {
        (
            None,
            E::Received {
                input, at, bureau, ..
            },
        ) => return received(id, input, *at, bureau),
        (Some(_), E::Received { .. }) => return Err(bad(id, "ikinci kez alındı olayı")),
        (None, _) => return Err(bad(id, "ilk olay 'received' değil")),
        (Some(r), _) => r,
    };
    match &env.event {
        E::Received { .. } => {}
        E::Registered {
            application,
            deadline,
        } => {
            registered(&mut r, application);
            r.deadline = Some(local_date(*deadline));
        }
        E::DeadlineSet { deadline, .. } => r.deadline = Some(local_date(*deadline)),
        E::NotProcessed { problems } => {
            r.status = Status::NotProcessed {
                reasons: problems.iter().map(ToString::to_string).collect(),
                problems: problems.iter().map(Problem::summary).collect(),
            }
        }
        E::Redirected { .. } => r.status = Status::Redirected,
        E::Routed { assignment } => {
            if r.unit_id.is_some() {
                r.reroutes += 1;
            }
            // The unit as named when routed: the reports group by the recorded name.
            r.unit_id = Some(assignment.unit_name.clone());
        }
        E::Recategorised { category } => classify(&mut r, category),
        E::Answered { answer } => {
            r.status = Status::Answered {
                outcome: answer.outcome,
            };
            r.answered_at = Some(istanbul(answer.at));
            let answered_on = local_date(answer.at);
            r.business_days_to_answer =
                Some(business_days_between(cal, r.received_date(), answered_on)?);
            if r.deadline.is_some_and(|d| answered_on > d) {
                r.overdue = true;
            }
        }
        E::Closed { .. } => {
            if !matches!(r.status, Status::Answered { .. }) {
                r.status = Status::Closed;
            }
        }
        E::MarkedOverdue { .. } => r.overdue = true,
        E::Escalated { .. } => r.escalations += 1,
        E::ApprovalRequested { .. }
        | E::Approved { .. }
        | E::SentBack { .. }
        | E::Returned { .. }
        | E::NoteAdded { .. }
        | E::ReminderSent { .. } => {}
    }
    Ok(r)
}

/// The record of one application from its whole history; `None` for an empty history.
pub fn fold<'a>(
    events: impl IntoIterator<Item = &'a Envelope<ApplicationEvent>>,
    cal: &dyn BusinessCalendar,
) -> Result<Option<ApplicationRecord>> {
    let mut r = None;
    for env in events {
        r = Some(step(r, env, cal)?);
    }
    Ok(r)
}

impl Projection {
    /// Applies one workflow event: the application's record is stepped and its old contribution
    /// replaced. Events must come in journal order.
    pub fn apply_event(
        &mut self,
        env: &Envelope<ApplicationEvent>,
        cal: &dyn BusinessCalendar,
    ) -> Result<()> {
        let current = self.get(env.instance.as_str()).cloned();
        let next = step(current, env, cal)?;
        self.upsert(next);
        Ok(())
    }
}

/// Records of every application an engine holds, by tracking number.
pub fn records_from_engine(engine: &Engine<ApplicationWorkflow>) -> Result<Vec<ApplicationRecord>> {
    let cal = engine.calendar();
    let mut out = Vec::with_capacity(engine.len());
    for (_, inst) in engine.instances() {
        if let Some(r) = fold(&inst.history, cal)? {
            out.push(r);
        }
    }
    out.sort_by(|a, b| a.tracking_number.cmp(&b.tracking_number));
    Ok(out)
}

/// Whether a file starts with the journal's magic bytes (`ACIKJRNL`).
pub fn is_journal_file(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|source| Error::JournalIo {
        path: path.to_path_buf(),
        source,
    })?;
    let mut magic = [0u8; 8];
    let mut got = 0;
    while got < magic.len() {
        let n = f
            .read(&mut magic[got..])
            .map_err(|source| Error::JournalIo {
                path: path.to_path_buf(),
                source,
            })?;
        if n == 0 {
            return Ok(false);
        }
        got += n;
    }
    Ok(magic == crate::journal::format::MAGIC)
}

/// The applications of a journal file ([`read_journal_records`]), with what the reading found
/// besides them: a torn tail left out, a snapshot not used. Show [`warnings`](Self::warnings).
#[derive(Debug, Clone)]
pub struct JournalRecords {
    /// One record per application.
    pub records: Vec<ApplicationRecord>,
    /// What opening the journal (read-only) found.
    pub recovery: RecoveryReport,
    /// How the engine used the journal's snapshot.
    pub snapshot: SnapshotStatus,
}

impl JournalRecords {
    /// What a user should be told: the torn tail that was left out, a file without a journal
    /// header, a snapshot that was refused (the records were replayed from the start instead).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(t) = &self.recovery.torn_tail {
            out.push(format!(
                "torn tail at offset {} left out ({} bytes: {}); the last sequence read is {}",
                t.offset, t.bytes, t.reason, self.recovery.last_seq
            ));
        } else if self.recovery.header_missing {
            out.push("empty file: no journal header (no records)".to_string());
        }
        if let SnapshotStatus::Rejected { reason } = &self.snapshot {
            out.push(format!(
                "snapshot not used, every record replayed instead: {reason}"
            ));
        }
        out
    }
}

/// Opens an application-workflow journal read-only (snapshot + records, nothing is written) and
/// returns the records of its applications, folded on the public-sector calendar, with what the
/// reading skipped ([`JournalRecords::warnings`]).
pub fn read_journal_records(path: &Path) -> Result<JournalRecords> {
    let journal = FileJournal::open(
        path,
        FileJournalOptions {
            read_only: true,
            ..FileJournalOptions::default()
        },
    )?;
    // A journal of another kind (the SMS outbox, another workflow) is refused up front with a
    // clear message rather than as a corrupt history.
    let workflow = ApplicationWorkflow::default();
    if let Some(first) = journal.read_range(Seq(1), 1)?.first() {
        let name = serde_json::from_slice::<serde_json::Value>(&first.payload)
            .ok()
            .and_then(|v| {
                v.get("workflow")
                    .and_then(|w| w.as_str())
                    .map(str::to_string)
            });
        if name.as_deref() != Some(workflow.name()) {
            return Err(Error::NotApplicationJournal {
                path: path.to_path_buf(),
                found: name.unwrap_or_else(|| "?".to_string()),
            });
        }
    }
    let recovery = journal.recovery().clone();
    let engine = Engine::open(
        workflow,
        Arc::new(journal),
        MemorySink::new(),
        EngineOptions::default(),
    )?;
    Ok(JournalRecords {
        records: records_from_engine(&engine)?,
        recovery,
        snapshot: engine.snapshot_status().clone(),
    })
}

/// Opens an application-workflow journal read-only (snapshot + records, nothing is written) and
/// returns the records of its applications, folded on the public-sector calendar (what the reading
/// skipped is dropped: see [`read_journal_records`] for it).
pub fn records_from_journal(path: &Path) -> Result<Vec<ApplicationRecord>> {
    read_journal_records(path).map(|r| r.records)
}

/// The report over an application-workflow journal file (see [`records_from_journal`]).
pub fn report_from_journal(path: &Path, opts: &ReportOptions) -> Result<Report> {
    let records = records_from_journal(path)?;
    Ok(super::report(&records, opts))
}
