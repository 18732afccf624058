//! The Hijri month rule Diyanet applies since 2017: the 2016 Istanbul International Hijri
//! Calendar Union Congress criterion, computed with the Sun and Moon positions of the `astro` module.

use chrono::{Datelike, NaiveDate};

use super::astro;
use crate::error::{Error, Result};

/// Hijri years the computation accepts (about Gregorian 1883–2300; the theory and ΔT hold there).
pub const COMPUTABLE_HIJRI_YEARS: std::ops::RangeInclusive<i32> = 1300..=1730;

/// Julian Day at 00:00 UT of a date.
pub(crate) fn jd_of_date(date: NaiveDate) -> f64 {
    f64::from(date.num_days_from_ce()) + 1_721_424.5
}

pub(crate) fn date_of_jd(jd: f64) -> Option<NaiveDate> {
    let days = (jd - 1_721_424.5).floor();
    if !(1.0..=3_000_000.0).contains(&days) {
        return None;
    }
    NaiveDate::from_num_days_from_ce_opt(days as i32)
}

/// Meeus' lunation number of the new moon that begins Hijri month `month` of `year`.
pub(crate) fn lunation(year: i32, month: u32) -> i64 {
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
    evening_verdict(day, conjunction).is_some()
}

/// Which part of the rule starts the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Met somewhere at a sunset before 00:00 UTC.
    BeforeMidnight,
    /// Met only after 00:00 UTC, on the American mainland, conjunction before fajr in New Zealand.
    AmericaException,
}

fn evening_verdict(day: NaiveDate, conjunction: f64) -> Option<Verdict> {
    let midnight = jd_of_date(day) + 1.0;
    // Sunsets before 00:00 UTC, latest (most favourable) first.
    let mut t = midnight;
    while t > conjunction && t > midnight - 1.0 {
        match met_at(t, |_, _| true) {
            Some(true) => return Some(Verdict::BeforeMidnight),
            None => break,
            Some(false) => {}
        }
        t -= TIME_STEP;
    }
    let next = day.succ_opt()?;
    if conjunction < fajr_new_zealand(next) {
        let mut t = midnight + TIME_STEP;
        while t < midnight + 0.5 {
            if met_at(t, in_america) == Some(true) {
                return Some(Verdict::AmericaException);
            }
            t += TIME_STEP;
        }
    }
    None
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
    // The evening of the conjunction day or the next one; by the evening after, the Moon is more
    // than 48 hours old and the criterion always holds somewhere.
    let mut day = conj_day;
    for _ in 0..2 {
        if evening_meets_criterion(day, conjunction) {
            break;
        }
        day = day.succ_opt().ok_or_else(out_of_range)?;
    }
    day.succ_opt().ok_or_else(out_of_range)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn ramazan_2025_needs_the_american_exception() {
        // Conjunction 29 March 2025 10:58 UT: nowhere before 00:00 UTC, but met in the Americas
        // that evening and the conjunction precedes fajr in New Zealand on the 30th. Diyanet: 30 March.
        let conj = astro::new_moon_jd_ut(lunation(1446, 10));
        assert_eq!(date_of_jd(conj), Some(d("2025-03-29")));
        assert_eq!(
            evening_verdict(d("2025-03-29"), conj),
            Some(Verdict::AmericaException)
        );
        assert_eq!(compute_month_start(1446, 10).unwrap(), d("2025-03-30"));
        // The ordinary case: Shawwal 1438 (2017), met before 00:00 UTC on 24 June.
        let conj = astro::new_moon_jd_ut(lunation(1438, 10));
        assert_eq!(
            evening_verdict(d("2017-06-24"), conj),
            Some(Verdict::BeforeMidnight)
        );
        assert_eq!(evening_verdict(d("2017-06-23"), conj), None);
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
    fn out_of_range_is_an_error() {
        assert!(compute_month_start(1200, 10).is_err());
        assert!(compute_month_start(1446, 13).is_err());
    }
}
