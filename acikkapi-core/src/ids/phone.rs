//! Cep telefonu numarası: a Turkish mobile phone number.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{mask_input, serializing_full};
use crate::error::{NonMobileRange, PhoneError};

/// Cep telefonu: a Turkish mobile number, stored normalised as `+905xxxxxxxxx` (the national
/// number has 10 digits and starts with 5). Used for SMS to the citizen.
///
/// Accepted inputs: `0532 123 45 67`, `532 123 4567`, `+90 532 123 45 67`, `0090 532…`,
/// `90 532…`, with any spaces, `-`, `.`, `(` and `)`. Landlines (2xx, 3xx, 4xx), foreign numbers
/// and wrong lengths are rejected with a typed [`PhoneError`]; so are `5xx` numbers outside the
/// blocks allocated to mobile networks ([`PhoneError::NoSms`]: the 512 pager range, 592 satellite
/// personal numbers, unallocated blocks such as 520 or most of 561), since an SMS cannot reach
/// them. The blocks are libphonenumber's TR metadata, as bundled with the `phonenumber` crate.
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
/// assert!(PhoneNumber::parse("0512 399 84 66").is_err()); // pager range
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
        if let Err(range) = mobile_range(national) {
            return Err(PhoneError::NoSms {
                prefix: national[..3].to_string(),
                range,
                input: masked(),
            });
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

/// libphonenumber's TR ranges that a `5xx` number can fall in, compiled once from the metadata
/// bundled with the `phonenumber` crate (anchored; matched without the crate's shared regex cache,
/// which takes a lock on every match).
struct TrRanges {
    mobile: Regex,
    pager: Regex,
    personal_number: Regex,
}

impl TrRanges {
    fn get() -> Option<&'static TrRanges> {
        static RANGES: OnceLock<Option<TrRanges>> = OnceLock::new();
        RANGES
            .get_or_init(|| {
                let tr = phonenumber::metadata::DATABASE.by_id("TR")?;
                let d = tr.descriptors();
                // The metadata's patterns are laid out over lines (compiled ignoring whitespace,
                // as the crate does).
                let compile = |desc: Option<&phonenumber::metadata::Descriptor>| {
                    let source = desc?.national_number().as_str();
                    RegexBuilder::new(&format!("^(?:{source})$"))
                        .ignore_whitespace(true)
                        .build()
                        .ok()
                };
                Some(TrRanges {
                    mobile: compile(d.mobile())?,
                    pager: compile(d.pager())?,
                    personal_number: compile(d.personal_number())?,
                })
            })
            .as_ref()
    }
}

