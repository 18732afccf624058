//! Typed identifiers of units and officers.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

fn is_part(p: &str) -> bool {
    !p.is_empty()
        && p.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn is_unit_id(s: &str) -> bool {
    let mut parts = s.split('.');
    let first = parts.next().unwrap_or("");
    let prefix_ok = first == "TR"
        || (first.len() == 2
            && first.bytes().all(|b| b.is_ascii_digit())
            && (1..=81).contains(&first.parse::<u8>().unwrap_or(0)));
    let mut rest = 0;
    for p in parts {
        if !is_part(p) {
            return false;
        }
        rest += 1;
    }
    prefix_ok && rest >= 1
}

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident, $what:literal, $check:expr) => {
        $(#[$doc])*
        ///
        /// Cheap to clone (a shared string), so decisions can carry ids without allocating.
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Arc<str>);

        impl $name {
            /// Parses an id (surrounding spaces are ignored; letters must be upper-case ASCII).
            pub fn parse(s: &str) -> Result<Self> {
                let t = s.trim();
                let check: fn(&str) -> bool = $check;
                if check(t) {
                    Ok(Self(Arc::from(t)))
                } else {
                    Err(Error::InvalidOrgId { what: $what, id: s.to_string() })
                }
            }

            /// The id as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?}", &*self.0)
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                Self::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_newtype!(
    /// Birim kimliği: a unit's id, `PP.PART[.PART…]` where `PP` is the two-digit plate (or `TR` for
    /// the ministry's national units) and each part is `[A-Z0-9_]+`: `20.VALILIK`,
    /// `20.MERKEZEFENDI.KAYMAKAMLIK`, `20.SAGLIK_MUDURLUGU`, `20.PAMUKKALE.BELEDIYE`.
    ///
    /// ```
    /// use acikkapi_core::org::UnitId;
    /// assert!(UnitId::parse("20.MERKEZEFENDI.KAYMAKAMLIK").is_ok());
    /// assert!(UnitId::parse("TR.SGB").is_ok());
    /// assert!(UnitId::parse("20").is_err());
    /// assert!(UnitId::parse("99.VALILIK").is_err());
    /// assert!(UnitId::parse("20.valilik").is_err());
    /// ```
    UnitId,
    "unit",
    is_unit_id
);

id_newtype!(
    /// Görevli kimliği: an officer's id, the unit's id plus one part: `20.SAGLIK_MUDURLUGU.YETKILI`.
    ///
    /// ```
    /// use acikkapi_core::org::OfficerId;
    /// assert!(OfficerId::parse("20.VALILIK.VALI").is_ok());
    /// assert!(OfficerId::parse("VALI").is_err());
    /// ```
    OfficerId,
    "officer",
    |s| is_unit_id(s) && s.split('.').count() >= 3
);

impl UnitId {
    /// The province a unit belongs to: the plate its id starts with (`None` for the ministry's
    /// national `TR.…` units).
    ///
    /// ```
    /// use acikkapi_core::org::UnitId;
    /// assert_eq!(UnitId::parse("20.PAMUKKALE.BELEDIYE").unwrap().plate().unwrap().get(), 20);
    /// assert!(UnitId::parse("TR.SGB").unwrap().plate().is_none());
    /// ```
    pub fn plate(&self) -> Option<crate::geo::ProvincePlate> {
        // `parse` checked that the first part is `TR` or a plate 01–81.
        let first = self.0.split('.').next()?;
        crate::geo::ProvincePlate::new(first.parse().ok()?).ok()
    }
}

impl OfficerId {
    /// The id of an officer of `unit` with the local part `local` (`YETKILI`).
    pub fn of(unit: &UnitId, local: &str) -> Result<OfficerId> {
        OfficerId::parse(&format!("{unit}.{local}"))
    }

    /// The unit the officer belongs to: every part of the id but the last
    /// (`20.SGK.YETKILI` → `20.SGK`).
    ///
    /// ```
    /// use acikkapi_core::org::OfficerId;
    /// let o = OfficerId::parse("20.ACIPAYAM.KAYMAKAMLIK.KAYMAKAM").unwrap();
    /// assert_eq!(o.unit().as_str(), "20.ACIPAYAM.KAYMAKAMLIK");
    /// ```
    pub fn unit(&self) -> UnitId {
        // An officer id is a unit id plus one part (checked by `parse`), so the prefix is a unit id.
        let s: &str = &self.0;
        UnitId(Arc::from(s.rsplit_once('.').map_or(s, |(u, _)| u)))
    }
}

/// The id part for a place name: ASCII upper case, every other character run as `_`
/// (`"Merkezefendi"` → `MERKEZEFENDI`, `"19 Mayıs"` → `19_MAYIS`).
pub fn id_part(name: &str) -> String {
    let key = crate::text::search_key(name);
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_parts_of_place_names() {
        assert_eq!(id_part("Merkezefendi"), "MERKEZEFENDI");
        assert_eq!(id_part("19 Mayıs"), "19_MAYIS");
        assert_eq!(id_part("Şile"), "SILE");
        assert!(UnitId::parse(&format!("55.{}.KAYMAKAMLIK", id_part("19 Mayıs"))).is_ok());
    }

    #[test]
    fn ids_serialize_as_strings() {
        let id = UnitId::parse("20.VALILIK").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"20.VALILIK\"");
        let back: UnitId = serde_json::from_str("\"20.VALILIK\"").unwrap();
        assert_eq!(back, id);
        assert!(serde_json::from_str::<UnitId>("\"20..X\"").is_err());
    }
}
