//! The business-day calendar: per-year prefix counts and business-day indexes, built lazily and
//! cached per year; O(1) per year touched for every query.

use std::fmt;
use std::sync::{Arc, OnceLock};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::deadline::OfficeHours;
use super::rules::legal_holidays;
use super::{CalendarKind, HalfDayPolicy, Holiday, HolidayKind, Overlay, SUPPORTED_YEARS};
use crate::error::{Error, Result};

/// Off-time bit: the morning (until 13:00) is off.
pub(crate) const MORNING_OFF: u8 = 1;
/// Off-time bit: the afternoon (from 13:00) is off.
pub(crate) const AFTERNOON_OFF: u8 = 2;
const ALL_OFF: u8 = MORNING_OFF | AFTERNOON_OFF;
/// Largest |n| accepted by [`Calendar::add_business_days`] (more than the supported years hold).
const MAX_STEPS: i64 = 366 * 230;

/// How to build a [`Calendar`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarOptions {
    /// Legal or public-sector (the default).
    pub kind: CalendarKind,
    /// Whether half days count as business days (default: yes).
    pub half_day_policy: HalfDayPolicy,
    /// Ignore the Diyanet table and compute every bayram (for testing the computation).
    pub no_bayram_table: bool,
    /// Extra idari izin overlays, on top of the bundled one (public-sector calendar only).
    pub overlays: Vec<Overlay>,
    /// Office hours for [`Calendar::deadline`].
    pub office_hours: OfficeHours,
}

/// The days of one Gregorian year.
struct YearData {
    /// Holidays of the year (legal, then overlays), sorted by date.
    holidays: Vec<Holiday>,
    /// Off-time bits per day (index = ordinal0); weekends are [`ALL_OFF`].
    off: Vec<u8>,
    /// `prefix[i]` = business days among days `0..i` of the year (length = days + 1).
    prefix: Vec<u16>,
    /// The business days of the year, ascending.
    business: Vec<NaiveDate>,
    /// Business days from 1 January 1981 up to (not including) 1 January of this year.
    start_count: u32,
}

struct Inner {
    options: CalendarOptions,
    /// Overlay days merged (public-sector calendar), sorted.
    overlay_days: Vec<Holiday>,
    /// One lazily built slot per supported year.
    years: Box<[OnceLock<YearData>]>,
}

/// İş günü takvimi: a Turkish business-day calendar (legal or public-sector).
///
/// Cheap to clone (an [`Arc`] inside), `Send + Sync`; each year's tables are built once on first use.
/// All queries are O(1) per year they touch and fail with a typed error outside
/// [`SUPPORTED_YEARS`].
///
/// Conventions:
/// - [`add_business_days(d, n)`](Calendar::add_business_days): for n > 0 the n-th business day
///   strictly after `d`; for n < 0 the |n|-th business day strictly before `d`; for n = 0 `d` itself
///   if it is a business day, else the next business day.
/// - [`business_days_between(a, b)`](Calendar::business_days_between): for a ≤ b the number of
///   business days in the half-open interval (a, b]; for a > b minus the count in (b, a]. So
///   `between(d, add(d, n)) == n` for every d when n ≥ 0, and for business days d when n < 0.
///
/// ```
/// use acikkapi_core::calendar::Calendar;
/// use chrono::NaiveDate;
/// let cal = Calendar::legal();
/// let d = NaiveDate::from_ymd_opt(2024, 6, 14).unwrap(); // Friday before Kurban Bayramı
/// let due = cal.add_business_days(d, 1).unwrap();
/// assert_eq!(due, NaiveDate::from_ymd_opt(2024, 6, 20).unwrap());
/// assert_eq!(cal.business_days_between(d, due).unwrap(), 1);
/// ```
#[derive(Clone)]
pub struct Calendar {
    inner: Arc<Inner>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

fn year_slot_count() -> usize {
    (SUPPORTED_YEARS.end() - SUPPORTED_YEARS.start() + 1) as usize
}

impl Calendar {
    /// Builds a calendar. The public-sector calendar always includes the bundled idari izin
    /// overlay; if that could not be read the error shows up on the first query.
    pub fn new(options: CalendarOptions) -> Calendar {
        let mut overlay_days = Vec::new();
        if options.kind == CalendarKind::PublicSector {
            if let Ok(bundled) = Overlay::bundled() {
                overlay_days.extend_from_slice(bundled.days());
            }
            for o in &options.overlays {
                overlay_days.extend_from_slice(o.days());
            }
            overlay_days.sort_by_key(|h| h.date);
        }
        let years = (0..year_slot_count()).map(|_| OnceLock::new()).collect();
        Calendar {
            inner: Arc::new(Inner {
                options,
                overlay_days,
                years,
            }),
        }
    }