/// Whether a 10-digit national number starting with 5 is in a range allocated to mobile networks,
/// by libphonenumber's metadata for TR: `Ok` for a mobile number, else what the range is.
fn mobile_range(national: &str) -> Result<(), NonMobileRange> {
    let Some(r) = TrRanges::get() else {
        // The metadata is compiled into the `phonenumber` crate and has these TR ranges (tested
        // in `metadata_has_tr_ranges`); a number that cannot be checked is not refused.
        return Ok(());
    };
    if r.mobile.is_match(national) {
        Ok(())
    } else if r.pager.is_match(national) {
        Err(NonMobileRange::Pager)
    } else if r.personal_number.is_match(national) {
        Err(NonMobileRange::PersonalNumber)
    } else {
        Err(NonMobileRange::Unallocated)
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
            Err(PhoneError::NoSms { .. }) => "nosms",
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
    fn pager_number_0512_is_rejected() {
        // Issue 12: 512 is a pager range (libphonenumber: PAGER); an SMS cannot arrive there.
        let e = PhoneNumber::parse("0512 399 84 66").unwrap_err();
        assert_eq!(
            e,
            PhoneError::NoSms {
                prefix: "512".into(),
                range: NonMobileRange::Pager,
                input: "051*********66".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "Telefon numarası SMS alabilen bir cep telefonu numarası değil: 0512 çağrı cihazı \
             (pager) numaralarına ayrılmış (051*********66)"
        );
    }

    #[test]
    fn metadata_has_tr_ranges() {
        let r = TrRanges::get().unwrap();
        assert!(r.mobile.is_match("5321234567"));
        assert!(!r.mobile.is_match("53212345678"));
        assert!(r.pager.is_match("5123998466"));
        assert!(r.personal_number.is_match("5922121234"));
    }

    /// The blocks allocated to the three networks (Türk Telekom 501, 505–507, 551–555, 559;
    /// Turkcell 530–539, 561 61x, 516; Vodafone 540–549; KKTC's 533, 542, 548 among them) are
    /// mobile; each is tried at both ends of its subscriber range.
    #[test]
    fn allocated_mobile_ranges_are_accepted() {
        let mut prefixes: Vec<String> = ["501", "505", "506", "507", "551", "552", "553", "554"]
            .iter()
            .map(|p| p.to_string())
            .collect();
        prefixes.extend(["555", "559", "516"].map(String::from));
        prefixes.extend((530..=549).map(|p| p.to_string()));
        for p in &prefixes {
            for sub in ["0000000", "1234567", "9999999"] {
                let n = format!("0{p} {sub}");
                assert_eq!(
                    PhoneNumber::parse(&n).map(|x| x.national().to_string()),
                    Ok(format!("{p}{sub}")),
                    "{n}"
                );
            }
        }
        // 561: only 561 61x xxxx (and 561 011 xxxx) are allocated.
        assert!(PhoneNumber::parse("0561 611 22 33").is_ok());
        assert!(PhoneNumber::parse("0561 011 22 33").is_ok());
    }

    #[test]
    fn non_mobile_5xx_ranges_are_rejected() {
        let range = |s: &str| match PhoneNumber::parse(s) {
            Err(PhoneError::NoSms { range, prefix, .. }) => Some((range, prefix)),
            other => panic!("{s}: {other:?}"),
        };
        use NonMobileRange::*;
        assert_eq!(range("0512 399 84 66"), Some((Pager, "512".into())));
        assert_eq!(range("+90 512 000 00 00"), Some((Pager, "512".into())));
        assert_eq!(
            range("0592 211 12 34"),
            Some((PersonalNumber, "592".into()))
        );
        assert_eq!(
            range("0592 461 12 34"),
            Some((PersonalNumber, "592".into()))
        );
        for n in [
            "0592 123 45 67",
            "0511 123 45 67",
            "0520 123 45 67",
            "0561 123 45 67",
            "0570 123 45 67",
            "0580 123 45 67",
            "0599 123 45 67",
        ] {
            assert_eq!(range(n).map(|r| r.0), Some(Unallocated), "{n}");
        }
        let e = PhoneNumber::parse("0592 211 12 34").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Telefon numarası SMS alabilen bir cep telefonu numarası değil: 0592 uydu telefonu \
             kişisel numaralarına (GMPCS) ayrılmış (059*********34)"
        );
        // Not 5xx at all: VoIP (850), toll free (800), premium (900) stay "not a mobile".
        for n in ["0850 123 45 67", "0800 123 45 67", "0900 123 45 67"] {
            assert!(
                matches!(PhoneNumber::parse(n), Err(PhoneError::NotMobile { .. })),
                "{n}"
            );
        }
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
        fn any_mobile_round_trips(
            block in prop::sample::select(vec![50u32, 53, 54, 55]),
            n in 0u32..100_000_000,
            sep in prop::sample::select(vec!["", " ", "-"]),
        ) {
            let national = format!("{block}{n:08}");
            let written = format!("0{}{sep}{}{sep}{}{sep}{}", &national[..3], &national[3..6], &national[6..8], &national[8..]);
            let p = PhoneNumber::parse(&written).unwrap();
            prop_assert_eq!(p.national(), national.as_str());
            let logged = format!("{p} {p:?} {}", serde_json::to_string(&p).unwrap());
            prop_assert!(!logged.contains(&national[1..]));
            let stored = serde_json::to_string(&Full(p)).unwrap();
            prop_assert_eq!(serde_json::from_str::<PhoneNumber>(&stored).unwrap(), p);
        }

        /// The ranges compiled here classify every 5xx number as the `phonenumber` crate's own
        /// parser does.
        #[test]
        fn ranges_agree_with_phonenumber_crate(n in 0u32..1_000_000_000) {
            use phonenumber::{Type, country, metadata::DATABASE};
            let national = format!("5{n:09}");
            let theirs = phonenumber::parse(Some(country::Id::TR), &national)
                .unwrap()
                .number_type(&DATABASE);
            let expected = match theirs {
                Type::Mobile => Ok(()),
                Type::Pager => Err(NonMobileRange::Pager),
                Type::PersonalNumber => Err(NonMobileRange::PersonalNumber),
                _ => Err(NonMobileRange::Unallocated),
            };
            prop_assert_eq!(mobile_range(&national), expected, "{}", national);
        }

        #[test]
        fn arbitrary_input_never_panics(s in ".{0,24}") {
            let _ = PhoneNumber::parse(&s);
        }
    }
}
