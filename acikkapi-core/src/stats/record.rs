//! The flat per-application record every report is computed from.
//!
//! A record is what a projection of the workflow's event history keeps up to date for one
//! application: where it came from, how it is classified, where it is and how it ended. It is plain
//! data (serde, snake_case) so that it can be written as JSON Lines, exchanged with analysts and
//! folded from any event source.
//!
//! ## Time
//!
//! `received_at` and `answered_at` are RFC 3339 date-times with an offset. Producers write the
//! Europe/Istanbul offset (`+03:00`; Türkiye has kept UTC+3 all year since 2016). Reports take
//! calendar dates (ISO week, month, "answered on or before the deadline") in **Europe/Istanbul**:
//! a record written with another offset (e.g. `Z`) is converted first, so `2026-11-23T22:30:00Z`
//! counts on 24 November. `deadline` is a plain date in Istanbul (the last business day to answer).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::geo::ProvincePlate;
use crate::taxonomy::{CategoryCode, HeadingCode, InstitutionTypeCode};
use crate::validate::{Field, ProblemSummary};

/// Sonuç: how an answered application ended for the citizen (olumlu, olumsuz, kısmen olumlu);
/// the domain's type, as in the workflow.
pub use crate::application::Outcome;
pub use crate::application::{AgeGroup, ApplicationKind, Channel, Gender};

/// The outcomes in display order.
pub const OUTCOMES: [Outcome; 3] = [
    Outcome::Positive,
    Outcome::Negative,
    Outcome::PartlyPositive,
];

/// The Turkish line name of an outcome (`"Kısmen olumlu"`).
pub fn outcome_name_tr(o: Outcome) -> &'static str {
    match o {
        Outcome::Positive => "Olumlu",
        Outcome::Negative => "Olumsuz",
        Outcome::PartlyPositive => "Kısmen olumlu",
    }
}

/// Durum: where an application stands, as far as statistics are concerned.
///
/// Serialized with a `state` tag: `{"state":"answered","outcome":"olumlu"}`,
/// `{"state":"not_processed","reasons":["mükerrer başvuru"]}` (with `problems`, the field and
/// kind of each, when folded from the workflow), `{"state":"pending"}`.
/// How each state counts in the statistics block is documented on
/// [`StatisticsBlock`](super::StatisticsBlock).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    /// İşleme alınmadı: registered, but not taken up, with the reasons given (anonymous, outside
    /// the administration's remit, a court matter, a repeat application…).
    NotProcessed {
        /// Why it was not taken up, in Turkish, one sentence per problem.
        #[serde(default)]
        reasons: Vec<String>,
        /// The same problems reduced to field and kind (nothing the applicant wrote), for
        /// grouping rejections by field; empty when the source gave sentences only.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        problems: Vec<ProblemSummary>,
    },
    /// Başka mercie yönlendirildi: sent on to a body outside the Açık Kapı system (e.g. CİMER, a
    /// court, another public body that answers the citizen itself).
    Redirected,
    /// İşlem yapılmayı bekleyen: routed to an officer and not answered yet.
    Pending,
    /// Cevaplandı: answered, with its outcome.
    Answered {
        /// The outcome for the citizen.
        outcome: Outcome,
    },
    /// Kapatıldı: the file was closed without an outcome being recorded (withdrawn by the
    /// applicant, merged into another application, closed administratively). An application that
    /// was answered and later archived stays [`Status::Answered`] in its record.
    Closed,
}

