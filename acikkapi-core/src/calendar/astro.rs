//! Positional astronomy for the crescent criterion, after Jean Meeus, *Astronomical Algorithms*
//! (2nd ed., 1998): mean new moon with corrections (ch. 49), the Moon's position from the truncated
//! ELP-2000/82 series (ch. 47, 60 + 60 terms, about 10″ in longitude), the Sun's position (ch. 25,
//! about 0.01°), nutation in longitude (ch. 22, low precision), sidereal time (ch. 12) and ΔT
//! (Espenak & Meeus polynomials). Times are Julian Days: `jd_ut` in Universal Time, `jde` in
//! Terrestrial Time.
//!
//! Only what the Hijri month rule needs is here; every angle is in degrees unless the name says
//! otherwise.

/// Julian Day of 2000-01-01 12:00 TT (J2000.0).
pub(crate) const J2000: f64 = 2_451_545.0;

fn sin_d(x: f64) -> f64 {
    x.to_radians().sin()
}
fn cos_d(x: f64) -> f64 {
    x.to_radians().cos()
}

/// Reduces an angle to 0..360°.
pub(crate) fn norm360(x: f64) -> f64 {
    x.rem_euclid(360.0)
}

/// ΔT = TT − UT in seconds for a decimal year (Espenak & Meeus 2006 polynomials; the long-term
/// parabola outside 1941–2150). Good to a few seconds for 1961–2030, a few minutes by 2200: far
/// below what the one-day Hijri rule can see.
pub(crate) fn delta_t_seconds(year: f64) -> f64 {
    let long_term = |y: f64| {
        let u = (y - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u
    };
    if year < 1941.0 {
        long_term(year)
    } else if year < 1961.0 {
        let t = year - 1950.0;
        29.07 + 0.407 * t - t * t / 233.0 + t.powi(3) / 2547.0
    } else if year < 1986.0 {
        let t = year - 1975.0;
        45.45 + 1.067 * t - t * t / 260.0 - t.powi(3) / 718.0
    } else if year < 2005.0 {
        let t = year - 2000.0;
        63.86 + 0.3345 * t - 0.060374 * t * t
            + 0.0017275 * t.powi(3)
            + 0.000651814 * t.powi(4)
            + 0.00002373599 * t.powi(5)
    } else if year < 2050.0 {
        let t = year - 2000.0;
        62.92 + 0.32217 * t + 0.005589 * t * t
    } else if year < 2150.0 {
        long_term(year) - 0.5628 * (2150.0 - year)
    } else {
        long_term(year)
    }
}

/// Converts a Julian Day in UT to Terrestrial Time.
pub(crate) fn jde_from_ut(jd_ut: f64) -> f64 {
    let year = 2000.0 + (jd_ut - J2000) / 365.25;
    jd_ut + delta_t_seconds(year) / 86_400.0
}

/// Converts a Julian Day in Terrestrial Time to UT.
pub(crate) fn ut_from_jde(jde: f64) -> f64 {
    let year = 2000.0 + (jde - J2000) / 365.25;
    jde - delta_t_seconds(year) / 86_400.0
}

/// Julian Day (UT) of the true new moon number `k` (k = 0: 2000-01-06), Meeus ch. 49, all
/// periodic terms and the 14 planetary arguments (accuracy a few seconds of time).
pub(crate) fn new_moon_jd_ut(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let t4 = t3 * t;
    let jde = 2_451_550.097_66 + 29.530_588_861 * k + 0.000_154_37 * t2 - 0.000_000_150 * t3
        + 0.000_000_000_73 * t4;
    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t2;
    let m = 2.5534 + 29.105_356_70 * k - 0.000_001_4 * t2 - 0.000_000_11 * t3;
    let mp =
        201.5643 + 385.816_935_28 * k + 0.010_758_2 * t2 + 0.000_012_38 * t3 - 0.000_000_058 * t4;
    let f =
        160.7108 + 390.670_502_84 * k - 0.001_611_8 * t2 - 0.000_002_27 * t3 + 0.000_000_011 * t4;
    let om = 124.7746 - 1.563_755_88 * k + 0.002_067_2 * t2 + 0.000_002_15 * t3;
    let s = |x: f64| sin_d(x);
    let corr = -0.40720 * s(mp)
        + 0.17241 * e * s(m)
        + 0.01608 * s(2.0 * mp)
        + 0.01039 * s(2.0 * f)
        + 0.00739 * e * s(mp - m)
        - 0.00514 * e * s(mp + m)
        + 0.00208 * e * e * s(2.0 * m)
        - 0.00111 * s(mp - 2.0 * f)
        - 0.00057 * s(mp + 2.0 * f)
        + 0.00056 * e * s(2.0 * mp + m)
        - 0.00042 * s(3.0 * mp)
        + 0.00042 * e * s(m + 2.0 * f)
        + 0.00038 * e * s(m - 2.0 * f)
        - 0.00024 * e * s(2.0 * mp - m)
        - 0.00017 * s(om)
        - 0.00007 * s(mp + 2.0 * m)
        + 0.00004 * s(2.0 * mp - 2.0 * f)
        + 0.00004 * s(3.0 * m)
        + 0.00003 * s(mp + m - 2.0 * f)
        + 0.00003 * s(2.0 * mp + 2.0 * f)
        - 0.00003 * s(mp + m + 2.0 * f)
        + 0.00003 * s(mp - m + 2.0 * f)
        - 0.00002 * s(mp - m - 2.0 * f)
        - 0.00002 * s(3.0 * mp + m)
        + 0.00002 * s(4.0 * mp);
    const PLANETARY: [(f64, f64, f64); 14] = [
        (299.77, 0.107_408, 0.000_325),
        (251.88, 0.016_321, 0.000_165),
        (251.83, 26.651_886, 0.000_164),
        (349.42, 36.412_478, 0.000_126),
        (84.66, 18.206_239, 0.000_110),
        (141.74, 53.303_771, 0.000_062),
        (207.14, 2.453_732, 0.000_060),
        (154.84, 7.306_860, 0.000_056),
        (34.52, 27.261_239, 0.000_047),
        (207.19, 0.121_824, 0.000_042),
        (291.34, 1.844_379, 0.000_040),
        (161.72, 24.198_154, 0.000_037),
        (239.56, 25.513_099, 0.000_035),
        (331.55, 3.592_518, 0.000_023),
    ];
    let mut add = 0.0;
    for (i, (a0, a1, c)) in PLANETARY.iter().enumerate() {
        let mut arg = a0 + a1 * k;
        if i == 0 {
            arg -= 0.009_173 * t2;
        }
        add += c * s(arg);
    }
    ut_from_jde(jde + corr + add)
}

/// Apparent geocentric equatorial position of a body and its distance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Equatorial {
    /// Right ascension, degrees.
    pub ra: f64,
    /// Declination, degrees.
    pub dec: f64,
    /// Apparent ecliptic longitude, degrees.
    pub lon: f64,
    /// Ecliptic latitude, degrees.
    pub lat: f64,
    /// Distance in km (Moon) or AU (Sun).
    pub dist: f64,
}

