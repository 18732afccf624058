//! Turkish number formatting: `.` groups thousands, `,` is the decimal separator, and the percent
//! sign comes before the number (`%87,3`). Also at `acikkapi_core::stats::format`, the reports'
//! main user; it lives in `text` so that the workflow's texts can use it too.
//!
//! ```
//! use acikkapi_core::text::number::{format_int_tr, format_percent_tr, parse_int_tr};
//! assert_eq!(format_int_tr(46605), "46.605");
//! assert_eq!(format_percent_tr(0.8734), "%87,3");
//! assert_eq!(parse_int_tr("46.605").unwrap(), 46605);
//! ```

use crate::error::{Error, Result};

/// Groups the ASCII digits of `digits` in threes with `.` and appends them to `out`.
fn push_grouped(digits: &str, out: &mut String) {
    let n = digits.len();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
}

/// Formats an integer the Turkish way: `46605` → `"46.605"`, `-1234` → `"-1.234"`.
///
/// Takes any integer type up to 64 bits (and `i128`).
///
/// ```
/// use acikkapi_core::text::number::format_int_tr;
/// assert_eq!(format_int_tr(0), "0");
/// assert_eq!(format_int_tr(-1_234_567), "-1.234.567");
/// assert_eq!(format_int_tr(u64::MAX), "18.446.744.073.709.551.615");
/// ```
pub fn format_int_tr(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    push_grouped(&digits, &mut out);
    out
}

/// Parses an integer written the Turkish way (`"46.605"`, `"-1.234"`, `"7"`): groups of exactly
/// three digits after the first, separated by `.`. The inverse of [`format_int_tr`].
///
/// ```
/// use acikkapi_core::text::number::parse_int_tr;
/// assert_eq!(parse_int_tr("-1.234.567").unwrap(), -1_234_567);
/// assert!(parse_int_tr("1.23").is_err());
/// assert!(parse_int_tr("1,5").is_err());
/// ```
pub fn parse_int_tr(s: &str) -> Result<i128> {
    let bad = || Error::InvalidNumber(s.to_string());
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let mut groups = body.split('.');
    let first = groups.next().ok_or_else(bad)?;
    let digits_only = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    if !digits_only(first) || first.len() > 3 || (first.len() > 1 && first.starts_with('0')) {
        return Err(bad());
    }
    let mut value: u128 = first.parse().map_err(|_| bad())?;
    let mut groups = groups.peekable();
    if value == 0 && groups.peek().is_some() {
        return Err(bad());
    }
    for g in groups {
        if g.len() != 3 || !digits_only(g) {
            return Err(bad());
        }
        let part: u128 = g.parse().map_err(|_| bad())?;
        value = value
            .checked_mul(1000)
            .and_then(|v| v.checked_add(part))
            .ok_or_else(bad)?;
    }
    if neg {
        if value == 0 {
            return Err(bad());
        }
        // -(2^127) is representable; anything larger is not.
        0i128.checked_sub_unsigned(value).ok_or_else(bad)
    } else {
        i128::try_from(value).map_err(|_| bad())
    }
}

/// Formats a number with `decimals` digits after the decimal comma, thousands grouped:
/// `1234.56, 1` → `"1.234,6"`. Non-finite values print as `"—"`.
///
/// ```
/// use acikkapi_core::text::number::format_decimal_tr;
/// assert_eq!(format_decimal_tr(1234.56, 1), "1.234,6");
/// assert_eq!(format_decimal_tr(-0.25, 2), "-0,25");
/// assert_eq!(format_decimal_tr(3.0, 0), "3");
/// ```
pub fn format_decimal_tr(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    let plain = format!("{:.*}", decimals, x.abs());
    let (int_part, frac_part) = plain.split_once('.').unwrap_or((&plain, ""));
    // "-0,0" would be odd: only show the sign when something non-zero is printed.
    let negative = x < 0.0 && plain.bytes().any(|b| matches!(b, b'1'..=b'9'));
    let mut out = String::with_capacity(plain.len() + plain.len() / 3 + 2);
    if negative {
        out.push('-');
    }
    push_grouped(int_part, &mut out);
    if !frac_part.is_empty() {
        out.push(',');
        out.push_str(frac_part);
    }
    out
}