/// Başvuru kaydı: the flat statistical record of one application.
///
/// Everything a report needs and nothing that identifies the applicant: no name, no TC Kimlik No,
/// no phone number, no text; age and gender only as optional bands. One JSON object per line in a
/// JSON Lines file:
///
/// ```
/// use acikkapi_core::stats::{ApplicationRecord, Outcome, Status};
/// let line = r#"{"tracking_number":"2026-20-000123","kind":"sikayet","channel":"e_devlet",
///   "heading":"SAGLIK","category":"SAGLIK.DIGER","province":"20","district":"Pamukkale",
///   "institution_type":"SAGLIK_MUDURLUGU","unit_id":"20-SAGLIK",
///   "received_at":"2026-11-02T10:15:00+03:00","status":{"state":"answered","outcome":"positive"},
///   "deadline":"2026-11-11","answered_at":"2026-11-06T16:00:00+03:00",
///   "business_days_to_answer":4,"escalations":0,"reroutes":1,"overdue":false,
///   "age_group":"30-44","gender":"female"}"#;
/// let rec: ApplicationRecord = serde_json::from_str(line).unwrap();
/// assert_eq!(rec.status, Status::Answered { outcome: Outcome::Positive });
/// assert!(rec.answered_on_time());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRecord {
    /// Takip numarası: the application's tracking number (unique; the projection's key).
    pub tracking_number: String,
    /// Şikâyet, talep or ihbar; `None` when the form did not say (never registered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ApplicationKind>,
    /// How it arrived; `None` when the form did not say (never registered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// Hizmet başlığı; `None` while not classified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<HeadingCode>,
    /// Kategori (its heading part should equal `heading`); `None` while not classified (e.g.
    /// not processed before registration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<CategoryCode>,
    /// İl: the province where it was registered.
    pub province: ProvincePlate,
    /// İlçe: the district where it was registered; `None` when registered at the governorship
    /// (valilik) for the province as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Kurum türü: the type of institution that handles it; `None` while unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution_type: Option<InstitutionTypeCode>,
    /// Birim: the unit (office) it was routed to; `None` until routed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
    /// Başvuru zamanı: when it was registered (see the module documentation on time).
    pub received_at: DateTime<FixedOffset>,
    /// Where it stands.
    pub status: Status,
    /// Son cevap tarihi: the last day (Istanbul date) to answer; `None` before registration and
    /// for applications that never got one (not processed, redirected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<NaiveDate>,
    /// Cevap zamanı: when it was answered, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<DateTime<FixedOffset>>,
    /// Business days from registration to answer on the Turkish calendar, as computed by the
    /// producer of the record (reports take it as given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_days_to_answer: Option<u32>,
    /// How many times it was escalated (üst makama aktarma).
    #[serde(default)]
    pub escalations: u32,
    /// How many times it was routed again to another unit (yeniden yönlendirme).
    #[serde(default)]
    pub reroutes: u32,
    /// Süresi geçmiş: the deadline passed before an answer (answered late, or still unanswered
    /// after the deadline), as of the record's last update.
    #[serde(default)]
    pub overdue: bool,
    /// The applicant's age band, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_group: Option<AgeGroup>,
    /// The applicant's gender, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
}

/// The calendar date of an instant in Europe/Istanbul ([`crate::time::local_date`]), whatever
/// offset it is written with.
pub fn istanbul_date(t: &DateTime<FixedOffset>) -> NaiveDate {
    crate::time::local_date(*t)
}

/// İşleme alınmayanlar, alana göre: how many problems of not-processed applications concern each
/// form field (`None`: the whole input, or a reason recorded as a sentence only). An application
/// with two problems counts under both fields.
pub fn rejections_by_field<'a>(
    records: impl IntoIterator<Item = &'a ApplicationRecord>,
) -> BTreeMap<Option<Field>, u64> {
    let mut out = BTreeMap::new();
    for p in records.into_iter().flat_map(ApplicationRecord::problems) {
        *out.entry(p.field).or_default() += 1;
    }
    out
}

/// A compact, ordered key for an ISO week: `iso_year * 100 + week`.
pub(crate) fn week_key(d: NaiveDate) -> u32 {
    let w = d.iso_week();
    // Years in chrono are within ±262143, so the cast is lossless for every date after year 0;
    // earlier years (which no record has) clamp to 0.
    u32::try_from(w.year()).unwrap_or(0) * 100 + w.week()
}

/// A compact, ordered key for a month: `year * 100 + month`.
pub(crate) fn month_key(d: NaiveDate) -> u32 {
    u32::try_from(d.year()).unwrap_or(0) * 100 + d.month()
}

impl ApplicationRecord {
    /// The Istanbul date it was received.
    pub fn received_date(&self) -> NaiveDate {
        istanbul_date(&self.received_at)
    }

    /// Why it was not processed, as field and kind (empty for every other status, and for
    /// records that gave sentences only).
    pub fn problems(&self) -> &[ProblemSummary] {
        match &self.status {
            Status::NotProcessed { problems, .. } => problems,
            _ => &[],
        }
    }

    /// The outcome, when the status is [`Status::Answered`].
    pub fn outcome(&self) -> Option<Outcome> {
        match self.status {
            Status::Answered { outcome } => Some(outcome),
            _ => None,
        }
    }

    /// Whether it is answered ([`Status::Answered`]) within the deadline: the Istanbul date of
    /// `answered_at` is on or before `deadline`; without both, not `overdue`.
    /// `false` for every other status.
    pub fn answered_on_time(&self) -> bool {
        if !matches!(self.status, Status::Answered { .. }) {
            return false;
        }
        match (&self.answered_at, self.deadline) {
            (Some(t), Some(d)) => istanbul_date(t) <= d,
            _ => !self.overdue,
        }
    }

    /// Whether the category (if any) lies under the heading, and a category comes with its
    /// heading.
    pub fn is_consistent(&self) -> bool {
        match (&self.category, &self.heading) {
            (Some(c), Some(h)) => c.heading() == h.as_str(),
            (Some(_), None) => false,
            (None, _) => true,
        }
    }

