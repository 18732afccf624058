//! Başvuru formu: the raw application as it arrives, before validation.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

use crate::ids::{mask_input, serializing_full};

/// A value a form may send as a JSON number or as a string (`20` or `"20"` or `"Denizli"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TextOrNumber {
    /// A JSON number.
    Number(i64),
    /// A JSON string.
    Text(String),
}

impl fmt::Display for TextOrNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextOrNumber::Number(n) => write!(f, "{n}"),
            TextOrNumber::Text(s) => f.write_str(s),
        }
    }
}

/// Başvuru formu: an application as typed by a clerk at the counter or sent by the web site, the
/// mobile app or e-Devlet — every field optional and unchecked. [`crate::validate::validate`]
/// turns it into an [`Application`](super::Application) or lists everything wrong with it.
///
/// Unknown JSON fields are an error, so that a misspelt field name is caught instead of silently
/// dropped. `Debug` and the default `Serialize` mask the TCKN and the phone number as typed
/// (see [`mask_input`]); inside [`Full`](crate::ids::Full) they are written as given.
///
/// ```
/// use acikkapi_core::application::ApplicationInput;
/// let input: ApplicationInput = serde_json::from_str(r#"{"tckn": "10000000146", "province": 20}"#).unwrap();
/// assert!(format!("{input:?}").contains("100******46"));
/// assert!(serde_json::from_str::<ApplicationInput>(r#"{"tc_kimlik": "1"}"#).is_err());
/// ```
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApplicationInput {
    /// T.C. Kimlik No (or Yabancı Kimlik No).
    #[serde(serialize_with = "masked_opt")]
    pub tckn: Option<String>,
    /// Ad.
    pub name: Option<String>,
    /// Soyad.
    pub surname: Option<String>,
    /// First and last letter of the mother's maiden surname (`"KA"`, `"K.A."`, `"k a"`).
    pub mother_maiden_initials: Option<String>,
    /// Cep telefonu in any common form.
    #[serde(serialize_with = "masked_opt")]
    pub phone: Option<String>,
    /// Doğum yılı.
    pub birth_year: Option<TextOrNumber>,
    /// Cinsiyet (`kadın`/`erkek`, `K`/`E`, `female`/`male`).
    pub gender: Option<String>,
    /// Başvuru türü (`şikâyet`, `talep`, `ihbar`).
    pub kind: Option<String>,
    /// Kanal (`banko_sozlu`, `e-Devlet`, …).
    pub channel: Option<String>,
    /// Konu / başvuru metni.
    pub subject: Option<String>,
    /// Kategori kodu (`SAGLIK.DIGER`).
    pub category: Option<String>,
    /// İl: plate number or name, any case, with or without Turkish letters.
    pub province: Option<TextOrNumber>,
    /// İlçe, any case, with or without Turkish letters.
    pub district: Option<String>,
    /// Başvuru zamanı, RFC 3339 (`2026-11-23T10:30:00+03:00`); when absent, the time of
    /// validation.
    pub received_at: Option<String>,
    /// Özellikli başvuru.
    pub special: Option<bool>,
    /// Gizli.
    pub confidential: Option<bool>,
    /// OHAL.
    pub ohal: Option<bool>,
    /// Mihmandarlık gerekçesi (`yaşlı`, `engelli`, `hasta`, `şehit yakını`, `gazi`).
    pub escort: Option<String>,
    /// Kimliğim gizlensin.
    pub hide_identity: Option<bool>,
    /// The unit the citizen asked to apply to directly.
    pub direct_to_unit: Option<String>,
}

fn masked_opt<S: Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        None => s.serialize_none(),
        Some(raw) if serializing_full() => s.serialize_some(raw),
        Some(raw) => s.serialize_some(&mask_input(raw)),
    }
}

impl fmt::Debug for ApplicationInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let masked = |v: &Option<String>| v.as_deref().map(mask_input);
        f.debug_struct("ApplicationInput")
            .field("tckn", &masked(&self.tckn))
            .field("name", &self.name)
            .field("surname", &self.surname)
            .field("mother_maiden_initials", &self.mother_maiden_initials)
            .field("phone", &masked(&self.phone))
            .field("birth_year", &self.birth_year)
            .field("gender", &self.gender)
            .field("kind", &self.kind)
            .field("channel", &self.channel)
            .field("subject", &self.subject)
            .field("category", &self.category)
            .field("province", &self.province)
            .field("district", &self.district)
            .field("received_at", &self.received_at)
            .field("special", &self.special)
            .field("confidential", &self.confidential)
            .field("ohal", &self.ohal)
            .field("escort", &self.escort)
            .field("hide_identity", &self.hide_identity)
            .field("direct_to_unit", &self.direct_to_unit)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Full;

    #[test]
    fn masks_and_round_trips_in_full() {
        let input = ApplicationInput {
            tckn: Some("10000000146".into()),
            phone: Some("0532 000 00 01".into()),
            province: Some(TextOrNumber::Number(20)),
            ..Default::default()
        };
        let log = serde_json::to_string(&input).unwrap();
        assert!(!log.contains("10000000146") && !log.contains("000 00"));
        assert!(!format!("{input:?}").contains("10000000146"));
        let stored = serde_json::to_string(&Full(&input)).unwrap();
        assert_eq!(
            serde_json::from_str::<ApplicationInput>(&stored).unwrap(),
            input
        );
    }

    #[test]
    fn province_as_number_or_text() {
        let a: ApplicationInput = serde_json::from_str(r#"{"province":"Denizli"}"#).unwrap();
        assert_eq!(a.province, Some(TextOrNumber::Text("Denizli".into())));
        let b: ApplicationInput = serde_json::from_str(r#"{"province":20}"#).unwrap();
        assert_eq!(b.province.unwrap().to_string(), "20");
    }
}
