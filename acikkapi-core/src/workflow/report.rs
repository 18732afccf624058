//! Turkish number formatting for the workflow's texts (the statistics block is
//! [`crate::stats::StatisticsBlock`]).

/// Formats an integer the Turkish way: a dot between thousands (`46605` → `"46.605"`).
///
/// ```
/// use acikkapi_core::workflow::format_tr;
/// assert_eq!(format_tr(46_605), "46.605");
/// assert_eq!(format_tr(-1_234_567), "-1.234.567");
/// assert_eq!(format_tr(999), "999");
/// ```
pub fn format_tr(n: i64) -> String {
    crate::stats::format::format_int_tr(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated_by_dots() {
        assert_eq!(format_tr(0), "0");
        assert_eq!(format_tr(7), "7");
        assert_eq!(format_tr(1_000), "1.000");
        assert_eq!(format_tr(46_605), "46.605");
        assert_eq!(format_tr(100_000), "100.000");
        assert_eq!(format_tr(1_234_567), "1.234.567");
        assert_eq!(format_tr(-999), "-999");
        assert_eq!(format_tr(-1_000), "-1.000");
        assert_eq!(format_tr(i64::MIN), "-9.223.372.036.854.775.808");
    }
}
