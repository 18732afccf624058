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

/// Hijri years the computation accepts (about Gregorian 1883–2310; the theory and ΔT hold there).
pub const COMPUTABLE_HIJRI_YEARS: std::ops::RangeInclusive<i32> = 1300..=1730;

/// Julian Day at 00:00 UT of a date.
pub(crate) fn jd_of_date(date: NaiveDate) -> f64 {
    f64::from(date.num_days_from_ce()) + 1_721_424.5
}

fn date_of_jd(jd: f64) -> Option<NaiveDate> {
    let days = (jd - 1_721_424.5).floor();
    if !(1.0..=3_000_000.0).contains(&days) {
        return None;
    }
    NaiveDate::from_num_days_from_ce_opt(days as i32)
}

/// Meeus' lunation number of the new moon that begins Hijri month `month` of `year`.
fn lunation(year: i32, month: u32) -> i64 {
    // Calibrated on 1 Shawwal 1438 (conjunction 2017-06-24, k = 216).
    (i64::from(year) - 1) * 12 + i64::from(month) - 1 - 17_037
}

/// Altitude of the Sun's centre at sunset: −50′ (refraction 34′ + semi-diameter 16′).
const SUNSET_ALTITUDE: f64 = -0.8333;
/// Criterion: geocentric elongation at sunset (degrees).
const MIN_ELONGATION: f64 = 8.0;
/// Criterion: topocentric altitude of the Moon's centre at sunset (degrees).
const MIN_ALTITUDE: f64 = 5.0;
/// Latitudes searched (the congress limited the search to the inhabited band).
const LAT_RANGE: (i32, i32) = (-60, 60);
/// Step of the sunset-time grid, in days (10 minutes ≈ 2.5° of longitude).
const TIME_STEP: f64 = 10.0 / 1440.0;
/// Wellington: the New Zealand reference for fajr.
const NZ_LAT: f64 = -41.29;
const NZ_LON: f64 = 174.78;
/// Sun's altitude at fajr (dawn), degrees.
const FAJR_ALTITUDE: f64 = -18.0;

/// Coarse mask of the American mainland below 55°N: (southern latitude of a 5° band, west, east
/// longitude); it includes some coastal sea, which only matters where the band's edge is crossed.
const AMERICA: [(i32, f64, f64); 23] = [
    (-60, 0.0, 0.0),
    (-55, -76.0, -65.0),
    (-50, -76.0, -65.0),
    (-45, -74.0, -63.0),
    (-40, -74.0, -56.0),
    (-35, -72.0, -51.0),
    (-30, -71.5, -48.0),
    (-25, -71.0, -40.0),
    (-20, -76.0, -39.0),
    (-15, -77.0, -37.0),
    (-10, -81.0, -35.0),
    (-5, -81.0, -35.0),
    (0, -80.0, -50.0),
    (5, -83.0, -52.0),
    (10, -92.0, -60.0),
    (15, -105.5, -87.0),
    (20, -110.0, -80.0),
    (25, -115.0, -80.0),
    (30, -121.0, -76.0),
    (35, -124.0, -75.0),
    (40, -124.5, -65.0),
    (45, -125.0, -53.0),
    (50, -132.0, -55.0),
];

/// Western edge of mainland Alaska per 1° of latitude from 55°N (islands such as Nunivak and the
/// Aleutians excluded); decides borderline cases such as Dhu al-Hijjah 1453 (March 2032).
const ALASKA_WEST: [f64; 17] = [
    -162.5, -161.0, -158.5, -162.2, -163.0, -164.5, -165.8, -166.1, -165.0, -165.4, -168.1, -166.0,
    -166.0, -166.8, -166.2, -163.0, -160.0,
];

fn in_america(lat: f64, lon: f64) -> bool {
    if !(-56.0..72.0).contains(&lat) {
        return false;
    }
    if lat >= 55.0 {
        let west = ALASKA_WEST[((lat - 55.0).floor() as usize).min(ALASKA_WEST.len() - 1)];
        return (west..=-55.0).contains(&lon) && !(lat >= 60.0 && lon > -65.0);
    }
    let band = ((lat / 5.0).floor() as i32) * 5;
    AMERICA
        .iter()
        .rev()
        .find(|(south, _, _)| *south <= band)
        .is_some_and(|&(_, west, east)| (west..=east).contains(&lon))
}

fn norm180(x: f64) -> f64 {
    let y = astro::norm360(x);
    if y > 180.0 { y - 360.0 } else { y }
}

/// Is the criterion met at some place whose sunset is exactly at `jd_ut`? Places are the
/// latitudes of the grid; for each, the longitude where the Sun sets at that instant follows in
/// closed form from the Sun's hour angle at sunset (an exact inversion of "sunset at a place").
fn met_at(jd_ut: f64, place_ok: impl Fn(f64, f64) -> bool) -> Option<bool> {
    let jde = astro::jde_from_ut(jd_ut);
    let sun = astro::sun(jde);
    let moon = astro::moon(jde);
    if astro::elongation(&sun, &moon) < MIN_ELONGATION {
        // Elongation grows monotonically in the days after conjunction: earlier sunsets fail too.
        return None;
    }
    let gst = astro::sidereal_time(jd_ut);
    let (sin_h0, sin_d, cos_d) = (
        SUNSET_ALTITUDE.to_radians().sin(),
        sun.dec.to_radians().sin(),
        sun.dec.to_radians().cos(),
    );
    for lat_i in LAT_RANGE.0..=LAT_RANGE.1 {
        let lat = f64::from(lat_i);
        let cos_h0 = (sin_h0 - lat.to_radians().sin() * sin_d) / (lat.to_radians().cos() * cos_d);
        if !(-1.0..=1.0).contains(&cos_h0) {
            continue; // no sunset there that day
        }
        let h0 = cos_h0.acos().to_degrees();
        let lon = norm180(h0 + sun.ra - gst);
        if !place_ok(lat, lon) {
            continue;
        }
        let h = astro::altitude(moon.ra, moon.dec, lat, lon, gst);
        if astro::moon_topocentric_altitude(h, moon.dist) >= MIN_ALTITUDE {
            return Some(true);
        }
    }
    Some(false)
}

