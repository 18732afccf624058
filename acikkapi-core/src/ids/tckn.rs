//! T.C. Kimlik No: the 11-digit national identity number.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{mask_input, serializing_full};
use crate::error::TcknError;

/// T.C. Kimlik No: a Turkish citizen's identity number, or a Yabancı Kimlik No (a foreign
/// resident's, starting with `99`, same checksum). A value of this type always has 11 digits, a
/// non-zero first digit and correct check digits:
///
/// - d10 = (7·(d1+d3+d5+d7+d9) − (d2+d4+d6+d8)) mod 10 (Euclidean, never negative)
/// - d11 = (d1+…+d10) mod 10
///
/// `Debug`, `Display` and `Serialize` show the masked form `123******50` (first 3 and last 2
/// digits); the full number only through [`expose`](Self::expose) or serialization inside
/// [`Full`](super::Full).
///
/// ```
/// use acikkapi_core::ids::Tckn;
/// let id = Tckn::parse(" 10000000146 ").unwrap();
/// assert_eq!(id.expose(), "10000000146");
/// assert_eq!(id.to_string(), "100******46");
/// assert_eq!(format!("{id:?}"), "Tckn(100******46)");
/// assert!(!id.is_foreigner());
/// assert!(Tckn::parse("10000000147").is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tckn([u8; 11]);

/// d10 and d11 for the first nine digits (each 0..=9).
fn check_digits(d: &[u8; 9]) -> (u8, u8) {
    let odd: i32 = [d[0], d[2], d[4], d[6], d[8]]
        .iter()
        .map(|&x| i32::from(x))
        .sum();
    let even: i32 = [d[1], d[3], d[5], d[7]].iter().map(|&x| i32::from(x)).sum();
    // rem_euclid(10) is in 0..10, so the cast cannot truncate.
    let d10 = (7 * odd - even).rem_euclid(10) as u8;
    let sum: u32 = d.iter().map(|&x| u32::from(x)).sum::<u32>() + u32::from(d10);
    (d10, (sum % 10) as u8)
}

impl Tckn {
    /// Parses an identity number. Surrounding whitespace is ignored; otherwise exactly 11 digits.
    /// The errors tell apart a non-digit, a wrong length, a leading zero and a wrong checksum,
    /// in that order of checking.
    pub fn parse(s: &str) -> Result<Self, TcknError> {
        let t = s.trim();
        if !t.chars().all(|c| c.is_ascii_digit()) {
            return Err(TcknError::NotDigits {
                input: mask_input(t),
            });
        }
        let bytes = t.as_bytes();
        let Ok(digits) = <[u8; 11]>::try_from(bytes) else {
            return Err(TcknError::WrongLength {
                input: mask_input(t),
                len: t.len(),
            });
        };
        if digits[0] == b'0' {
            return Err(TcknError::LeadingZero {
                input: mask_input(t),
            });
        }
        let mut nine = [0u8; 9];
        for (n, b) in nine.iter_mut().zip(&digits) {
            *n = b - b'0';
        }
        let (d10, d11) = check_digits(&nine);
        if digits[9] - b'0' != d10 || digits[10] - b'0' != d11 {
            return Err(TcknError::Checksum {
                input: mask_input(t),
            });
        }
        Ok(Tckn(digits))
    }

    /// A valid number built from nine leading digits, with its check digits computed — a
    /// generator for tests and simulations. `n` is mapped into 100 000 000..=999 999 999 (the
    /// nine-digit numbers without a leading zero) as `100_000_000 + n % 900_000_000`, so every
    /// `u32` gives a valid number and numbers below 900 000 000 map to themselves plus 10⁸.
    ///
    /// ```
    /// use acikkapi_core::ids::Tckn;
    /// let id = Tckn::from_first_nine(1);
    /// assert_eq!(&id.expose()[..9], "100000001");
    /// assert_eq!(Tckn::parse(id.expose()).unwrap(), id);
    /// ```
    pub fn from_first_nine(n: u32) -> Tckn {
        let mut v = 100_000_000 + n % 900_000_000;
        let mut nine = [0u8; 9];
        for slot in nine.iter_mut().rev() {
            // v % 10 < 10 fits in u8.
            *slot = (v % 10) as u8;
            v /= 10;
        }
        let (d10, d11) = check_digits(&nine);
        let mut digits = [0u8; 11];
        for (out, d) in digits.iter_mut().zip(nine.iter().chain(&[d10, d11])) {
            *out = b'0' + d;
        }
        Tckn(digits)
    }

    /// Whether this is a Yabancı Kimlik No (a foreign resident's number, starting with `99`).
    ///
    /// ```
    /// use acikkapi_core::ids::Tckn;
    /// assert!(Tckn::from_first_nine(890_000_123).is_foreigner()); // 990000123..
    /// assert!(!Tckn::from_first_nine(0).is_foreigner());
    /// ```
    pub fn is_foreigner(&self) -> bool {
        self.0[0] == b'9' && self.0[1] == b'9'
    }

    /// The full 11-digit number. Personal data: do not log it.
    pub fn expose(&self) -> &str {
        // Invariant: the array holds ASCII digits only (checked in `parse`/`from_first_nine`).
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The masked form, `123******50`: the first 3 and the last 2 digits.
    pub fn masked(&self) -> String {
        let s = self.expose();
        format!("{}******{}", &s[..3], &s[9..])
    }
}

impl fmt::Display for Tckn {
    /// The masked form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for Tckn {
    /// `Tckn(123******50)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tckn({})", self.masked())
    }
}

