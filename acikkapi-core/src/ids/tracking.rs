//! Başvuru takip numarası: the tracking number printed on the receipt and read out over the phone.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::TrackingNumberError;
use crate::geo::ProvincePlate;

/// The Damm quasigroup of order 10 (H. Michael Damm, 2004): a Latin square with a zero diagonal
/// that is weakly totally anti-symmetric, `(c∗x)∗y = (c∗y)∗x ⇒ x = y`. Checked in the tests.
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm interim digit after reading `digits` (each 0..=9; larger values are taken mod 10).
fn damm_interim(digits: impl IntoIterator<Item = u8>) -> u8 {
    digits
        .into_iter()
        .fold(0u8, |c, d| DAMM[usize::from(c)][usize::from(d % 10)])
}

/// The Damm check digit for a sequence of decimal digits (each 0..=9).
///
/// ```
/// assert_eq!(acikkapi_core::ids::damm_check_digit([5, 7, 2]), 4);
/// ```
pub fn damm_check_digit(digits: impl IntoIterator<Item = u8>) -> u8 {
    damm_interim(digits)
}

/// Whether a digit sequence ending in its Damm check digit is valid.
///
/// ```
/// assert!(acikkapi_core::ids::damm_is_valid([5, 7, 2, 4]));
/// assert!(!acikkapi_core::ids::damm_is_valid([7, 5, 2, 4]));
/// ```
pub fn damm_is_valid(digits: impl IntoIterator<Item = u8>) -> bool {
    damm_interim(digits) == 0
}

/// Prefix of every tracking number: *Açık Kapı*.
const PREFIX: &str = "AK";

/// Başvuru takip numarası: `AK-PP-YYYY-SSSSSSS-C`, e.g. `AK-20-2026-0001234-7` — the province
/// plate (2 digits), the year (4), a sequence number within province and year (7) and a check
/// digit.
///
/// # Check digit: Damm
///
/// The check digit is the **Damm** check digit over the 13 digits plate + year + sequence. A
/// citizen reads the number out over the phone and an officer types it in, so the two commonest
/// errors must never reach a wrong application: Damm detects **every single-digit error** (the
/// operation table is a Latin square) and **every transposition of two adjacent digits** (the
/// quasigroup is weakly totally anti-symmetric), including a swap with the check digit itself. It
/// was chosen over Verhoeff, which gives the same guarantees, because it needs one 10×10 table and
/// no permutation or inverse tables, and over Luhn or a mod-11 scheme because Luhn misses the
/// `09`↔`90` swap and mod-11 needs an eleventh symbol (`X`), awkward to dictate. Both guarantees
/// are tested exhaustively in this module's tests.
///
/// ```
/// use acikkapi_core::geo::ProvincePlate;
/// use acikkapi_core::ids::TrackingNumber;
/// let t = TrackingNumber::new(ProvincePlate::new(20).unwrap(), 2026, 1234).unwrap();
/// let printed = t.to_string();
/// assert!(printed.starts_with("AK-20-2026-0001234-"));
/// assert_eq!(TrackingNumber::parse(&printed).unwrap(), t);
/// assert_eq!(TrackingNumber::parse(&printed.to_lowercase().replace('-', " - ")).unwrap(), t);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackingNumber {
    year: u16,
    plate: ProvincePlate,
    seq: u32,
}

impl TrackingNumber {
    /// Highest sequence number (7 digits).
    pub const MAX_SEQUENCE: u32 = 9_999_999;
    /// Accepted years.
    pub const YEARS: std::ops::RangeInclusive<u16> = 2000..=9999;

    /// A tracking number from its parts; an error for a year outside 2000..=9999 or a sequence
    /// number outside 1..=9 999 999.
    pub fn new(plate: ProvincePlate, year: u16, seq: u32) -> Result<Self, TrackingNumberError> {
        if !Self::YEARS.contains(&year) {
            return Err(TrackingNumberError::Year { year });
        }
        if !(1..=Self::MAX_SEQUENCE).contains(&seq) {
            return Err(TrackingNumberError::Sequence { seq });
        }
        Ok(Self { year, plate, seq })
    }

