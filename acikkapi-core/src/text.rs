//! Turkish text: case mapping, ASCII-folded search keys and collation.
//!
//! Rust's `str::to_lowercase`/`to_uppercase` follow the Unicode default (language-neutral) mapping,
//! which is wrong for Turkish: `I` lowercases to `i` instead of `ı`, and `i` uppercases to `I`
//! instead of `İ`. (`İ`.to_lowercase() even yields `i̇`, two code points.) The functions here do the
//! Turkish mapping by hand and defer to std for every other letter.
//!
//! ```
//! use acikkapi_core::text::{to_lower_tr, to_upper_tr, search_key};
//! assert_eq!(to_upper_tr("istanbul ılıca"), "İSTANBUL ILICA");
//! assert_eq!(to_lower_tr("DİYARBAKIR"), "diyarbakır");
//! assert_eq!(search_key("  Şanlıurfa  "), search_key("SANLIURFA"));
//! ```

use std::cmp::Ordering;

/// Lowercases one character the Turkish way, pushing the result onto `out`.
fn push_lower_tr(c: char, out: &mut String) {
    match c {
        'I' => out.push('ı'),
        'İ' => out.push('i'),
        _ => out.extend(c.to_lowercase()),
    }
}

/// Uppercases one character the Turkish way, pushing the result onto `out`.
fn push_upper_tr(c: char, out: &mut String) {
    match c {
        'i' => out.push('İ'),
        'ı' => out.push('I'),
        _ => out.extend(c.to_uppercase()),
    }
}

/// Turkish lower case: `I` → `ı`, `İ` → `i`, everything else as Unicode.
///
/// ```
/// assert_eq!(acikkapi_core::text::to_lower_tr("IĞDIR İLİ"), "ığdır ili");
/// ```
pub fn to_lower_tr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_lower_tr(c, &mut out);
    }
    out
}

/// Turkish upper case: `i` → `İ`, `ı` → `I`, everything else as Unicode.
///
/// ```
/// assert_eq!(acikkapi_core::text::to_upper_tr("ığdır ili"), "IĞDIR İLİ");
/// ```
pub fn to_upper_tr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_upper_tr(c, &mut out);
    }
    out
}

/// Turkish title case: the first letter of each word upper, the rest lower (Turkish rules).
/// Words are separated by whitespace, `-`, `'` or `/`.
///
/// ```
/// assert_eq!(acikkapi_core::text::to_title_tr("İSTANBUL-ŞİŞLİ"), "İstanbul-Şişli");
/// ```
pub fn to_title_tr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut at_word_start = true;
    for c in s.chars() {
        if at_word_start && c.is_alphabetic() {
            push_upper_tr(c, &mut out);
            at_word_start = false;
        } else {
            if c.is_whitespace() || matches!(c, '-' | '/' | '(') {
                at_word_start = true;
            } else if c.is_alphanumeric() {
                at_word_start = false;
            }
            if c.is_alphabetic() {
                push_lower_tr(c, &mut out);
            } else {
                out.push(c);
            }
        }
    }
    out
}

/// Folds a lowercase Turkish letter (or a combining mark) to ASCII; `None` drops the character.
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

/// A search key: Turkish lower case, Turkish (and common Latin accented) letters folded to ASCII
/// (`ç ğ ı ö ş ü â î û` → `c g i o s u a i u`), every run of non-alphanumeric characters collapsed to
/// one space, trimmed. Letters of other scripts are kept (lower-cased), so a key is ASCII exactly when
/// the input is Turkish or English text.
///
/// Two spellings a citizen or an officer might type for the same name get the same key:
/// `"ŞANLIURFA"`, `"Şanlıurfa"`, `"sanliurfa"` and `"SANLIURFA"` all become `"sanliurfa"`.
///
/// ```
/// use acikkapi_core::text::search_key;
/// assert_eq!(search_key("Kâğıthane / İSTANBUL"), "kagithane istanbul");
/// assert_eq!(search_key("ŞANLIURFA"), search_key("sanliurfa"));
/// ```
pub fn search_key(s: &str) -> String {
    let mut lowered = String::with_capacity(s.len());
    for c in s.chars() {
        push_lower_tr(c, &mut lowered);
    }
    let mut out = String::with_capacity(lowered.len());
    let mut pending_space = false;
    for c in lowered.chars() {
        let Some(f) = fold_lower(c) else { continue };
        if f.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(f);
        } else {
            pending_space = true;
        }
    }
    out
}

