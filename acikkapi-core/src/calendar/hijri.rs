//! The two bayrams (religious holidays) and the Hijri month rule Diyanet uses since 2017.
//!
//! Dates come from two places:
//! 1. the embedded table `data/bayrams.csv` (first days fixed by Diyanet, Gregorian years 1981–2032),
//! 2. an astronomical computation of the 2016 Istanbul International Hijri Calendar Union
//!    Congress criterion (see [`compute_month_start`]).
//!
//! The table wins where it has a date; every [`Bayram`] says which one it came from.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::HolidaySource;
use super::astro;
use super::crescent::{COMPUTABLE_HIJRI_YEARS, compute_month_start, jd_of_date, lunation};
use crate::error::{Error, Result};

/// Bayram: which of the two religious holidays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BayramKind {
    /// Ramazan Bayramı (Eid al-Fitr): 1–3 Shawwal, three days, arife (eve) a half day.
    Ramazan,
    /// Kurban Bayramı (Eid al-Adha): 10–13 Dhu al-Hijjah, four days, arife a half day.
    Kurban,
}

impl BayramKind {
    /// Both kinds.
    pub const ALL: [BayramKind; 2] = [BayramKind::Ramazan, BayramKind::Kurban];

    /// Number of full holiday days (3 or 4), not counting the arife.
    pub fn days(self) -> u64 {
        match self {
            BayramKind::Ramazan => 3,
            BayramKind::Kurban => 4,
        }
    }

    /// Lower-case ASCII name used in data files and the CLI: `ramazan`, `kurban`.
    pub fn as_str(self) -> &'static str {
        match self {
            BayramKind::Ramazan => "ramazan",
            BayramKind::Kurban => "kurban",
        }
    }

    /// Turkish name, e.g. `Ramazan Bayramı`.
    pub fn name_tr(self) -> &'static str {
        match self {
            BayramKind::Ramazan => "Ramazan Bayramı",
            BayramKind::Kurban => "Kurban Bayramı",
        }
    }

    /// English name, e.g. `Eid al-Fitr`.
    pub fn name_en(self) -> &'static str {
        match self {
            BayramKind::Ramazan => "Eid al-Fitr",
            BayramKind::Kurban => "Eid al-Adha",
        }
    }

    fn index(self) -> usize {
        match self {
            BayramKind::Ramazan => 0,
            BayramKind::Kurban => 1,
        }
    }
}

/// Bayram: one occurrence of a religious holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bayram {
    /// Hijri (AH) year, e.g. 1446.
    pub hijri_year: i32,
    /// Ramazan or Kurban.
    pub kind: BayramKind,
    /// First day of the bayram (the arife is the day before).
    pub first_day: NaiveDate,
    /// [`HolidaySource::Table`] or [`HolidaySource::Computed`].
    pub source: HolidaySource,
}

impl Bayram {
    /// The arife (eve), a half day from 13:00.
    pub fn arife(&self) -> NaiveDate {
        self.first_day.pred_opt().unwrap_or(self.first_day)
    }

    /// Last full holiday day.
    pub fn last_day(&self) -> NaiveDate {
        self.first_day
            .checked_add_days(Days::new(self.kind.days() - 1))
            .unwrap_or(self.first_day)
    }
}

const TABLE_FILE: &str = "bayrams.csv";
static TABLE_TEXT: &str = include_str!("../../data/bayrams.csv");

type Table = HashMap<(i32, BayramKind), NaiveDate>;

