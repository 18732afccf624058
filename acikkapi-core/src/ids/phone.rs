//! Cep telefonu numarası: a Turkish mobile phone number.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{mask_input, serializing_full};
use crate::error::PhoneError;

/// Cep telefonu: a Turkish mobile number, stored normalised as `+905xxxxxxxxx` (the national
/// number has 10 digits and starts with 5). Used for SMS to the citizen.
///
/// Accepted inputs: `0532 123 45 67`, `532 123 4567`, `+90 532 123 45 67`, `0090 532…`,
/// `90 532…`, with any spaces, `-`, `.`, `(` and `)`. Landlines (2xx, 3xx, 4xx), foreign numbers
/// and wrong lengths are rejected with a typed [`PhoneError`].
///
/// `Debug`, `Display` and `Serialize` show the masked form `+90 5** *** ** 67` — only the
/// leading `5` and the last two digits; [`expose`](Self::expose) gives the full number.
///
/// ```
/// use acikkapi_core::ids::PhoneNumber;
/// let p = PhoneNumber::parse("(0532) 123-45-67").unwrap();
/// assert_eq!(p.expose(), "+905321234567");
/// assert_eq!(p.to_string(), "+90 5** *** ** 67");
/// assert_eq!(PhoneNumber::parse("+90 532 123 45 67").unwrap(), p);
/// assert!(PhoneNumber::parse("0258 123 45 67").is_err()); // Denizli landline
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber([u8; 13]);

impl PhoneNumber {
    /// Parses and normalises a Turkish mobile number.
    pub fn parse(s: &str) -> Result<Self, PhoneError> {
        let t = s.trim();
        let mut digits = String::with_capacity(t.len());
        let mut plus = false;
        for (i, c) in t.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => plus = true,
                ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
                _ => {
                    return Err(PhoneError::InvalidCharacter {
                        input: mask_input(t),
                    });
                }
            }
        }
        if digits.is_empty() {
            return Err(PhoneError::Empty);
        }
        let masked = || mask_input(t);
        let national: &str = if plus {
            digits
                .strip_prefix("90")
                .ok_or_else(|| PhoneError::NotTurkish { input: masked() })?
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.strip_prefix("90")
                .ok_or_else(|| PhoneError::NotTurkish { input: masked() })?
        } else if digits.len() == 12 && digits.starts_with("90") {
            &digits[2..]
        } else if digits.len() == 11 && digits.starts_with('0') {
            &digits[1..]
        } else {
            &digits
        };
        // A trunk 0 (also after the country code, +90 0532…, a common habit) is not part of the
        // national number.
        let national = national.strip_prefix('0').unwrap_or(national);
        if let Some(first) = national.bytes().next()
            && first != b'5'
        {
            return Err(PhoneError::NotMobile { input: masked() });
        }
        if national.len() != 10 {
            return Err(PhoneError::WrongLength { input: masked() });
        }
        let mut out = *b"+90__________";
        out[3..].copy_from_slice(national.as_bytes());
        Ok(PhoneNumber(out))
    }

    /// The full number, `+905xxxxxxxxx`. Personal data: do not log it.
    pub fn expose(&self) -> &str {
        // Invariant: ASCII only (`+`, digits), set in `parse`.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The national number, 10 digits starting with 5 (`5321234567`).
    pub fn national(&self) -> &str {
        &self.expose()[3..]
    }

    /// The masked form `+90 5** *** ** 67`: the leading 5 and the last two digits.
    pub fn masked(&self) -> String {
        format!("+90 5** *** ** {}", &self.expose()[11..])
    }
}

impl fmt::Display for PhoneNumber {
    /// The masked form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for PhoneNumber {
    /// `PhoneNumber(+90 5** *** ** 67)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

impl FromStr for PhoneNumber {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, PhoneError> {
        Self::parse(s)
    }
}

impl Serialize for PhoneNumber {
    /// The masked form, or `+905xxxxxxxxx` inside [`Full`](super::Full).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if serializing_full() {
            s.serialize_str(self.expose())
        } else {
            s.serialize_str(&self.masked())
        }
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    /// Parses any accepted form; a masked value is an error.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PhoneNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Full;
    use proptest::prelude::*;

    #[test]
    fn accepted_forms() {
        for s in [
            "05321234567",
            "0532 123 45 67",
            "0 (532) 123 45 67",
            "532 123 4567",
            "5321234567",
            "+90 532 123 45 67",
            "+90 (532) 123-45-67",
            "+90 0532 123 45 67",
            "0090 532 123 45 67",
            "90 532 123 45 67",
            "0532.123.45.67",
        ] {
            assert_eq!(
                PhoneNumber::parse(s).map(|p| p.expose().to_string()),
                Ok("+905321234567".to_string()),
                "{s}"
            );
        }
    }

    #[test]
    fn rejected_forms() {
        let kind = |s: &str| match PhoneNumber::parse(s) {
            Err(PhoneError::Empty) => "empty",
            Err(PhoneError::InvalidCharacter { .. }) => "char",
            Err(PhoneError::NotTurkish { .. }) => "foreign",
            Err(PhoneError::NotMobile { .. }) => "landline",
            Err(PhoneError::WrongLength { .. }) => "length",
            Ok(_) => "ok",
        };
        assert_eq!(kind(""), "empty");
        assert_eq!(kind(" - "), "empty");
        assert_eq!(kind("0532 123 45 6x"), "char");
        assert_eq!(kind("0532+1234567"), "char");
        assert_eq!(kind("+49 151 1234567"), "foreign");
        assert_eq!(kind("0049 151 1234567"), "foreign");
        assert_eq!(kind("0258 296 10 00"), "landline");
        assert_eq!(kind("0212 555 00 00"), "landline");
        assert_eq!(kind("444 0 444"), "landline");
        assert_eq!(kind("0532 123 45 6"), "length");
        assert_eq!(kind("0532 123 45 678"), "length");
        assert_eq!(kind("5"), "length");
    }

    #[test]
    fn masks() {
        let p = PhoneNumber::parse("05321234567").unwrap();
        assert_eq!(format!("{p:?}"), "PhoneNumber(+90 5** *** ** 67)");
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"+90 5** *** ** 67\"");
        assert_eq!(
            serde_json::to_string(&Full(p)).unwrap(),
            "\"+905321234567\""
        );
        assert!(serde_json::from_str::<PhoneNumber>("\"+90 5** *** ** 67\"").is_err());
        let e = PhoneNumber::parse("0258 296 10 00").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Telefon numarası bir cep telefonu numarası (5xx) olmalı (025*********00)"
        );
    }

    proptest! {
        #[test]
        fn any_mobile_round_trips(n in 0u32..1_000_000_000, sep in prop::sample::select(vec!["", " ", "-"])) {
            let national = format!("5{n:09}");
            let written = format!("0{}{sep}{}{sep}{}{sep}{}", &national[..3], &national[3..6], &national[6..8], &national[8..]);
            let p = PhoneNumber::parse(&written).unwrap();
            prop_assert_eq!(p.national(), national.as_str());
            let logged = format!("{p} {p:?} {}", serde_json::to_string(&p).unwrap());
            prop_assert!(!logged.contains(&national[1..]));
            let stored = serde_json::to_string(&Full(p)).unwrap();
            prop_assert_eq!(serde_json::from_str::<PhoneNumber>(&stored).unwrap(), p);
        }

        #[test]
        fn arbitrary_input_never_panics(s in ".{0,24}") {
            let _ = PhoneNumber::parse(&s);
        }
    }
}
