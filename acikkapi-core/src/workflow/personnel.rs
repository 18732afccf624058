//! Personel değişikliği talebi: the personnel change request of the 2020 circular, a second
//! workflow that shows the engine is not tied to applications.
//!
//! The rules (Açık Kapı circular, 2020):
//! * staff trained for Açık Kapı may not be reassigned (görev yeri değişikliği) or given extra
//!   duties (ek görev) unless they are under investigation (soruşturma);
//! * an unavoidable cancellation of an Açık Kapı assignment, and the appointment of a new branch
//!   manager (şube müdürü), first need the opinion (görüş) of Strateji Geliştirme Başkanlığı.
//!
//! ```text
//! submit ─▶ requested ───────────────────────────────▶ approve / reject ─▶ approved / rejected
//!   └─(cancellation, branch manager)─▶ awaiting_opinion ─opinion─▶ opinion_given ─▶ approve / reject
//! any open state ─withdraw─▶ withdrawn
//! ```
//!
//! Timer: when the opinion has not come within [`PersonnelWorkflow::opinion_days`] business days
//! (same deadline rule as applications), the request is marked late once (`opinion_late`).
//!
//! Access: who may raise, give the opinion, decide, withdraw and read is the table of [`policy`],
//! asked by the guards here and by every method of
//! [`service::Personnel`](crate::service::Personnel).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ports;
use super::{Context, Timer, WorkflowDefinition};
use crate::org::UnitId;
use crate::{Error, Result};

pub mod policy;

use policy::PersonnelOperation;

/// Talep türü.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Görev yeri değişikliği: moving the person to another post.
    Reassignment,
    /// Ek görev: an extra duty besides Açık Kapı.
    ExtraDuty,
    /// Görevlendirmenin iptali: ending the Açık Kapı assignment (only when unavoidable).
    CancelAssignment,
    /// Şube müdürü ataması: appointing a new branch manager.
    AppointBranchManager,
}

impl ChangeKind {
    /// Whether the Strateji Geliştirme Başkanlığı's opinion is needed before a decision.
    pub fn needs_opinion(self) -> bool {
        matches!(
            self,
            ChangeKind::CancelAssignment | ChangeKind::AppointBranchManager
        )
    }

    /// Whether the circular protects trained staff against it.
    pub fn protected(self) -> bool {
        matches!(self, ChangeKind::Reassignment | ChangeKind::ExtraDuty)
    }
}

/// The unit of the person a request is about.
///
/// Written as a plain string, as before: a string that parses as a [`UnitId`] reads as
/// [`StaffUnit::Id`]; requests recorded before units were typed hold a display name
/// (`"Denizli Valiliği Açık Kapı Bürosu"`), which reads as [`StaffUnit::Recorded`] and is
/// written back unchanged. A recorded name has no province, so the [`policy`] admits only the
/// SGB to it; new requests need a unit id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StaffUnit {
    /// The unit's id (`20.ACIK_KAPI`).
    Id(UnitId),
    /// A display name recorded before units were typed.
    Recorded(String),
}

impl StaffUnit {
    /// The unit id, unless the unit was recorded as a name.
    pub fn id(&self) -> Option<&UnitId> {
        match self {
            StaffUnit::Id(u) => Some(u),
            StaffUnit::Recorded(_) => None,
        }
    }
}

impl From<UnitId> for StaffUnit {
    fn from(u: UnitId) -> Self {
        StaffUnit::Id(u)
    }
}

impl From<&str> for StaffUnit {
    /// A unit id when `s` parses as one, else a recorded name.
    fn from(s: &str) -> Self {
        UnitId::parse(s).map_or_else(|_| StaffUnit::Recorded(s.to_owned()), StaffUnit::Id)
    }
}

/// Personel: the person the request is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    /// Sicil number.
    pub id: String,
    /// The person's unit (its id; its plate is the province the request belongs to).
    pub unit: StaffUnit,
    /// Whether the person took the Açık Kapı training.
    pub trained: bool,
}

/// Talep: what is asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRequest {
    /// Who.
    pub staff: Staff,
    /// What.
    pub kind: ChangeKind,
    /// Whether the person is under investigation (soruşturma).
    pub under_investigation: bool,
    /// Why (gerekçe).
    pub justification: String,
}

/// Durum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonnelStatus {
    /// Talep edildi.
    Requested,
    /// SGB görüşü bekleniyor.
    AwaitingOpinion,
    /// Görüş alındı.
    OpinionGiven,
    /// Onaylandı (terminal).
    Approved,
    /// Reddedildi (terminal).
    Rejected,
    /// Geri çekildi (terminal).
    Withdrawn,
}

