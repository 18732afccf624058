//! The answer deadline (*cevap süresi*) of an application: office hours and the cut-off rule.

use chrono::{DateTime, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::Calendar;
#[cfg(doc)]
use super::HalfDayPolicy;
use super::business::AFTERNOON_OFF;
use crate::error::{Error, Result};

/// Mesai saatleri: office hours in İstanbul local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OfficeHours {
    /// Opening time (default 08:30).
    pub open: NaiveTime,
    /// Closing time (default 17:30).
    pub close: NaiveTime,
    /// Start of the afternoon on half days (default 13:00): offices close then on an arife or
    /// 28 October, and open then after an idari izin morning.
    pub half_day: NaiveTime,
}

impl Default for OfficeHours {
    fn default() -> Self {
        // Constant, valid times: from_hms_opt cannot fail on these literals.
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
        OfficeHours {
            open: t(8, 30),
            close: t(17, 30),
            half_day: t(13, 0),
        }
    }
}

impl Calendar {
    /// Closing time of the office on `date` (13:00 if the afternoon is off, else the closing time).
    fn closing_time(&self, date: NaiveDate) -> Result<NaiveTime> {
        let hours = &self.options().office_hours;
        Ok(if self.off_bits(date)? & AFTERNOON_OFF != 0 {
            hours.half_day
        } else {
            hours.close
        })
    }

    /// The day an application received at `received` (İstanbul local time) counts as received:
    /// that day if it is a business day and the time is before closing (17:30; 13:00 when the
    /// afternoon is off), else the next business day.
    pub fn receipt_day(&self, received: chrono::NaiveDateTime) -> Result<NaiveDate> {
        let date = received.date();
        if self.is_business_day(date)? && received.time() < self.closing_time(date)? {
            // An idari izin morning (a business day when half days count) opens at 13:00; a
            // receipt before closing counts that day.
            return Ok(date);
        }
        if self.is_business_day(date)? {
            self.add_business_days(date, 1)
        } else {
            self.add_business_days(date, 0)
        }
    }

