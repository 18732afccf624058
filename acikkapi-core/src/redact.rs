//! Redaction of everything a message echoes from its input: the one place where a value typed by
//! a citizen, a clerk or an integrator is made safe to print, log or send back.
//!
//! Three things happen to an echoed value (see [`echo`]):
//!
//! * **Identifier-like digits are masked.** A digit group — digits, possibly separated by spaces,
//!   `-`, `.`, `(`, `)` or invisible characters — of [`MIN_MASKED_DIGITS`] digits or more
//!   keeps its first 3 and last 2 digits and shows `*` for the others, separators kept
//!   (`10000000146` → `100******46`, `0532 123 45 67` → `053* *** ** 67`). Nine digits because
//!   any nine consecutive digits of a TC Kimlik No determine the other two (the check digits);
//!   a phone number has ten. Shorter numbers (a year, a date, a postal code, a line or column
//!   position) stay readable, and so does a tracking number (`AK-20-2026-0001234-7`: not
//!   personal data). A clock hour is not part of a group: in `23.11.2026 10:30` the run before
//!   the `:` is left out, so a date with its time is not taken for a phone number.
//! * **Control and invisible characters are written as escapes** (`\u{1b}`): ANSI escape
//!   sequences, bidirectional overrides, zero-width spaces and the like cannot recolour a
//!   terminal, hide text or reorder a line of a report.
//! * **Long values are not echoed at all**: a value of more than [`MAX_ECHO_CHARS`] characters
//!   is replaced by its length (`‹200000000 karakter›`).
//!
//! CSV cells get their own treatment ([`csv_field`]: no cell starts a spreadsheet formula).
//!
//! [`message`] applies the first two to a whole message (the command line prints every error
//! through it); [`serde_error`] is for the JSON parser's messages, which quote the offending
//! value.
//!
//! ```
//! use acikkapi_core::redact::{echo, message};
//! assert_eq!(echo("10000000146"), "100******46");
//! assert_eq!(echo("0532 123 45 67"), "053* *** ** 67");
//! assert_eq!(echo("\u{1b}[31mkırmızı"), "\\u{1b}[31mkırmızı");
//! assert_eq!(echo(&"x".repeat(1000)), "‹1000 karakter›");
//! assert_eq!(message("23.11.2026 10:30, satır 12"), "23.11.2026 10:30, satır 12");
//! ```

/// Longest value, in characters, that a message echoes; a longer one is shown by its length.
pub const MAX_ECHO_CHARS: usize = 64;

/// Fewest digits in a group for it to be masked: nine consecutive digits of a TC Kimlik No give
/// away the whole number through its two check digits.
pub const MIN_MASKED_DIGITS: usize = 9;

/// An input value made safe to quote in a message: trimmed, shown by its length when longer than
/// [`MAX_ECHO_CHARS`], otherwise with identifier-like digit groups masked and every control or
/// invisible character (line breaks and tabs included) escaped.
pub fn echo(value: &str) -> String {
    let value = value.trim();
    let len = value.chars().count();
    if len > MAX_ECHO_CHARS {
        return format!("‹{len} karakter›");
    }
    escape(&mask_digit_groups(value), false)
}

/// A whole message made safe to print: identifier-like digit groups masked, control and
/// invisible characters escaped except line breaks and tabs (a message may list problems one per
/// line). Values it quotes should have gone through [`echo`] already; this is the net under it.
pub fn message(text: &str) -> String {
    escape(&mask_digit_groups(text), true)
}

/// A message made safe for a terminal only: control and invisible characters escaped except line
/// breaks and tabs, digits kept. For messages that carry no input but large numbers an operator
/// needs (a journal's byte offsets).
pub fn printable(text: &str) -> String {
    escape(text, true)
}

/// A JSON parser message made safe to show: every value it quotes in `` `…` `` or `"…"` goes
/// through [`echo`] unless it looks like a field name (lower-case ASCII letters and `_`), then
/// the whole through [`message`] (quotes inside a value can defeat the pairing: fuzz finding F5,
/// a field name full of backticks).
pub fn serde_error(e: &serde_json::Error) -> String {
    serde_text(&e.to_string())
}

/// [`serde_error`] for a parser message already turned into text (e.g. stored in an error).
pub fn serde_text(text: &str) -> String {
    message(&redact_quoted(text))
}

