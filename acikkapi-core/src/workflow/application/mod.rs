//! Başvuru süreci: the Açık Kapı application workflow, built in.
//!
//! ```text
//! received ─register─▶ registered ─route─▶ routed ─answer─▶ answered ─close─▶ closed
//!    │  │                 │   ▲  │ (special: ─route─▶ awaiting_approval ─approve─▶ routed;
//!    │  │                 │   │  │   awaiting_approval ─send back─▶ registered)
//!    │  │                 │   │  └─return (iade)─▶ returned ─route / recategorise─┘
//!    │  └─register (invalid)─▶ not_processed
//!    └──────redirect──────┴─▶ redirected
//! ```
//!
//! Timers (business days, on the engine's calendar): a reminder to the officer
//! [`ApplicationConfig::reminder_before`] business days before the deadline (at the start of that
//! day), the overdue mark at the deadline itself (end of office hours of the last business day),
//! and an escalation up the chain (at the start of the day) every
//! [`ApplicationConfig::escalate_every`] business days after it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod authz;
mod decide;
mod fold;
mod intake;
pub mod legacy;
mod upcast;
mod view;

pub use intake::{StandardValidator, Validator};
pub use view::{AnalystRecord, PublicEntry, PublicHistory};

use super::ports::{self, Notification};
use super::{Actor, Envelope, Timer, WorkflowDefinition};
use crate::Result;
use crate::application::{Application, ApplicationInput};
use crate::notify::{SmsStage, SmsTemplates};
use crate::org::{OfficerId, UnitId};
use crate::validate::Problem;

/// Sonuç: how an answer came out (olumlu, olumsuz, kısmen olumlu); the domain's type.
pub use crate::application::Outcome;

/// Görevlendirme: where an application is routed: the institution's unit and its officer.
///
/// Access decisions compare the ids ([`unit`](Self::unit), [`officer`](Self::officer),
/// [`escalation`](Self::escalation)); the display names are recorded next to them as they were
/// told to the citizen (the SMS and the public history say "… birimine iletildi" with the name the
/// unit had then: an event records a fact as it was, and a unit renamed later must not rewrite
/// what the citizen was told).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// The unit, e.g. `20.PAMUKKALE.MEB`.
    pub unit: UnitId,
    /// The unit's name as shown to the citizen, e.g. `"Pamukkale İlçe Milli Eğitim Müdürlüğü"`.
    pub unit_name: String,
    /// The officer (never shown to the citizen).
    pub officer: OfficerId,
    /// The escalation chain decided with the routing (first step up first), e.g. from
    /// [`Decision::escalation`](crate::routing::Decision::escalation); empty: the engine's
    /// [`EscalationChain`](crate::workflow::ports::EscalationChain) decides.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub escalation: Vec<UnitId>,
    /// The names of [`escalation`](Self::escalation)'s units as recorded (same length), for the
    /// escalation notices.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub escalation_names: Vec<String>,
    /// The answer deadline decided with the routing, in business days counted from receipt, e.g.
    /// [`Decision::deadline_days`](crate::routing::Decision::deadline_days) (5 or 3 for special
    /// applications, or a rule script's `.deadline(n)`). `None`: the engine's
    /// [`ApplicationConfig::answer_days`]. Routing may shorten the deadline, never lengthen it:
    /// the engine uses `min(deadline_days, answer_days)` and records the change as
    /// [`ApplicationEvent::DeadlineSet`]. `Some(0)` is refused (`Error::GuardFailed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline_days: Option<u32>,
}

impl<'de> Deserialize<'de> for Assignment {
    /// Reads today's shape, and the shape of journals written before assignments kept ids
    /// (`unit` and `escalation` as display names): see the [`legacy`] module.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let w = legacy::AssignmentWire::deserialize(d)?;
        legacy::assignment(w).map_err(serde::de::Error::custom)
    }
}

