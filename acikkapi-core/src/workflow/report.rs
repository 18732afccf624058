//! The statistics block and Turkish number formatting.

use std::fmt;

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
    crate::stats::format::format_int_tr(n)
}

/// İstatistik: counts of applications by how they ended.
///
/// `total = concluded + pending + not_processed + redirected`, and
/// `concluded = positive + negative + partly_positive`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statistics {
    /// Toplam Başvuru Sayısı.
    pub total: u64,
    /// Sonuçlandırılan: answered (and closed).
    pub concluded: u64,
    /// Olumlu Sonuçlanan.
    pub positive: u64,
    /// Olumsuz Sonuçlanan.
    pub negative: u64,
    /// Kısmen Olumlu Sonuçlanan.
    pub partly_positive: u64,
    /// İşlem Yapılmayı Bekleyen: registered or received, not yet answered.
    pub pending: u64,
    /// Of the pending ones, past their deadline.
    pub overdue: u64,
    /// İşleme Alınmayan.
    pub not_processed: u64,
    /// Başka Kuruma Yönlendirilen.
    pub redirected: u64,
}

fn n(v: u64) -> String {
    format_tr(i64::try_from(v).unwrap_or(i64::MAX))
}

impl fmt::Display for Statistics {
    /// The block as published, one `label: number` line each.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = [
            ("Toplam Başvuru Sayısı", self.total),
            ("Sonuçlandırılan", self.concluded),
            ("Olumlu Sonuçlanan", self.positive),
            ("Olumsuz Sonuçlanan", self.negative),
            ("Kısmen Olumlu Sonuçlanan", self.partly_positive),
            ("İşlem Yapılmayı Bekleyen", self.pending),
            ("  (süresi geçmiş)", self.overdue),
            ("İşleme Alınmayan", self.not_processed),
            ("Başka Kuruma Yönlendirilen", self.redirected),
        ];
        for (label, v) in rows {
            writeln!(f, "{label:<28} {:>9}", n(v))?;
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

    #[test]
    fn statistics_block_uses_turkish_numbers() {
        let s = Statistics {
            total: 46_605,
            concluded: 45_001,
            positive: 30_000,
            negative: 10_001,
            partly_positive: 5_000,
            pending: 1_604,
            ..Statistics::default()
        };
        let text = s.to_string();
        assert!(text.contains("Toplam Başvuru Sayısı"));
        assert!(text.contains("46.605"));
        assert!(text.contains("45.001"));
        assert!(text.contains("İşlem Yapılmayı Bekleyen"));
        assert!(text.contains("1.604"));
    }
}