/// Whether a character is a control character (C0, DEL, C1), a format character that changes
/// how text shows without showing itself (zero-width spaces and joiners, bidirectional marks,
/// embeddings, overrides and isolates, the byte order mark, soft hyphen, invisible operators,
/// tags) or a line or paragraph separator.
///
/// The list is the Unicode `Cf` (format) general category's members that occur in text, written
/// out here rather than taken from a Unicode property crate: the project has none yet, and the
/// set changes rarely (Unicode 16).
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{600}'..='\u{605}'
                | '\u{61c}'
                | '\u{6dd}'
                | '\u{70f}'
                | '\u{890}'..='\u{891}'
                | '\u{8e2}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{110bd}'
                | '\u{110cd}'
                | '\u{13430}'..='\u{1343f}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0001}'
                | '\u{e0020}'..='\u{e007f}'
        )
}

/// Every invisible character as `\u{…}`; line breaks and tabs kept when `keep_lines`.
fn escape(text: &str, keep_lines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_invisible(c) && !(keep_lines && matches!(c, '\n' | '\t')) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// A character that may stand between the digits of one number as people write them.
fn is_digit_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '-' | '.' | '(' | ')') || is_invisible(c)
}

/// Masks every digit group of [`MIN_MASKED_DIGITS`] digits or more (see the module docs).
fn mask_digit_groups(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut masked = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // The group: digit runs joined by separators; `runs` holds (start, end) of each run.
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut j = i;
        loop {
            let start = j;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            runs.push((start, j));
            let mut k = j;
            while k < chars.len() && is_digit_separator(chars[k]) {
                k += 1;
            }
            if k > j && k < chars.len() && chars[k].is_ascii_digit() {
                j = k;
            } else {
                break;
            }
        }
        let next = j;
        // A run right before `:` is a clock hour, not part of the number before it.
        if runs.len() > 1 && chars.get(next) == Some(&':') {
            runs.pop();
        }
        let digits: usize = runs.iter().map(|(s, e)| e - s).sum();
        if digits >= MIN_MASKED_DIGITS && !is_tracking_number(&chars, &runs) {
            let mut seen = 0;
            for &(s, e) in &runs {
                for flag in &mut masked[s..e] {
                    seen += 1;
                    *flag = seen > 3 && seen <= digits - 2;
                }
            }
        }
        i = next;
    }
    chars
        .iter()
        .zip(masked)
        .map(|(&c, m)| if m { '*' } else { c })
        .collect()
}

/// Whether the digit runs are those of a tracking number `AK-PP-YYYY-SSSSSSS-C` (not personal
/// data, and what an officer needs to see in a message).
fn is_tracking_number(chars: &[char], runs: &[(usize, usize)]) -> bool {
    let lens: Vec<usize> = runs.iter().map(|(s, e)| e - s).collect();
    let dashed = runs
        .windows(2)
        .all(|w| w[1].0 == w[0].1 + 1 && chars[w[0].1] == '-');
    let start = runs.first().map_or(0, |r| r.0);
    lens == [2, 4, 7, 1] && dashed && start >= 3 && chars[start - 3..start] == ['A', 'K', '-']
}

/// Masks every `` `…` `` or `"…"` quoted value of a parser message that does not look like a
/// field name.
fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(4096));
    let mut rest = message;
    while let Some(start) = rest.find(['`', '"']) {
        let quote = &rest[start..start + 1];
        let after = &rest[start + 1..];
        let Some(len) = after.find(quote) else {
            break;
        };
        let value = &after[..len];
        out.push_str(&rest[..start + 1]);
        let len = value.chars().count();
        if len > MAX_ECHO_CHARS {
            out.push_str(&format!("‹{len} karakter›"));
        } else if !value.is_empty() && value.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            out.push_str(value);
        } else {
            out.push_str(&mask_input(value));
        }
        out.push_str(quote);
        rest = &after[len + 1..];
    }
    out.push_str(rest);
    out
}