/// Nutation in longitude (degrees) and true obliquity of the ecliptic (degrees) at `t` Julian
/// centuries (TT) from J2000 (Meeus ch. 22, the 0.5″ version).
fn nutation_obliquity(t: f64) -> (f64, f64) {
    let om = 125.04452 - 1_934.136_261 * t;
    let l = 280.4665 + 36000.7698 * t;
    let lp = 218.3165 + 481_267.881_3 * t;
    let dpsi = (-17.20 * sin_d(om) - 1.32 * sin_d(2.0 * l) - 0.23 * sin_d(2.0 * lp)
        + 0.21 * sin_d(2.0 * om))
        / 3600.0;
    let deps = (9.20 * cos_d(om) + 0.57 * cos_d(2.0 * l) + 0.10 * cos_d(2.0 * lp)
        - 0.09 * cos_d(2.0 * om))
        / 3600.0;
    let eps0 = 23.0 + 26.0 / 60.0 + 21.448 / 3600.0
        - (46.8150 * t + 0.00059 * t * t - 0.001813 * t * t * t) / 3600.0;
    (dpsi, eps0 + deps)
}

fn to_equatorial(lon: f64, lat: f64, eps: f64) -> (f64, f64) {
    let ra = (sin_d(lon) * cos_d(eps) - lat.to_radians().tan() * sin_d(eps))
        .atan2(cos_d(lon))
        .to_degrees();
    let dec = (sin_d(lat) * cos_d(eps) + cos_d(lat) * sin_d(eps) * sin_d(lon))
        .asin()
        .to_degrees();
    (norm360(ra), dec)
}

