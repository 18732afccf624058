//! The Turkish business-day calendar (*iş günü takvimi*): public holidays, bayrams, administrative
//! leave, business-day arithmetic and the 7-business-day answer deadline of Açık Kapı.
//!
//! # Rules
//! National holidays under **Law 2429** (*Ulusal Bayram ve Genel Tatiller Hakkında Kanun*, 1981, as
//! amended):
//! - 1 January (Yılbaşı); 23 April; 19 May; 30 August; 29 October, with 28 October a half day from 13:00;
//! - 1 May (Emek ve Dayanışma Günü) **from 2009** (Law 5892), absent 1981–2008;
//! - 15 July (Demokrasi ve Millî Birlik Günü) **from 2017** (Law 6752 of 2016), absent before;
//! - Ramazan Bayramı, 3 days, and Kurban Bayramı, 4 days, each preceded by its arife (eve), a half day
//!   from 13:00.
//!
//! A holiday falling on a Saturday or Sunday is **not** moved. Two holidays can fall on one day
//! (e.g. Kurban Bayramı on 1 January 2007): [`Calendar::holidays`] lists both.
//!
//! # Supported years
//! Gregorian years [`SUPPORTED_YEARS`] = 1981–2200 (Law 2429 onward; the astronomy and ΔT model
//! hold to 2200). Dates outside are a typed error ([`Error::DateOutOfRange`](crate::Error::DateOutOfRange)),
//! never a panic.
//!
//! # Bayram dates
//! The religious holidays follow the Hijri calendar as fixed by Diyanet. Where the embedded table
//! (`data/bayrams.csv`, 1981–2032, from the `holidays` package; see `data/SOURCES.md`) has a date, it
//! wins ([`HolidaySource::Table`]); beyond, the date is computed astronomically with the 2016 Istanbul
//! congress criterion that Diyanet applies since 2017 ([`HolidaySource::Computed`], an estimate until
//! Diyanet publishes). See [`compute_month_start`]. The computation alone reproduces all 32 bayrams
//! of 2017–2032 in the table; before 2017 Diyanet used other criteria (see `DESIGN.md`).
//!
//! # Two calendars
//! - [`CalendarKind::Legal`]: the law and the bayrams only.
//! - [`CalendarKind::PublicSector`]: legal plus *idari izin* (administrative leave for public
//!   servants, declared year by year by presidential circular) from the bundled overlay
//!   `data/idari_izin.csv` and any overlay the user loads ([`Overlay`]). Açık Kapı deadlines use this
//!   calendar by default ([`Calendar::public_sector`]).
//!
//! Half days (afternoon off from 13:00, or an idari izin morning) count as business days under the
//! default [`HalfDayPolicy::CountsAsBusinessDay`].
//!
//! # Deadline cut-off
//! [`Calendar::deadline`]: an application received on a business day before the end of office hours
//! (default 17:30; 13:00 on an afternoon-off half day) counts as received that day; received later,
//! or on a weekend or holiday, it counts as received on the next business day. It is due at the end
//! of office hours of the n-th business day after the day it counts as received (n = 7 by default).
//!
//! ```
//! use acikkapi_core::calendar::Calendar;
//! use chrono::NaiveDate;
//! let cal = Calendar::public_sector();
//! let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
//! // Ramazan Bayramı 2025 (30 Mar – 1 Apr) and idari izin 2–4 Apr: Friday 28 March + 1 = Monday 7 April.
//! assert_eq!(cal.add_business_days(d("2025-03-28"), 1).unwrap(), d("2025-04-07"));
//! assert_eq!(Calendar::legal().add_business_days(d("2025-03-28"), 1).unwrap(), d("2025-04-02"));
//! ```

mod astro;
mod business;
mod crescent;
mod deadline;
mod hijri;
mod overlay;
mod rules;

use std::ops::RangeInclusive;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use business::{Calendar, CalendarOptions};
pub use crescent::{COMPUTABLE_HIJRI_YEARS, compute_month_start};
pub use deadline::OfficeHours;
pub use hijri::{
    Bayram, BayramKind, bayram, bayrams_between_years, bayrams_touching_year, compute_bayram,
    table_first_day,
};
pub use overlay::Overlay;
pub use rules::legal_holidays;

/// Gregorian years the calendar supports: 1981 (Law 2429) to 2200.
pub const SUPPORTED_YEARS: RangeInclusive<i32> = 1981..=2200;

/// Which calendar: the legal one or the public servants' one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarKind {
    /// Resmî tatiller: Law 2429 and the bayrams.
    Legal,
    /// Kamu takvimi: legal holidays plus idari izin (administrative leave) overlays. The default.
    #[default]
    PublicSector,
}

/// Yarım gün: whether a half day counts as a business day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HalfDayPolicy {
    /// A half day (arife, 28 October, an idari izin morning) is a business day. The default.
    #[default]
    CountsAsBusinessDay,
    /// A half day is not a business day.
    NotBusinessDay,
}

/// Tatil türü: how much of the day is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    /// Tam gün: the whole day.
    Full,
    /// Yarım gün: the afternoon from 13:00 (arife, 28 October).
    Half,
    /// Sabah: the morning until 13:00 (an idari izin half day).
    Morning,
}

impl HolidayKind {
    /// `full`, `half` or `morning`.
    pub fn as_str(self) -> &'static str {
        match self {
            HolidayKind::Full => "full",
            HolidayKind::Half => "half",
            HolidayKind::Morning => "morning",
        }
    }

    /// Off-time bits: 1 = morning, 2 = afternoon.
    pub(crate) fn bits(self) -> u8 {
        match self {
            HolidayKind::Full => 3,
            HolidayKind::Half => 2,
            HolidayKind::Morning => 1,
        }
    }
}

/// Kaynak: where a holiday comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidaySource {
    /// Fixed by law (Law 2429).
    Law,
    /// A bayram from the Diyanet table.
    Table,
    /// A bayram computed astronomically (an estimate until Diyanet publishes the date).
    Computed,
    /// Idari izin: administrative leave for public servants (overlay file).
    IdariIzin,
}

impl HolidaySource {
    /// `law`, `table`, `computed` or `idari-izin`.
    pub fn as_str(self) -> &'static str {
        match self {
            HolidaySource::Law => "law",
            HolidaySource::Table => "table",
            HolidaySource::Computed => "computed",
            HolidaySource::IdariIzin => "idari-izin",
        }
    }
}

/// Tatil: one holiday on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// The day.
    pub date: NaiveDate,
    /// Turkish name, e.g. `Kurban Bayramı 2. gün`.
    pub name_tr: String,
    /// English name, e.g. `Eid al-Adha, day 2`.
    pub name_en: String,
    /// Whole day, afternoon or morning.
    pub kind: HolidayKind,
    /// Law, table, computation or idari izin.
    pub source: HolidaySource,
}