    /// Breakdown key of the heading (`""` when not classified).
    pub(crate) fn heading_key(&self) -> &str {
        self.heading.as_ref().map_or("", HeadingCode::as_str)
    }

    /// Breakdown key of the category (`""` when not classified).
    pub(crate) fn category_key(&self) -> &str {
        self.category.as_ref().map_or("", CategoryCode::as_str)
    }

    /// Breakdown key of the institution type (`""` when unknown).
    pub(crate) fn institution_key(&self) -> &str {
        self.institution_type
            .as_ref()
            .map_or("", InstitutionTypeCode::as_str)
    }

    /// Breakdown key of the unit (`""` when not routed).
    pub(crate) fn unit_key(&self) -> &str {
        self.unit_id.as_deref().unwrap_or("")
    }

    /// Sort key of backlog lists: deadline (none last), then tracking number.
    pub(crate) fn backlog_key(&self) -> (NaiveDate, &str) {
        (
            self.deadline.unwrap_or(NaiveDate::MAX),
            &self.tracking_number,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn istanbul_date_converts_other_offsets() {
        let utc: DateTime<FixedOffset> = "2026-11-23T22:30:00Z".parse().unwrap();
        assert_eq!(
            istanbul_date(&utc),
            NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
        );
        let ist: DateTime<FixedOffset> = "2026-11-23T23:59:00+03:00".parse().unwrap();
        assert_eq!(
            istanbul_date(&ist),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
    }

    #[test]
    fn istanbul_date_before_2016_follows_winter_time() {
        // 21:30 UTC on 15 January 2015 was 23:30 in İstanbul (UTC+2): the 15th, whatever
        // offset the record was written with. (A +03:00 shortcut took the date as written.)
        let d15 = NaiveDate::from_ymd_opt(2015, 1, 15).unwrap();
        for s in [
            "2015-01-15T21:30:00Z",
            "2015-01-16T00:30:00+03:00",
            "2015-01-15T23:30:00+02:00",
        ] {
            let t: DateTime<FixedOffset> = s.parse().unwrap();
            assert_eq!(istanbul_date(&t), d15, "{s}");
        }
        // In summer 2015 it was UTC+3: 21:30 UTC on 15 July is 00:30 on the 16th.
        let t: DateTime<FixedOffset> = "2015-07-15T21:30:00Z".parse().unwrap();
        assert_eq!(
            istanbul_date(&t),
            NaiveDate::from_ymd_opt(2015, 7, 16).unwrap()
        );
    }

    #[test]
    fn week_and_month_keys() {
        // 2027-01-01 is a Friday in ISO week 53 of 2026.
        let d = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(week_key(d), 202_653);
        assert_eq!(month_key(d), 202_701);
    }

    #[test]
    fn status_serde_shape() {
        let s = serde_json::to_string(&Status::Answered {
            outcome: Outcome::PartlyPositive,
        })
        .unwrap();
        assert_eq!(s, r#"{"state":"answered","outcome":"partly_positive"}"#);
        let np: Status = serde_json::from_str(r#"{"state":"not_processed"}"#).unwrap();
        assert_eq!(
            np,
            Status::NotProcessed {
                reasons: vec![],
                problems: vec![]
            }
        );
        assert_eq!(serde_json::to_string(&AgeGroup::From65).unwrap(), "\"65+\"");
    }

    #[test]
    fn rejections_count_by_field() {
        use crate::validate::ProblemKind;
        let mut records = crate::stats::synth::records(3, 1);
        let summary = |field, kind| ProblemSummary { field, kind };
        records[0].status = Status::NotProcessed {
            reasons: vec!["a".into(), "b".into()],
            problems: vec![
                summary(Some(Field::Phone), ProblemKind::MissingField),
                summary(Some(Field::Tckn), ProblemKind::InvalidTckn),
            ],
        };
        records[1].status = Status::NotProcessed {
            reasons: vec!["c".into()],
            problems: vec![summary(Some(Field::Phone), ProblemKind::InvalidPhone)],
        };
        records[2].status = Status::Pending;
        let by = rejections_by_field(&records);
        assert_eq!(
            by.into_iter().collect::<Vec<_>>(),
            [(Some(Field::Tckn), 1), (Some(Field::Phone), 2)]
        );
        assert!(records[2].problems().is_empty());
        // Serialized only when there are problems: the JSON Lines shape is unchanged otherwise.
        let np = Status::NotProcessed {
            reasons: vec!["x".into()],
            problems: vec![],
        };
        assert_eq!(
            serde_json::to_string(&np).unwrap(),
            r#"{"state":"not_processed","reasons":["x"]}"#
        );
    }
}
