//! Law 2429 and the bayrams: the legal holidays of one Gregorian year.

use chrono::{Datelike, Days, NaiveDate};

use super::hijri::bayrams_touching_year;
use super::{Holiday, HolidayKind, HolidaySource, SUPPORTED_YEARS};
use crate::error::{Error, Result};

/// A fixed-date holiday of Law 2429: (month, day, first year, kind, Turkish name, English name).
const FIXED: [(u32, u32, i32, HolidayKind, &str, &str); 8] = [
    (1, 1, 1981, HolidayKind::Full, "Yılbaşı", "New Year's Day"),
    (
        4,
        23,
        1981,
        HolidayKind::Full,
        "Ulusal Egemenlik ve Çocuk Bayramı",
        "National Sovereignty and Children's Day",
    ),
    (
        5,
        1,
        2009,
        HolidayKind::Full,
        "Emek ve Dayanışma Günü",
        "Labour and Solidarity Day",
    ),
    (
        5,
        19,
        1981,
        HolidayKind::Full,
        "Atatürk'ü Anma, Gençlik ve Spor Bayramı",
        "Commemoration of Atatürk, Youth and Sports Day",
    ),
    (
        7,
        15,
        2017,
        HolidayKind::Full,
        "Demokrasi ve Millî Birlik Günü",
        "Democracy and National Unity Day",
    ),
    (
        8,
        30,
        1981,
        HolidayKind::Full,
        "Zafer Bayramı",
        "Victory Day",
    ),
    (
        10,
        28,
        1981,
        HolidayKind::Half,
        "Cumhuriyet Bayramı arifesi (13.00'ten)",
        "Eve of Republic Day (from 13:00)",
    ),
    (
        10,
        29,
        1981,
        HolidayKind::Full,
        "Cumhuriyet Bayramı",
        "Republic Day",
    ),
];

/// The legal holidays (Law 2429 and both bayrams, with their arifes) of `year`, sorted by date
/// (same-day holidays in law-then-bayram order). `use_table`: take bayram dates from the Diyanet
/// table where it has them (else always compute).
///
/// ```
/// use acikkapi_core::calendar::{legal_holidays, HolidayKind};
/// let h = legal_holidays(2009, true).unwrap();
/// assert!(h.iter().any(|h| h.date.to_string() == "2009-05-01"));
/// assert!(h.iter().any(|h| h.date.to_string() == "2009-10-28" && h.kind == HolidayKind::Half));
/// ```
pub fn legal_holidays(year: i32, use_table: bool) -> Result<Vec<Holiday>> {
    if !SUPPORTED_YEARS.contains(&year) {
        return Err(Error::YearOutOfRange {
            year,
            supported: SUPPORTED_YEARS,
        });
    }
    let mut out = Vec::new();
    for (month, day, from, kind, tr, en) in FIXED {
        if year < from {
            continue;
        }
        if let Some(date) = NaiveDate::from_ymd_opt(year, month, day) {
            out.push(Holiday {
                date,
                name_tr: tr.to_string(),
                name_en: en.to_string(),
                kind,
                source: HolidaySource::Law,
            });
        }
    }
    for b in bayrams_touching_year(year, use_table)? {
        let arife = b.arife();
        if arife.year() == year {
            out.push(Holiday {
                date: arife,
                name_tr: format!("{} arifesi (13.00'ten)", b.kind.name_tr()),
                name_en: format!("Eve of {} (from 13:00)", b.kind.name_en()),
                kind: HolidayKind::Half,
                source: b.source,
            });
        }
        for i in 0..b.kind.days() {
            let Some(date) = b.first_day.checked_add_days(Days::new(i)) else {
                continue;
            };
            if date.year() == year {
                out.push(Holiday {
                    date,
                    name_tr: format!("{} {}. gün", b.kind.name_tr(), i + 1),
                    name_en: format!("{}, day {}", b.kind.name_en(), i + 1),
                    kind: HolidayKind::Full,
                    source: b.source,
                });
            }
        }
    }
    out.sort_by_key(|h| h.date);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn on(year: i32, date: &str) -> Vec<Holiday> {
        legal_holidays(year, true)
            .unwrap()
            .into_iter()
            .filter(|h| h.date == d(date))
            .collect()
    }

    #[test]
    fn first_of_may_from_2009() {
        assert!(on(2008, "2008-05-01").is_empty());
        assert_eq!(on(2009, "2009-05-01")[0].name_tr, "Emek ve Dayanışma Günü");
    }

    #[test]
    fn fifteenth_of_july_from_2017() {
        assert!(on(2016, "2016-07-15").is_empty());
        assert_eq!(
            on(2017, "2017-07-15")[0].name_en,
            "Democracy and National Unity Day"
        );
    }

    #[test]
    fn fixed_days_every_year_and_28_october_half() {
        for year in [1981, 1999, 2024, 2150] {
            for md in ["01-01", "04-23", "05-19", "08-30", "10-29"] {
                let h = on(year, &format!("{year}-{md}"));
                assert!(
                    h.iter()
                        .any(|h| h.kind == HolidayKind::Full && h.source == HolidaySource::Law),
                    "{year}-{md}"
                );
            }
            let oct28 = on(year, &format!("{year}-10-28"));
            assert_eq!(oct28.len(), 1);
            assert_eq!(oct28[0].kind, HolidayKind::Half);
        }
    }

    #[test]
    fn bayram_2024_and_arifes() {
        // Ramazan 10–12 Apr 2024, arife 9 Apr; Kurban 16–19 Jun 2024, arife 15 Jun (a Saturday: not moved).
        assert_eq!(on(2024, "2024-04-09")[0].kind, HolidayKind::Half);
        for day in [
            "2024-04-10",
            "2024-04-11",
            "2024-04-12",
            "2024-06-16",
            "2024-06-19",
        ] {
            assert_eq!(on(2024, day)[0].kind, HolidayKind::Full, "{day}");
        }
        assert!(on(2024, "2024-04-13").is_empty());
        assert!(on(2024, "2024-06-20").is_empty());
        assert_eq!(on(2024, "2024-06-15")[0].source, HolidaySource::Table);
    }

    #[test]
    fn kurban_straddles_new_year_2006_2007() {
        // Kurban 1427 begins Sunday 31 Dec 2006; days 2–4 are 1–3 Jan 2007, arife 30 Dec 2006.
        assert_eq!(on(2006, "2006-12-30")[0].kind, HolidayKind::Half);
        assert_eq!(on(2006, "2006-12-31")[0].name_tr, "Kurban Bayramı 1. gün");
        let jan1 = on(2007, "2007-01-01");
        assert_eq!(jan1.len(), 2);
        assert_eq!(jan1[0].name_tr, "Yılbaşı");
        assert_eq!(jan1[1].name_tr, "Kurban Bayramı 2. gün");
        assert_eq!(on(2007, "2007-01-03")[0].name_tr, "Kurban Bayramı 4. gün");
        assert!(on(2007, "2007-01-04").is_empty());
    }

    #[test]
    fn out_of_range_years() {
        assert!(matches!(
            legal_holidays(1980, true),
            Err(Error::YearOutOfRange { .. })
        ));
        assert!(matches!(
            legal_holidays(2201, true),
            Err(Error::YearOutOfRange { .. })
        ));
    }
}
