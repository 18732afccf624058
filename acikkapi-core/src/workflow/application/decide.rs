//! Guards of the application workflow (which command is allowed, by whom, in which state) and
//! its business-day timers.

use super::authz::{Operation, Subject};
use super::{
    Answer, ApplicationCommand, ApplicationConfig, ApplicationEvent, ApplicationState,
    ApplicationWorkflow, Status,
};
use crate::ids::TrackingNumber;
use crate::workflow::ports::{BusinessCalendar, local_date, start_of_day};
use crate::workflow::{Context, Timer};
use crate::{Error, Result};
use chrono::Utc;

pub(super) fn command_name(command: &ApplicationCommand) -> &'static str {
    match command {
        ApplicationCommand::Receive { .. } => "receive",
        ApplicationCommand::Register => "register",
        ApplicationCommand::Redirect { .. } => "redirect",
        ApplicationCommand::Route { .. } => "route",
        ApplicationCommand::Approve => "approve",
        ApplicationCommand::SendBack { .. } => "send_back",
        ApplicationCommand::Return { .. } => "return",
        ApplicationCommand::Recategorise { .. } => "recategorise",
        ApplicationCommand::Answer { .. } => "answer",
        ApplicationCommand::Close => "close",
        ApplicationCommand::AddNote { .. } => "add_note",
    }
}

/// The operation of the permission policy a command is.
pub(super) fn operation(command: &ApplicationCommand) -> Operation {
    match command {
        ApplicationCommand::Receive { .. } => Operation::Receive,
        ApplicationCommand::Register => Operation::Register,
        ApplicationCommand::Redirect { .. } => Operation::Redirect,
        ApplicationCommand::Route { .. } => Operation::Route,
        ApplicationCommand::Approve => Operation::Approve,
        ApplicationCommand::SendBack { .. } => Operation::SendBack,
        ApplicationCommand::Return { .. } => Operation::Return,
        ApplicationCommand::Recategorise { .. } => Operation::Recategorise,
        ApplicationCommand::Answer { .. } => Operation::Answer,
        ApplicationCommand::Close => Operation::Close,
        ApplicationCommand::AddNote { .. } => Operation::AddNote,
    }
}

/// The name a bureau is recorded under: the unit's name in its province's organisation, else its id.
fn bureau_name(unit: &crate::org::UnitId) -> String {
    unit.as_str()
        .split('.')
        .next()
        .and_then(|p| p.parse::<u8>().ok())
        .and_then(|p| crate::geo::ProvincePlate::new(p).ok())
        .and_then(|p| crate::org::Organisation::for_province(p).ok())
        .and_then(|org| org.unit(unit).map(|u| u.name.clone()))
        .unwrap_or_else(|| unit.as_str().to_owned())
}

fn invalid(state: Option<&ApplicationState>, command: &ApplicationCommand) -> Error {
    Error::InvalidTransition {
        workflow: "basvuru",
        state: state.map_or("none", |s| s.status.name()).to_owned(),
        command: command_name(command).to_owned(),
    }
}

fn require_text(text: &str, what: &str) -> Result<()> {
    if text.trim().is_empty() {
        Err(Error::GuardFailed {
            rule: format!("{what} boş olamaz"),
        })
    } else {
        Ok(())
    }
}