/// Apparent position of the Sun at `jde` (Meeus ch. 25, low accuracy: 0.01°).
pub(crate) fn sun(jde: f64) -> Equatorial {
    let t = (jde - J2000) / 36_525.0;
    let l0 = 280.46646 + 36000.76983 * t + 0.000_303_2 * t * t;
    let m = 357.52911 + 35999.05029 * t - 0.000_153_7 * t * t;
    let e = 0.016_708_634 - 0.000_042_037 * t - 0.000_000_126_7 * t * t;
    let c = (1.914_602 - 0.004_817 * t - 0.000_014 * t * t) * sin_d(m)
        + (0.019_993 - 0.000_101 * t) * sin_d(2.0 * m)
        + 0.000_289 * sin_d(3.0 * m);
    let true_lon = l0 + c;
    let nu = m + c;
    let r = 1.000_001_018 * (1.0 - e * e) / (1.0 + e * cos_d(nu));
    let (dpsi, eps) = nutation_obliquity(t);
    // Aberration −20.4898″/R.
    let lon = norm360(true_lon + dpsi - 20.4898 / 3600.0 / r);
    let (ra, dec) = to_equatorial(lon, 0.0, eps);
    Equatorial {
        ra,
        dec,
        lon,
        lat: 0.0,
        dist: r,
    }
}

/// Periodic terms of the Moon's longitude and distance: (D, M, M', F, Σl in 1e-6°, Σr in 1e-3 km).
const MOON_LR: [(i8, i8, i8, i8, i32, i32); 60] = [
    (0, 0, 1, 0, 6_288_774, -20_905_355),
    (2, 0, -1, 0, 1_274_027, -3_699_111),
    (2, 0, 0, 0, 658_314, -2_955_968),
    (0, 0, 2, 0, 213_618, -569_925),
    (0, 1, 0, 0, -185_116, 48_888),
    (0, 0, 0, 2, -114_332, -3_149),
    (2, 0, -2, 0, 58_793, 246_158),
    (2, -1, -1, 0, 57_066, -152_138),
    (2, 0, 1, 0, 53_322, -170_733),
    (2, -1, 0, 0, 45_758, -204_586),
    (0, 1, -1, 0, -40_923, -129_620),
    (1, 0, 0, 0, -34_720, 108_743),
    (0, 1, 1, 0, -30_383, 104_755),
    (2, 0, 0, -2, 15_327, 10_321),
    (0, 0, 1, 2, -12_528, 0),
    (0, 0, 1, -2, 10_980, 79_661),
    (4, 0, -1, 0, 10_675, -34_782),
    (0, 0, 3, 0, 10_034, -23_210),
    (4, 0, -2, 0, 8_548, -21_636),
    (2, 1, -1, 0, -7_888, 24_208),
    (2, 1, 0, 0, -6_766, 30_824),
    (1, 0, -1, 0, -5_163, -8_379),
    (1, 1, 0, 0, 4_987, -16_675),
    (2, -1, 1, 0, 4_036, -12_831),
    (2, 0, 2, 0, 3_994, -10_445),
    (4, 0, 0, 0, 3_861, -11_650),
    (2, 0, -3, 0, 3_665, 14_403),
    (0, 1, -2, 0, -2_689, -7_003),
    (2, 0, -1, 2, -2_602, 0),
    (2, -1, -2, 0, 2_390, 10_056),
    (1, 0, 1, 0, -2_348, 6_322),
    (2, -2, 0, 0, 2_236, -9_884),
    (0, 1, 2, 0, -2_120, 5_751),
    (0, 2, 0, 0, -2_069, 0),
    (2, -2, -1, 0, 2_048, -4_950),
    (2, 0, 1, -2, -1_773, 4_130),
    (2, 0, 0, 2, -1_595, 0),
    (4, -1, -1, 0, 1_215, -3_958),
    (0, 0, 2, 2, -1_110, 0),
    (3, 0, -1, 0, -892, 3_258),
    (2, 1, 1, 0, -810, 2_616),
    (4, -1, -2, 0, 759, -1_897),
    (0, 2, -1, 0, -713, -2_117),
    (2, 2, -1, 0, -700, 2_354),
    (2, 1, -2, 0, 691, 0),
    (2, -1, 0, -2, 596, 0),
    (4, 0, 1, 0, 549, -1_423),
    (0, 0, 4, 0, 537, -1_117),
    (4, -1, 0, 0, 520, -1_571),
    (1, 0, -2, 0, -487, -1_739),
    (2, 1, 0, -2, -399, 0),
    (0, 0, 2, -2, -381, -4_421),
    (1, 1, 1, 0, 351, 0),
    (3, 0, -2, 0, -340, 0),
    (4, 0, -3, 0, 330, 0),
    (2, -1, 2, 0, 327, 0),
    (0, 2, 1, 0, -323, 1_165),
    (1, 1, -1, 0, 299, 0),
    (2, 0, 3, 0, 294, 0),
    (2, 0, -1, -2, 0, 8_752),
];

