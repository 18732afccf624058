//! Turkish text: case mapping, ASCII-folded search keys and collation.
//!
//! Rust's `str::to_lowercase`/`to_uppercase` follow the Unicode default (language-neutral) mapping,
//! which is wrong for Turkish: `I` lowercases to `i` instead of `ı`, and `i` uppercases to `I`
//! instead of `İ`. (`İ`.to_lowercase() even yields `i̇`, two code points.) Case mapping here is
//! Unicode's with the Turkish tailoring (SpecialCasing.txt, `tr`), done by ICU4X
//! (`icu_casemap`): `I` + combining dot above → `i`, Greek final sigma, and every other
//! context rule. Collation is CLDR's Turkish collation, done by ICU4X (`icu_collator`).
//!
//! Text made only of ASCII and the Turkish letters (`çğıöşüâîû` and their capitals) — names,
//! places, almost every application — takes a hand-written fast path, tested equal to ICU4X on
//! that alphabet (see the tests); anything else goes through ICU4X.
//!
//! ```
//! use acikkapi_core::text::{to_lower_tr, to_upper_tr, search_key};
//! assert_eq!(to_upper_tr("istanbul ılıca"), "İSTANBUL ILICA");
//! assert_eq!(to_lower_tr("DİYARBAKIR"), "diyarbakır");
//! assert_eq!(to_lower_tr("I\u{307}STANBUL"), "istanbul"); // a decomposed İ
//! assert_eq!(search_key("  Şanlıurfa  "), search_key("SANLIURFA"));
//! ```

pub mod number;

use std::cmp::Ordering;
use std::sync::OnceLock;

use icu_casemap::options::TitlecaseOptions;
use icu_casemap::{CaseMapperBorrowed, TitlecaseMapperBorrowed};
use icu_collator::CollatorBorrowed;
use icu_collator::options::CollatorOptions;
use icu_locale_core::{LanguageIdentifier, langid, locale};

/// Turkish, for ICU4X's language-sensitive case mapping.
const TR: LanguageIdentifier = langid!("tr");

/// ICU4X's case mapper with its compiled data (no allocation, no I/O).
const CASE: CaseMapperBorrowed<'static> = CaseMapperBorrowed::new();

/// The fast path's lower case of one character: `Some` for ASCII and the Turkish letters, whose
/// Turkish lower case is one character and depends on no context; `None` for anything else.
fn plain_lower(c: char) -> Option<char> {
    Some(match c {
        'I' => 'ı',
        'A'..='Z' => c.to_ascii_lowercase(),
        '\0'..='\x7f' => c,
        'İ' => 'i',
        'Ç' => 'ç',
        'Ğ' => 'ğ',
        'Ö' => 'ö',
        'Ş' => 'ş',
        'Ü' => 'ü',
        'Â' => 'â',
        'Î' => 'î',
        'Û' => 'û',
        'ç' | 'ğ' | 'ı' | 'ö' | 'ş' | 'ü' | 'â' | 'î' | 'û' => c,
        _ => return None,
    })
}

/// The fast path's upper case of one character (see [`plain_lower`]).
fn plain_upper(c: char) -> Option<char> {
    Some(match c {
        'i' => 'İ',
        'a'..='z' => c.to_ascii_uppercase(),
        '\0'..='\x7f' => c,
        'ı' => 'I',
        'ç' => 'Ç',
        'ğ' => 'Ğ',
        'ö' => 'Ö',
        'ş' => 'Ş',
        'ü' => 'Ü',
        'â' => 'Â',
        'î' => 'Î',
        'û' => 'Û',
        'Ç' | 'Ğ' | 'İ' | 'Ö' | 'Ş' | 'Ü' | 'Â' | 'Î' | 'Û' => c,
        _ => return None,
    })
}

/// Maps every character with `f`; `None` as soon as one is outside the fast path's alphabet.
fn map_plain(s: &str, f: fn(char) -> Option<char>) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        out.push(f(c)?);
    }
    Some(out)
}

/// Turkish lower case (Unicode with the `tr` tailoring): `I` → `ı`, `İ` → `i`, `I` + U+0307 →
/// `i`, a final `Σ` → `ς`, everything else as Unicode.
///
/// ```
/// assert_eq!(acikkapi_core::text::to_lower_tr("IĞDIR İLİ"), "ığdır ili");
/// assert_eq!(acikkapi_core::text::to_lower_tr("ΟΔΟΣ"), "οδος");
/// ```
pub fn to_lower_tr(s: &str) -> String {
    map_plain(s, plain_lower).unwrap_or_else(|| CASE.lowercase_to_string(s, &TR).into_owned())
}

