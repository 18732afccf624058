//! Kamuya açık görünüm: what anyone may see of an application, without logging in (Open311's
//! `GET requests`, a public map of applications).
//!
//! # Who reads, and what protects the applicant
//! The public view has no [`Actor`](crate::workflow::Actor): nobody is identified, so there is
//! nobody for the [`Authorizer`](crate::workflow::application::authz::Authorizer) to decide about,
//! and its matrix stays the matrix of identified actors. What protects the applicant is this
//! module:
//! * the type: [`PublicRequest`] has no field that could hold the applicant's identity — no TC
//!   Kimlik No, name, phone, birth year, gender, not even the free text of the application (a
//!   citizen writes their own name and number into it); the answer's text is the officer's letter
//!   to the public record, the SMS text is the engine's template;
//! * the selection: only *registered* applications (an application not processed may be anything)
//!   that are not confidential (gizli) are shown; a confidential one is
//!   [`Error::UnknownInstance`] here, exactly like a number that does not exist, so its existence
//!   is not told either.
//!
//! The staff and the citizen keep their own reads ([`Applications::view`], [`Applications::track`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Applications;
use crate::application::Outcome;
use crate::geo::ProvincePlate;
use crate::workflow::application::{ApplicationState, Status};
use crate::{Error, Result};

/// The largest page of [`Applications::public_requests`] (Open311's limit).
pub const MAX_PUBLIC_REQUESTS: usize = 1_000;

/// One application as the public sees it (see the module docs for what is left out and why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicRequest {
    /// The tracking number.
    pub tracking: String,
    /// Where it is.
    pub status: Status,
    /// The category code it is handled under (`SAGLIK.DIGER`).
    pub category: String,
    /// The province.
    pub province: ProvincePlate,
    /// The district's name.
    pub district: String,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The institution it is assigned to (or waits, with approval, to be assigned to), or the
    /// authority it was redirected to: the name shown to citizens, never the officer.
    pub agency: Option<String>,
    /// The answer deadline.
    pub deadline: Option<DateTime<Utc>>,
    /// The answer's outcome, once answered.
    pub outcome: Option<Outcome>,
    /// The answer's text, once answered.
    pub answer: Option<String>,
    /// The last SMS text the applicant was sent (registered, routed, answered), rendered from the
    /// workflow's templates; it carries the tracking number and the institution, nothing else.
    pub notice: Option<String>,
}

/// Filters of [`Applications::public_requests`]. All are ANDed; an empty filter lists the most
/// recent applications.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PublicQuery {
    /// Only these tracking numbers (empty: any).
    pub tracking: Vec<String>,
    /// Only these category codes (empty: any).
    pub categories: Vec<String>,
    /// Received at or after.
    pub from: Option<DateTime<Utc>>,
    /// Received before or at.
    pub to: Option<DateTime<Utc>>,
    /// `Some(true)`: only open ones (not answered, closed or redirected); `Some(false)`: only
    /// those; `None`: both.
    pub open: Option<bool>,
    /// At most this many, most recently received first (0 or more than
    /// [`MAX_PUBLIC_REQUESTS`]: [`MAX_PUBLIC_REQUESTS`]).
    pub limit: usize,
}

/// Whether a status counts as open for the public (not answered, closed or redirected yet).
pub fn is_open(status: Status) -> bool {
    !matches!(
        status,
        Status::Answered | Status::Closed | Status::Redirected | Status::NotProcessed
    )
}

impl Applications {
    /// The public view of one application: [`Error::UnknownInstance`] for a number that does not
    /// exist, is not registered or is confidential (the same error, so nothing is told).
    pub fn public_request(&self, tracking: &str) -> Result<PublicRequest> {
        let id = crate::workflow::InstanceId::new(tracking);
        let engine = self.engine_for(tracking)?;
        if self.shared && engine.read(|e| e.instance(&id).is_none()) {
            // Perhaps another node received it: catch up once before calling it unknown.
            engine.refresh()?;
        }
        engine.read(|e| {
            let templates = &e.definition().templates;
            e.instance(&id)
                .and_then(|i| {
                    public_of(
                        tracking,
                        &i.state,
                        i.history.last().map(|h| h.at),
                        templates,
                    )
                })
                .ok_or_else(|| Error::UnknownInstance(tracking.to_owned()))
        })
    }

    /// The public view of the applications that match `query`, most recently received first
    /// (then by tracking number), at most `query.limit`.
    pub fn public_requests(&self, query: &PublicQuery) -> Vec<PublicRequest> {
        let limit = match query.limit {
            0 => MAX_PUBLIC_REQUESTS,
            n => n.min(MAX_PUBLIC_REQUESTS),
        };
        let mut out: Vec<PublicRequest> = Vec::new();
        self.with_engines(|e| {
            let templates = &e.definition().templates;
            out.extend(
                e.instances()
                    .filter(|(id, _)| {
                        query.tracking.is_empty() || query.tracking.iter().any(|t| t == id.as_str())
                    })
                    .filter_map(|(id, i)| {
                        public_of(
                            id.as_str(),
                            &i.state,
                            i.history.last().map(|h| h.at),
                            templates,
                        )
                    })
                    .filter(|p| {
                        (query.categories.is_empty() || query.categories.contains(&p.category))
                            && query.from.is_none_or(|f| p.received_at >= f)
                            && query.to.is_none_or(|t| p.received_at <= t)
                            && query.open.is_none_or(|o| is_open(p.status) == o)
                    }),
            );
        });
        out.sort_by(|a, b| (b.received_at, &a.tracking).cmp(&(a.received_at, &b.tracking)));
        out.truncate(limit);
        out
    }
}

fn public_of(
    tracking: &str,
    s: &ApplicationState,
    updated: Option<DateTime<Utc>>,
    templates: &crate::notify::SmsTemplates,
) -> Option<PublicRequest> {
    let app = s.application.as_ref()?;
    if s.confidential() || s.status == Status::NotProcessed {
        return None;
    }
    let assigned = s.assignment.as_ref().or(s.pending.as_ref());
    let notice = match (&s.answer, s.assignment.as_ref()) {
        (Some(a), _) => Some(templates.answered(tracking, a.outcome)),
        (None, Some(a)) => Some(templates.routed(tracking, &a.unit_name)),
        (None, None) => Some(templates.registered(tracking)),
    };
    Some(PublicRequest {
        tracking: tracking.to_owned(),
        status: s.status,
        category: s
            .category
            .clone()
            .unwrap_or_else(|| app.category.as_str().to_owned()),
        province: app.location.province,
        district: app.location.district.clone(),
        received_at: s.received_at,
        updated_at: updated.unwrap_or(s.received_at),
        agency: s
            .redirected_to
            .clone()
            .or_else(|| assigned.map(|a| a.unit_name.clone())),
        deadline: s.deadline,
        outcome: s.answer.as_ref().map(|a| a.outcome),
        answer: s.answer.as_ref().map(|a| a.text.clone()),
        notice,
    })
}
