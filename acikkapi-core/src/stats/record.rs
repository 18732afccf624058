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

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::geo::ProvincePlate;
use crate::taxonomy::{CategoryCode, HeadingCode, InstitutionTypeCode};

/// Başvuru türü: what sort of application it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Şikâyet: a complaint.
    Sikayet,
    /// Talep: a request.
    Talep,
    /// İhbar: a tip-off (report of wrongdoing).
    Ihbar,
}

impl Kind {
    /// Every kind, in display order.
    pub const ALL: [Kind; 3] = [Kind::Sikayet, Kind::Talep, Kind::Ihbar];

    /// Turkish name (`"Şikâyet"`).
    pub fn name_tr(self) -> &'static str {
        match self {
            Kind::Sikayet => "Şikâyet",
            Kind::Talep => "Talep",
            Kind::Ihbar => "İhbar",
        }
    }

    /// Position in [`Kind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Başvuru kanalı: how the application reached the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Yüz yüze: in person at the Açık Kapı office.
    YuzYuze,
    /// Telefon: by telephone.
    Telefon,
    /// e-Devlet: through the e-Government gateway.
    EDevlet,
    /// E-posta: by e-mail.
    EPosta,
    /// Dilekçe: a written petition by post or fax.
    Dilekce,
    /// Diğer: any other channel (e.g. a field visit).
    Diger,
}

impl Channel {
    /// Every channel, in display order.
    pub const ALL: [Channel; 6] = [
        Channel::YuzYuze,
        Channel::Telefon,
        Channel::EDevlet,
        Channel::EPosta,
        Channel::Dilekce,
        Channel::Diger,
    ];

    /// Turkish name (`"Yüz yüze"`).
    pub fn name_tr(self) -> &'static str {
        match self {
            Channel::YuzYuze => "Yüz yüze",
            Channel::Telefon => "Telefon",
            Channel::EDevlet => "e-Devlet",
            Channel::EPosta => "E-posta",
            Channel::Dilekce => "Dilekçe",
            Channel::Diger => "Diğer",
        }
    }

    /// Position in [`Channel::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Sonuç: how an answered application ended for the citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Olumlu: granted / resolved in the citizen's favour.
    Olumlu,
    /// Olumsuz: refused.
    Olumsuz,
    /// Kısmen olumlu: partly granted.
    KismenOlumlu,
}

impl Outcome {
    /// Every outcome, in display order.
    pub const ALL: [Outcome; 3] = [Outcome::Olumlu, Outcome::Olumsuz, Outcome::KismenOlumlu];

    /// Turkish name (`"Kısmen olumlu"`).
    pub fn name_tr(self) -> &'static str {
        match self {
            Outcome::Olumlu => "Olumlu",
            Outcome::Olumsuz => "Olumsuz",
            Outcome::KismenOlumlu => "Kısmen olumlu",
        }
    }
}

/// Durum: where an application stands, as far as statistics are concerned.
///
/// Serialized with a `state` tag: `{"state":"answered","outcome":"olumlu"}`,
/// `{"state":"not_processed","reasons":["mükerrer başvuru"]}`, `{"state":"pending"}`.
/// How each state counts in the statistics block is documented on
/// [`StatisticsBlock`](super::StatisticsBlock).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    /// İşleme alınmadı: registered, but not taken up, with the reasons given (anonymous, outside
    /// the administration's remit, a court matter, a repeat application…).
    NotProcessed {
        /// Why it was not taken up, as written by the officer.
        #[serde(default)]
        reasons: Vec<String>,
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

/// Yaş grubu: the applicant's age band, when they gave it (never an exact age or birth date).
/// The bands are the workflow's (`crate::workflow::application::AgeGroup`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgeGroup {
    /// Under 18.
    #[serde(rename = "0-17")]
    Under18,
    /// 18 to 29.
    #[serde(rename = "18-29")]
    From18To29,
    /// 30 to 44.
    #[serde(rename = "30-44")]
    From30To44,
    /// 45 to 64.
    #[serde(rename = "45-64")]
    From45To64,
    /// 65 and over.
    #[serde(rename = "65+")]
    From65,
}

