use super::*;
use crate::calendar::{HolidaySource, Overlay};
use bdays::HolidayCalendar;
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}
fn legal() -> &'static Calendar {
    Calendar::legal()
}

#[test]
fn weekends_and_holidays_are_not_business_days() {
    let cal = legal();
    assert!(cal.is_business_day(d("2025-11-04")).unwrap());
    assert!(!cal.is_business_day(d("2025-11-08")).unwrap()); // Saturday
    assert!(!cal.is_business_day(d("2025-10-29")).unwrap());
    assert!(cal.is_business_day(d("2025-10-28")).unwrap()); // half day counts by default
    assert!(!cal.is_business_day(d("2009-05-01")).unwrap());
    assert!(cal.is_business_day(d("2008-05-01")).unwrap()); // Thursday, before Law 5892
    assert!(cal.is_business_day(d("2016-07-15")).unwrap()); // Friday, before Law 6752
    assert!(!cal.is_business_day(d("2019-07-15")).unwrap()); // Monday, Law 6752
}

#[test]
fn weekend_holidays_are_not_moved() {
    // 23 April 2022 is a Saturday: Friday 22 and Monday 25 stay business days.
    let cal = legal();
    assert!(cal.is_business_day(d("2022-04-22")).unwrap());
    assert!(cal.is_business_day(d("2022-04-25")).unwrap());
    assert_eq!(
        cal.business_days_between(d("2022-04-22"), d("2022-04-25"))
            .unwrap(),
        1
    );
    // 15 July 2023 Saturday, 30 August 2020 Sunday.
    assert!(cal.is_business_day(d("2023-07-17")).unwrap());
    assert!(cal.is_business_day(d("2020-08-31")).unwrap());
}

#[test]
fn idari_izin_only_in_public_sector_calendar() {
    let public = Calendar::public_sector();
    for day in [
        "2025-04-02",
        "2025-04-03",
        "2025-04-04",
        "2024-06-20",
        "2024-06-21",
        "2023-06-26",
        "2019-06-07",
    ] {
        assert!(legal().is_business_day(d(day)).unwrap(), "{day}");
        assert!(!public.is_business_day(d(day)).unwrap(), "{day}");
    }
    // 27 Jun 2023: idari izin morning + arife afternoon = the whole day off in the public sector.
    assert!(!public.is_business_day(d("2023-06-27")).unwrap());
    assert!(legal().is_business_day(d("2023-06-27")).unwrap());
    // Ramazan 2019: the morning of the arife (3 Jun) by idari izin, the afternoon by law.
    for day in ["2019-06-03", "2015-07-16"] {
        assert!(legal().is_business_day(d(day)).unwrap(), "{day}");
        assert!(!public.is_business_day(d(day)).unwrap(), "{day}");
    }
    let h = public.holidays(2025).unwrap();
    assert_eq!(
        h.iter()
            .filter(|h| h.source == HolidaySource::IdariIzin)
            .count(),
        3
    );
    assert!(
        legal()
            .holidays(2025)
            .unwrap()
            .iter()
            .all(|h| h.source != HolidaySource::IdariIzin)
    );
}

/// Issue 12: the Başbakanlık's idari izin of Kurban Bayramı 2015 ("21 Eylül Pazartesi gününden
/// itibaren iki buçuk gün": 21–22 September and the morning of the arife, 23 September) and of
/// Kurban Bayramı 2014 (the morning of the arife, Friday 3 October). Sources: data/SOURCES.md.
#[test]
fn idari_izin_kurban_2015_and_2014() {
    let public = Calendar::public_sector();
    for day in ["2015-09-21", "2015-09-22", "2015-09-23", "2014-10-03"] {
        assert!(legal().is_business_day(d(day)).unwrap(), "{day}");
        assert!(!public.is_business_day(d(day)).unwrap(), "{day}");
    }
    assert_eq!(
        public.holiday_kind(d("2015-09-22")).unwrap(),
        Some(HolidayKind::Full)
    );
    // Morning idari izin + the arife's legal afternoon: the whole day off.
    assert_eq!(
        public.holiday_kind(d("2015-09-23")).unwrap(),
        Some(HolidayKind::Full)
    );
    assert_eq!(
        legal().holiday_kind(d("2015-09-23")).unwrap(),
        Some(HolidayKind::Half)
    );
    // Friday 18 Sep 2015: the next public-sector business day is Monday 28 Sep (9-day break).
    assert_eq!(
        public.add_business_days(d("2015-09-18"), 1).unwrap(),
        d("2015-09-28")
    );
    assert_eq!(
        legal().add_business_days(d("2015-09-18"), 1).unwrap(),
        d("2015-09-21")
    );
    assert_eq!(
        public
            .business_days_between(d("2015-09-18"), d("2015-09-28"))
            .unwrap(),
        1
    );
    assert_eq!(
        legal()
            .business_days_between(d("2015-09-18"), d("2015-09-28"))
            .unwrap(),
        4
    );
    // 7 business days from Thursday 17 Sep 2015: 18, 28, 29, 30 Sep, 1, 2, 5 Oct.
    assert_eq!(
        public.add_business_days(d("2015-09-17"), 7).unwrap(),
        d("2015-10-05")
    );
    // Thursday 2 Oct 2014: 3 Oct off, 4–7 Oct Kurban Bayramı, so Wednesday 8 Oct.
    assert_eq!(
        public.add_business_days(d("2014-10-02"), 1).unwrap(),
        d("2014-10-08")
    );
    assert_eq!(
        legal().add_business_days(d("2014-10-02"), 1).unwrap(),
        d("2014-10-03")
    );
    assert_eq!(
        public.add_business_days(d("2014-10-08"), -1).unwrap(),
        d("2014-10-02")
    );
}