/// The position of a letter in the Turkish alphabet (a b c ç d e f g ğ h ı i j k l m n o ö p r s ş
/// t u ü v y z), as a primary weight. Letters outside it (q, w, x, accented vowels, digits…) sort by
/// a weight placed sensibly around it; punctuation sorts first.
fn collation_weight(c: char) -> (u32, u32) {
    const ALPHABET: &str = "abcçdefgğhıijklmnoöprsştuüvyz";
    // Secondary weight 0 for the base letter, 1 for a circumflexed variant (â after a).
    let (base, secondary) = match c {
        'â' => ('a', 1),
        'î' => ('i', 1),
        'û' => ('u', 1),
        'q' => ('p', 2), // q sorts after p, before r
        'w' => ('v', 2),
        'x' => ('v', 3),
        other => (other, 0),
    };
    if let Some(pos) = ALPHABET.chars().position(|a| a == base) {
        // Digits take 1..=10, letters start at 100.
        (100 + pos as u32, secondary)
    } else if let Some(d) = base.to_digit(10) {
        (1 + d, 0)
    } else if base.is_whitespace() {
        (0, 0)
    } else if base.is_alphabetic() {
        // Other scripts/letters after z, by code point.
        (200 + base as u32, 0)
    } else {
        // Punctuation: primary 0, ordered among itself by code point.
        (0, 1 + base as u32)
    }
}

/// A sort key for Turkish collation. Compare keys with `Ord`; equal keys mean equal under the
/// collation (case-insensitive at the primary level; case breaks ties, lower before upper).
///
/// ```
/// use acikkapi_core::text::collation_key;
/// let mut names = vec!["Üsküdar", "Çorum", "Ordu", "Iğdır", "İzmir", "Zonguldak", "Şişli", "Ceyhan"];
/// names.sort_by_key(|n| collation_key(n));
/// assert_eq!(names, ["Ceyhan", "Çorum", "Iğdır", "İzmir", "Ordu", "Şişli", "Üsküdar", "Zonguldak"]);
/// ```
pub fn collation_key(s: &str) -> Vec<(u32, u32)> {
    let lowered = to_lower_tr(s);
    let mut key: Vec<(u32, u32)> = lowered.chars().map(collation_weight).collect();
    // Tie-breaker level: case of each original character (lower before upper), then the code point,
    // appended after a separator that sorts below every primary weight. The code point makes the key
    // injective, so equal keys mean equal strings and sorting is deterministic.
    key.push((0, 0));
    key.extend(s.chars().map(|c| (u32::from(c.is_uppercase()), c as u32)));
    key
}

/// Compares two strings in Turkish alphabetical order (see [`collation_key`]).
///
/// ```
/// use std::cmp::Ordering;
/// use acikkapi_core::text::compare_tr;
/// assert_eq!(compare_tr("ısparta", "ilgaz"), Ordering::Less); // ı before i
/// assert_eq!(compare_tr("çay", "dere"), Ordering::Less);      // ç before d
/// ```
pub fn compare_tr(a: &str, b: &str) -> Ordering {
    collation_key(a).cmp(&collation_key(b))
}

/// Sorts strings in place in Turkish alphabetical order.
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

        #[test]
        fn collation_is_a_total_order(a in "\\PC{0,12}", b in "\\PC{0,12}") {
            let ab = compare_tr(&a, &b);
            prop_assert_eq!(ab.reverse(), compare_tr(&b, &a));
            prop_assert_eq!(ab == Ordering::Equal, a == b);
        }
    }
}