/// Periodic terms of the Moon's latitude: (D, M, M', F, Σb in 1e-6°).
const MOON_B: [(i8, i8, i8, i8, i32); 60] = [
    (0, 0, 0, 1, 5_128_122),
    (0, 0, 1, 1, 280_602),
    (0, 0, 1, -1, 277_693),
    (2, 0, 0, -1, 173_237),
    (2, 0, -1, 1, 55_413),
    (2, 0, -1, -1, 46_271),
    (2, 0, 0, 1, 32_573),
    (0, 0, 2, 1, 17_198),
    (2, 0, 1, -1, 9_266),
    (0, 0, 2, -1, 8_822),
    (2, -1, 0, -1, 8_216),
    (2, 0, -2, -1, 4_324),
    (2, 0, 1, 1, 4_200),
    (2, 1, 0, -1, -3_359),
    (2, -1, -1, 1, 2_463),
    (2, -1, 0, 1, 2_211),
    (2, -1, -1, -1, 2_065),
    (0, 1, -1, -1, -1_870),
    (4, 0, -1, -1, 1_828),
    (0, 1, 0, 1, -1_794),
    (0, 0, 0, 3, -1_749),
    (0, 1, -1, 1, -1_565),
    (1, 0, 0, 1, -1_491),
    (0, 1, 1, 1, -1_475),
    (0, 1, 1, -1, -1_410),
    (0, 1, 0, -1, -1_344),
    (1, 0, 0, -1, -1_335),
    (0, 0, 3, 1, 1_107),
    (4, 0, 0, -1, 1_021),
    (4, 0, -1, 1, 833),
    (0, 0, 1, -3, 777),
    (4, 0, -2, 1, 671),
    (2, 0, 0, -3, 607),
    (2, 0, 2, -1, 596),
    (2, -1, 1, -1, 491),
    (2, 0, -2, 1, -451),
    (0, 0, 3, -1, 439),
    (2, 0, 2, 1, 422),
    (2, 0, -3, -1, 421),
    (2, 1, -1, 1, -366),
    (2, 1, 0, 1, -351),
    (4, 0, 0, 1, 331),
    (2, -1, 1, 1, 315),
    (2, -2, 0, -1, 302),
    (0, 0, 1, 3, -283),
    (2, 1, 1, -1, -229),
    (1, 1, 0, -1, 223),
    (1, 1, 0, 1, 223),
    (0, 1, -2, -1, -220),
    (2, 1, -1, -1, -220),
    (1, 0, 1, 1, -185),
    (2, -1, -2, -1, 181),
    (0, 1, 2, 1, -177),
    (4, 0, -2, -1, 176),
    (4, -1, -1, -1, 166),
    (1, 0, 1, -1, -164),
    (4, 0, 1, -1, 132),
    (1, 0, -1, -1, -119),
    (4, -1, 0, -1, 115),
    (2, -2, 0, 1, 107),
];