/// Turkish upper case (Unicode with the `tr` tailoring): `i` → `İ`, `ı` → `I`, everything else
/// as Unicode (`ß` → `SS`).
///
/// ```
/// assert_eq!(acikkapi_core::text::to_upper_tr("ığdır ili"), "IĞDIR İLİ");
/// ```
pub fn to_upper_tr(s: &str) -> String {
    map_plain(s, plain_upper).unwrap_or_else(|| CASE.uppercase_to_string(s, &TR).into_owned())
}

/// Whether `c` ends a word for [`to_title_tr`].
fn is_word_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '/' | '(')
}

/// Turkish title case: in each word, the first letter or digit upper (Turkish rules), the rest
/// lower. Words are separated by whitespace, `-`, `/` or `(`; an apostrophe does not start a word
/// (`İSTANBUL'DA` → `İstanbul'da`). Each word is title-cased by ICU4X
/// (`TitlecaseMapper::titlecase_segment`, Turkish, default options).
///
/// ```
/// use acikkapi_core::text::to_title_tr;
/// assert_eq!(to_title_tr("İSTANBUL-ŞİŞLİ"), "İstanbul-Şişli");
/// assert_eq!(to_title_tr("İSTANBUL'DA (kadıköy)"), "İstanbul'da (Kadıköy)");
/// ```
pub fn to_title_tr(s: &str) -> String {
    const TITLE: TitlecaseMapperBorrowed<'static> = TitlecaseMapperBorrowed::new();
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        let word_end = rest.find(is_word_separator).unwrap_or(rest.len());
        let (word, tail) = rest.split_at(word_end);
        if !word.is_empty() {
            out.push_str(&TITLE.titlecase_segment_to_string(
                word,
                &TR,
                TitlecaseOptions::default(),
            ));
        }
        let sep_end = tail.find(|c| !is_word_separator(c)).unwrap_or(tail.len());
        out.push_str(&tail[..sep_end]);
        rest = &tail[sep_end..];
    }
    out
}

/// Folds a case-folded Turkish letter (or a combining mark) to ASCII; `None` drops the character.
fn fold_lower(c: char) -> Option<char> {
    Some(match c {
        'ç' => 'c',
        'ğ' => 'g',
        'ı' => 'i',
        'ö' => 'o',
        'ş' => 's',
        'ü' => 'u',
        'â' | 'à' | 'á' | 'ä' => 'a',
        'î' | 'ì' | 'í' | 'ï' => 'i',
        'û' | 'ù' | 'ú' => 'u',
        'ô' | 'ò' | 'ó' => 'o',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        // combining dot above (from a decomposed İ), circumflex, diaeresis, cedilla, breve
        '\u{0307}' | '\u{0302}' | '\u{0308}' | '\u{0327}' | '\u{0306}' => return None,
        _ => c,
    })
}

/// A search key: Turkish case folding (Unicode's full case folding, Turkic variant: `I` → `ı`,
/// `İ` → `i`, `ς` → `σ`, `ß` → `ss`), Turkish (and common Latin accented) letters folded to ASCII
/// (`ç ğ ı ö ş ü â î û` → `c g i o s u a i u`), every run of non-alphanumeric characters collapsed to
/// one space, trimmed. Letters of other scripts are kept (case-folded), so a key is ASCII exactly
/// when the input is Turkish or English text.
///
/// Two spellings a citizen or an officer might type for the same name get the same key:
/// `"ŞANLIURFA"`, `"Şanlıurfa"`, `"sanliurfa"` and `"SANLIURFA"` all become `"sanliurfa"`.
///
/// ```
/// use acikkapi_core::text::search_key;
/// assert_eq!(search_key("Kâğıthane / İSTANBUL"), "kagithane istanbul");
/// assert_eq!(search_key("ŞANLIURFA"), search_key("sanliurfa"));
/// assert_eq!(search_key("ΟΔΟΣ"), search_key("οδος"));
/// ```
pub fn search_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut push = |c: char| {
        let Some(f) = fold_lower(c) else { return };
        if f.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(f);
        } else {
            pending_space = true;
        }
    };
    for c in s.chars() {
        match plain_lower(c) {
            Some(l) => push(l),
            // Case folding has no context rules, so one character at a time is the same as the
            // whole string, and plain text around it keeps the fast path.
            None => CASE
                .fold_turkic_string(c.encode_utf8(&mut [0; 4]))
                .chars()
                .for_each(&mut push),
        }
    }
    out
}