/// Masks a raw input for an error message: keeps the first 3 and the last 2 characters and
/// replaces each character between with `*`; an input of 5 characters or fewer becomes all `*`.
/// Surrounding whitespace is trimmed first. A kept character that is a control or invisible
/// character ([`is_invisible`]) is masked too, and an input
/// longer than [`MAX_ECHO_CHARS`] is shown by its length only.
///
/// ```
/// assert_eq!(acikkapi_core::redact::mask_input("12345678901"), "123******01");
/// assert_eq!(acikkapi_core::redact::mask_input("1234"), "****");
/// assert_eq!(acikkapi_core::redact::mask_input("\u{1b}[2J12345"), "*[2****45");
/// ```
pub fn mask_input(raw: &str) -> String {
    let raw = raw.trim();
    let n = raw.chars().count();
    if n > MAX_ECHO_CHARS {
        return format!("‹{n} karakter›");
    }
    if n <= 5 {
        return "*".repeat(n);
    }
    raw.chars()
        .enumerate()
        .map(|(i, c)| {
            if (3..n - 2).contains(&i) || is_invisible(c) {
                '*'
            } else {
                c
            }
        })
        .collect()
}

/// A text cell of a CSV file (every CSV the project writes goes through here): quoted when needed (RFC 4180), and neutralised when a spreadsheet
/// would read it as a formula (CSV injection, OWASP): a cell starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading `'` and is quoted. Only text cells go through here;
/// the exporters write numeric columns (counts, shares, days, which may be negative) as numbers.
///
/// ```
/// use acikkapi_core::redact::csv_field;
/// assert_eq!(csv_field("Merkezefendi"), "Merkezefendi");
/// assert_eq!(csv_field("a,b"), "\"a,b\"");
/// assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
/// assert_eq!(csv_field("-5"), "\"'-5\"");
/// ```
pub fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("\"'{}\"", s.replace('"', "\"\"")))
    } else if s.contains([',', '"', '\n', '\r']) {
        std::borrow::Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_input_forms() {
        assert_eq!(mask_input(""), "");
        assert_eq!(mask_input(" 12345 "), "*****");
        assert_eq!(mask_input("123456"), "123*56");
        assert_eq!(mask_input("çşğüöıi"), "çşğ**ıi");
    }

    #[test]
    fn identifiers_in_every_written_form_are_masked() {
        for (raw, shown) in [
            ("10000000146", "100******46"),
            ("100 000 001 46", "100 *** *** 46"),
            ("0532 123 45 67", "053* *** ** 67"),
            ("(532) 123-45-67", "(532) ***-**-67"),
            ("+90 532 123 45 67", "+90 5** *** ** 67"),
            ("5321234567", "532*****67"),
            ("1\u{200b}0000000146", "1\\u{200b}00******46"),
            ("tel:05321234567.", "tel:053******67."),
            ("AK-10000000146", "AK-100******46"),
            ("XY-20-2026-0001234-7", "XY-20-2***-******4-7"),
            ("123456789", "123****89"),
            ("satır 1, 100000001 yazılmış", "satır 1, 100****01 yazılmış"),
        ] {
            assert_eq!(echo(raw), shown, "{raw:?}");
        }
    }

    #[test]
    fn dates_positions_and_short_numbers_stay_readable() {
        for kept in [
            "2026-11-23T10:30:00+03:00",
            "23.11.2026 10:30",
            "2026-11-23 10:30:00",
            "at line 1 column 12345678",
            "kayıt bulunamadı: AK-20-2026-0001234-7",
            "Merkez 20100",
            "12345678",
            "2026-11-23/2026-11-30",
        ] {
            assert_eq!(message(kept), kept);
        }
    }

    #[test]
    fn invisible_characters_are_escaped_and_long_values_hidden() {
        assert_eq!(
            echo("a\u{1b}[2Jb\u{202e}c\0"),
            "a\\u{1b}[2Jb\\u{202e}c\\u{0}"
        );
        assert_eq!(echo("iki\nsatır"), "iki\\u{a}satır");
        assert_eq!(message("iki\nsatır\t"), "iki\nsatır\t");
        assert_eq!(
            echo(&"ş".repeat(MAX_ECHO_CHARS)),
            "ş".repeat(MAX_ECHO_CHARS)
        );
        assert_eq!(echo(&"ş".repeat(MAX_ECHO_CHARS + 1)), "‹65 karakter›");
    }

    #[test]
    fn parser_messages_keep_field_names_and_mask_values() {
        let e = serde_json::from_str::<u8>("10000000146").unwrap_err();
        assert!(!serde_error(&e).contains("0000001"), "{}", serde_error(&e));
        let text = "unknown field `tckno`, expected `tckn` at line 1 column 9";
        assert_eq!(serde_text(text), text);
        let long = format!("invalid type: string \"{}\"", "a".repeat(10_000));
        assert_eq!(
            serde_text(&long),
            "invalid type: string \"‹10000 karakter›\""
        );
    }
}