/// Fajr (Sun at −18°) in Wellington on the local morning of `date` (UT Julian Day), by iteration.
fn fajr_new_zealand(date: NaiveDate) -> f64 {
    let mut t = jd_of_date(date) - NZ_LON / 360.0 + 4.8 / 24.0;
    for _ in 0..6 {
        let sun = astro::sun(astro::jde_from_ut(t));
        let (lat, dec) = (NZ_LAT.to_radians(), sun.dec.to_radians());
        let cos_hf = ((FAJR_ALTITUDE.to_radians().sin() - lat.sin() * dec.sin())
            / (lat.cos() * dec.cos()))
        .clamp(-1.0, 1.0);
        let target = -cos_hf.acos().to_degrees();
        let h = norm180(astro::sidereal_time(t) + NZ_LON - sun.ra);
        t -= norm180(h - target) / 360.985_647;
    }
    t
}

/// Is the criterion met on the evening of UT day `day` (so the month begins on `day + 1`)?
fn evening_meets_criterion(day: NaiveDate, conjunction: f64) -> bool {
    let midnight = jd_of_date(day) + 1.0;
    // Sunsets before 00:00 UTC, latest (most favourable) first.
    let mut t = midnight;
    while t > conjunction && t > midnight - 1.0 {
        match met_at(t, |_, _| true) {
            Some(true) => return true,
            None => break,
            Some(false) => {}
        }
        t -= TIME_STEP;
    }
    // Exception: met only after 00:00 UTC, on the American mainland, conjunction before fajr in NZ.
    let Some(next) = day.succ_opt() else {
        return false;
    };
    if conjunction < fajr_new_zealand(next) {
        let mut t = midnight + TIME_STEP;
        while t < midnight + 0.5 {
            if met_at(t, in_america) == Some(true) {
                return true;
            }
            t += TIME_STEP;
        }
    }
    false
}

/// First day of Hijri month `month` (1–12) of `year` by the 2016 Istanbul congress criterion:
/// the month begins on the day after the first evening on which, somewhere on Earth
/// (latitudes −60°…+60°, 1° grid; sunset instants on a 10-minute grid, the longitude of sunset
/// solved exactly) at sunset before 00:00 UTC, the Moon's geocentric elongation is ≥ 8° and its
/// topocentric (airless) altitude ≥ 5°; met only after 00:00 UTC, it still counts on the American
/// mainland if the conjunction is before fajr in New Zealand (Wellington, Sun at −18°).
///
/// ```
/// use acikkapi_core::calendar::compute_month_start;
/// // 1 Shawwal 1446 = Ramazan Bayramı 2025.
/// assert_eq!(compute_month_start(1446, 10).unwrap().to_string(), "2025-03-30");
/// ```
pub fn compute_month_start(year: i32, month: u32) -> Result<NaiveDate> {
    if !COMPUTABLE_HIJRI_YEARS.contains(&year) || !(1..=12).contains(&month) {
        return Err(Error::HijriOutOfRange {
            year,
            month,
            supported: COMPUTABLE_HIJRI_YEARS,
        });
    }
    let conjunction = astro::new_moon_jd_ut(lunation(year, month));
    let out_of_range = || Error::HijriOutOfRange {
        year,
        month,
        supported: COMPUTABLE_HIJRI_YEARS,
    };
    let conj_day = date_of_jd(conjunction).ok_or_else(out_of_range)?;
    let mut day = conj_day;
    for _ in 0..3 {
        if evening_meets_criterion(day, conjunction) {
            break;
        }
        day = day.succ_opt().ok_or_else(out_of_range)?;
    }
    day.succ_opt().ok_or_else(out_of_range)
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
    fn america_mask() {
        assert!(in_america(40.7, -74.0)); // New York
        assert!(in_america(-34.6, -58.4)); // Buenos Aires
        assert!(!in_america(41.0, 29.0)); // İstanbul
        assert!(!in_america(21.3, -157.8)); // Honolulu
    }

    #[test]
    fn fajr_in_wellington_is_early_morning_local() {
        // 2025-03-30 NZDT: Fajr ~06:00 NZDT = 17:00 UT on the 29th (NZ standard time UT+12: 05:00).
        let t = fajr_new_zealand(d("2025-03-30"));
        let hours_ut = (t - jd_of_date(d("2025-03-29"))) * 24.0;
        assert!((16.0..18.5).contains(&hours_ut), "{hours_ut}");
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

    #[test]
    fn out_of_range_is_an_error() {
        assert!(compute_month_start(1200, 10).is_err());
        assert!(compute_month_start(1446, 13).is_err());
    }
}
