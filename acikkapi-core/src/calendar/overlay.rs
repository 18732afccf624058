//! İdari izin overlays: administrative-leave days for public servants, from CSV files.

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Holiday, HolidayKind, HolidaySource};
use crate::error::{Error, Result};

const BUNDLED_FILE: &str = "idari_izin.csv";
static BUNDLED_TEXT: &str = include_str!("../../data/idari_izin.csv");
const HEADER: &str = "date,kind,name_tr,name_en";

/// İdari izin listesi: administrative-leave days, added on top of the legal calendar for the
/// public-sector calendar.
///
/// File format (UTF-8 CSV, `#` starts a comment line): header `date,kind,name_tr,name_en`, then one
/// day a line: ISO date, `full` / `morning` (until 13:00) / `half` (from 13:00), Turkish and English
/// names (no commas in names).
///
/// ```
/// use acikkapi_core::calendar::Overlay;
/// let o = Overlay::parse("mine.csv", "date,kind,name_tr,name_en\n2030-01-02,full,İdari izin,Leave\n").unwrap();
/// assert_eq!(o.days().len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overlay {
    days: Vec<Holiday>,
}

impl Overlay {
    /// Parses an overlay file; `file_name` is used in error messages
    /// ([`Error::DataFile`] with the 1-based line).
    pub fn parse(file_name: &str, text: &str) -> Result<Overlay> {
        let bad = |line: usize, message: String| Error::DataFile {
            file: file_name.to_string(),
            line,
            message,
        };
        let mut days = Vec::new();
        let mut header_seen = false;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim().trim_start_matches('\u{feff}');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if !header_seen {
                if line != HEADER {
                    return Err(bad(
                        i + 1,
                        format!("expected header {HEADER}, got {line:?}"),
                    ));
                }
                header_seen = true;
                continue;
            }
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let [date, kind, name_tr, name_en] = fields[..] else {
                return Err(bad(
                    i + 1,
                    format!("expected 4 fields, got {}", fields.len()),
                ));
            };
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map_err(|e| bad(i + 1, format!("bad date {date:?}: {e}")))?;
            let kind = match kind {
                "full" => HolidayKind::Full,
                "half" => HolidayKind::Half,
                "morning" => HolidayKind::Morning,
                other => {
                    return Err(bad(
                        i + 1,
                        format!("bad kind {other:?} (full, half or morning)"),
                    ));
                }
            };
            if name_tr.is_empty() || name_en.is_empty() {
                return Err(bad(i + 1, "empty name".to_string()));
            }
            days.push(Holiday {
                date,
                name_tr: name_tr.to_string(),
                name_en: name_en.to_string(),
                kind,
                source: HolidaySource::IdariIzin,
            });
        }
        if !header_seen {
            return Err(bad(0, format!("missing header {HEADER}")));
        }
        days.sort_by_key(|h| h.date);
        Ok(Overlay { days })
    }

    /// The bundled overlay `data/idari_izin.csv` (known days since 2014; see `data/SOURCES.md`).
    pub fn bundled() -> Result<&'static Overlay> {
        static BUNDLED: OnceLock<std::result::Result<Overlay, String>> = OnceLock::new();
        BUNDLED
            .get_or_init(|| Overlay::parse(BUNDLED_FILE, BUNDLED_TEXT).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|message| Error::DataFile {
                file: BUNDLED_FILE.to_string(),
                line: 0,
                message: message.clone(),
            })
    }

    /// The days, sorted by date.
    pub fn days(&self) -> &[Holiday] {
        &self.days
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_parses() {
        let o = Overlay::bundled().unwrap();
        assert_eq!(o.days().len(), 16);
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(
            o.days()
                .iter()
                .any(|h| h.date == d("2023-06-27") && h.kind == HolidayKind::Morning)
        );
        assert!(
            o.days()
                .iter()
                .all(|h| h.source == HolidaySource::IdariIzin)
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = Overlay::parse("x.csv", "date,kind,name_tr,name_en\n2025-02-30,full,a,b\n")
            .unwrap_err();
        assert!(
            matches!(e, Error::DataFile { ref file, line: 2, .. } if file == "x.csv"),
            "{e}"
        );
        let e = Overlay::parse(
            "x.csv",
            "# only\ndate,kind,name_tr,name_en\n\n2025-01-02,evening,a,b\n",
        )
        .unwrap_err();
        assert!(matches!(e, Error::DataFile { line: 4, .. }), "{e}");
        assert!(Overlay::parse("x.csv", "").is_err());
        assert!(Overlay::parse("x.csv", "date,kind\n").is_err());
        assert!(Overlay::parse("x.csv", "date,kind,name_tr,name_en\n2025-01-02,full,a\n").is_err());
    }
}