    /// The shared legal calendar (default options otherwise).
    pub fn legal() -> &'static Calendar {
        static LEGAL: OnceLock<Calendar> = OnceLock::new();
        LEGAL.get_or_init(|| {
            Calendar::new(CalendarOptions {
                kind: CalendarKind::Legal,
                ..Default::default()
            })
        })
    }

    /// The shared public-sector calendar (legal + bundled idari izin, half days count): the
    /// default for Açık Kapı deadlines.
    pub fn public_sector() -> &'static Calendar {
        static PUBLIC: OnceLock<Calendar> = OnceLock::new();
        PUBLIC.get_or_init(|| Calendar::new(CalendarOptions::default()))
    }

    /// The options this calendar was built with.
    pub fn options(&self) -> &CalendarOptions {
        &self.inner.options
    }

    /// The tables of `year`, built on first use. A year's running count needs the previous
    /// year's, so the first query for a year builds every earlier supported year not yet built
    /// (all of 1981–2200 take a few milliseconds).
    #[inline]
    fn year(&self, year: i32) -> Result<&YearData> {
        let first = *SUPPORTED_YEARS.start();
        if !SUPPORTED_YEARS.contains(&year) {
            return Err(Error::YearOutOfRange {
                year,
                supported: SUPPORTED_YEARS,
            });
        }
        // In bounds: 0 <= year - first < year_slot_count() because `year` is in SUPPORTED_YEARS.
        if let Some(data) = self.inner.years[(year - first) as usize].get() {
            return Ok(data);
        }
        self.build_through(year)
    }

    #[cold]
    fn build_through(&self, year: i32) -> Result<&YearData> {
        let first = *SUPPORTED_YEARS.start();
        let mut start_count = 0u32;
        let mut built = None;
        for y in first..=year {
            let slot = &self.inner.years[(y - first) as usize];
            let data = match slot.get() {
                Some(data) => data,
                None => {
                    let data = self.build_year(y, start_count)?;
                    // Another thread may have won the race; both built the same table.
                    slot.get_or_init(|| data)
                }
            };
            start_count = data.start_count + data.business.len() as u32;
            built = Some(data);
        }
        built.ok_or(Error::YearOutOfRange {
            year,
            supported: SUPPORTED_YEARS,
        })
    }

    fn build_year(&self, year: i32, start_count: u32) -> Result<YearData> {
        let opts = &self.inner.options;
        if opts.kind == CalendarKind::PublicSector {
            Overlay::bundled()?;
        }
        let out_of_range = || Error::YearOutOfRange {
            year,
            supported: SUPPORTED_YEARS,
        };
        let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(out_of_range)?;
        let days = if jan1.leap_year() { 366 } else { 365 };
        let mut holidays = legal_holidays(year, !opts.no_bayram_table)?;
        holidays.extend(
            self.inner
                .overlay_days
                .iter()
                .filter(|h| h.date.year() == year)
                .cloned(),
        );
        holidays.sort_by_key(|h| h.date);
        let mut off = vec![0u8; days];
        for (i, slot) in off.iter_mut().enumerate() {
            let date = jan1 + chrono::Days::new(i as u64);
            if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                *slot = ALL_OFF;
            }
        }
        for h in &holidays {
            off[h.date.ordinal0() as usize] |= h.kind.bits();
        }
        let mut prefix = Vec::with_capacity(days + 1);
        let mut business = Vec::with_capacity(days);
        prefix.push(0u16);
        for (i, &bits) in off.iter().enumerate() {
            if is_business(bits, opts.half_day_policy) {
                business.push(jan1 + chrono::Days::new(i as u64));
            }
            prefix.push(business.len() as u16);
        }
        Ok(YearData {
            holidays,
            off,
            prefix,
            business,
            start_count,
        })
    }

    /// Builds the tables for `years` now (otherwise built on first use).
    pub fn warm_up(&self, years: std::ops::RangeInclusive<i32>) -> Result<()> {
        for y in years {
            self.year(y)?;
        }
        Ok(())
    }

    /// Hot path: the year's tables if already built, and the day's index in the year.
    #[inline]
    fn built(&self, date: NaiveDate) -> Option<(&YearData, usize)> {
        // A year before 1981 wraps to a huge index, which `get` rejects.
        let idx = date.year().wrapping_sub(*SUPPORTED_YEARS.start()) as u32 as usize;
        let y = self.inner.years.get(idx)?.get()?;
        Some((y, date.ordinal0() as usize))
    }

    #[inline]
    fn locate(&self, date: NaiveDate) -> Result<(&YearData, usize)> {
        if let Some(found) = self.built(date) {
            return Ok(found);
        }
        self.year(date.year())
            .map(|y| (y, date.ordinal0() as usize))
            .map_err(|e| match e {
                Error::YearOutOfRange { supported, .. } => {
                    Error::DateOutOfRange { date, supported }
                }
                other => other,
            })
    }

    /// Off-time bits of a day (weekend = morning and afternoon off).
    pub(crate) fn off_bits(&self, date: NaiveDate) -> Result<u8> {
        let (y, i) = self.locate(date)?;
        Ok(y.off[i])
    }

    /// Whether `date` is a business day (under the calendar's half-day policy).
    #[inline]
    pub fn is_business_day(&self, date: NaiveDate) -> Result<bool> {
        if let Some((y, i)) = self.built(date) {
            return Ok(is_business(y.off[i], self.inner.options.half_day_policy));
        }
        Ok(is_business(
            self.off_bits(date)?,
            self.inner.options.half_day_policy,
        ))
    }

    /// How much of `date` is off for holidays: `None` for an ordinary day or a plain weekend,
    /// else full, half (afternoon) or morning.
    pub fn holiday_kind(&self, date: NaiveDate) -> Result<Option<HolidayKind>> {
        let (y, _) = self.locate(date)?;
        let bits = y
            .holidays
            .iter()
            .filter(|h| h.date == date)
            .fold(0u8, |acc, h| acc | h.kind.bits());
        Ok(match bits {
            0 => None,
            MORNING_OFF => Some(HolidayKind::Morning),
            AFTERNOON_OFF => Some(HolidayKind::Half),
            _ => Some(HolidayKind::Full),
        })
    }

    /// The holidays of `year` (for the public-sector calendar including idari izin), sorted by date;
    /// a day with two holidays appears twice.
    pub fn holidays(&self, year: i32) -> Result<Vec<Holiday>> {
        Ok(self.year(year)?.holidays.clone())
    }

    /// The n-th business day after `date` (see the conventions on [`Calendar`]).
    #[inline]
    pub fn add_business_days(&self, date: NaiveDate, n: i64) -> Result<NaiveDate> {
        let (mut y, i) = self.locate(date)?;
        let out = || Error::BusinessDaysOutOfRange {
            date,
            n,
            supported: SUPPORTED_YEARS,
        };
        if !(-MAX_STEPS..=MAX_STEPS).contains(&n) {
            return Err(out());
        }
        let mut year = date.year();
        if n >= 0 {
            // Business days ≤ date in its year, plus n; n = 0 rolls forward to a business day.
            let before_or_on = i64::from(y.prefix[i + 1]);
            let mut target = if n == 0 {
                i64::from(y.prefix[i]) + 1
            } else {
                before_or_on + n
            };
            loop {
                let total = y.business.len() as i64;
                if target <= total {
                    return Ok(y.business[(target - 1) as usize]);
                }
                target -= total;
                year += 1;
                y = self.year(year).map_err(|_| out())?;
            }
        } else {
            let mut back = -n;
            let before = i64::from(y.prefix[i]);
            if back <= before {
                return Ok(y.business[(before - back) as usize]);
            }
            back -= before;
            loop {
                year -= 1;
                y = self.year(year).map_err(|_| out())?;
                let total = y.business.len() as i64;
                if back <= total {
                    return Ok(y.business[(total - back) as usize]);
                }
                back -= total;
            }
        }
    }

    /// Business days in (a, b] (negative when b < a; see the conventions on [`Calendar`]).
    #[inline]
    pub fn business_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64> {
        // Running counts since 1981-01-01 at a and b: their difference is the count in (a, b],
        // and for b < a minus the count in (b, a].
        let count = |y: &YearData, i: usize| i64::from(y.start_count) + i64::from(y.prefix[i + 1]);
        if let (Some((ya, ia)), Some((yb, ib))) = (self.built(a), self.built(b)) {
            return Ok(count(yb, ib) - count(ya, ia));
        }
        let (ya, ia) = self.locate(a)?;
        let (yb, ib) = self.locate(b)?;
        Ok(count(yb, ib) - count(ya, ia))
    }
}

fn is_business(bits: u8, policy: HalfDayPolicy) -> bool {
    match bits {
        0 => true,
        ALL_OFF => false,
        _ => policy == HalfDayPolicy::CountsAsBusinessDay,
    }
}

impl bdays::HolidayCalendar<NaiveDate> for Calendar {
    /// True for every day that is not a business day of this calendar (holidays; half days under
    /// [`HalfDayPolicy::NotBusinessDay`]). Outside [`SUPPORTED_YEARS`] no day is a holiday (this
    /// trait cannot report errors; use [`Calendar::is_business_day`] for a checked answer).
    fn is_holiday(&self, date: NaiveDate) -> bool {
        self.is_business_day(date).is_ok_and(|b| !b)
    }
}

#[cfg(test)]
#[path = "business_tests.rs"]
mod tests;
