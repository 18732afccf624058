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
//! | not processed | `NotProcessed { reasons }` |
//! | redirected | `Redirected` |
//! | answered, closed after an answer (citizen informed) | `Answered { outcome }` |
//! | closed without an answer (cannot happen in today's workflow) | `Closed` |
//!
//! Other fields: the category (and with it the heading and the institution type, from the
//! taxonomy) is the citizen's proposal from the intake when it is a known category, then the one
//! given at registration or recategorisation; the unit is the last routing's unit, and every
//! routing after the first counts as a re-route; escalations count `Escalated` events; `overdue`
//! is set by `MarkedOverdue` or by an answer after the deadline date; the age group comes from the
//! birth year at receipt (never stored); business days to answer count the business days after
//! the receipt date up to and including the answer date (0 = answered the day it came), on the
//! engine's calendar.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use super::projection::Projection;
use super::record::{AgeGroup, ApplicationRecord, Channel, Gender, Kind, Outcome, Status};
use super::report::{Report, ReportOptions};
use crate::error::{Error, Result};
use crate::geo::ProvincePlate;
use crate::journal::{FileJournal, FileJournalOptions};
use crate::taxonomy::{CategoryCode, Taxonomy};
use crate::workflow::application::{self as wf, ApplicationEvent, ApplicationWorkflow, Intake};
use crate::workflow::ports::{BusinessCalendar, MemorySink, local_date};
use crate::workflow::{Engine, EngineOptions, Envelope};

fn bad(instance: &str, message: impl Into<String>) -> Error {
    Error::Projection {
        instance: instance.to_string(),
        message: message.into(),
    }
}

fn istanbul(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    // +03:00 is a valid offset; Türkiye has kept it all year since 2016.
    let offset = FixedOffset::east_opt(3 * 3600).unwrap_or_else(|| chrono::Offset::fix(&Utc));
    at.with_timezone(&offset)
}

fn kind(k: wf::Kind) -> Kind {
    match k {
        wf::Kind::Complaint => Kind::Sikayet,
        wf::Kind::Request => Kind::Talep,
        wf::Kind::Tip => Kind::Ihbar,
    }
}

fn channel(c: wf::Channel) -> Channel {
    match c {
        wf::Channel::InPerson => Channel::YuzYuze,
        wf::Channel::Phone => Channel::Telefon,
        wf::Channel::Petition => Channel::Dilekce,
        wf::Channel::Email => Channel::EPosta,
        wf::Channel::Web => Channel::EDevlet,
    }
}

fn gender(g: wf::Gender) -> Option<Gender> {
    match g {
        wf::Gender::Female => Some(Gender::Kadin),
        wf::Gender::Male => Some(Gender::Erkek),
        wf::Gender::Unspecified => None,
    }
}

fn outcome(o: wf::Outcome) -> Outcome {
    match o {
        wf::Outcome::Positive => Outcome::Olumlu,
        wf::Outcome::Negative => Outcome::Olumsuz,
        wf::Outcome::PartlyPositive => Outcome::KismenOlumlu,
    }
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

fn received(instance: &str, intake: &Intake, at: DateTime<Utc>) -> Result<ApplicationRecord> {
    let province = ProvincePlate::new(intake.province)
        .map_err(|e| bad(instance, format!("il plakası: {e}")))?;
    let age_group = intake
        .applicant
        .birth_year
        .and_then(|y| AgeGroup::of_age(chrono::Datelike::year(&local_date(at)) - i32::from(y)));
    let mut r = ApplicationRecord {
        tracking_number: instance.to_string(),
        kind: kind(intake.kind),
        channel: channel(intake.channel),
        heading: None,
        category: None,
        province,
        district: intake.district.clone(),
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
        gender: gender(intake.applicant.gender),
    };
    if let Some(c) = &intake.category {
        classify(&mut r, c);
    }
    Ok(r)
}

/// Business days after `from` up to and including `to` (0 when `to <= from`).
pub fn business_days_between(
    cal: &dyn BusinessCalendar,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<u32> {
    let mut n = 0u32;
    let mut d = from;
    while d < to {
        d = d.succ_opt().ok_or(Error::DateOutOfRange {
            date: d,
            supported: i32::MIN..=i32::MAX,
        })?;
        if cal.is_business_day(d)? {
            n += 1;
        }
    }
    Ok(n)
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
        (None, E::Received { intake, at, .. }) => return received(id, intake, *at),
        (Some(_), E::Received { .. }) => return Err(bad(id, "ikinci kez alındı olayı")),
        (None, _) => return Err(bad(id, "ilk olay 'received' değil")),
        (Some(r), _) => r,
    };
    match &env.event {
        E::Received { .. } => {}
        E::Registered { category, deadline } => {
            classify(&mut r, category);
            r.deadline = Some(local_date(*deadline));
        }
        E::NotProcessed { reasons } => {
            r.status = Status::NotProcessed {
                reasons: reasons.clone(),
            }
        }
        E::Redirected { .. } => r.status = Status::Redirected,
        E::Routed { assignment } => {
            if r.unit_id.is_some() {
                r.reroutes += 1;
            }
            r.unit_id = Some(assignment.unit.clone());
        }
        E::Recategorised { category } => classify(&mut r, category),
        E::Answered { answer } => {
            r.status = Status::Answered {
                outcome: outcome(answer.outcome),
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

/// Opens an application-workflow journal read-only (snapshot + records, nothing is written) and
/// returns the records of its applications, folded on the public-sector calendar.
pub fn records_from_journal(path: &Path) -> Result<Vec<ApplicationRecord>> {
    let journal = FileJournal::open(
        path,
        FileJournalOptions {
            read_only: true,
            ..FileJournalOptions::default()
        },
    )?;
    let engine = Engine::open(
        ApplicationWorkflow::default(),
        Arc::new(journal),
        MemorySink::new(),
        EngineOptions::default(),
    )?;
    records_from_engine(&engine)
}

/// The report over an application-workflow journal file (see [`records_from_journal`]).
pub fn report_from_journal(path: &Path, opts: &ReportOptions) -> Result<Report> {
    let records = records_from_journal(path)?;
    Ok(super::report(&records, opts))
}
