//! Türkiye's local time (Europe/Istanbul, from the IANA time-zone database via `chrono-tz`): the
//! one place in the crate that turns an instant into a Turkish date or hour and back.
//!
//! Türkiye has kept UTC+3 all year only since 7 September 2016; before that it was UTC+2 in
//! winter and UTC+3 in summer (with the usual one-hour gap in spring and repeated hour in
//! autumn), and the calendar reaches back to 1981. A fixed `+03:00` offset is therefore wrong for
//! older dates: nothing in the crate writes one; everything asks here.
//!
//! ```
//! use acikkapi_core::time::{local_date, local_time, to_local};
//! use chrono::{NaiveDate, TimeZone, Utc};
//! // 15 January 2015 22:30 UTC was 00:30 on the 16th in İstanbul (winter time, UTC+2)…
//! let winter = Utc.with_ymd_and_hms(2015, 1, 15, 22, 30, 0).unwrap();
//! assert_eq!(local_date(winter), NaiveDate::from_ymd_opt(2015, 1, 16).unwrap());
//! assert_eq!(to_local(winter).to_rfc3339(), "2015-01-16T00:30:00+02:00");
//! // …and 10:00 local on 23 November 2026 is 07:00 UTC (UTC+3 all year).
//! let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
//! assert_eq!(local_time(d, 10, 0), Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap());
//! ```

use chrono::{
    DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;

/// The time zone of every Turkish date and office hour in the crate.
pub const ZONE: Tz = chrono_tz::Europe::Istanbul;

/// Closing time of an office on an ordinary business day (17:30; the calendar's
/// [`OfficeHours`](crate::calendar::OfficeHours) default, and the hour of a deadline).
pub const OFFICE_CLOSES: (u32, u32) = (17, 30);

/// The instant in Türkiye's local time.
pub fn to_local<Z: TimeZone>(at: DateTime<Z>) -> DateTime<Tz> {
    at.with_timezone(&ZONE)
}

/// The instant with the offset Türkiye had at that instant (`+03:00` since September 2016,
/// `+02:00` or `+03:00` before): for values written with a fixed offset (the statistics'
/// records).
pub fn to_local_fixed<Z: TimeZone>(at: DateTime<Z>) -> DateTime<FixedOffset> {
    to_local(at).fixed_offset()
}

/// The date in Türkiye of an instant.
pub fn local_date<Z: TimeZone>(at: DateTime<Z>) -> NaiveDate {
    to_local(at).date_naive()
}

/// The instant a wall-clock time in Türkiye is. A time that happened twice (the autumn hour
/// before 2016) is its first occurrence; a time that did not happen (the spring gap) is read
/// with the offset before the gap, which lands as far after the gap as the time was into it
/// (03:30 on a spring-forward night is 04:30 summer time).
pub fn from_local(naive: NaiveDateTime) -> DateTime<Tz> {
    if let Some(t) = from_local_checked(naive) {
        return t;
    }
    // In a gap: the offset a day earlier is the one before the transition (Türkiye never had
    // two transitions within a day).
    let before = naive.checked_sub_signed(Duration::days(1)).unwrap_or(naive);
    let offset = ZONE.offset_from_utc_datetime(&before).fix();
    let utc = naive
        .checked_sub_signed(Duration::seconds(i64::from(offset.local_minus_utc())))
        .unwrap_or(naive);
    Utc.from_utc_datetime(&utc).with_timezone(&ZONE)
}

/// The instant a wall-clock time in Türkiye is, `None` for a time that did not happen (in the
/// spring gap before 2016); a time that happened twice is its first occurrence. For input a
/// person typed, where a time that no clock showed is a mistake.
pub fn from_local_checked(naive: NaiveDateTime) -> Option<DateTime<Tz>> {
    ZONE.from_local_datetime(&naive).earliest()
}

/// The instant a date starts in Türkiye (00:00 local, or the first instant of the day if
/// midnight fell in a gap), in UTC.
pub fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    from_local(date.and_time(NaiveTime::MIN)).with_timezone(&Utc)
}

/// The instant a local date, hour and minute in Türkiye is, in UTC. An hour or minute out of
/// range (`24:00`, `17:75`) counts on from the start of the day in local hours and minutes.
pub fn local_time(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    match NaiveTime::from_hms_opt(hour, minute, 0) {
        Some(t) => from_local(date.and_time(t)).with_timezone(&Utc),
        None => {
            let naive = date.and_time(NaiveTime::MIN)
                + Duration::hours(i64::from(hour))
                + Duration::minutes(i64::from(minute));
            from_local(naive).with_timezone(&Utc)
        }
    }
}

