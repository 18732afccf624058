//! Body of the CLI fuzz target (see `acikkapi_core::fuzzing` for the pattern). Not part of the
//! public API: hidden from the documentation, may change without notice.

use acikkapi_core::calendar::Calendar;

use crate::cli::calendar::parse_add_line;

/// `calendar add --stdin` input: every line through the line parser and, when it parses, the
/// legal calendar. A result is a business day on the right side of the start date (N > 0: after,
/// N < 0: before, N = 0: on or after); anything else is a typed error, never a panic.
pub fn calendar_add_line(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let cal = Calendar::legal();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Ok((d, n)) = parse_add_line(line) else {
            continue;
        };
        let Ok(r) = cal.add_business_days(d, n) else {
            continue;
        };
        assert_eq!(cal.is_business_day(r).ok(), Some(true), "{d} {n} → {r}");
        match n.signum() {
            1 => assert!(r > d, "{d} + {n} → {r}"),
            -1 => assert!(r < d, "{d} + {n} → {r}"),
            _ => assert!(r >= d, "{d} + 0 → {r}"),
        }
    }
}