/// CLDR's Turkish collation (tertiary strength), compiled into ICU4X. `None` only if the compiled
/// data lacked Turkish, which `collator_is_turkish` rules out.
fn collator() -> Option<&'static CollatorBorrowed<'static>> {
    static COLLATOR: OnceLock<Option<CollatorBorrowed<'static>>> = OnceLock::new();
    COLLATOR
        .get_or_init(|| {
            CollatorBorrowed::try_new(locale!("tr").into(), CollatorOptions::default()).ok()
        })
        .as_ref()
}

/// A sort key for Turkish collation: ICU4X's sort key (CLDR Turkish, tertiary strength), then a
/// zero byte and the string's UTF-8 bytes. Compare keys with `Ord`: the order is
/// [`compare_tr`]'s, and equal keys mean equal strings.
///
/// Keys are for sorting in memory: a new ICU4X or CLDR version may change them, so do not store
/// them.
///
/// ```
/// use acikkapi_core::text::collation_key;
/// let mut names = vec!["Üsküdar", "Çorum", "Ordu", "Iğdır", "İzmir", "Zonguldak", "Şişli", "Ceyhan"];
/// names.sort_by_key(|n| collation_key(n));
/// assert_eq!(names, ["Ceyhan", "Çorum", "Iğdır", "İzmir", "Ordu", "Şişli", "Üsküdar", "Zonguldak"]);
/// ```
pub fn collation_key(s: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(3 * s.len() + 1);
    if let Some(c) = collator() {
        // Writing to a Vec cannot fail (`Infallible`).
        let Ok(()) = c.write_sort_key_to(s, &mut key);
    }
    // ICU sort keys contain no zero byte, so the separator sorts below every key byte: a key that
    // is a prefix of another still sorts first.
    key.push(0);
    key.extend_from_slice(s.as_bytes());
    key
}

/// Compares two strings in Turkish alphabetical order: CLDR's Turkish collation by ICU4X (letters
/// first — `ı` before `i`, `ç` after `c` —, then accents — `â` after `a` only on a tie —, then
/// case, lower first), then code points, so that only equal strings compare equal.
///
/// ```
/// use std::cmp::Ordering;
/// use acikkapi_core::text::compare_tr;
/// assert_eq!(compare_tr("ısparta", "ilgaz"), Ordering::Less); // ı before i
/// assert_eq!(compare_tr("çay", "dere"), Ordering::Less);      // ç before d
/// assert_eq!(compare_tr("âlem", "alet"), Ordering::Less);     // â is an accent: m before t
/// ```
pub fn compare_tr(a: &str, b: &str) -> Ordering {
    collator()
        .map_or(Ordering::Equal, |c| c.compare(a, b))
        .then_with(|| a.cmp(b))
}

/// Sorts strings in place in Turkish alphabetical order ([`compare_tr`]).
pub fn sort_tr<S: AsRef<str>>(items: &mut [S]) {
    items.sort_by_cached_key(|s| collation_key(s.as_ref()));
}

