//! SMS segment counting for Turkish text (*SMS parça sayısı*).
//!
//! Three encodings are considered, and the one needing the fewest segments is chosen (on a tie,
//! the first of this list, i.e. the most widely supported):
//!
//! | encoding | characters | cost | single SMS | per segment when concatenated |
//! |---|---|---|---|---|
//! | [`SmsEncoding::Gsm7`] | GSM 03.38 basic table + default extension table | 1 septet, 2 for extension characters | 160 | 153 (UDH 6 octets) |
//! | [`SmsEncoding::Gsm7Turkish`] | basic table + Turkish single shift table (adds ğ Ğ ı İ ş Ş ç) | 1 septet, 2 for shift-table characters | 155 (UDH 4 octets) | 149 (UDH 9 octets) |
//! | [`SmsEncoding::Ucs2`] | everything | 1 UTF-16 code unit, 2 for characters outside the BMP | 70 | 67 |
//!
//! The tables, character by character, are data: `acikkapi-core/data/gsm7_tables.toml`
//! (3GPP TS 23.038 clause 6.2.1, 6.2.1.1 and Annex A.2.1). Capacities follow from 140 octets of
//! user data: a UDH of `u` octets leaves `floor((140 - u) * 8 / 7)` septets after padding to a
//! septet boundary (160 - ceil(u * 8 / 7)) or `(140 - u) / 2` UCS-2 units. The concatenation UDH
//! is the 8-bit reference element (5 octets) plus the UDH length octet; the Turkish single shift
//! element (IEI 0x24) adds 3 octets.
//!
//! Segments are filled greedily and a character is never split between segments (an escape
//! sequence or a UTF-16 surrogate pair stays whole), which is how handsets split messages; so a
//! text can need one more segment than `units / capacity` suggests. The Turkish *locking* shift
//! table is not used (few networks and handsets support it).
//!
//! ```
//! use acikkapi_core::notify::sms::{analyze, SmsEncoding};
//!
//! let info = analyze("Başvurunuz kaydedildi.");
//! assert_eq!(info.encoding, SmsEncoding::Gsm7Turkish); // ş needs the Turkish shift table
//! assert_eq!((info.units, info.segments), (23, 1));      // ş costs 2 septets
//! assert_eq!(analyze("Basvurunuz kaydedildi.").encoding, SmsEncoding::Gsm7);
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// How an SMS is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsEncoding {
    /// GSM 7-bit default alphabet (with its extension table).
    Gsm7,
    /// GSM 7-bit with the Turkish national language single shift table.
    Gsm7Turkish,
    /// UCS-2 (UTF-16).
    Ucs2,
}

impl SmsEncoding {
    /// Units (septets or UTF-16 code units) of a single, unsegmented message.
    pub fn single_capacity(self) -> u32 {
        match self {
            SmsEncoding::Gsm7 => 160,
            SmsEncoding::Gsm7Turkish => 155,
            SmsEncoding::Ucs2 => 70,
        }
    }

    /// Units per segment of a concatenated message.
    pub fn segment_capacity(self) -> u32 {
        match self {
            SmsEncoding::Gsm7 => 153,
            SmsEncoding::Gsm7Turkish => 149,
            SmsEncoding::Ucs2 => 67,
        }
    }

    /// A human-readable name.
    pub fn label(self) -> &'static str {
        match self {
            SmsEncoding::Gsm7 => "GSM 7-bit",
            SmsEncoding::Gsm7Turkish => "GSM 7-bit + Turkish single shift",
            SmsEncoding::Ucs2 => "UCS-2",
        }
    }
}

/// What sending a text as SMS costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsInfo {
    /// The chosen encoding.
    pub encoding: SmsEncoding,
    /// Characters (Unicode scalar values) in the text.
    pub chars: u32,
    /// Septets (GSM) or UTF-16 code units (UCS-2) needed.
    pub units: u32,
    /// Segments (billed messages); 1 for an empty text.
    pub segments: u32,
}