/// Apparent geocentric position of the Moon at `jde` (Meeus ch. 47; distance in km).
pub(crate) fn moon(jde: f64) -> Equatorial {
    let t = (jde - J2000) / 36_525.0;
    let t2 = t * t;
    let t3 = t2 * t;
    let t4 = t3 * t;
    let lp = 218.316_447_7 + 481_267.881_234_21 * t - 0.001_578_6 * t2 + t3 / 538_841.0
        - t4 / 65_194_000.0;
    let d = 297.850_192_1 + 445_267.111_403_4 * t - 0.001_881_9 * t2 + t3 / 545_868.0
        - t4 / 113_065_000.0;
    let m = 357.529_109_2 + 35_999.050_290_9 * t - 0.000_153_6 * t2 + t3 / 24_490_000.0;
    let mp = 134.963_396_4 + 477_198.867_505_5 * t + 0.008_741_4 * t2 + t3 / 69_699.0
        - t4 / 14_712_000.0;
    let f = 93.272_095_0 + 483_202.017_523_3 * t - 0.003_653_9 * t2 - t3 / 3_526_000.0
        + t4 / 863_310_000.0;
    let a1 = 119.75 + 131.849 * t;
    let a2 = 53.09 + 479_264.290 * t;
    let a3 = 313.45 + 481_266.484 * t;
    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t2;
    let e_factor = |mi: i8| match mi.abs() {
        1 => e,
        2 => e * e,
        _ => 1.0,
    };
    let (mut sl, mut sr, mut sb) = (0.0, 0.0, 0.0);
    for &(cd, cm, cmp, cf, l, r) in &MOON_LR {
        let arg = (f64::from(cd) * d + f64::from(cm) * m + f64::from(cmp) * mp + f64::from(cf) * f)
            .to_radians();
        let ef = e_factor(cm);
        sl += f64::from(l) * ef * arg.sin();
        sr += f64::from(r) * ef * arg.cos();
    }
    for &(cd, cm, cmp, cf, b) in &MOON_B {
        let arg = (f64::from(cd) * d + f64::from(cm) * m + f64::from(cmp) * mp + f64::from(cf) * f)
            .to_radians();
        sb += f64::from(b) * e_factor(cm) * arg.sin();
    }
    sl += 3958.0 * sin_d(a1) + 1962.0 * sin_d(lp - f) + 318.0 * sin_d(a2);
    sb += -2235.0 * sin_d(lp)
        + 382.0 * sin_d(a3)
        + 175.0 * sin_d(a1 - f)
        + 175.0 * sin_d(a1 + f)
        + 127.0 * sin_d(lp - mp)
        - 115.0 * sin_d(lp + mp);
    let (dpsi, eps) = nutation_obliquity(t);
    let lon = norm360(lp + sl / 1e6 + dpsi);
    let lat = sb / 1e6;
    let dist = 385_000.56 + sr / 1000.0;
    let (ra, dec) = to_equatorial(lon, lat, eps);
    Equatorial {
        ra,
        dec,
        lon,
        lat,
        dist,
    }
}

/// Apparent Greenwich sidereal time in degrees at `jd_ut` (Meeus ch. 12; nutation term included).
pub(crate) fn sidereal_time(jd_ut: f64) -> f64 {
    let t = (jd_ut - J2000) / 36_525.0;
    let theta = 280.460_618_37 + 360.985_647_366_29 * (jd_ut - J2000) + 0.000_387_933 * t * t
        - t * t * t / 38_710_000.0;
    let (dpsi, eps) = nutation_obliquity(t);
    norm360(theta + dpsi * cos_d(eps))
}