fn parse_table(text: &str) -> Result<Table> {
    let bad = |line: usize, message: String| Error::DataFile {
        file: TABLE_FILE.to_string(),
        line,
        message,
    };
    let mut table = Table::new();
    let mut header_seen = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !header_seen {
            if line != "hijri_year,bayram,first_day" {
                return Err(bad(
                    i + 1,
                    format!("expected header hijri_year,bayram,first_day, got {line:?}"),
                ));
            }
            header_seen = true;
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        let [year, kind, day] = fields[..] else {
            return Err(bad(
                i + 1,
                format!("expected 3 fields, got {}", fields.len()),
            ));
        };
        let year: i32 = year
            .parse()
            .map_err(|_| bad(i + 1, format!("bad hijri year {year:?}")))?;
        let kind = match kind {
            "ramazan" => BayramKind::Ramazan,
            "kurban" => BayramKind::Kurban,
            other => return Err(bad(i + 1, format!("unknown bayram {other:?}"))),
        };
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map_err(|e| bad(i + 1, format!("bad date {day:?}: {e}")))?;
        if table.insert((year, kind), day).is_some() {
            return Err(bad(i + 1, format!("duplicate {} {year}", kind.as_str())));
        }
    }
    Ok(table)
}

fn table() -> Result<&'static Table> {
    static TABLE: OnceLock<std::result::Result<Table, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| parse_table(TABLE_TEXT).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|message| Error::DataFile {
            file: TABLE_FILE.to_string(),
            line: 0,
            message: message.clone(),
        })
}

/// The first day from the embedded Diyanet table, if it has one.
pub fn table_first_day(hijri_year: i32, kind: BayramKind) -> Result<Option<NaiveDate>> {
    Ok(table()?.get(&(hijri_year, kind)).copied())
}

/// First day of a bayram by the astronomical computation alone (cached per process).
pub fn compute_bayram(hijri_year: i32, kind: BayramKind) -> Result<NaiveDate> {
    const FIRST: i32 = 1390;
    const LAST: i32 = 1640;
    static CACHE: OnceLock<Vec<[OnceLock<NaiveDate>; 2]>> = OnceLock::new();
    let compute = || -> Result<NaiveDate> {
        match kind {
            BayramKind::Ramazan => compute_month_start(hijri_year, 10),
            BayramKind::Kurban => compute_month_start(hijri_year, 12)?
                .checked_add_days(Days::new(9))
                .ok_or(Error::HijriOutOfRange {
                    year: hijri_year,
                    month: 12,
                    supported: COMPUTABLE_HIJRI_YEARS,
                }),
        }
    };
    if !(FIRST..=LAST).contains(&hijri_year) {
        return compute();
    }
    let cache = CACHE.get_or_init(|| {
        (FIRST..=LAST)
            .map(|_| [OnceLock::new(), OnceLock::new()])
            .collect()
    });
    let slot = &cache[(hijri_year - FIRST) as usize][kind.index()];
    if let Some(day) = slot.get() {
        return Ok(*day);
    }
    let day = compute()?;
    Ok(*slot.get_or_init(|| day))
}

/// The bayram of `hijri_year`: from the table when `use_table` and the table has it, else computed.
pub fn bayram(hijri_year: i32, kind: BayramKind, use_table: bool) -> Result<Bayram> {
    if use_table && let Some(first_day) = table_first_day(hijri_year, kind)? {
        return Ok(Bayram {
            hijri_year,
            kind,
            first_day,
            source: HolidaySource::Table,
        });
    }
    let first_day = compute_bayram(hijri_year, kind)?;
    Ok(Bayram {
        hijri_year,
        kind,
        first_day,
        source: HolidaySource::Computed,
    })
}

/// Every bayram whose days (arife to last day) touch Gregorian `year`, sorted by first day.
/// A year can hold two of the same kind (Ramazan 2000 and 2033, Kurban 2006) and a bayram can
/// straddle New Year.
pub fn bayrams_touching_year(year: i32, use_table: bool) -> Result<Vec<Bayram>> {
    let start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(Error::YearOutOfRange {
        year,
        supported: super::SUPPORTED_YEARS,
    })?;
    let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(Error::YearOutOfRange {
        year,
        supported: super::SUPPORTED_YEARS,
    })?;
    let approx = ((f64::from(year) - 621.57) * 1.030_689) as i32 + 1;
    let mut out = Vec::new();
    for h in approx - 2..=approx + 2 {
        for kind in BayramKind::ALL {
            // Cheap pre-filter on the conjunction before the full computation.
            let month = if kind == BayramKind::Ramazan { 10 } else { 12 };
            let conj = astro::new_moon_jd_ut(lunation(h, month));
            let (lo, hi) = (jd_of_date(start) - 16.0, jd_of_date(end) + 4.0);
            if conj < lo || conj > hi {
                continue;
            }
            let b = bayram(h, kind, use_table)?;
            if b.arife() <= end && b.last_day() >= start {
                out.push(b);
            }
        }
    }
    out.sort_by_key(|b| b.first_day);
    Ok(out)
}