#[derive(Deserialize)]
struct TablesFile {
    basic: Basic,
    default_extension: Extension,
    turkish_single_shift: Extension,
}
#[derive(Deserialize)]
struct Basic {
    rows: Vec<String>,
}
#[derive(Deserialize)]
struct Extension {
    entries: Vec<Entry>,
}
#[derive(Deserialize)]
struct Entry {
    code: u8,
    char: char,
}

/// The loaded tables: character -> septet code.
#[derive(Debug)]
pub struct Gsm7Tables {
    /// The basic table (127 characters; ESC excluded).
    pub basic: HashMap<char, u8>,
    /// The default extension table.
    pub default_extension: HashMap<char, u8>,
    /// The Turkish single shift table.
    pub turkish_single_shift: HashMap<char, u8>,
}

const TABLES: &str = include_str!("../../data/gsm7_tables.toml");

fn load(text: &str) -> Result<Gsm7Tables, String> {
    let file: TablesFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let chars: Vec<char> = file.basic.rows.concat().chars().collect();
    if chars.len() != 128 {
        return Err(format!(
            "basic table has {} characters, expected 128",
            chars.len()
        ));
    }
    let basic = chars
        .iter()
        .enumerate()
        .filter(|(_, c)| **c != '\u{1b}')
        .map(|(i, c)| (*c, i as u8))
        .collect();
    let ext = |e: Extension| e.entries.into_iter().map(|e| (e.char, e.code)).collect();
    Ok(Gsm7Tables {
        basic,
        default_extension: ext(file.default_extension),
        turkish_single_shift: ext(file.turkish_single_shift),
    })
}

/// The embedded GSM 7-bit tables.
pub fn tables() -> &'static Gsm7Tables {
    static T: OnceLock<Gsm7Tables> = OnceLock::new();
    // The table file is embedded at compile time and checked by the test `embedded_tables_load`,
    // so it always parses.
    T.get_or_init(|| load(TABLES).unwrap_or_else(|e| panic!("embedded gsm7_tables.toml: {e}")))
}

/// Per-character costs of `text` in `encoding`, or `None` if a character cannot be encoded.
fn costs(text: &str, encoding: SmsEncoding) -> Option<Vec<u32>> {
    let t = tables();
    text.chars()
        .map(|c| match encoding {
            SmsEncoding::Ucs2 => Some(c.len_utf16() as u32),
            _ if t.basic.contains_key(&c) => Some(1),
            SmsEncoding::Gsm7 => t.default_extension.contains_key(&c).then_some(2),
            SmsEncoding::Gsm7Turkish => t.turkish_single_shift.contains_key(&c).then_some(2),
        })
        .collect()
}

/// Cost of `text` in the given encoding; `None` if it contains a character that encoding lacks.
pub fn analyze_as(text: &str, encoding: SmsEncoding) -> Option<SmsInfo> {
    let costs = costs(text, encoding)?;
    let units: u32 = costs.iter().sum();
    let segments = if units <= encoding.single_capacity() {
        1
    } else {
        let cap = encoding.segment_capacity();
        let (mut segments, mut used) = (1, 0);
        for c in costs {
            if used + c > cap {
                segments += 1;
                used = 0;
            }
            used += c;
        }
        segments
    };
    Some(SmsInfo {
        encoding,
        chars: text.chars().count() as u32,
        units,
        segments,
    })
}

