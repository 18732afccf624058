//! The small code values that errors and validation problems carry: a province's plate
//! ([`ProvincePlate`]) and the taxonomy's codes ([`HeadingCode`], [`CategoryCode`],
//! [`InstitutionTypeCode`]).
//!
//! Only the types, their checks and their formatting live here, at the bottom of the crate's
//! layers, so that [`error`](crate::error) (whose validation problems name a plate and category
//! codes) depends on neither [`geo`](crate::geo) nor [`taxonomy`](crate::taxonomy). The
//! constructors that return [`Error`](crate::Error) — `ProvincePlate::new`, `FromStr`, the
//! taxonomy codes' `parse`, `Deserialize` — are implemented next to the data they belong to, in
//! `geo` and `taxonomy`, which re-export the types: their public paths are
//! `acikkapi_core::geo::ProvincePlate` and `acikkapi_core::taxonomy::CategoryCode` (…).

use std::fmt;

use serde::Serialize;

/// Plaka kodu: a province's licence-plate code, 1..=81. A value of this type is always in range.
///
/// Displays as two digits (`"07"`); serializes as that string; deserializes from a number or a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProvincePlate(u8);

impl ProvincePlate {
    /// Number of provinces.
    pub const COUNT: u8 = 81;

    /// The plate of this number, `None` outside 1..=81 (the one place that checks the range).
    pub(crate) fn checked(n: u8) -> Option<Self> {
        (1..=Self::COUNT).contains(&n).then_some(Self(n))
    }

    /// The plate as a number, 1..=81.
    pub fn get(self) -> u8 {
        self.0
    }

    /// All 81 plates in order.
    pub fn all() -> impl Iterator<Item = ProvincePlate> {
        (1..=Self::COUNT).map(ProvincePlate)
    }
}

impl fmt::Display for ProvincePlate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

impl Serialize for ProvincePlate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn is_code_part(s: &str, first_letter: bool) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && (!first_letter || s.as_bytes()[0].is_ascii_uppercase())
}

macro_rules! code_newtype {
    ($(#[$doc:meta])* $name:ident, $check:expr, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Which kind of code, as named in [`Error::InvalidCode`](crate::Error::InvalidCode).
            pub(crate) const WHAT: &'static str = $what;

            /// The code of `s` (surrounding spaces are ignored; letters must be upper-case
            /// ASCII), `None` when it does not have the form.
            pub(crate) fn checked(s: &str) -> Option<Self> {
                let t = s.trim();
                let check: fn(&str) -> bool = $check;
                check(t).then(|| Self(t.to_string()))
            }

            /// The code as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

code_newtype!(
    /// Hizmet başlığı kodu: a service heading's code, e.g. `SAGLIK` (`[A-Z][A-Z0-9_]*`).
    HeadingCode,
    |s| is_code_part(s, true),
    "heading"
);

code_newtype!(
    /// Kategori kodu: a category's code, `HEADING.NAME`, e.g. `SAGLIK.RANDEVU`.
    CategoryCode,
    |s| matches!(s.split_once('.'), Some((h, n)) if is_code_part(h, true) && is_code_part(n, false)),
    "category"
);

code_newtype!(
    /// Kurum türü kodu: an institution type's code, e.g. `SAGLIK_MUDURLUGU`.
    InstitutionTypeCode,
    |s| is_code_part(s, true),
    "institution type"
);

impl CategoryCode {
    /// The heading part of the code (`"SAGLIK"` for `SAGLIK.RANDEVU`).
    pub fn heading(&self) -> &str {
        // Invariant: a parsed CategoryCode always contains a '.'.
        self.0.split_once('.').map_or(self.0.as_str(), |(h, _)| h)
    }

    /// Whether this is a heading's catch-all "Diğer" category (`*.DIGER`).
    pub fn is_other(&self) -> bool {
        self.0.ends_with(".DIGER")
    }
}