impl PersonnelStatus {
    fn name(self) -> &'static str {
        match self {
            PersonnelStatus::Requested => "requested",
            PersonnelStatus::AwaitingOpinion => "awaiting_opinion",
            PersonnelStatus::OpinionGiven => "opinion_given",
            PersonnelStatus::Approved => "approved",
            PersonnelStatus::Rejected => "rejected",
            PersonnelStatus::Withdrawn => "withdrawn",
        }
    }

    fn is_terminal(self) -> bool {
        matches!(
            self,
            PersonnelStatus::Approved | PersonnelStatus::Rejected | PersonnelStatus::Withdrawn
        )
    }
}

/// Görüş: the Strateji Geliştirme Başkanlığı's opinion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opinion {
    /// Olumlu görüş?
    pub favourable: bool,
    /// The text.
    pub text: String,
}

/// The state of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonnelState {
    /// Where it is.
    pub status: PersonnelStatus,
    /// The request.
    pub request: ChangeRequest,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// The opinion, once given.
    pub opinion: Option<Opinion>,
    /// Whether the opinion was marked late.
    pub opinion_late: bool,
    /// The reason of a rejection.
    pub rejection: Option<String>,
}

/// Komut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonnelCommand {
    /// Talep et (bureau or vali).
    Submit {
        /// The request.
        request: ChangeRequest,
    },
    /// Görüş ver (Strateji Geliştirme Başkanlığı).
    GiveOpinion {
        /// The opinion.
        opinion: Opinion,
    },
    /// Onayla (vali).
    Approve,
    /// Reddet (vali).
    Reject {
        /// Why.
        reason: String,
    },
    /// Geri çek (bureau or vali).
    Withdraw,
}

/// Olay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonnelEvent {
    /// Submitted.
    Submitted {
        /// The request.
        request: ChangeRequest,
        /// When.
        at: DateTime<Utc>,
    },
    /// The opinion of Strateji Geliştirme Başkanlığı was asked.
    OpinionRequested,
    /// The opinion came.
    OpinionGiven {
        /// The opinion.
        opinion: Opinion,
    },
    /// The opinion is late.
    OpinionLate,
    /// Approved.
    Approved,
    /// Rejected.
    Rejected {
        /// Why.
        reason: String,
    },
    /// Withdrawn.
    Withdrawn,
}

/// The personnel change request workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonnelWorkflow {
    /// Business days the opinion may take before it is marked late.
    pub opinion_days: u32,
}

impl Default for PersonnelWorkflow {
    /// Five business days for the opinion.
    fn default() -> Self {
        PersonnelWorkflow { opinion_days: 5 }
    }
}

fn command_name(c: &PersonnelCommand) -> &'static str {
    match c {
        PersonnelCommand::Submit { .. } => "submit",
        PersonnelCommand::GiveOpinion { .. } => "give_opinion",
        PersonnelCommand::Approve => "approve",
        PersonnelCommand::Reject { .. } => "reject",
        PersonnelCommand::Withdraw => "withdraw",
    }
}

impl WorkflowDefinition for PersonnelWorkflow {
    type State = PersonnelState;
    type Command = PersonnelCommand;
    type Event = PersonnelEvent;