/// The cheapest encoding for `text` and its cost (fewest segments; on a tie GSM 7-bit, then the
/// Turkish shift table, then UCS-2).
pub fn analyze(text: &str) -> SmsInfo {
    let ucs2 = SmsInfo {
        encoding: SmsEncoding::Ucs2,
        chars: text.chars().count() as u32,
        units: text.encode_utf16().count() as u32,
        segments: 0,
    };
    [
        SmsEncoding::Gsm7,
        SmsEncoding::Gsm7Turkish,
        SmsEncoding::Ucs2,
    ]
    .into_iter()
    .filter_map(|e| analyze_as(text, e))
    .min_by_key(|i| i.segments) // min_by_key keeps the first of equal minima
    .unwrap_or(ucs2) // unreachable: UCS-2 encodes every text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_load() {
        let t = load(TABLES).unwrap();
        assert_eq!(t.basic.len(), 127);
        assert_eq!(
            (t.basic[&'@'], t.basic[&'Ç'], t.basic[&'\n'], t.basic[&'à']),
            (0x00, 0x09, 0x0A, 0x7F)
        );
        assert_eq!(
            (t.basic[&'¤'], t.basic[&'$'], t.basic[&'Ü'], t.basic[&'ö']),
            (0x24, 0x02, 0x5E, 0x7C)
        );
        assert_eq!(t.default_extension.len(), 10);
        assert_eq!(t.turkish_single_shift.len(), 17);
        for c in "ğĞıİşŞç".chars() {
            assert!(
                !t.basic.contains_key(&c) && !t.default_extension.contains_key(&c),
                "{c}"
            );
            assert!(t.turkish_single_shift.contains_key(&c), "{c}");
        }
        for (c, code) in &t.default_extension {
            assert_eq!(
                t.turkish_single_shift.get(c),
                Some(code),
                "{c} is in both extension tables"
            );
        }
        for c in "öÖüÜÇ".chars() {
            assert!(t.basic.contains_key(&c), "{c} is in the basic table");
        }
    }

    fn info(text: &str) -> (SmsEncoding, u32, u32) {
        let i = analyze(text);
        (i.encoding, i.units, i.segments)
    }

    #[test]
    fn gsm7_boundaries_160_153() {
        use SmsEncoding::*;
        assert_eq!(info(&"a".repeat(160)), (Gsm7, 160, 1));
        assert_eq!(info(&"a".repeat(161)), (Gsm7, 161, 2));
        assert_eq!(info(&"a".repeat(306)), (Gsm7, 306, 2));
        assert_eq!(info(&"a".repeat(307)), (Gsm7, 307, 3));
        // € is 2 septets: 159 + 2 = 161 does not fit one message.
        assert_eq!(info(&format!("{}€", "a".repeat(158))), (Gsm7, 160, 1));
        assert_eq!(info(&format!("{}€", "a".repeat(159))), (Gsm7, 161, 2));
        // An escape sequence is never split: 152 + € would straddle the boundary at 153.
        assert_eq!(
            info(&format!("{}€{}", "a".repeat(152), "a".repeat(152))),
            (Gsm7, 306, 3)
        );
        assert_eq!(info(""), (Gsm7, 0, 1));
    }

    #[test]
    fn turkish_shift_boundaries_155_149() {
        use SmsEncoding::*;
        // ş costs 2 septets: 153 + 2 = 155 fits one message with the shift UDH.
        assert_eq!(
            info(&format!("ş{}", "a".repeat(153))),
            (Gsm7Turkish, 155, 1)
        );
        assert_eq!(
            info(&format!("ş{}", "a".repeat(154))),
            (Gsm7Turkish, 156, 2)
        );
        // Two segments of 149: 298 septets.
        assert_eq!(
            info(&format!("ş{}", "a".repeat(296))),
            (Gsm7Turkish, 298, 2)
        );
        assert_eq!(
            info(&format!("ş{}", "a".repeat(297))),
            (Gsm7Turkish, 299, 3)
        );
        // Even text made only of shifted letters is no dearer than UCS-2 (77 vs 70 characters in
        // one message, 74 vs 67 per segment); ties go to GSM.
        let s = "ğüşıöç".repeat(12); // 72 chars: GSM-TR 10 septets × 12 = 120, 1 segment; UCS-2: 2
        assert_eq!(info(&s), (Gsm7Turkish, 120, 1));
        let s = "ışığ".repeat(40); // 160 chars, all shifted: 320 septets = 3 segments; UCS-2 = 3 too
        assert_eq!(info(&s), (Gsm7Turkish, 320, 3));
        let s = "ışığ".repeat(50); // 200 chars: 400 septets = 3 × 149 → 3; UCS-2 = 3 × 67 → 3
        assert_eq!(analyze_as(&s, Ucs2).unwrap().segments, 3);
        assert_eq!(info(&s).0, Gsm7Turkish, "tie goes to GSM");
        let s = "ş".repeat(78); // 156 septets: 2 segments in GSM-TR; 78 UCS-2 units: 2 segments
        assert_eq!(info(&s), (Gsm7Turkish, 156, 2));
        let s = "ş✓"; // ✓ is in no GSM table
        assert_eq!(info(s), (Ucs2, 2, 1));
    }

    #[test]
    fn ucs2_boundaries_70_67_and_surrogates() {
        use SmsEncoding::*;
        assert_eq!(info(&"✓".repeat(70)), (Ucs2, 70, 1));
        assert_eq!(info(&"✓".repeat(71)), (Ucs2, 71, 2));
        assert_eq!(info(&"✓".repeat(134)), (Ucs2, 134, 2));
        assert_eq!(info(&"✓".repeat(135)), (Ucs2, 135, 3));
        // An emoji is 2 UTF-16 units and is not split: 66 | 2 + 65 | 1.
        let s = format!("{}🙂{}", "✓".repeat(66), "✓".repeat(66));
        assert_eq!(info(&s), (Ucs2, 134, 3));
        assert_eq!(analyze("🙂").chars, 1);
    }

    #[test]
    fn real_turkish_messages() {
        use SmsEncoding::*;
        // Only basic-table letters (ö ü Ç are in it): plain GSM.
        assert_eq!(info("Ölçüm sonucu: Üsküdar").0, Gsm7Turkish); // ç needs the shift table
        assert_eq!(info("Ömür Üstün, Çorum"), (Gsm7, 17, 1));
        let m = "Açık Kapı: 2026-000123 numaralı başvurunuz incelenmek üzere Denizli İl Sağlık Müdürlüğü birimine iletildi.";
        let i = analyze(m);
        assert_eq!(i.encoding, Gsm7Turkish);
        let shifted = m.chars().filter(|c| "ğĞıİşŞç".contains(*c)).count() as u32;
        assert_eq!(i.units, i.chars + shifted);
        assert_eq!(i.segments, 1);
    }
}

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn cheapest_and_consistent(text in "[a-zA-Z0-9 .,çğışöüÇĞİŞÖÜ€{}✓🙂]{0,400}") {
            let best = analyze(&text);
            let ucs2 = analyze_as(&text, SmsEncoding::Ucs2).unwrap();
            prop_assert!(best.segments <= ucs2.segments);
            prop_assert_eq!(ucs2.units as usize, text.encode_utf16().count());
            for e in [SmsEncoding::Gsm7, SmsEncoding::Gsm7Turkish, SmsEncoding::Ucs2] {
                if let Some(i) = analyze_as(&text, e) {
                    prop_assert!(best.segments <= i.segments);
                    // Greedy filling never needs fewer segments than the unit count allows, and
                    // wastes at most one unit per segment (a 2-unit character that did not fit).
                    let lower = if i.units <= e.single_capacity() { 1 } else { i.units.div_ceil(e.segment_capacity()) };
                    prop_assert!(i.segments >= lower);
                    prop_assert!(i.segments <= lower.max(1) + i.units / e.segment_capacity() / 2 + 1);
                }
            }
        }

        #[test]
        fn plain_gsm_text_follows_160_153(n in 0usize..1000) {
            let i = analyze(&"e".repeat(n));
            let expected = if n <= 160 { 1 } else { n.div_ceil(153) as u32 };
            prop_assert_eq!((i.encoding, i.segments), (SmsEncoding::Gsm7, expected));
        }
    }
}