/// Geocentric elongation of the Moon from the Sun (degrees).
pub(crate) fn elongation(sun: &Equatorial, moon: &Equatorial) -> f64 {
    (cos_d(moon.lat) * cos_d(moon.lon - sun.lon))
        .clamp(-1.0, 1.0)
        .acos()
        .to_degrees()
}

/// Airless altitude (degrees) of a body with equatorial position (`ra`, `dec`) seen from
/// latitude `lat`, east longitude `lon` at Greenwich sidereal time `gst`.
pub(crate) fn altitude(ra: f64, dec: f64, lat: f64, lon: f64, gst: f64) -> f64 {
    let h = gst + lon - ra;
    (sin_d(lat) * sin_d(dec) + cos_d(lat) * cos_d(dec) * cos_d(h))
        .clamp(-1.0, 1.0)
        .asin()
        .to_degrees()
}

/// Topocentric altitude of the Moon from its geocentric altitude `h` and distance in km
/// (parallax in altitude on a spherical Earth: error below 0.005°).
pub(crate) fn moon_topocentric_altitude(h_geo: f64, dist_km: f64) -> f64 {
    let parallax = (6378.14 / dist_km).asin().to_degrees();
    h_geo - (sin_d(parallax) * cos_d(h_geo)).asin().to_degrees()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeus_example_49a_new_moon_1977() {
        // Example 49.a: k = −283, JDE 2443192.65118 (1977 Feb 18, 3:37:42 TD).
        let jd = new_moon_jd_ut(-283);
        let jde = jde_from_ut(jd);
        assert!((jde - 2_443_192.651_18).abs() < 0.0001, "{jde}");
    }

    #[test]
    fn meeus_example_47a_moon_1992() {
        // Example 47.a: 1992 April 12, 0h TD: λ = 133.167265 (apparent), β = −3.229126, Δ = 368409.7 km,
        // α = 134.688470, δ = 13.768368.
        let p = moon(2_448_724.5);
        assert!((p.lon - 133.167_265).abs() < 0.001, "{}", p.lon);
        assert!((p.lat + 3.229_126).abs() < 0.001, "{}", p.lat);
        assert!((p.dist - 368_409.7).abs() < 1.0, "{}", p.dist);
        assert!((p.ra - 134.688_470).abs() < 0.002, "{}", p.ra);
        assert!((p.dec - 13.768_368).abs() < 0.002, "{}", p.dec);
    }

    #[test]
    fn meeus_example_25a_sun_1992() {
        // Example 25.a: 1992 Oct 13.0 TD: apparent λ = 199.90895 (low accuracy), α = 198.38083,
        // δ = −7.78507.
        let s = sun(2_448_908.5);
        assert!((s.lon - 199.908_95).abs() < 0.002, "{}", s.lon);
        assert!((s.ra - 198.380_83).abs() < 0.003, "{}", s.ra);
        assert!((s.dec + 7.785_07).abs() < 0.003, "{}", s.dec);
    }

    #[test]
    fn meeus_example_12a_sidereal_time() {
        // Example 12.a: 1987 April 10, 0h UT: mean 13h10m46.3668s, apparent 13h10m46.1351s.
        let gst = sidereal_time(2_446_895.5);
        let expected = (13.0 + 10.0 / 60.0 + 46.1351 / 3600.0) * 15.0;
        assert!((gst - expected).abs() < 0.0002, "{gst} vs {expected}");
    }

    #[test]
    fn new_moon_june_2017_matches_published_time() {
        // 2017-06-24 02:31 UT (published conjunction); k = 216.
        let jd = new_moon_jd_ut(216);
        let expected = 2_457_928.5 + (2.0 + 31.0 / 60.0) / 24.0;
        assert!((jd - expected).abs() < 2.0 / 1440.0, "{jd} vs {expected}");
    }
}
