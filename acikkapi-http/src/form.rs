//! Form ve sorgu: a strict `application/x-www-form-urlencoded` reader (request bodies and query
//! strings).
//!
//! Strict where the usual readers are lenient: the body must be UTF-8, and so must every name and
//! value after percent-decoding (a lossy decoder would turn invalid bytes into U+FFFD and store a
//! changed text); a malformed escape (`%G1`, a lone `%`) is an error, not kept as written. The
//! number of pairs is bounded ([`MAX_PAIRS`]), so a body within the size limit cannot make an
//! unbounded amount of work.

use percent_encoding::percent_decode;

/// The most name=value pairs a form may have.
pub const MAX_PAIRS: usize = 200;

/// Why a form could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// Not UTF-8, before or after percent-decoding.
    #[error("form verisi geçerli UTF-8 değil ({0})")]
    NotUtf8(String),
    /// A `%` not followed by two hex digits.
    #[error("form verisinde bozuk yüzde kodlaması: {0:?}")]
    BadEscape(String),
    /// More than [`MAX_PAIRS`] pairs.
    #[error("form verisinde {MAX_PAIRS} alandan fazlası var")]
    TooManyPairs,
}

fn decode(part: &str) -> Result<String, FormError> {
    let b = part.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let ok =
                i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit();
            if !ok {
                return Err(FormError::BadEscape(part.chars().take(40).collect()));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    let plus = part.replace('+', " ");
    percent_decode(plus.as_bytes())
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| FormError::NotUtf8(part.chars().take(40).collect()))
}

/// The pairs of a form body or query string, in order (a name may repeat).
pub fn parse(bytes: &[u8]) -> Result<Vec<(String, String)>, FormError> {
    let text = std::str::from_utf8(bytes).map_err(|e| FormError::NotUtf8(e.to_string()))?;
    let mut out = Vec::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        if out.len() == MAX_PAIRS {
            return Err(FormError::TooManyPairs);
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        out.push((decode(name)?, decode(value)?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_decoding() {
        assert_eq!(
            parse(b"a=1&b=%C3%A7%C3%B6p+var&c&attribute%5Btckn%5D=1").unwrap(),
            [
                ("a".into(), "1".into()),
                ("b".into(), "çöp var".into()),
                ("c".into(), String::new()),
                ("attribute[tckn]".into(), "1".into()),
            ]
        );
        assert!(matches!(parse(b"a=%FF"), Err(FormError::NotUtf8(_))));
        assert!(matches!(parse(b"a=\xff"), Err(FormError::NotUtf8(_))));
        assert!(matches!(parse(b"a=%G1"), Err(FormError::BadEscape(_))));
        assert!(matches!(parse(b"a=%4"), Err(FormError::BadEscape(_))));
        assert!(matches!(parse(b"a=50%"), Err(FormError::BadEscape(_))));
        let many = "x=1&".repeat(MAX_PAIRS + 1);
        assert_eq!(parse(many.as_bytes()), Err(FormError::TooManyPairs));
    }
}
