//! Who sees what: access to confidential applications, the citizen's masked history, the
//! analysts' de-identified records, and the statistics block.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{ApplicationEvent, ApplicationState, ApplicationWorkflow, Outcome, Status};
use crate::application::{Application, ApplicationKind, Channel, DeidentifiedApplicant};
use crate::geo::ProvincePlate;
use crate::validate::{Problem, ProblemSummary};
use crate::workflow::StatisticsBlock;
use crate::workflow::ports::local_date;
use crate::workflow::{Actor, Engine, InstanceId};
use crate::{Error, Result};

/// Whether `actor` may see the application (the staff view): the [`Authorizer`](super::authz::Authorizer)'s
/// [`Read`](super::authz::Operation::Read) at the current time (a substitute's absence is
/// checked on today's date). Analysts never see individual applications (they get
/// [`AnalystRecord`]s).
pub(super) fn visible_to(
    authz: &super::authz::Authorizer,
    id: &InstanceId,
    s: &ApplicationState,
    actor: &Actor,
) -> bool {
    authz.permits(
        actor,
        super::authz::Operation::Read,
        super::authz::Subject::Existing(id, s),
        Utc::now(),
    )
}

/// One line of the history a citizen sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// What happened, in Turkish, without officer names, notes or applicant data.
    pub text: String,
}

/// Başvuru sorgulama: what a citizen sees for a tracking number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicHistory {
    /// The tracking number.
    pub tracking: String,
    /// Current status, in Turkish.
    pub status: String,
    /// The answer's outcome, once answered.
    pub outcome: Option<Outcome>,
    /// The answer's text, once answered.
    pub answer: Option<String>,
    /// The history.
    pub entries: Vec<PublicEntry>,
}

/// What an analyst gets for one application: no names, no ids (no tracking number either), age
/// group and gender only. Fields from the validated application are `None` for applications that
/// were never registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalystRecord {
    /// Province.
    pub province: Option<ProvincePlate>,
    /// District.
    pub district: Option<String>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Kind.
    pub kind: Option<ApplicationKind>,
    /// Category code.
    pub category: Option<String>,
    /// Status.
    pub status: Status,
    /// Outcome, once answered.
    pub outcome: Option<Outcome>,
    /// Day of receipt (Turkey).
    pub received_on: NaiveDate,
    /// Day of the answer (Turkey).
    pub answered_on: Option<NaiveDate>,
    /// Whether it went past the deadline.
    pub overdue: bool,
    /// Times returned by officers.
    pub returns: u32,
    /// Special (özellikli).
    pub special: bool,
    /// OHAL related.
    pub ohal: bool,
    /// Age group, gender, foreigner: nothing else of the applicant.
    pub applicant: Option<DeidentifiedApplicant>,
    /// Why it was not processed, as field and kind only (nothing the applicant wrote): for
    /// grouping rejections by field. Empty unless not processed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ProblemSummary>,
}

fn public_text(event: &ApplicationEvent) -> Option<String> {
    use ApplicationEvent as E;
    Some(match event {
        E::Received { .. } => "Başvurunuz alındı.".to_owned(),
        // The day the citizen reads is the Turkish calendar day of the deadline.
        E::Registered { deadline, .. } => format!(
            "Başvurunuz kaydedildi. Cevap için son gün: {}.",
            local_date(*deadline).format("%d.%m.%Y")
        ),
        E::DeadlineSet { deadline, .. } => format!(
            "Cevap için son gün {} olarak belirlendi.",
            local_date(*deadline).format("%d.%m.%Y")
        ),
        E::NotProcessed { problems } => {
            let reasons: Vec<String> = problems.iter().map(ToString::to_string).collect();
            format!("Başvurunuz işleme alınmadı: {}.", reasons.join("; "))
        }
        E::Redirected { to, .. } => format!("Başvurunuz {to} kurumuna yönlendirildi."),
        E::Routed { assignment } => {
            format!("Başvurunuz {} birimine iletildi.", assignment.unit_name)
        }
        E::Returned { .. } => {
            "Başvurunuz yeniden değerlendirilmek üzere Açık Kapı Bürosuna döndü.".to_owned()
        }
        E::Answered { answer } => {
            format!(
                "Başvurunuz {} olarak cevaplandı.",
                answer.outcome.label_tr()
            )
        }
        E::Closed { .. } => "Başvurunuz sonuçlandırıldı.".to_owned(),
        E::ApprovalRequested { .. }
        | E::Approved { .. }
        | E::SentBack { .. }
        | E::Recategorised { .. }
        | E::NoteAdded { .. }
        | E::ReminderSent { .. }
        | E::MarkedOverdue { .. }
        | E::Escalated { .. } => return None,
    })
}