pub(super) fn decide(
    wf: &ApplicationWorkflow,
    state: Option<&ApplicationState>,
    command: &ApplicationCommand,
    ctx: &Context<'_>,
) -> Result<Vec<ApplicationEvent>> {
    use ApplicationCommand as C;
    use ApplicationEvent as E;
    let actor = ctx.actor;
    let authz = &wf.authorizer;
    let Some(s) = state else {
        return match command {
            C::Receive { input } => {
                authz.check(
                    actor,
                    Operation::Receive,
                    Subject::New(ctx.instance),
                    ctx.now,
                )?;
                let unit = actor.unit().cloned();
                Ok(vec![E::Received {
                    input: input.clone(),
                    at: ctx.now,
                    bureau: unit.as_ref().map_or_else(String::new, bureau_name),
                    bureau_unit: unit,
                }])
            }
            _ => Err(Error::UnknownInstance(format!(
                "({})",
                command_name(command)
            ))),
        };
    };
    // Every command asks the one policy first: a confidential application does not exist for
    // those who may not see it, and the state machine below only decides what fits the status.
    authz.check(
        actor,
        operation(command),
        Subject::Existing(ctx.instance, s),
        ctx.now,
    )?;
    match (s.status, command) {
        (_, C::Receive { .. }) => Err(invalid(state, command)),
        (Status::Received, C::Register) => {
            Ok(vec![match wf.validator.validate(&s.input, s.received_at) {
                Ok(mut application) => {
                    application.tracking_number = TrackingNumber::parse(ctx.instance.as_str()).ok();
                    let received = application.received_at.with_timezone(&Utc);
                    E::Registered {
                        application: Box::new(application),
                        deadline: ctx.calendar.deadline(received, wf.config.answer_days)?,
                    }
                }
                Err(rejection) => E::NotProcessed {
                    problems: rejection.problems,
                },
            }])
        }
        (Status::Received | Status::Registered, C::Redirect { to, reason }) => {
            require_text(to, "yönlendirilen kurum")?;
            Ok(vec![E::Redirected {
                to: to.clone(),
                reason: reason.clone(),
            }])
        }
        (Status::Registered | Status::Returned, C::Route { assignment }) => {
            require_text(&assignment.unit_name, "birim")?;
            if assignment.deadline_days == Some(0) {
                return Err(Error::GuardFailed {
                    rule: "cevap süresi en az 1 iş günü olmalı".to_owned(),
                });
            }
            let mut events = Vec::with_capacity(2);
            // The deadline goes with the routing: re-computed from receipt at every routing, so a
            // re-routing after a return or recategorisation gets the deadline of its own decision.
            let days = assignment
                .deadline_days
                .map_or(wf.config.answer_days, |d| d.min(wf.config.answer_days));
            let received = s
                .application
                .as_ref()
                .map_or(s.received_at, |a| a.received_at.with_timezone(&Utc));
            let deadline = ctx.calendar.deadline(received, days)?;
            if s.deadline != Some(deadline) {
                events.push(E::DeadlineSet { deadline, days });
            }
            let assignment = assignment.clone();
            events.push(if s.special() {
                E::ApprovalRequested { assignment }
            } else {
                E::Routed { assignment }
            });
            Ok(events)
        }
        (Status::AwaitingApproval, C::Approve) => {
            let assignment = s.pending.clone().ok_or_else(|| invalid(state, command))?;
            Ok(vec![
                E::Approved {
                    by: actor.unit().map_or_else(|| actor.id_str(), bureau_name),
                },
                E::Routed { assignment },
            ])
        }
        (Status::AwaitingApproval, C::SendBack { reason }) => {
            require_text(reason, "geri gönderme gerekçesi")?;
            Ok(vec![E::SentBack {
                reason: reason.clone(),
            }])
        }
        (Status::Routed, C::Return { reason }) => {
            require_text(reason, "iade gerekçesi")?;
            Ok(vec![E::Returned {
                reason: reason.clone(),
            }])
        }
        (Status::Registered | Status::Returned, C::Recategorise { category }) => {
            if !wf.validator.category_exists(category) {
                return Err(Error::GuardFailed {
                    rule: format!("bilinmeyen kategori: {category}"),
                });
            }
            Ok(vec![E::Recategorised {
                category: category.clone(),
            }])
        }
        (Status::Routed, C::Answer { outcome, text }) => {
            require_text(text, "cevap metni")?;
            Ok(vec![E::Answered {
                answer: Answer {
                    outcome: *outcome,
                    text: text.clone(),
                    at: ctx.now,
                },
            }])
        }
        (Status::Answered, C::Close) => Ok(vec![E::Closed { at: ctx.now }]),
        (_, C::AddNote { text }) => {
            require_text(text, "not")?;
            Ok(vec![E::NoteAdded { text: text.clone() }])
        }
        _ => Err(invalid(state, command)),
    }
}

/// The next deadline timer of an open application: reminder (only while with an officer and not
/// yet overdue) at the start of the business day `reminder_before` business days before the
/// deadline, the overdue mark at the deadline, then escalations at the start of every
/// `escalate_every`-th business day after the deadline day. A calendar error (a date outside the
/// calendar's years) means no timer.
pub(super) fn next_timer(
    config: &ApplicationConfig,
    s: &ApplicationState,
    calendar: &dyn BusinessCalendar,
) -> Option<Timer> {
    if !s.status.is_open() {
        return None;
    }
    let deadline = s.deadline?;
    let due_day = local_date(deadline);
    if s.status == Status::Routed && !s.reminded && !s.overdue && config.reminder_before > 0 {
        let day = calendar
            .add_business_days(due_day, -i64::from(config.reminder_before))
            .ok()?;
        return Some(Timer {
            key: format!("reminder:{}", s.returns),
            at: start_of_day(day),
        });
    }
    if !s.overdue {
        return Some(Timer {
            key: "overdue".to_owned(),
            at: deadline,
        });
    }
    if config.escalate_every > 0 && s.escalations < config.max_escalations {
        let level = s.escalations + 1;
        let n = i64::from(config.escalate_every) * i64::from(level);
        let day = calendar.add_business_days(due_day, n).ok()?;
        return Some(Timer {
            key: format!("escalate:{level}"),
            at: start_of_day(day),
        });
    }
    None
}

pub(super) fn on_timer(
    s: &ApplicationState,
    timer: &Timer,
    ctx: &Context<'_>,
) -> Result<Vec<ApplicationEvent>> {
    let Some(deadline) = s.deadline else {
        return Ok(Vec::new());
    };
    if timer.key.starts_with("reminder") {
        Ok(vec![ApplicationEvent::ReminderSent { deadline }])
    } else if timer.key == "overdue" {
        Ok(vec![ApplicationEvent::MarkedOverdue { deadline }])
    } else if timer.key.starts_with("escalate:") {
        let level = s.escalations + 1;
        let from_routing = s
            .assignment
            .as_ref()
            .and_then(|a| {
                a.escalation_names
                    .get(usize::try_from(level).ok()?.checked_sub(1)?)
            })
            .cloned();
        let unit = s
            .assignment
            .as_ref()
            .map_or(s.bureau.as_str(), |a| a.unit_name.as_str());
        let to = from_routing
            .or_else(|| ctx.escalation.level(unit, level))
            .unwrap_or_else(|| "Vali".to_owned());
        Ok(vec![ApplicationEvent::Escalated { level, to }])
    } else {
        Ok(Vec::new())
    }
}