/// The end of office hours of an ordinary business day in Türkiye ([`OFFICE_CLOSES`], 17:30
/// local), in UTC. Half days close earlier: [`Calendar::deadline`](crate::calendar::Calendar::deadline)
/// knows which days those are.
pub fn end_of_office_day(date: NaiveDate) -> DateTime<Utc> {
    local_time(date, OFFICE_CLOSES.0, OFFICE_CLOSES.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Timelike};

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn winter_2015_is_utc_plus_two() {
        // 22:30 UTC on 15 January 2015: 00:30 on the 16th in İstanbul (a +03:00 offset would
        // say 01:30; the date is the same here, the hour is not).
        let t = utc(2015, 1, 15, 22, 30);
        assert_eq!(local_date(t), day(2015, 1, 16));
        assert_eq!(to_local(t).hour(), 0);
        assert_eq!(to_local_fixed(t).offset().local_minus_utc(), 2 * 3600);
        // 21:30 UTC: still the 15th in winter (23:30), the 16th with a fixed +03:00.
        assert_eq!(local_date(utc(2015, 1, 15, 21, 30)), day(2015, 1, 15));
        // Office hours: 10:00 local is 08:00 UTC, 17:30 is 15:30 UTC.
        assert_eq!(local_time(day(2015, 1, 15), 10, 0), utc(2015, 1, 15, 8, 0));
        assert_eq!(
            end_of_office_day(day(2015, 1, 15)),
            utc(2015, 1, 15, 15, 30)
        );
        assert_eq!(start_of_day(day(2015, 1, 16)), utc(2015, 1, 15, 22, 0));
    }

    #[test]
    fn summer_2015_and_since_2016_are_utc_plus_three() {
        let t = utc(2015, 7, 15, 21, 30);
        assert_eq!(local_date(t), day(2015, 7, 16));
        assert_eq!(to_local(t).hour(), 0);
        assert_eq!(to_local_fixed(t).offset().local_minus_utc(), 3 * 3600);
        assert_eq!(local_time(day(2015, 7, 15), 10, 0), utc(2015, 7, 15, 7, 0));
        // Winter 2016–17 stayed on +03:00.
        assert_eq!(local_time(day(2017, 1, 16), 10, 0), utc(2017, 1, 16, 7, 0));
        assert_eq!(
            local_time(day(2026, 11, 23), 17, 30),
            utc(2026, 11, 23, 14, 30)
        );
    }

    #[test]
    fn the_spring_gap_and_the_autumn_hour() {
        // 29 March 2015: clocks went from 03:00 (+02) to 04:00 (+03), at 01:00 UTC.
        let gap = from_local(day(2015, 3, 29).and_hms_opt(3, 30, 0).unwrap());
        assert_eq!(gap.with_timezone(&Utc), utc(2015, 3, 29, 1, 30));
        assert_eq!((gap.hour(), gap.minute()), (4, 30));
        // 8 November 2015 (the autumn change was moved to after the election): 04:00 (+03) →
        // 03:00 (+02) at 01:00 UTC; 03:30 happened twice, first at 00:30 UTC.
        let in_gap = day(2015, 3, 29).and_hms_opt(3, 30, 0).unwrap();
        assert_eq!(from_local_checked(in_gap), None);
        let twice = from_local(day(2015, 11, 8).and_hms_opt(3, 30, 0).unwrap());
        assert_eq!(
            from_local_checked(day(2015, 11, 8).and_hms_opt(3, 30, 0).unwrap()),
            Some(twice)
        );
        assert_eq!(twice.with_timezone(&Utc), utc(2015, 11, 8, 0, 30));
        // A day's start and its local hours stay on the day across a change.
        for d in [day(2015, 3, 29), day(2015, 11, 8), day(2016, 9, 7)] {
            assert_eq!(local_date(start_of_day(d)), d);
            assert_eq!(local_date(end_of_office_day(d)), d);
            let t = to_local(end_of_office_day(d));
            assert_eq!((t.day(), t.hour(), t.minute()), (d.day(), 17, 30));
        }
    }

    #[test]
    fn out_of_range_hours_count_on() {
        assert_eq!(
            local_time(day(2026, 11, 23), 24, 0),
            start_of_day(day(2026, 11, 24))
        );
        assert_eq!(
            local_time(day(2026, 11, 23), 17, 90),
            local_time(day(2026, 11, 23), 18, 30)
        );
    }
}