impl AgeGroup {
    /// Every age group, youngest first.
    pub const ALL: [AgeGroup; 5] = [
        AgeGroup::Under18,
        AgeGroup::From18To29,
        AgeGroup::From30To44,
        AgeGroup::From45To64,
        AgeGroup::From65,
    ];

    /// The band of an age in whole years; `None` for a negative age.
    ///
    /// ```
    /// use acikkapi_core::stats::AgeGroup;
    /// assert_eq!(AgeGroup::of_age(17), Some(AgeGroup::Under18));
    /// assert_eq!(AgeGroup::of_age(30), Some(AgeGroup::From30To44));
    /// assert_eq!(AgeGroup::of_age(-1), None);
    /// ```
    pub fn of_age(years: i32) -> Option<AgeGroup> {
        Some(match years {
            i32::MIN..0 => return None,
            0..=17 => AgeGroup::Under18,
            18..=29 => AgeGroup::From18To29,
            30..=44 => AgeGroup::From30To44,
            45..=64 => AgeGroup::From45To64,
            _ => AgeGroup::From65,
        })
    }

    /// The band as written in data and reports (`"30-44"`).
    pub fn label(self) -> &'static str {
        match self {
            AgeGroup::Under18 => "0-17",
            AgeGroup::From18To29 => "18-29",
            AgeGroup::From30To44 => "30-44",
            AgeGroup::From45To64 => "45-64",
            AgeGroup::From65 => "65+",
        }
    }

    /// Position in [`AgeGroup::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Cinsiyet: the applicant's gender, when they gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Kadın.
    Kadin,
    /// Erkek.
    Erkek,
}

impl Gender {
    /// Every value, in display order.
    pub const ALL: [Gender; 2] = [Gender::Kadin, Gender::Erkek];

    /// Turkish name.
    pub fn name_tr(self) -> &'static str {
        match self {
            Gender::Kadin => "Kadın",
            Gender::Erkek => "Erkek",
        }
    }

    /// Position in [`Gender::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
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
///   "received_at":"2026-11-02T10:15:00+03:00","status":{"state":"answered","outcome":"olumlu"},
///   "deadline":"2026-11-11","answered_at":"2026-11-06T16:00:00+03:00",
///   "business_days_to_answer":4,"escalations":0,"reroutes":1,"overdue":false,
///   "age_group":"30-44","gender":"kadin"}"#;
/// let rec: ApplicationRecord = serde_json::from_str(line).unwrap();
/// assert_eq!(rec.status, Status::Answered { outcome: Outcome::Olumlu });
/// assert!(rec.answered_on_time());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRecord {
    /// Takip numarası: the application's tracking number (unique; the projection's key).
    pub tracking_number: String,
    /// Şikâyet, talep or ihbar.
    pub kind: Kind,
    /// How it arrived.
    pub channel: Channel,
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

/// Europe/Istanbul's offset since September 2016, in seconds.
const ISTANBUL_OFFSET_SECS: i32 = 3 * 3600;

/// The calendar date of an instant in Europe/Istanbul.
pub fn istanbul_date(t: &DateTime<FixedOffset>) -> NaiveDate {
    if t.offset().local_minus_utc() == ISTANBUL_OFFSET_SECS {
        t.date_naive()
    } else {
        t.with_timezone(&chrono_tz::Europe::Istanbul).date_naive()
    }
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
    fn week_and_month_keys() {
        // 2027-01-01 is a Friday in ISO week 53 of 2026.
        let d = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(week_key(d), 202_653);
        assert_eq!(month_key(d), 202_701);
    }

    #[test]
    fn status_serde_shape() {
        let s = serde_json::to_string(&Status::Answered {
            outcome: Outcome::KismenOlumlu,
        })
        .unwrap();
        assert_eq!(s, r#"{"state":"answered","outcome":"kismen_olumlu"}"#);
        let np: Status = serde_json::from_str(r#"{"state":"not_processed"}"#).unwrap();
        assert_eq!(np, Status::NotProcessed { reasons: vec![] });
        assert_eq!(serde_json::to_string(&AgeGroup::From65).unwrap(), "\"65+\"");
        assert_eq!(
            serde_json::to_string(&Channel::EDevlet).unwrap(),
            "\"e_devlet\""
        );
    }
}