#[test]
fn user_overlay_extends_public_sector_calendar() {
    let o = Overlay::parse(
        "extra.csv",
        "date,kind,name_tr,name_en\n2030-01-02,full,İdari izin,Leave\n",
    )
    .unwrap();
    let cal = Calendar::new(CalendarOptions {
        overlays: vec![o],
        ..Default::default()
    });
    assert!(!cal.is_business_day(d("2030-01-02")).unwrap());
    assert!(
        Calendar::public_sector()
            .is_business_day(d("2030-01-02"))
            .unwrap()
    );
    assert!(!cal.is_business_day(d("2025-04-02")).unwrap()); // bundled still there
}

#[test]
fn half_day_policy() {
    let strict = Calendar::new(CalendarOptions {
        kind: CalendarKind::Legal,
        half_day_policy: HalfDayPolicy::NotBusinessDay,
        ..Default::default()
    });
    assert!(!strict.is_business_day(d("2025-10-28")).unwrap());
    assert!(legal().is_business_day(d("2025-10-28")).unwrap());
    // Ramazan arife Saturday 29 Mar 2025 is a weekend anyway; Kurban arife Thursday 5 Jun 2025.
    assert!(!strict.is_business_day(d("2025-06-05")).unwrap());
    assert_eq!(
        legal()
            .business_days_between(d("2025-06-04"), d("2025-06-10"))
            .unwrap(),
        2
    );
    assert_eq!(
        strict
            .business_days_between(d("2025-06-04"), d("2025-06-10"))
            .unwrap(),
        1
    );
    assert_eq!(
        legal().holiday_kind(d("2025-06-05")).unwrap(),
        Some(HolidayKind::Half)
    );
    assert_eq!(
        Calendar::public_sector()
            .holiday_kind(d("2023-06-27"))
            .unwrap(),
        Some(HolidayKind::Full)
    );
}

#[test]
fn add_conventions() {
    let cal = legal();
    // n = 0: a business day stays, a holiday rolls forward.
    assert_eq!(
        cal.add_business_days(d("2025-11-04"), 0).unwrap(),
        d("2025-11-04")
    );
    assert_eq!(
        cal.add_business_days(d("2025-11-08"), 0).unwrap(),
        d("2025-11-10")
    );
    assert_eq!(
        cal.add_business_days(d("2025-11-08"), 1).unwrap(),
        d("2025-11-10")
    );
    assert_eq!(
        cal.add_business_days(d("2025-11-08"), -1).unwrap(),
        d("2025-11-07")
    );
    // Across New Year with a straddling Kurban: Fri 29 Dec 2006 + 1 = Thu 4 Jan 2007.
    assert_eq!(
        cal.add_business_days(d("2006-12-29"), 1).unwrap(),
        d("2007-01-04")
    );
    assert_eq!(
        cal.add_business_days(d("2007-01-04"), -1).unwrap(),
        d("2006-12-29")
    );
    assert_eq!(
        cal.business_days_between(d("2006-12-29"), d("2007-01-04"))
            .unwrap(),
        1
    );
    // Many years at once.
    let far = cal.add_business_days(d("1990-01-02"), 10_000).unwrap();
    assert_eq!(
        cal.business_days_between(d("1990-01-02"), far).unwrap(),
        10_000
    );
    assert_eq!(
        cal.add_business_days(far, -10_000).unwrap(),
        d("1990-01-02")
    );
}

#[test]
fn errors_outside_supported_years_never_panic() {
    let cal = legal();
    assert!(matches!(
        cal.is_business_day(d("1980-12-31")),
        Err(Error::DateOutOfRange { .. })
    ));
    assert!(matches!(
        cal.add_business_days(d("2200-12-30"), 5),
        Err(Error::BusinessDaysOutOfRange { .. })
    ));
    assert!(matches!(
        cal.add_business_days(d("1981-01-02"), -5),
        Err(Error::BusinessDaysOutOfRange { .. })
    ));
    assert!(cal.add_business_days(d("2000-01-03"), i64::MAX).is_err());
    assert!(cal.add_business_days(d("2000-01-03"), i64::MIN).is_err());
    assert!(
        cal.business_days_between(d("1970-01-01"), d("2000-01-01"))
            .is_err()
    );
    assert!(cal.holidays(2201).is_err());
    // The bdays trait cannot fail: outside the range nothing is a holiday.
    assert!(!cal.is_holiday(d("1970-01-01")));
}