impl Assignment {
    /// The assignment a routing decision makes, with unit names from `unit_name` (the names are
    /// what the citizen sees; ids decide access). `None` when the decision does not route
    /// (redirect, reject).
    ///
    /// ```
    /// use acikkapi_core::geo::ProvincePlate;
    /// use acikkapi_core::routing::{RouteRequest, Router};
    /// use acikkapi_core::taxonomy::CategoryCode;
    /// use acikkapi_core::workflow::application::Assignment;
    ///
    /// let denizli = ProvincePlate::new(20).unwrap();
    /// let router = Router::for_province(denizli).unwrap();
    /// let mut req = RouteRequest::new(
    ///     CategoryCode::parse("SAGLIK.DIGER").unwrap(),
    ///     denizli,
    ///     "Merkezefendi",
    ///     chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
    /// );
    /// req.special = true;
    /// let decision = router.route(&req).unwrap();
    /// let a = Assignment::from_decision(&decision, |u| router.unit_name(u)).unwrap();
    /// assert_eq!(a.deadline_days, Some(5)); // special: 5 business days
    /// assert_eq!(a.escalation.last().unwrap().as_str(), "20.VALILIK");
    /// assert_eq!(a.escalation_names.last().unwrap(), "Denizli Valiliği");
    /// ```
    pub fn from_decision(
        decision: &crate::routing::Decision,
        unit_name: impl Fn(&UnitId) -> String,
    ) -> Option<Assignment> {
        match &decision.target {
            crate::routing::Target::Route { unit, officer } => {
                Some(Self::routed(decision, unit, officer, unit_name))
            }
            _ => None,
        }
    }

    /// The assignment to `unit` and `officer` (the decision's [`Target::Route`](crate::routing::Target::Route))
    /// with the decision's escalation chain and deadline, for callers that already matched the target.
    pub fn routed(
        decision: &crate::routing::Decision,
        unit: &UnitId,
        officer: &OfficerId,
        unit_name: impl Fn(&UnitId) -> String,
    ) -> Assignment {
        Assignment {
            unit: unit.clone(),
            unit_name: unit_name(unit),
            officer: officer.clone(),
            escalation: decision.escalation.clone(),
            escalation_names: decision.escalation.iter().map(&unit_name).collect(),
            deadline_days: Some(decision.deadline_days),
        }
    }
}

/// Cevap: the officer's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// Outcome.
    pub outcome: Outcome,
    /// The text sent to the citizen.
    pub text: String,
    /// When it was given.
    pub at: DateTime<Utc>,
}

/// Durum: where an application is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Alındı: received, not yet checked.
    Received,
    /// Kaydedildi: checked and registered, to be routed.
    Registered,
    /// İşleme alınmadı: refused with reasons (terminal).
    NotProcessed,
    /// Yönlendirildi: sent to another authority (terminal).
    Redirected,
    /// Onay bekliyor: a special application waiting for the vali/kaymakam.
    AwaitingApproval,
    /// Yetkiliye iletildi: with the officer.
    Routed,
    /// İade edildi: returned by the officer as "not ours".
    Returned,
    /// Cevaplandı: answered, citizen not yet informed.
    Answered,
    /// Kapandı: citizen informed (terminal).
    Closed,
}

impl Status {
    /// Every status in lifecycle order.
    pub const ALL: [Status; 9] = [
        Status::Received,
        Status::Registered,
        Status::NotProcessed,
        Status::Redirected,
        Status::AwaitingApproval,
        Status::Routed,
        Status::Returned,
        Status::Answered,
        Status::Closed,
    ];

    /// snake_case name (as in JSON).
    pub fn name(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Registered => "registered",
            Status::NotProcessed => "not_processed",
            Status::Redirected => "redirected",
            Status::AwaitingApproval => "awaiting_approval",
            Status::Routed => "routed",
            Status::Returned => "returned",
            Status::Answered => "answered",
            Status::Closed => "closed",
        }
    }

    /// Turkish name, as shown to citizens.
    pub fn name_tr(self) -> &'static str {
        match self {
            Status::Received => "Alındı",
            Status::Registered => "Kaydedildi",
            Status::NotProcessed => "İşleme alınmadı",
            Status::Redirected => "Başka kuruma yönlendirildi",
            Status::AwaitingApproval => "İnceleniyor",
            Status::Routed => "İlgili birimde",
            Status::Returned => "İnceleniyor",
            Status::Answered => "Cevaplandı",
            Status::Closed => "Sonuçlandı",
        }
    }

    /// Whether nothing more can happen.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::NotProcessed | Status::Redirected | Status::Closed
        )
    }

    /// Whether the deadline timers run (registered and not yet answered).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Registered | Status::AwaitingApproval | Status::Routed | Status::Returned
        )
    }
}