    /// Cevap süresi: the moment an application received at `received_at` is due, `n` business days
    /// later (Açık Kapı: n = 7), in Europe/Istanbul time.
    ///
    /// Cut-off rule: received on a business day before the end of office hours (17:30, or 13:00 on
    /// a day whose afternoon is off) it counts as received that day; otherwise (after hours, weekend,
    /// holiday, under [`HalfDayPolicy::NotBusinessDay`] a half day) as received on the next
    /// business day. Counting starts the day after: the application is due at the end of office
    /// hours of the n-th business day after the receipt day (n = 0: the end of the receipt day).
    ///
    /// ```
    /// use acikkapi_core::calendar::Calendar;
    /// use chrono::TimeZone;
    /// use chrono_tz::Europe::Istanbul;
    /// let cal = Calendar::public_sector();
    /// // Monday 2 June 2025, 10:00 → 7 business days later: Friday 13 June 2025 (Kurban Bayramı
    /// // 6–9 June falls in between; the arife, 5 June, counts as a business day).
    /// let received = Istanbul.with_ymd_and_hms(2025, 6, 2, 10, 0, 0).unwrap();
    /// let due = cal.deadline(received, 7).unwrap();
    /// assert_eq!(due.to_string(), "2025-06-13 17:30:00 +03");
    /// ```
    pub fn deadline(&self, received_at: DateTime<Tz>, n: u32) -> Result<DateTime<Tz>> {
        let local = crate::time::to_local(received_at).naive_local();
        let receipt = self.receipt_day(local)?;
        let due_day = self.add_business_days(receipt, i64::from(n))?;
        let due = due_day.and_time(self.closing_time(due_day)?);
        // Closing times (13:00, 17:30) never fell in a clock change (those were at night).
        crate::time::from_local_checked(due).ok_or(Error::InvalidLocalTime(due))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{CalendarKind, CalendarOptions, HalfDayPolicy};
    use chrono::TimeZone;
    use chrono_tz::Europe::Istanbul;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Tz> {
        Istanbul.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn received_in_office_hours_counts_that_day() {
        // Tuesday 4 Nov 2025 10:00 → 7 business days → Thursday 13 Nov 2025 17:30.
        let due = Calendar::public_sector()
            .deadline(at(2025, 11, 4, 10, 0), 7)
            .unwrap();
        assert_eq!(due, at(2025, 11, 13, 17, 30));
    }

    #[test]
    fn received_after_hours_counts_from_next_business_day() {
        let cal = Calendar::public_sector();
        assert_eq!(
            cal.deadline(at(2025, 11, 4, 17, 29), 7).unwrap(),
            at(2025, 11, 13, 17, 30)
        );
        assert_eq!(
            cal.deadline(at(2025, 11, 4, 17, 30), 7).unwrap(),
            at(2025, 11, 14, 17, 30)
        );
        // Friday evening → counts from Monday.
        assert_eq!(
            cal.deadline(at(2025, 11, 7, 20, 0), 7).unwrap(),
            at(2025, 11, 19, 17, 30)
        );
    }

    #[test]
    fn received_on_weekend_or_holiday() {
        let cal = Calendar::public_sector();
        // Saturday 8 Nov 2025 → receipt Monday 10 Nov → due Wednesday 19 Nov.
        assert_eq!(
            cal.deadline(at(2025, 11, 8, 11, 0), 7).unwrap(),
            at(2025, 11, 19, 17, 30)
        );
        // Wednesday 29 Oct 2025 (Republic Day) → receipt Thursday 30 Oct → due Monday 10 Nov.
        assert_eq!(
            cal.deadline(at(2025, 10, 29, 11, 0), 7).unwrap(),
            at(2025, 11, 10, 17, 30)
        );
    }

    #[test]
    fn half_day_cut_off_at_13() {
        let cal = Calendar::public_sector();
        // Tuesday 28 Oct 2025 is a half day: 12:59 counts that day, 13:00 counts from 30 Oct.
        assert_eq!(
            cal.deadline(at(2025, 10, 28, 12, 59), 1).unwrap(),
            at(2025, 10, 30, 17, 30)
        );
        assert_eq!(
            cal.deadline(at(2025, 10, 28, 13, 0), 1).unwrap(),
            at(2025, 10, 31, 17, 30)
        );
        // Due on a half day → due at 13:00: Monday 27 Oct + 1 = Tuesday 28 Oct 13:00.
        assert_eq!(
            cal.deadline(at(2025, 10, 27, 9, 0), 1).unwrap(),
            at(2025, 10, 28, 13, 0)
        );
        // Half days off: 28 Oct is skipped altogether.
        let strict = Calendar::new(CalendarOptions {
            half_day_policy: HalfDayPolicy::NotBusinessDay,
            ..Default::default()
        });
        assert_eq!(
            strict.deadline(at(2025, 10, 27, 9, 0), 1).unwrap(),
            at(2025, 10, 30, 17, 30)
        );
        assert_eq!(
            strict.deadline(at(2025, 10, 28, 9, 0), 1).unwrap(),
            at(2025, 10, 31, 17, 30)
        );
    }

    #[test]
    fn idari_izin_moves_the_deadline_only_in_the_public_sector_calendar() {
        // Friday 28 March 2025 → 1 business day: legal 2 Apr, public sector 7 Apr.
        let legal = Calendar::new(CalendarOptions {
            kind: CalendarKind::Legal,
            ..Default::default()
        });
        assert_eq!(
            legal.deadline(at(2025, 3, 28, 9, 0), 1).unwrap(),
            at(2025, 4, 2, 17, 30)
        );
        assert_eq!(
            Calendar::public_sector()
                .deadline(at(2025, 3, 28, 9, 0), 1)
                .unwrap(),
            at(2025, 4, 7, 17, 30)
        );
    }

    #[test]
    fn other_time_zones_are_converted_and_office_hours_configurable() {
        // 14:45 UTC = 17:45 İstanbul: after hours.
        let utc: DateTime<Tz> = chrono_tz::UTC
            .with_ymd_and_hms(2025, 11, 4, 14, 45, 0)
            .unwrap();
        assert_eq!(
            Calendar::public_sector().deadline(utc, 7).unwrap(),
            at(2025, 11, 14, 17, 30)
        );
        let hours = OfficeHours {
            close: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
            ..Default::default()
        };
        let cal = Calendar::new(CalendarOptions {
            office_hours: hours,
            ..Default::default()
        });
        assert_eq!(cal.deadline(utc, 7).unwrap(), at(2025, 11, 13, 18, 0));
    }

    #[test]
    fn out_of_range_is_an_error() {
        let e = Calendar::public_sector()
            .deadline(at(1975, 1, 2, 10, 0), 7)
            .unwrap_err();
        assert!(matches!(e, Error::DateOutOfRange { .. }), "{e}");
    }
}