    /// Parses a tracking number. Case-insensitive, whitespace anywhere is ignored, the `AK`
    /// prefix may be left out (a citizen dictating digits often omits it), and the dashes may be
    /// left out all together (`AK2020260001234 7`). Strict on the check digit.
    pub fn parse(s: &str) -> Result<Self, TrackingNumberError> {
        let compact: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let format_err = || TrackingNumberError::Format {
            input: s.to_string(),
        };
        let body = compact.strip_prefix(PREFIX).unwrap_or(&compact);
        let body = body.strip_prefix('-').unwrap_or(body);
        let parts: Vec<&str> = body.split('-').collect();
        let groups_ok = match parts.as_slice() {
            [all] => all.len() == 14,
            [p, y, q, c] => p.len() == 2 && y.len() == 4 && q.len() == 7 && c.len() == 1,
            _ => false,
        };
        if !groups_ok || !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(format_err());
        }
        let digits: Vec<u8> = parts.concat().bytes().map(|b| b - b'0').collect();
        if !damm_is_valid(digits.iter().copied()) {
            return Err(TrackingNumberError::CheckDigit {
                input: s.to_string(),
            });
        }
        let num = |r: std::ops::Range<usize>| {
            digits[r]
                .iter()
                .fold(0u32, |acc, &d| acc * 10 + u32::from(d))
        };
        // At most 2 and 4 digits: the casts cannot truncate.
        let plate_n = num(0..2) as u8;
        let year = num(2..6) as u16;
        let plate = ProvincePlate::new(plate_n)
            .map_err(|_| TrackingNumberError::Plate { plate: plate_n })?;
        Self::new(plate, year, num(6..13))
    }

    /// The province plate.
    pub fn plate(&self) -> ProvincePlate {
        self.plate
    }

    /// The year of registration.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The sequence number within province and year.
    pub fn sequence(&self) -> u32 {
        self.seq
    }

    /// The 13 payload digits: plate (2), year (4), sequence (7).
    fn payload_digits(&self) -> [u8; 13] {
        let s = format!("{:02}{:04}{:07}", self.plate.get(), self.year, self.seq);
        let mut out = [0u8; 13];
        for (o, b) in out.iter_mut().zip(s.bytes()) {
            *o = b - b'0';
        }
        out
    }

    /// The Damm check digit over plate, year and sequence.
    pub fn check_digit(&self) -> u8 {
        damm_check_digit(self.payload_digits())
    }
}

impl fmt::Display for TrackingNumber {
    /// `AK-20-2026-0001234-7`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{PREFIX}-{}-{:04}-{:07}-{}",
            self.plate,
            self.year,
            self.seq,
            self.check_digit()
        )
    }
}

impl FromStr for TrackingNumber {
    type Err = TrackingNumberError;
    fn from_str(s: &str) -> Result<Self, TrackingNumberError> {
        Self::parse(s)
    }
}

impl Serialize for TrackingNumber {
    /// The printed form, `"AK-20-2026-0001234-7"`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TrackingNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TrackingNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    #[allow(clippy::needless_range_loop)]
    fn damm_table_is_a_weakly_totally_antisymmetric_quasigroup() {
        for i in 0..10 {
            let mut row = [false; 10];
            let mut col = [false; 10];
            for j in 0..10 {
                row[usize::from(DAMM[i][j])] = true;
                col[usize::from(DAMM[j][i])] = true;
            }
            assert!(
                row.iter().all(|&b| b) && col.iter().all(|&b| b),
                "Latin square at {i}"
            );
            assert_eq!(DAMM[i][i], 0, "zero diagonal at {i}");
        }
        for c in 0..10 {
            for x in 0..10 {
                for y in 0..10 {
                    if x != y {
                        let cx = usize::from(DAMM[c][x]);
                        let cy = usize::from(DAMM[c][y]);
                        assert_ne!(DAMM[cx][y], DAMM[cy][x], "c={c} x={x} y={y}");
                    }
                }
            }
        }
    }

    #[test]
    fn damm_reference_value() {
        // The published worked example: 572 → 4.
        assert_eq!(damm_check_digit([5, 7, 2]), 4);
        assert!(damm_is_valid([5, 7, 2, 4]));
    }