/// The state of one application: a fold of its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationState {
    /// Where it is.
    pub status: Status,
    /// What the bureau took in (the raw form).
    pub input: ApplicationInput,
    /// The valid, normalised application, once registered.
    pub application: Option<Application>,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// The bureau unit that received and registered it, as recorded (its name or id).
    pub bureau: String,
    /// The bureau unit's id (`None` only for applications received before ids were recorded
    /// and not upcast).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bureau_unit: Option<UnitId>,
    /// The category it is handled under (from registration, changed by recategorisation).
    pub category: Option<String>,
    /// Why it was not processed: every problem the check found (Turkish via `Display`, see
    /// [`reasons_tr`](Self::reasons_tr)).
    pub problems: Vec<Problem>,
    /// The authority it was redirected to.
    pub redirected_to: Option<String>,
    /// Son gün: when the answer is due (end of office hours of the last business day).
    pub deadline: Option<DateTime<Utc>>,
    /// The current assignment (also kept after the answer).
    pub assignment: Option<Assignment>,
    /// A routing waiting for the vali/kaymakam's approval.
    pub pending: Option<Assignment>,
    /// How many times officers returned it (iade).
    pub returns: u32,
    /// The answer.
    pub answer: Option<Answer>,
    /// When the citizen was informed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Whether the reminder was sent.
    pub reminded: bool,
    /// Whether it is marked overdue (gecikmiş).
    pub overdue: bool,
    /// Escalation levels reached so far.
    pub escalations: u32,
    /// Internal notes (never shown to citizens or analysts).
    pub notes: Vec<String>,
}

/// Komut: what bureau staff, officers and the vali do with an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationCommand {
    /// Başvuru al (bureau): creates the application.
    Receive {
        /// The submission, as taken in.
        input: Box<ApplicationInput>,
    },
    /// Kaydet (bureau): checks the submission; registered, or not processed with the reasons.
    Register,
    /// Yönlendir (bureau): send to another authority (CİMER, judiciary, …) instead.
    Redirect {
        /// The authority.
        to: String,
        /// Why.
        reason: String,
    },
    /// Yetkiliye ilet (bureau): route to an officer; special applications wait for approval.
    Route {
        /// Where.
        assignment: Assignment,
    },
    /// Onayla (vali/kaymakam): approve the routing of a special application.
    Approve,
    /// Geri gönder (vali, vali yardımcısı, kaymakam): refuse the proposed routing of a special
    /// application; it goes back to the bureau (registered) to be routed again.
    SendBack {
        /// Why (internal).
        reason: String,
    },
    /// İade et (the assigned officer): "not ours".
    Return {
        /// Why.
        reason: String,
    },
    /// Yeniden sınıflandır (bureau): a new category; the application goes back to registered.
    Recategorise {
        /// The new category code.
        category: String,
    },
    /// Cevapla (the assigned officer).
    Answer {
        /// Outcome.
        outcome: Outcome,
        /// Text for the citizen.
        text: String,
    },
    /// Kapat (bureau): the citizen was informed of the answer.
    Close,
    /// Not ekle (anyone who may see it): an internal note.
    AddNote {
        /// The note.
        text: String,
    },
}

impl ApplicationCommand {
    /// The operation of the permission policy this command is ([`authz::Operation`]).
    pub fn operation(&self) -> authz::Operation {
        decide::operation(self)
    }
}