impl Engine<ApplicationWorkflow> {
    /// Başvuru sorgulama: the public, masked history for a tracking number. Confidential
    /// applications are tracked too (the citizen holds the number), with the same masking.
    pub fn track(&self, tracking: &str) -> Result<PublicHistory> {
        let inst = self
            .instance(&InstanceId::new(tracking))
            .ok_or_else(|| Error::UnknownInstance(tracking.to_owned()))?;
        Ok(PublicHistory {
            tracking: tracking.to_owned(),
            status: inst.state.status.name_tr().to_owned(),
            outcome: inst.state.answer.as_ref().map(|a| a.outcome),
            answer: inst.state.answer.as_ref().map(|a| a.text.clone()),
            entries: inst
                .history
                .iter()
                .filter_map(|e| public_text(&e.event).map(|text| PublicEntry { at: e.at, text }))
                .collect(),
        })
    }

    /// De-identified records of every application, for analysts: the
    /// [`Authorizer`](super::authz::Authorizer)'s [`Statistics`](super::authz::Operation::Statistics).
    pub fn analyst_records(&self, actor: &Actor) -> Result<Vec<AnalystRecord>> {
        super::authz::Authorizer::new().check(
            actor,
            super::authz::Operation::Statistics,
            super::authz::Subject::All,
            Utc::now(),
        )?;
        let mut out: Vec<AnalystRecord> = self
            .instances()
            .map(|(_, inst)| {
                let s = &inst.state;
                let app = s.application.as_ref();
                AnalystRecord {
                    province: app.map(|a| a.location.province),
                    district: app.map(|a| a.location.district.clone()),
                    channel: app.map(|a| a.channel),
                    kind: app.map(|a| a.kind),
                    category: s.category.clone(),
                    status: s.status,
                    outcome: s.answer.as_ref().map(|a| a.outcome),
                    received_on: local_date(s.received_at),
                    answered_on: s.answer.as_ref().map(|a| local_date(a.at)),
                    overdue: s.overdue,
                    returns: s.returns,
                    special: s.special(),
                    ohal: app.map_or(s.input.ohal.unwrap_or(false), |a| a.flags.ohal),
                    applicant: app.map(Application::deidentified_applicant),
                    problems: s.problems.iter().map(Problem::summary).collect(),
                }
            })
            .collect();
        // Sorted by content, not by id, so the order gives nothing away either.
        out.sort_by(|a, b| {
            (a.received_on, &a.category, &a.district).cmp(&(
                b.received_on,
                &b.category,
                &b.district,
            ))
        });
        Ok(out)
    }

    /// The statistics block (Toplam Başvuru Sayısı, Sonuçlandırılan, …) counted from the current
    /// states: the same [`StatisticsBlock`] the statistics module builds from the histories
    /// (property-tested to agree).
    pub fn statistics(&self) -> StatisticsBlock {
        let mut st = StatisticsBlock::default();
        for (_, inst) in self.instances() {
            let s = &inst.state;
            st.received += 1;
            match (s.status, s.answer.as_ref().map(|a| a.outcome)) {
                (Status::Answered | Status::Closed, Some(o)) => {
                    st.concluded += 1;
                    match o {
                        Outcome::Positive => st.positive += 1,
                        Outcome::Negative => st.negative += 1,
                        Outcome::PartlyPositive => st.partly_positive += 1,
                    }
                }
                (Status::Closed, None) => {
                    st.concluded += 1;
                    st.closed += 1;
                }
                (Status::NotProcessed, _) => st.not_processed += 1,
                (Status::Redirected, _) => st.redirected += 1,
                _ => st.pending += 1,
            }
        }
        st
    }

    /// Open applications past their deadline (İşlem Yapılmayı Bekleyen, süresi geçmiş).
    pub fn overdue_pending(&self) -> u64 {
        self.instances()
            .filter(|(_, i)| i.state.status.is_open() && i.state.overdue)
            .count() as u64
    }
}