    #[test]
    fn parse_forms_and_errors() {
        let t = TrackingNumber::new(ProvincePlate::new(20).unwrap(), 2026, 1234).unwrap();
        let s = t.to_string();
        let c = t.check_digit();
        assert_eq!(s, format!("AK-20-2026-0001234-{c}"));
        let forms: Vec<String> = vec![
            s.clone(),
            s.to_lowercase(),
            format!(" ak - 20 - 2026 - 0001234 - {c} "),
            format!("20-2026-0001234-{c}"),
            format!("AK2020260001234{c}"),
            format!("2020260001234 {c}"),
        ];
        for form in forms {
            assert_eq!(TrackingNumber::parse(&form), Ok(t), "{form}");
        }
        let bad = format!("AK-20-2026-0001234-{}", (c + 1) % 10);
        assert!(matches!(
            TrackingNumber::parse(&bad),
            Err(TrackingNumberError::CheckDigit { .. })
        ));
        for form in [
            "",
            "AK",
            "AK-20-2026-001234-7",
            "AK-20-2026-0001234",
            "XK-20-2026-0001234-7",
            "AK-2-02026-0001234-7",
        ] {
            assert!(
                matches!(
                    TrackingNumber::parse(form),
                    Err(TrackingNumberError::Format { .. })
                ),
                "{form}"
            );
        }
        let plate0: Vec<u8> = "0020260001234".bytes().map(|b| b - b'0').collect();
        let cd = damm_check_digit(plate0.iter().copied());
        let s0 = format!("AK-00-2026-0001234-{cd}");
        assert_eq!(
            TrackingNumber::parse(&s0),
            Err(TrackingNumberError::Plate { plate: 0 })
        );
        assert!(TrackingNumber::new(ProvincePlate::new(1).unwrap(), 1999, 1).is_err());
        assert!(TrackingNumber::new(ProvincePlate::new(1).unwrap(), 2026, 0).is_err());
        assert!(TrackingNumber::new(ProvincePlate::new(1).unwrap(), 2026, 10_000_000).is_err());
    }

    #[test]
    fn serde_is_the_printed_form() {
        let t = TrackingNumber::new(ProvincePlate::new(34).unwrap(), 2026, 7).unwrap();
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, format!("\"{t}\""));
        assert_eq!(serde_json::from_str::<TrackingNumber>(&json).unwrap(), t);
    }

    fn arb_tracking() -> impl Strategy<Value = TrackingNumber> {
        (
            1u8..=81,
            2000u16..=2099,
            1u32..=TrackingNumber::MAX_SEQUENCE,
        )
            .prop_map(|(p, y, s)| {
                TrackingNumber::new(ProvincePlate::new(p).unwrap(), y, s).unwrap()
            })
    }

    /// The printed form's 14 digits, with the positions of the dashes remembered.
    fn digit_positions(s: &str) -> Vec<usize> {
        s.char_indices()
            .filter(|(_, c)| c.is_ascii_digit())
            .map(|(i, _)| i)
            .collect()
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(t in arb_tracking()) {
            prop_assert_eq!(TrackingNumber::parse(&t.to_string()), Ok(t));
        }

        /// Every single-digit typo (14 positions × 9 wrong digits) is rejected.
        #[test]
        fn every_single_digit_typo_is_detected(t in arb_tracking()) {
            let s = t.to_string();
            for i in digit_positions(&s) {
                for d in b'0'..=b'9' {
                    let mut b = s.clone().into_bytes();
                    if b[i] == d { continue; }
                    b[i] = d;
                    let typo = String::from_utf8(b).unwrap();
                    prop_assert!(TrackingNumber::parse(&typo).is_err(), "{} accepted", typo);
                }
            }
        }

        /// Every swap of two adjacent digits (adjacent as read aloud, across the dashes and
        /// including the check digit) that changes the number is rejected.
        #[test]
        fn every_adjacent_transposition_is_detected(t in arb_tracking()) {
            let s = t.to_string();
            let pos = digit_positions(&s);
            for w in pos.windows(2) {
                let mut b = s.clone().into_bytes();
                if b[w[0]] == b[w[1]] { continue; }
                b.swap(w[0], w[1]);
                let swapped = String::from_utf8(b).unwrap();
                prop_assert!(TrackingNumber::parse(&swapped).is_err(), "{} accepted", swapped);
            }
        }

        #[test]
        fn arbitrary_input_never_panics(s in "[Aa]?[Kk]?[-0-9 ]{0,24}") {
            if let Ok(t) = TrackingNumber::parse(&s) {
                prop_assert_eq!(TrackingNumber::parse(&t.to_string()), Ok(t));
            }
        }
    }
}