/// Olay: what happened to an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationEvent {
    /// Alındı.
    Received {
        /// The submission, as taken in.
        input: Box<ApplicationInput>,
        /// When.
        at: DateTime<Utc>,
        /// The receiving bureau, as recorded: its name (older journals) or its id.
        bureau: String,
        /// The receiving bureau's unit id (absent in older journals).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bureau_unit: Option<UnitId>,
    },
    /// Kaydedildi: the validated application (tracking number set) and the deadline computed on
    /// the calendar.
    Registered {
        /// The application.
        application: Box<Application>,
        /// When the answer is due (end of office hours of the last business day).
        deadline: DateTime<Utc>,
    },
    /// İşleme alınmadı.
    NotProcessed {
        /// Why: every problem the check found, structured (field and kind); rendered to
        /// Turkish when shown. Schema-1 journals stored Turkish sentences (`reasons`): they are
        /// upcast to [`Problem::from_legacy_text`].
        problems: Vec<Problem>,
    },
    /// Yönlendirildi.
    Redirected {
        /// The authority.
        to: String,
        /// Why.
        reason: String,
    },
    /// Süre belirlendi: the routing set another answer deadline (a special application's
    /// shorter one, a rule's `.deadline(n)`, or back to the general one after a re-routing).
    /// Recorded before the `ApprovalRequested` or `Routed` event of the same routing.
    DeadlineSet {
        /// When the answer is now due (end of office hours of the last business day).
        deadline: DateTime<Utc>,
        /// The business days counted from receipt.
        days: u32,
    },
    /// A special application's routing waits for approval.
    ApprovalRequested {
        /// The proposed assignment.
        assignment: Assignment,
    },
    /// The vali/kaymakam approved.
    Approved {
        /// The approving office.
        by: String,
    },
    /// The vali/kaymakam sent the proposed routing back to the bureau.
    SentBack {
        /// Why (internal).
        reason: String,
    },
    /// İletildi.
    Routed {
        /// Where.
        assignment: Assignment,
    },
    /// İade edildi.
    Returned {
        /// Why (internal).
        reason: String,
    },
    /// Yeniden sınıflandırıldı.
    Recategorised {
        /// The new category.
        category: String,
    },
    /// Cevaplandı.
    Answered {
        /// The answer.
        answer: Answer,
    },
    /// Kapandı: the citizen was informed.
    Closed {
        /// When.
        at: DateTime<Utc>,
    },
    /// An internal note.
    NoteAdded {
        /// The note.
        text: String,
    },
    /// Hatırlatma: the officer was reminded of the deadline.
    ReminderSent {
        /// The deadline.
        deadline: DateTime<Utc>,
    },
    /// Gecikti: the deadline passed without an answer.
    MarkedOverdue {
        /// The deadline.
        deadline: DateTime<Utc>,
    },
    /// Üst makama bildirildi.
    Escalated {
        /// Level (1 = first step up).
        level: u32,
        /// The post told.
        to: String,
    },
}

/// Business-day settings of the application workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationConfig {
    /// Business days to answer (cevap süresi).
    pub answer_days: u32,
    /// Remind the officer this many business days before the deadline (0 = no reminder).
    pub reminder_before: u32,
    /// Escalate every this many business days after the deadline (0 = never).
    pub escalate_every: u32,
    /// Stop after this many escalation levels.
    pub max_escalations: u32,
}

impl Default for ApplicationConfig {
    /// 7 business days to answer, reminder 2 business days before, escalation every 2 business
    /// days after the deadline, up to 3 levels.
    fn default() -> Self {
        ApplicationConfig {
            answer_days: crate::ANSWER_DAYS,
            reminder_before: 2,
            escalate_every: 2,
            max_escalations: 3,
        }
    }
}

/// The Açık Kapı application workflow: configuration plus the validator used at registration.
#[derive(Clone)]
pub struct ApplicationWorkflow {
    /// Business-day settings.
    pub config: ApplicationConfig,
    /// Checks a submission at registration.
    pub validator: Arc<dyn Validator>,
    /// SMS texts.
    pub templates: SmsTemplates,
    /// The permission policy every command's guards ask (and the application service's reads).
    pub authorizer: authz::Authorizer,
}

impl Default for ApplicationWorkflow {
    fn default() -> Self {
        ApplicationWorkflow {
            config: ApplicationConfig::default(),
            validator: Arc::new(StandardValidator),
            templates: SmsTemplates::embedded(),
            authorizer: authz::Authorizer::new(),
        }
    }
}

impl std::fmt::Debug for ApplicationWorkflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationWorkflow")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ApplicationWorkflow {
    /// A workflow with the given settings and the default validator.
    pub fn with_config(config: ApplicationConfig) -> Self {
        ApplicationWorkflow {
            config,
            ..ApplicationWorkflow::default()
        }
    }
}

impl ApplicationState {
    /// Why it was not processed, one Turkish sentence per problem (empty unless not processed).
    pub fn reasons_tr(&self) -> Vec<String> {
        self.problems.iter().map(ToString::to_string).collect()
    }

