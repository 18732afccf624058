//! The statistics block counted from the workflow's states ([`StatisticsBlock`], also
//! `acikkapi_core::stats::StatisticsBlock`, where the statistics fold the histories into the same
//! block) and Turkish number formatting for the workflow's texts.

use serde::{Deserialize, Serialize};

/// Formats an integer the Turkish way: a dot between thousands (`46605` → `"46.605"`).
///
/// ```
/// use acikkapi_core::workflow::format_tr;
/// assert_eq!(format_tr(46_605), "46.605");
/// assert_eq!(format_tr(-1_234_567), "-1.234.567");
/// assert_eq!(format_tr(999), "999");
/// ```
pub fn format_tr(n: i64) -> String {
    crate::text::number::format_int_tr(n)
}

/// The seeds' statistics block (istatistik tablosu).
///
/// | field | Turkish line | statuses |
/// |---|---|---|
/// | `received` | Toplam Başvuru Sayısı | every record |
/// | `concluded` | Sonuçlandırılan | `Answered` + `Closed` |
/// | `positive` | Olumlu Sonuçlanan | `Answered { Olumlu }` |
/// | `negative` | Olumsuz Sonuçlanan | `Answered { Olumsuz }` |
/// | `partly_positive` | Kısmen Olumlu Sonuçlanan | `Answered { KismenOlumlu }` |
/// | `pending` | İşlem Yapılmayı Bekleyen | `Pending` |
/// | `closed` | Sonuçsuz Kapatılan | `Closed` |
/// | `not_processed` | İşleme Alınmayan | `NotProcessed` |
/// | `redirected` | Başka Mercie Yönlendirilen | `Redirected` |
///
/// Conservation: `received = concluded + pending + not_processed + redirected`, and
/// `concluded = positive + negative + partly_positive + closed`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatisticsBlock {
    /// Toplam Başvuru Sayısı.
    pub received: u64,
    /// Sonuçlandırılan.
    pub concluded: u64,
    /// Olumlu Sonuçlanan.
    pub positive: u64,
    /// Olumsuz Sonuçlanan.
    pub negative: u64,
    /// Kısmen Olumlu Sonuçlanan.
    pub partly_positive: u64,
    /// İşlem Yapılmayı Bekleyen.
    pub pending: u64,
    /// Sonuçsuz Kapatılan.
    pub closed: u64,
    /// İşleme Alınmayan.
    pub not_processed: u64,
    /// Başka Mercie Yönlendirilen.
    pub redirected: u64,
}

impl StatisticsBlock {
    /// The six lines of the seeds' block, in order, with their Turkish labels.
    pub fn seed_lines(&self) -> [(&'static str, u64); 6] {
        [
            ("Toplam Başvuru Sayısı", self.received),
            ("Sonuçlandırılan", self.concluded),
            ("Olumlu Sonuçlanan", self.positive),
            ("Olumsuz Sonuçlanan", self.negative),
            ("Kısmen Olumlu Sonuçlanan", self.partly_positive),
            ("İşlem Yapılmayı Bekleyen", self.pending),
        ]
    }

    /// The seed lines followed by the three lines that make the block add up.
    pub fn lines(&self) -> [(&'static str, u64); 9] {
        let s = self.seed_lines();
        [
            s[0],
            s[1],
            s[2],
            s[3],
            s[4],
            s[5],
            ("Sonuçsuz Kapatılan", self.closed),
            ("İşleme Alınmayan", self.not_processed),
            ("Başka Mercie Yönlendirilen", self.redirected),
        ]
    }

    /// Whether the conservation law holds (it always does for a block built from a tally or from
    /// an engine).
    pub fn is_conserved(&self) -> bool {
        self.received == self.concluded + self.pending + self.not_processed + self.redirected
            && self.concluded == self.positive + self.negative + self.partly_positive + self.closed
    }
}

impl std::fmt::Display for StatisticsBlock {
    /// The block as published, one `label  number` line each, numbers the Turkish way.
    ///
    /// ```
    /// let b = acikkapi_core::stats::StatisticsBlock { received: 46_605, pending: 46_605, ..Default::default() };
    /// let text = b.to_string();
    /// assert!(text.starts_with("Toplam Başvuru Sayısı"));
    /// assert!(text.lines().next().unwrap().ends_with(" 46.605"));
    /// assert_eq!(text.lines().count(), 9);
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (label, v) in self.lines() {
            writeln!(
                f,
                "{label:<28} {:>9}",
                crate::text::number::format_int_tr(v)
            )?;
        }
        Ok(())
    }
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