/// Every bayram whose first day falls in Gregorian years `from..=to`, sorted by first day.
pub fn bayrams_between_years(from: i32, to: i32, use_table: bool) -> Result<Vec<Bayram>> {
    let mut out = Vec::new();
    for year in from..=to {
        for b in bayrams_touching_year(year, use_table)? {
            if b.first_day.year() == year {
                out.push(b);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn table_parses_and_covers_1981_to_2032() {
        let t = table().unwrap();
        assert_eq!(t.len(), 106);
        assert_eq!(t[&(1446, BayramKind::Ramazan)], d("2025-03-30"));
        assert_eq!(t[&(1446, BayramKind::Kurban)], d("2025-06-06"));
    }

    #[test]
    fn table_errors_name_the_line() {
        let err = parse_table("hijri_year,bayram,first_day\n1446,bayram,2025-03-30\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(parse_table("wrong\n").is_err());
    }

    #[test]
    fn computation_reproduces_all_32_bayrams_of_2017_to_2032() {
        let mut mismatches = Vec::new();
        let mut n = 0;
        for year in 2017..=2032 {
            for b in bayrams_between_years(year, year, true).unwrap() {
                assert_eq!(b.source, HolidaySource::Table);
                n += 1;
                let computed = compute_bayram(b.hijri_year, b.kind).unwrap();
                if computed != b.first_day {
                    mismatches.push((b, computed));
                }
            }
        }
        assert_eq!(n, 32);
        assert!(mismatches.is_empty(), "{mismatches:?}");
    }

    /// Over the whole table (1981–2032): before 2017 Diyanet used other rules, so some dates
    /// differ, but never by more than a day. Measured: 98 of 106 agree; the 8 disagreements are
    /// 1983, 1985, 1986, 1987, 1995 Ramazan and 1991, 1997 Kurban (computed a day earlier) and
    /// 2012 Kurban (computed a day later). Run with `--nocapture` to see them.
    #[test]
    fn computation_vs_whole_table() {
        let (mut agree, mut differ) = (0, Vec::new());
        for year in 1981..=2032 {
            for b in bayrams_between_years(year, year, true).unwrap() {
                let diff = (compute_bayram(b.hijri_year, b.kind).unwrap() - b.first_day).num_days();
                assert!(diff.abs() <= 1, "{b:?}: {diff}");
                if diff == 0 {
                    agree += 1;
                } else {
                    assert!(year < 2017, "{b:?}");
                    differ.push(format!("{} {} {:+}", b.first_day, b.kind.as_str(), diff));
                }
            }
        }
        eprintln!(
            "computed vs table 1981–2032: {agree} agree, {} differ: {differ:?}",
            differ.len()
        );
        assert_eq!(agree + differ.len(), 106);
        assert!(differ.len() <= 8, "{differ:?}");
    }

    #[test]
    fn two_ramazans_in_2000_and_2033_two_kurbans_in_2006() {
        let count = |year, kind| {
            bayrams_between_years(year, year, true)
                .unwrap()
                .iter()
                .filter(|b| b.kind == kind)
                .count()
        };
        assert_eq!(count(2000, BayramKind::Ramazan), 2);
        assert_eq!(count(2033, BayramKind::Ramazan), 2);
        assert_eq!(count(2006, BayramKind::Kurban), 2);
        assert_eq!(count(2007, BayramKind::Kurban), 1);
        let r2033 = bayrams_between_years(2033, 2033, true).unwrap();
        assert!(r2033.iter().all(|b| b.source == HolidaySource::Computed));
    }
}
