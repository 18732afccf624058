//! The fold of the application workflow: the state after each event.

use super::{ApplicationEvent, ApplicationState, Status};
use crate::taxonomy::CategoryCode;
use crate::{Error, Result};

fn corrupt(state: Option<&ApplicationState>, event: &ApplicationEvent) -> Error {
    Error::CorruptHistory {
        seq: 0,
        message: format!(
            "event {:?} in state {}",
            event_name(event),
            state.map_or("none", |s| s.status.name())
        ),
    }
}

fn event_name(event: &ApplicationEvent) -> &'static str {
    match event {
        ApplicationEvent::Received { .. } => "received",
        ApplicationEvent::Registered { .. } => "registered",
        ApplicationEvent::NotProcessed { .. } => "not_processed",
        ApplicationEvent::Redirected { .. } => "redirected",
        ApplicationEvent::DeadlineSet { .. } => "deadline_set",
        ApplicationEvent::ApprovalRequested { .. } => "approval_requested",
        ApplicationEvent::Approved { .. } => "approved",
        ApplicationEvent::SentBack { .. } => "sent_back",
        ApplicationEvent::Routed { .. } => "routed",
        ApplicationEvent::Returned { .. } => "returned",
        ApplicationEvent::Recategorised { .. } => "recategorised",
        ApplicationEvent::Answered { .. } => "answered",
        ApplicationEvent::Closed { .. } => "closed",
        ApplicationEvent::NoteAdded { .. } => "note_added",
        ApplicationEvent::ReminderSent { .. } => "reminder_sent",
        ApplicationEvent::MarkedOverdue { .. } => "marked_overdue",
        ApplicationEvent::Escalated { .. } => "escalated",
    }
}

/// The fold. Checks that each event fits the state it is applied to, so a journal that was
/// tampered with is reported instead of producing a state no command could reach.
pub(super) fn apply(
    state: Option<ApplicationState>,
    event: &ApplicationEvent,
) -> Result<ApplicationState> {
    use ApplicationEvent as E;
    let Some(mut s) = state else {
        return match event {
            E::Received {
                input,
                at,
                bureau,
                bureau_unit,
            } => Ok(ApplicationState {
                status: Status::Received,
                input: (**input).clone(),
                application: None,
                received_at: *at,
                bureau: bureau.clone(),
                bureau_unit: bureau_unit.clone(),
                category: input.category.clone(),
                problems: Vec::new(),
                redirected_to: None,
                deadline: None,
                assignment: None,
                pending: None,
                returns: 0,
                answer: None,
                closed_at: None,
                reminded: false,
                overdue: false,
                escalations: 0,
                notes: Vec::new(),
            }),
            _ => Err(corrupt(None, event)),
        };
    };
    let ok = match (s.status, event) {
        (
            Status::Received,
            E::Registered {
                application,
                deadline,
            },
        ) => {
            s.category = Some(application.category.as_str().to_owned());
            s.application = Some((**application).clone());
            s.deadline = Some(*deadline);
            s.status = Status::Registered;
            true
        }
        (Status::Received, E::NotProcessed { problems }) => {
            s.problems = problems.clone();
            s.status = Status::NotProcessed;
            true
        }
        (Status::Received | Status::Registered, E::Redirected { to, .. }) => {
            s.redirected_to = Some(to.clone());
            s.status = Status::Redirected;
            true
        }
        (Status::Registered | Status::Returned, E::DeadlineSet { deadline, .. }) => {
            s.deadline = Some(*deadline);
            true
        }
        (Status::Registered | Status::Returned, E::ApprovalRequested { assignment }) => {
            s.pending = Some(assignment.clone());
            s.status = Status::AwaitingApproval;
            true
        }
        (Status::AwaitingApproval, E::Approved { .. }) => true,
        (Status::AwaitingApproval, E::SentBack { .. }) => {
            s.pending = None;
            s.status = Status::Registered;
            true
        }
        (
            Status::Registered | Status::Returned | Status::AwaitingApproval,
            E::Routed { assignment },
        ) => {
            s.pending = None;
            s.assignment = Some(assignment.clone());
            s.reminded = false;
            s.status = Status::Routed;
            true
        }
        (Status::Routed, E::Returned { .. }) => {
            s.returns += 1;
            s.status = Status::Returned;
            true
        }
        (Status::Registered | Status::Returned, E::Recategorised { category }) => {
            s.category = Some(category.clone());
            if let (Some(app), Ok(code)) = (s.application.as_mut(), CategoryCode::parse(category)) {
                app.category = code;
            }
            s.status = Status::Registered;
            true
        }
        (Status::Routed, E::Answered { answer }) => {
            s.answer = Some(answer.clone());
            s.status = Status::Answered;
            true
        }
        (Status::Answered, E::Closed { at }) => {
            s.closed_at = Some(*at);
            s.status = Status::Closed;
            true
        }
        (_, E::NoteAdded { text }) => {
            s.notes.push(text.clone());
            true
        }
        (st, E::ReminderSent { .. }) if st.is_open() => {
            s.reminded = true;
            true
        }
        (st, E::MarkedOverdue { .. }) if st.is_open() => {
            s.overdue = true;
            true
        }
        (st, E::Escalated { level, .. }) if st.is_open() && *level == s.escalations + 1 => {
            s.escalations = *level;
            true
        }
        _ => false,
    };
    if ok {
        Ok(s)
    } else {
        Err(corrupt(Some(&s), event))
    }
}