/// Formats a share (0.8734 = 87.34 %) as a Turkish percentage with one decimal: `"%87,3"`.
/// The sign goes before the percent sign (`"-%5,0"`); non-finite values (a share of nothing) print
/// as `"—"`.
///
/// ```
/// use acikkapi_core::text::number::format_percent_tr;
/// assert_eq!(format_percent_tr(0.8734), "%87,3");
/// assert_eq!(format_percent_tr(1.0), "%100,0");
/// assert_eq!(format_percent_tr(0.0), "%0,0");
/// assert_eq!(format_percent_tr(-0.05), "-%5,0");
/// assert_eq!(format_percent_tr(f64::NAN), "—");
/// ```
pub fn format_percent_tr(share: f64) -> String {
    if !share.is_finite() {
        return "—".to_string();
    }
    let body = format_decimal_tr(share * 100.0, 1);
    match body.strip_prefix('-') {
        Some(rest) => format!("-%{rest}"),
        None => format!("%{body}"),
    }
}

/// A share as a fraction, `None` when the denominator is zero.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    // u64 → f64 loses precision only above 2^53 applications, far beyond any real count.
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// [`format_percent_tr`] of a share, `"—"` when there is nothing to share.
pub fn format_share_tr(part: u64, whole: u64) -> String {
    share(part, whole).map_or_else(|| "—".to_string(), format_percent_tr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn integers() {
        assert_eq!(format_int_tr(46605), "46.605");
        assert_eq!(format_int_tr(0), "0");
        assert_eq!(format_int_tr(999), "999");
        assert_eq!(format_int_tr(1000), "1.000");
        assert_eq!(format_int_tr(-1), "-1");
        assert_eq!(format_int_tr(-1000), "-1.000");
        assert_eq!(format_int_tr(i64::MIN), "-9.223.372.036.854.775.808");
        assert_eq!(format_int_tr(u64::MAX), "18.446.744.073.709.551.615");
        assert_eq!(
            format_int_tr(i128::MIN),
            "-170.141.183.460.469.231.731.687.303.715.884.105.728"
        );
    }

    #[test]
    fn percents() {
        assert_eq!(format_percent_tr(0.8734), "%87,3");
        assert_eq!(format_percent_tr(0.87349), "%87,3");
        assert_eq!(format_percent_tr(0.8736), "%87,4");
        assert_eq!(format_percent_tr(12.5), "%1.250,0");
        assert_eq!(format_percent_tr(-0.0001), "%0,0");
        assert_eq!(format_percent_tr(f64::INFINITY), "—");
        assert_eq!(format_share_tr(1, 3), "%33,3");
        assert_eq!(format_share_tr(1, 0), "—");
    }

    #[test]
    fn parse_rejects_malformed() {
        for s in [
            "", "-", ".", "1.", ".100", "1..000", "1.0000", "01", "0.100", "-0", "1,000", " 1",
            "1 000", "+1", "1.00a",
        ] {
            assert!(parse_int_tr(s).is_err(), "{s:?}");
        }
        assert_eq!(parse_int_tr("0").unwrap(), 0);
        assert_eq!(
            parse_int_tr("18.446.744.073.709.551.615").unwrap(),
            i128::from(u64::MAX)
        );
        assert_eq!(
            parse_int_tr("-170.141.183.460.469.231.731.687.303.715.884.105.728").unwrap(),
            i128::MIN
        );
        assert!(parse_int_tr("170.141.183.460.469.231.731.687.303.715.884.105.728").is_err());
    }

    proptest! {
        #[test]
        fn int_round_trips(n in any::<i64>()) {
            let s = format_int_tr(n);
            prop_assert_eq!(parse_int_tr(&s).unwrap(), i128::from(n));
            prop_assert!(!s.contains(','));
        }

        #[test]
        fn u64_round_trips(n in any::<u64>()) {
            prop_assert_eq!(parse_int_tr(&format_int_tr(n)).unwrap(), i128::from(n));
        }

        #[test]
        fn i128_round_trips(n in any::<i128>()) {
            prop_assert_eq!(parse_int_tr(&format_int_tr(n)).unwrap(), n);
        }

        #[test]
        fn percent_reads_back(p in 0u32..=100_000) {
            // p is a share in 1/1000ths of a percent; the printed value is it rounded to 0.1 %.
            let share = f64::from(p) / 100_000.0;
            let s = format_percent_tr(share);
            let body = s.strip_prefix('%').unwrap();
            let (int_part, frac) = body.split_once(',').unwrap();
            prop_assert_eq!(frac.len(), 1);
            let tenths = parse_int_tr(int_part).unwrap() * 10 + i128::from(frac.as_bytes()[0] - b'0');
            let exact = share * 1000.0;
            prop_assert!((tenths as f64 - exact).abs() <= 0.5 + 1e-9, "{} vs {}", s, exact);
        }
    }
}
