//! Kimlik ve takip numaraları: identifiers, as newtypes that are valid by construction.
//!
//! - [`Tckn`]: T.C. Kimlik No (and Yabancı Kimlik No for foreigners, starting with 99).
//! - [`PhoneNumber`]: a Turkish mobile number, normalised to `+905xxxxxxxxx`.
//! - [`TrackingNumber`]: an application's printable tracking number, `AK-20-2026-0001234-7`,
//!   protected by a Damm check digit; [`TrackingAllocator`] hands them out per province and year.
//!
//! # Masking
//!
//! A TCKN and a phone number are personal data. `Debug`, `Display` and the default `Serialize`
//! of [`Tckn`] and [`PhoneNumber`] show only a masked form, so that logs and error messages never
//! hold a full value:
//!
//! | type            | masked form          | shows                                 |
//! |-----------------|----------------------|---------------------------------------|
//! | [`Tckn`]        | `123******50`        | the first 3 and the last 2 digits     |
//! | [`PhoneNumber`] | `+90 5** *** ** 67`  | the (always 5) first digit and last 2 |
//!
//! The full value is only available explicitly: [`Tckn::expose`], [`PhoneNumber::expose`], or —
//! for storage such as the journal — by serializing inside [`Full`] (or a field marked
//! `#[serde(with = "acikkapi_core::ids::full")]`), which switches every identifier serialized
//! within it to its full form. Deserialization always expects the full form: a masked value read
//! back from a log is rejected, never silently accepted.
//!
//! ```
//! use acikkapi_core::ids::{Full, Tckn};
//! let id = Tckn::from_first_nine(1); // 10000000146
//! assert_eq!(id.to_string(), "100******46");
//! let logged = serde_json::to_string(&id).unwrap();          // masked
//! assert!(!logged.contains(id.expose()));
//! let stored = serde_json::to_string(&Full(&id)).unwrap();   // full, for storage
//! assert_eq!(stored, format!("\"{}\"", id.expose()));
//! assert_eq!(serde_json::from_str::<Tckn>(&stored).unwrap(), id);
//! assert!(serde_json::from_str::<Tckn>(&logged).is_err());
//! ```

mod allocate;
mod phone;
mod tckn;
mod tracking;

use std::cell::Cell;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use crate::error::{NonMobileRange, PhoneError, TcknError, TrackingNumberError};
pub use allocate::{SequenceCounters, TrackingAllocator, TrackingNumbers};
pub use phone::PhoneNumber;
pub use tckn::Tckn;
pub use tracking::{TrackingNumber, damm_check_digit, damm_is_valid};

thread_local! {
    /// Depth of nested [`Full`] serializations on this thread.
    static FULL_DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Whether identifiers are being serialized in full (inside a [`Full`] on this thread).
pub(crate) fn serializing_full() -> bool {
    FULL_DEPTH.with(|d| d.get() > 0)
}

/// Restores the depth when a full serialization ends, also on error or unwinding.
struct FullGuard;

impl FullGuard {
    fn enter() -> Self {
        FULL_DEPTH.with(|d| d.set(d.get().saturating_add(1)));
        FullGuard
    }
}

impl Drop for FullGuard {
    fn drop(&mut self) {
        FULL_DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Tam değer: serializes the wrapped value with **full** identifiers ([`Tckn`], [`PhoneNumber`]
/// and everything containing them, e.g. an `Application`) instead of the masked forms.
///
/// Use it for storage (the journal), never for logs. Deserializing `Full<T>` is the same as
/// deserializing `T`.
///
/// ```
/// use acikkapi_core::ids::{Full, PhoneNumber};
/// let p = PhoneNumber::parse("0532 123 45 67").unwrap();
/// assert_eq!(serde_json::to_string(&p).unwrap(), "\"+90 5** *** ** 67\"");
/// assert_eq!(serde_json::to_string(&Full(&p)).unwrap(), "\"+905321234567\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full<T>(pub T);

impl<T: Serialize> Serialize for Full<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let _guard = FullGuard::enter();
        self.0.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Full<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Full)
    }
}

/// For `#[serde(with = "acikkapi_core::ids::full")]` on a field: the field is always serialized
/// with full identifiers (see [`Full`]); deserialization is unchanged.
///
/// ```
/// use acikkapi_core::ids::Tckn;
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct JournalRecord {
///     #[serde(with = "acikkapi_core::ids::full")]
///     applicant: Tckn,
/// }
/// let r = JournalRecord { applicant: Tckn::from_first_nine(100_000_001) };
/// let json = serde_json::to_string(&r).unwrap();
/// assert!(json.contains(r.applicant.expose()));
/// ```
pub mod full {
    use super::*;

    /// Serializes `value` with full identifiers.
    pub fn serialize<T: Serialize, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        Full(value).serialize(s)
    }

    /// Deserializes as `T` does.
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        T::deserialize(d)
    }
}

/// Masks a raw input for an error message (defined in [`redact`](crate::redact::mask_input), which
/// the identifiers use; re-exported here where the identifiers' errors are).
pub use crate::redact::mask_input;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_guard_restores_after_error() {
        struct Failing;
        impl Serialize for Failing {
            fn serialize<S: Serializer>(&self, _s: S) -> Result<S::Ok, S::Error> {
                assert!(serializing_full());
                Err(serde::ser::Error::custom("boom"))
            }
        }
        assert!(!serializing_full());
        assert!(serde_json::to_string(&Full(Failing)).is_err());
        assert!(!serializing_full());
    }
}