    fn name(&self) -> &'static str {
        "personel"
    }

    fn decide(
        &self,
        state: Option<&PersonnelState>,
        command: &PersonnelCommand,
        ctx: &Context<'_>,
    ) -> Result<Vec<PersonnelEvent>> {
        use PersonnelCommand as C;
        use PersonnelStatus as S;
        let invalid = || Error::InvalidTransition {
            workflow: "personel",
            state: state.map_or("none", |s| s.status.name()).to_owned(),
            command: command_name(command).to_owned(),
        };
        let Some(s) = state else {
            let C::Submit { request } = command else {
                return Err(Error::UnknownInstance(format!(
                    "({})",
                    command_name(command)
                )));
            };
            policy::check(ctx.actor, PersonnelOperation::Submit, Some(request), None)?;
            if request.kind.protected() && request.staff.trained && !request.under_investigation {
                return Err(Error::GuardFailed {
                    rule: "Açık Kapı eğitimi almış personel, hakkında soruşturma olmadıkça başka \
                           göreve atanamaz ve ek görev verilemez (2020 genelgesi)"
                        .to_owned(),
                });
            }
            if request.justification.trim().is_empty() {
                return Err(Error::GuardFailed {
                    rule: "gerekçe boş olamaz".to_owned(),
                });
            }
            let mut events = vec![PersonnelEvent::Submitted {
                request: request.clone(),
                at: ctx.now,
            }];
            if request.kind.needs_opinion() {
                events.push(PersonnelEvent::OpinionRequested);
            }
            return Ok(events);
        };
        // The policy first: a refused actor learns nothing about the request's state.
        policy::check(
            ctx.actor,
            PersonnelOperation::of(command),
            Some(&s.request),
            None,
        )?;
        match (s.status, command) {
            (S::AwaitingOpinion, C::GiveOpinion { opinion }) => {
                Ok(vec![PersonnelEvent::OpinionGiven {
                    opinion: opinion.clone(),
                }])
            }
            (S::AwaitingOpinion, C::Approve | C::Reject { .. }) => Err(Error::GuardFailed {
                rule: "Strateji Geliştirme Başkanlığının görüşü alınmadan karar verilemez"
                    .to_owned(),
            }),
            (S::Requested | S::OpinionGiven, C::Approve) => Ok(vec![PersonnelEvent::Approved]),
            (S::Requested | S::OpinionGiven, C::Reject { reason }) => {
                Ok(vec![PersonnelEvent::Rejected {
                    reason: reason.clone(),
                }])
            }
            (st, C::Withdraw) if !st.is_terminal() => Ok(vec![PersonnelEvent::Withdrawn]),
            _ => Err(invalid()),
        }
    }

    fn apply(
        &self,
        state: Option<PersonnelState>,
        event: &PersonnelEvent,
    ) -> Result<PersonnelState> {
        use PersonnelEvent as E;
        use PersonnelStatus as S;
        let corrupt = |st: &str| Error::CorruptHistory {
            seq: 0,
            message: format!("personnel event {event:?} in state {st}"),
        };
        let Some(mut s) = state else {
            return match event {
                E::Submitted { request, at } => Ok(PersonnelState {
                    status: S::Requested,
                    request: request.clone(),
                    submitted_at: *at,
                    opinion: None,
                    opinion_late: false,
                    rejection: None,
                }),
                _ => Err(corrupt("none")),
            };
        };
        match (s.status, event) {
            (S::Requested, E::OpinionRequested) => s.status = S::AwaitingOpinion,
            (S::AwaitingOpinion, E::OpinionGiven { opinion }) => {
                s.opinion = Some(opinion.clone());
                s.status = S::OpinionGiven;
            }
            (S::AwaitingOpinion, E::OpinionLate) => s.opinion_late = true,
            (S::Requested | S::OpinionGiven, E::Approved) => s.status = S::Approved,
            (S::Requested | S::OpinionGiven, E::Rejected { reason }) => {
                s.rejection = Some(reason.clone());
                s.status = S::Rejected;
            }
            (st, E::Withdrawn) if !st.is_terminal() => s.status = S::Withdrawn,
            (st, _) => return Err(corrupt(st.name())),
        }
        Ok(s)
    }

    fn status(&self, state: &PersonnelState) -> &'static str {
        state.status.name()
    }

    fn statuses(&self) -> &'static [&'static str] {
        &[
            "requested",
            "awaiting_opinion",
            "opinion_given",
            "approved",
            "rejected",
            "withdrawn",
        ]
    }

    fn next_timer(
        &self,
        state: &PersonnelState,
        calendar: &dyn ports::BusinessCalendar,
    ) -> Option<Timer> {
        if state.status != PersonnelStatus::AwaitingOpinion || state.opinion_late {
            return None;
        }
        let due = calendar
            .deadline(state.submitted_at, self.opinion_days)
            .ok()?;
        Some(Timer {
            key: "opinion_late".to_owned(),
            at: due,
        })
    }

    fn on_timer(
        &self,
        state: &PersonnelState,
        _timer: &Timer,
        ctx: &Context<'_>,
    ) -> Result<Vec<PersonnelEvent>> {
        policy::check(
            ctx.actor,
            PersonnelOperation::Tick,
            Some(&state.request),
            None,
        )?;
        Ok(
            if state.status == PersonnelStatus::AwaitingOpinion && !state.opinion_late {
                vec![PersonnelEvent::OpinionLate]
            } else {
                Vec::new()
            },
        )
    }

    fn command_name(&self, command: &PersonnelCommand) -> String {
        command_name(command).to_owned()
    }
}

#[cfg(test)]
mod tests;