#[test]
fn bdays_trait_agrees() {
    let cal = legal();
    for day in ["2025-10-29", "2025-11-04", "2024-04-10", "2024-04-09"] {
        assert_eq!(
            cal.is_bday(d(day)),
            cal.is_business_day(d(day)).unwrap(),
            "{day}"
        );
    }
    assert_eq!(
        cal.advance_bdays(d("2025-03-28"), 3),
        cal.add_business_days(d("2025-03-28"), 3).unwrap()
    );
}

#[test]
fn send_sync() {
    fn check<T: Send + Sync + Clone>() {}
    check::<Calendar>();
}

/// A date of 1990–2189 as an offset from 1990-01-01 (room for ±2000 business days).
fn date_strategy() -> impl Strategy<Value = NaiveDate> {
    (0i64..73_000).prop_map(|k| d("1990-01-01") + chrono::Days::new(k as u64))
}

fn naive_add(cal: &Calendar, mut date: NaiveDate, n: i64) -> NaiveDate {
    if n == 0 {
        while !cal.is_business_day(date).unwrap() {
            date = date.succ_opt().unwrap();
        }
        return date;
    }
    let mut left = n.abs();
    while left > 0 {
        date = if n > 0 {
            date.succ_opt().unwrap()
        } else {
            date.pred_opt().unwrap()
        };
        if cal.is_business_day(date).unwrap() {
            left -= 1;
        }
    }
    date
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn add_then_between_round_trips(date in date_strategy(), n in 0i64..2000) {
        let cal = Calendar::public_sector();
        let r = cal.add_business_days(date, n).unwrap();
        if n > 0 || cal.is_business_day(date).unwrap() {
            prop_assert_eq!(cal.business_days_between(date, r).unwrap(), n);
        }
        prop_assert_eq!(cal.business_days_between(r, date).unwrap(), -cal.business_days_between(date, r).unwrap());
    }

    #[test]
    fn results_are_business_days_and_match_day_by_day(date in date_strategy(), n in -40i64..40) {
        let cal = legal();
        let r = cal.add_business_days(date, n).unwrap();
        prop_assert!(cal.is_business_day(r).unwrap());
        prop_assert_eq!(r, naive_add(cal, date, n));
    }

    #[test]
    fn monotonic_in_n(date in date_strategy(), n in -500i64..500) {
        // Strictly increasing, except n = 0 and 1 agree when `date` is not a business day.
        let cal = Calendar::public_sector();
        let (a, b) = (cal.add_business_days(date, n).unwrap(), cal.add_business_days(date, n + 1).unwrap());
        if n == 0 && !cal.is_business_day(date).unwrap() {
            prop_assert_eq!(a, b);
        } else {
            prop_assert!(a < b);
        }
    }

    #[test]
    fn negative_mirrors_positive(date in date_strategy(), n in 1i64..1500) {
        let cal = legal();
        let bday = cal.add_business_days(date, 0).unwrap();
        let fwd = cal.add_business_days(bday, n).unwrap();
        prop_assert_eq!(cal.add_business_days(fwd, -n).unwrap(), bday);
        prop_assert_eq!(cal.business_days_between(fwd, bday).unwrap(), -n);
    }
}

#[test]
fn table_switched_off_gives_the_same_calendar_2017_to_2032() {
    let computed = Calendar::new(CalendarOptions {
        no_bayram_table: true,
        ..Default::default()
    });
    let table = Calendar::public_sector();
    for year in 2017..=2032 {
        let strip = |hs: Vec<Holiday>| {
            hs.into_iter()
                .map(|h| (h.date, h.name_tr, h.kind))
                .collect::<Vec<_>>()
        };
        let c = computed.holidays(year).unwrap();
        assert!(c.iter().all(|h| h.source != HolidaySource::Table), "{year}");
        assert!(
            c.iter().any(|h| h.source == HolidaySource::Computed),
            "{year}"
        );
        assert_eq!(strip(c), strip(table.holidays(year).unwrap()), "{year}");
    }
    assert_eq!(
        computed
            .business_days_between(d("2017-01-01"), d("2032-12-31"))
            .unwrap(),
        table
            .business_days_between(d("2017-01-01"), d("2032-12-31"))
            .unwrap()
    );
}

#[test]
fn beyond_the_table_bayrams_are_computed() {
    let h = legal().holidays(2040).unwrap();
    let bayram_days: Vec<&Holiday> = h
        .iter()
        .filter(|h| h.source != HolidaySource::Law)
        .collect();
    // Ramazan (7 Oct) and Kurban (14 Dec) 2040 lie wholly inside the year: 2 arifes + 3 + 4 days.
    assert_eq!(bayram_days.len(), 9);
    assert!(
        bayram_days
            .iter()
            .all(|h| h.source == HolidaySource::Computed)
    );
}