    /// Özellikli: from the application once registered, else from the form.
    pub fn special(&self) -> bool {
        self.application
            .as_ref()
            .map_or(self.input.special.unwrap_or(false), |a| a.flags.special)
    }

    /// Gizli: from the application once registered, else from the form.
    pub fn confidential(&self) -> bool {
        self.application
            .as_ref()
            .map_or(self.input.confidential.unwrap_or(false), |a| {
                a.flags.confidential
            })
    }
}

impl WorkflowDefinition for ApplicationWorkflow {
    type State = ApplicationState;
    type Command = ApplicationCommand;
    type Event = ApplicationEvent;

    fn name(&self) -> &'static str {
        "basvuru"
    }

    fn decide(
        &self,
        state: Option<&ApplicationState>,
        command: &ApplicationCommand,
        ctx: &super::Context<'_>,
    ) -> Result<Vec<ApplicationEvent>> {
        decide::decide(self, state, command, ctx)
    }

    fn apply(
        &self,
        state: Option<ApplicationState>,
        event: &ApplicationEvent,
    ) -> Result<ApplicationState> {
        fold::apply(state, event)
    }

    fn status(&self, state: &ApplicationState) -> &'static str {
        state.status.name()
    }

    fn statuses(&self) -> &'static [&'static str] {
        &[
            "received",
            "registered",
            "not_processed",
            "redirected",
            "awaiting_approval",
            "routed",
            "returned",
            "answered",
            "closed",
        ]
    }

    fn next_timer(
        &self,
        state: &ApplicationState,
        calendar: &dyn ports::BusinessCalendar,
    ) -> Option<Timer> {
        decide::next_timer(&self.config, state, calendar)
    }

    fn on_timer(
        &self,
        state: &ApplicationState,
        timer: &Timer,
        ctx: &super::Context<'_>,
    ) -> Result<Vec<ApplicationEvent>> {
        decide::on_timer(state, timer, ctx)
    }

    /// SMS at registration, routing and answer, to the registered phone number. Key:
    /// `<tracking>/<stage>/<version>` (a re-routing is a new message). The texts cannot fail to
    /// render: [`SmsTemplates`] checks every stage when it is parsed.
    fn notifications(
        &self,
        envelope: &Envelope<ApplicationEvent>,
        state: &ApplicationState,
    ) -> Vec<Notification> {
        let Some(app) = &state.application else {
            return Vec::new();
        };
        let tracking = envelope.instance.as_str();
        let (stage, text) = match &envelope.event {
            ApplicationEvent::Registered { .. } => {
                (SmsStage::Registered, self.templates.registered(tracking))
            }
            ApplicationEvent::Routed { assignment } => (
                SmsStage::Routed,
                self.templates.routed(tracking, &assignment.unit_name),
            ),
            ApplicationEvent::Answered { answer } => (
                SmsStage::Answered,
                self.templates.answered(tracking, answer.outcome),
            ),
            _ => return Vec::new(),
        };
        vec![Notification::sms(
            format!("{tracking}/{}/{}", stage.name(), envelope.version),
            app.applicant.phone,
            text,
        )]
    }

    fn visible_to(&self, state: &ApplicationState, actor: &Actor) -> bool {
        // The trait gives no instance id: the registered tracking number stands for it (the
        // policy falls back to the application's province otherwise).
        let id = crate::workflow::InstanceId::new(
            state
                .application
                .as_ref()
                .and_then(|a| a.tracking_number.as_ref())
                .map(ToString::to_string)
                .unwrap_or_default(),
        );
        view::visible_to(&self.authorizer, &id, state, actor)
    }

    fn command_name(&self, command: &ApplicationCommand) -> String {
        decide::command_name(command).to_owned()
    }

    /// 2: *not processed* carries structured [`Problem`]s (schema 1: Turkish sentences).
    fn schema_version(&self) -> u32 {
        upcast::SCHEMA
    }

    fn upcast(&self, from: u32, envelope: serde_json::Value) -> Result<serde_json::Value> {
        upcast::upcast(from, envelope)
    }
}

#[cfg(test)]
pub(crate) mod test_actors;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_views;