impl FromStr for Tckn {
    type Err = TcknError;
    fn from_str(s: &str) -> Result<Self, TcknError> {
        Self::parse(s)
    }
}

impl Serialize for Tckn {
    /// The masked form, or the full number inside [`Full`](super::Full).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if serializing_full() {
            s.serialize_str(self.expose())
        } else {
            s.serialize_str(&self.masked())
        }
    }
}

impl<'de> Deserialize<'de> for Tckn {
    /// Parses the full number; a masked or invalid one is an error.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Tckn::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Full;
    use proptest::prelude::*;

    #[test]
    fn known_valid_and_errors() {
        // 100000000: odd = 1, even = 0 → d10 = 7; d11 = (1+7) mod 10 = 8.
        let id = Tckn::from_first_nine(0);
        assert_eq!(id.expose(), "10000000078");
        assert!(Tckn::parse("10000000078").is_ok());
        assert_eq!(
            Tckn::parse("1000000007"),
            Err(TcknError::WrongLength {
                input: "100*****07".into(),
                len: 10
            })
        );
        assert!(matches!(
            Tckn::parse("1000000007a"),
            Err(TcknError::NotDigits { .. })
        ));
        assert!(matches!(
            Tckn::parse("1000 0000078"),
            Err(TcknError::NotDigits { .. })
        ));
        assert!(matches!(
            Tckn::parse("01000000078"),
            Err(TcknError::LeadingZero { .. })
        ));
        assert!(matches!(
            Tckn::parse("10000000079"),
            Err(TcknError::Checksum { .. })
        ));
        assert!(matches!(
            Tckn::parse(""),
            Err(TcknError::WrongLength { len: 0, .. })
        ));
        // Full-width digits are not ASCII digits.
        assert!(matches!(
            Tckn::parse("１0000000078"),
            Err(TcknError::NotDigits { .. })
        ));
    }

    #[test]
    fn checksum_by_hand() {
        // 123456789: odd = 1+3+5+7+9 = 25, even = 2+4+6+8 = 20 → d10 = (175-20) mod 10 = 5;
        // d11 = (45+5) mod 10 = 0.
        assert_eq!(check_digits(&[1, 2, 3, 4, 5, 6, 7, 8, 9]), (5, 0));
        assert!(Tckn::parse("12345678950").is_ok());
        // A negative intermediate: 1,9,0,9,0,9,0,9,0 → odd = 1, even = 36 → 7-36 = -29 → 1.
        assert_eq!(check_digits(&[1, 9, 0, 9, 0, 9, 0, 9, 0]).0, 1);
    }

    #[test]
    fn error_messages_are_turkish_and_masked() {
        let e = Tckn::parse("12345").unwrap_err();
        assert_eq!(
            e.to_string(),
            "T.C. Kimlik No 11 haneli olmalı (5 hane girildi: *****)"
        );
        let e = Tckn::parse("12345678951").unwrap_err();
        assert!(!e.to_string().contains("12345678951"));
    }

    #[test]
    fn foreigner() {
        let y = Tckn::from_first_nine(899_999_999); // 999999999xx
        assert!(y.is_foreigner());
        assert!(Tckn::parse(y.expose()).unwrap().is_foreigner());
    }

    fn digit_vec(t: &Tckn) -> Vec<u8> {
        t.expose().bytes().collect()
    }

    proptest! {
        #[test]
        fn generated_numbers_parse(n in any::<u32>()) {
            let id = Tckn::from_first_nine(n);
            prop_assert_eq!(Tckn::parse(id.expose()), Ok(id));
            prop_assert_ne!(id.expose().as_bytes()[0], b'0');
        }

        /// Every single-digit change of a valid number is rejected: all 11 positions × 9 other
        /// digits, for each generated number.
        #[test]
        fn every_single_digit_change_is_rejected(n in any::<u32>()) {
            let id = Tckn::from_first_nine(n);
            let orig = digit_vec(&id);
            for pos in 0..11 {
                for d in b'0'..=b'9' {
                    if d == orig[pos] { continue; }
                    let mut v = orig.clone();
                    v[pos] = d;
                    let s = String::from_utf8(v).unwrap();
                    prop_assert!(Tckn::parse(&s).is_err(), "{} accepted", s);
                }
            }
        }

        /// Masked output never contains the full number, nor more than the 5 documented digits.
        #[test]
        fn masking_never_leaks(n in any::<u32>()) {
            let id = Tckn::from_first_nine(n);
            let full = id.expose().to_string();
            let outputs = [
                format!("{id}"),
                format!("{id:?}"),
                format!("{id:#?}"),
                serde_json::to_string(&id).unwrap(),
                serde_json::to_string(&Some(id)).unwrap(),
            ];
            for out in &outputs {
                prop_assert!(!out.contains(&full));
                prop_assert_eq!(out.chars().filter(|c| c.is_ascii_digit()).count(), 5);
                let expected = format!("{}******{}", &full[..3], &full[9..]);
                prop_assert!(out.contains(&expected));
            }
            prop_assert_eq!(serde_json::to_string(&Full(id)).unwrap(), format!("\"{full}\""));
            // A masked value read back is rejected.
            prop_assert!(serde_json::from_str::<Tckn>(&outputs[3]).is_err());
        }

        /// Arbitrary strings never panic and only parse when they are a valid number.
        #[test]
        fn arbitrary_input_never_panics(s in ".{0,20}") {
            if let Ok(id) = Tckn::parse(&s) {
                prop_assert_eq!(id.expose(), s.trim());
            }
        }
    }
}