/// Sorts items in place in Turkish alphabetical order of the string a key function returns.
///
/// ```
/// let mut v = vec![("Çorum", 19), ("Ceyhan", 1)];
/// acikkapi_core::text::sort_tr_by(&mut v, |p| p.0);
/// assert_eq!(v[0].0, "Ceyhan");
/// ```
pub fn sort_tr_by<T, F>(items: &mut [T], key: F)
where
    F: Fn(&T) -> &str,
{
    items.sort_by_cached_key(|t| collation_key(key(t)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dotted_and_dotless_i() {
        assert_eq!(to_lower_tr("I"), "ı");
        assert_eq!(to_lower_tr("İ"), "i");
        assert_eq!(to_upper_tr("i"), "İ");
        assert_eq!(to_upper_tr("ı"), "I");
        // std gets these wrong, which is why this module exists
        assert_ne!("I".to_lowercase(), "ı");
        assert_ne!("i".to_uppercase(), "İ");
    }

    /// Issue 12: Unicode's Turkish rule maps I + combining dot above (a decomposed İ) to i.
    #[test]
    fn lower_tr_capital_i_with_combining_dot_is_i() {
        assert_eq!(to_lower_tr("I\u{307}STANBUL"), "istanbul");
        assert_eq!(
            to_lower_tr("DİYARBAKIR I\u{307}LI\u{307}"),
            "diyarbakır ili"
        );
    }

    /// Issue 12: a capital sigma at the end of a word lowercases to the final form ς.
    #[test]
    fn lower_tr_keeps_greek_final_sigma() {
        assert_eq!(to_lower_tr("ΟΔΟΣ ΑΘΗΝΑΣ"), "οδος αθηνας");
        assert_eq!(to_lower_tr("ΣΑΣ"), "σας");
    }

    /// Issue 12: â, î, û differ from a, i, u only at the secondary level, after every letter has
    /// been compared (ICU: Âdem < Adil < âlem < alet).
    #[test]
    fn circumflex_matters_only_on_a_tie() {
        let mut v = vec!["alet", "âlem", "Adil", "Âdem"];
        sort_tr(&mut v);
        assert_eq!(v, ["Âdem", "Adil", "âlem", "alet"]);
        assert_eq!(compare_tr("kâr", "kar"), Ordering::Greater);
        assert_eq!(compare_tr("kâr", "karar"), Ordering::Less);
    }

    #[test]
    fn collator_is_turkish() {
        // The Turkish tailoring is there (root collation would put ç with c and ı with i).
        let c = collator().unwrap();
        assert_eq!(c.compare("ç", "cz"), Ordering::Greater);
        assert_eq!(c.compare("ı", "i"), Ordering::Less);
        assert_eq!(c.compare("ıa", "ib"), Ordering::Less);
    }

    #[test]
    fn title_case_follows_icu4x_rules() {
        assert_eq!(to_title_tr("İSTANBUL'DA"), "İstanbul'da");
        assert_eq!(to_title_tr("'ali"), "'Ali");
        assert_eq!(to_title_tr("19mayıs"), "19mayıs");
        assert_eq!(to_title_tr("I\u{307}STANBUL"), "I\u{307}stanbul"); // decomposed İstanbul
        assert_eq!(to_title_tr("  çift  boşluk "), "  Çift  Boşluk ");
        assert_eq!(to_title_tr("ΟΔΟΣ ΑΘΗΝΑΣ"), "Οδος Αθηνας");
        assert_eq!(to_title_tr(""), "");
    }

    #[test]
    fn search_keys_fold_case_beyond_turkish() {
        assert_eq!(search_key("ΟΔΟΣ"), search_key("οδος"));
        assert_eq!(search_key("STRASSE"), search_key("Straße"));
        assert_eq!(search_key("I\u{307}STANBUL"), "istanbul");
    }

    #[test]
    fn other_letters_follow_unicode() {
        assert_eq!(to_upper_tr("çğöşü"), "ÇĞÖŞÜ");
        assert_eq!(to_lower_tr("ÇĞÖŞÜ"), "çğöşü");
        assert_eq!(to_upper_tr("kâğıt"), "KÂĞIT");
    }

    #[test]
    fn title_case() {
        assert_eq!(to_title_tr("afyonkarahisar"), "Afyonkarahisar");
        assert_eq!(to_title_tr("IĞDIR"), "Iğdır");
        assert_eq!(to_title_tr("19 MAYIS"), "19 Mayıs");
        assert_eq!(
            to_title_tr("kahramanmaraş il müdürlüğü"),
            "Kahramanmaraş İl Müdürlüğü"
        );
    }

    #[test]
    fn search_keys() {
        assert_eq!(search_key("İĞDIR"), "igdir");
        assert_eq!(search_key("Iğdır"), "igdir");
        assert_eq!(search_key("  Çanakkale -- Merkez "), "canakkale merkez");
        assert_eq!(search_key("I\u{0307}stanbul"), "istanbul"); // decomposed İ
        assert_eq!(search_key("..."), "");
    }

    #[test]
    fn collation_orders_turkish_letters() {
        let mut v = vec![
            "şeker", "sabun", "ığdır", "irmak", "ceviz", "çay", "gül", "ğ", "öz", "ot", "ün", "us",
        ];
        sort_tr(&mut v);
        assert_eq!(
            v,
            [
                "ceviz", "çay", "gül", "ğ", "ığdır", "irmak", "ot", "öz", "sabun", "şeker", "us",
                "ün"
            ]
        );
    }

    #[test]
    fn collation_is_case_insensitive_at_primary_level() {
        assert_eq!(compare_tr("ankara", "Ankara"), Ordering::Less);
        assert_eq!(compare_tr("Ankara", "antalya"), Ordering::Less);
        assert_eq!(compare_tr("İzmir", "ızmir"), Ordering::Greater);
    }

    proptest! {
        #[test]
        fn upper_lower_roundtrip_on_turkish_letters(s in "[a-zçğıöşüA-ZÇĞİÖŞÜ ]{0,40}") {
            let lower = to_lower_tr(&s);
            prop_assert_eq!(to_lower_tr(&to_upper_tr(&lower)), lower.clone());
            let upper = to_upper_tr(&s);
            prop_assert_eq!(to_upper_tr(&to_lower_tr(&upper)), upper);
        }

        #[test]
        fn search_key_is_case_insensitive_and_ascii(s in "[a-zçğıöşüA-ZÇĞİÖŞÜ0-9 .,-]{0,40}") {
            let k = search_key(&s);
            prop_assert_eq!(&k, &search_key(&to_upper_tr(&s)));
            prop_assert_eq!(&k, &search_key(&to_lower_tr(&s)));
            prop_assert!(k.is_ascii());
            prop_assert_eq!(search_key(&k), k.clone());
        }

        /// The fast path is ICU4X's Turkish case mapping on its alphabet (ASCII and the Turkish
        /// letters, capitals, digits, punctuation and controls included).
        #[test]
        fn fast_path_equals_icu4x(s in "[\\x00-\\x7fçğıöşüâîûÇĞİÖŞÜÂÎÛ]{0,40}") {
            prop_assert_eq!(map_plain(&s, plain_lower), Some(CASE.lowercase_to_string(&s, &TR).into_owned()));
            prop_assert_eq!(map_plain(&s, plain_upper), Some(CASE.uppercase_to_string(&s, &TR).into_owned()));
            // Search keys: on this alphabet Turkish lower case is Turkish case folding.
            prop_assert_eq!(map_plain(&s, plain_lower), Some(CASE.fold_turkic_string(&s).into_owned()));
        }

        /// Whatever the text, the result is ICU4X's (fast path or not).
        #[test]
        fn case_mapping_equals_icu4x(s in "\\PC{0,24}") {
            prop_assert_eq!(to_lower_tr(&s), CASE.lowercase_to_string(&s, &TR).into_owned());
            prop_assert_eq!(to_upper_tr(&s), CASE.uppercase_to_string(&s, &TR).into_owned());
        }

        #[test]
        fn collation_key_orders_as_compare_tr(a in "\\PC{0,12}", b in "\\PC{0,12}") {
            prop_assert_eq!(collation_key(&a).cmp(&collation_key(&b)), compare_tr(&a, &b));
        }

        #[test]
        fn collation_key_orders_as_compare_tr_on_turkish(
            a in "[a-zçğıöşüâîûA-ZÇĞİÖŞÜÂÎÛ ]{0,10}",
            b in "[a-zçğıöşüâîûA-ZÇĞİÖŞÜÂÎÛ ]{0,10}",
        ) {
            prop_assert_eq!(collation_key(&a).cmp(&collation_key(&b)), compare_tr(&a, &b));
        }

        /// Character by character folding gives the key of ICU4X's whole-string Turkic folding.
        #[test]
        fn search_key_equals_whole_string_folding(s in "\\PC{0,24}", plain in "[a-zA-ZçğıöşüİIÇĞÖŞÜ .]{0,12}") {
            let s = format!("{plain}{s}{plain}");
            let folded = CASE.fold_turkic_string(&s);
            let mut expected = String::new();
            for c in folded.chars().filter_map(fold_lower) {
                expected.push(if c.is_alphanumeric() { c } else { ' ' });
            }
            let expected = expected.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
            prop_assert_eq!(search_key(&s), expected);
        }

        #[test]
        fn search_key_is_idempotent(s in "\\PC{0,24}") {
            let k = search_key(&s);
            prop_assert_eq!(search_key(&k), k.clone());
            prop_assert_eq!(search_key(&to_upper_tr(&s)), search_key(&to_lower_tr(&s)));
        }

        #[test]
        fn collation_is_a_total_order(a in "\\PC{0,12}", b in "\\PC{0,12}") {
            let ab = compare_tr(&a, &b);
            prop_assert_eq!(ab.reverse(), compare_tr(&b, &a));
            prop_assert_eq!(ab == Ordering::Equal, a == b);
        }
    }
}
