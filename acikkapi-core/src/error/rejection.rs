//! The problems a validation can find, and the rejection that lists them (re-exported as
//! [`validate::{Field, Problem, Rejection}`](crate::validate), where they are made).
//!
//! They live in `error`, not in `validate`, because [`Error::Rejected`](crate::Error::Rejected)
//! carries a [`Rejection`]: `error` sits below `validate` in the crate's layers, and everything
//! a problem names is below it too (the identifiers' leaf errors, [`ProvincePlate`],
//! [`CategoryCode`]).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{PhoneError, TcknError};
use crate::codes::{CategoryCode, ProvincePlate};

/// The year [`Problem::PastDate`] names: [`validate::MIN_RECEIVED_YEAR`](crate::validate::MIN_RECEIVED_YEAR),
/// the first year of the business-day calendar (`validate` asserts at compile time that the two
/// are equal; the calendar is above `error`, so it cannot be named here).
pub(crate) const PAST_DATE_YEAR: i32 = 1981;

/// A field of the application form, for [`Problem::MissingField`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// T.C. Kimlik No.
    Tckn,
    /// Ad.
    Name,
    /// Soyad.
    Surname,
    /// Anne kızlık soyadının ilk ve son harfi.
    MotherMaidenInitials,
    /// Cep telefonu.
    Phone,
    /// Başvuru türü.
    Kind,
    /// Başvuru kanalı.
    Channel,
    /// Başvuru metni.
    Subject,
    /// Kategori.
    Category,
    /// İl.
    Province,
    /// İlçe.
    District,
    /// Doğum yılı.
    BirthYear,
    /// Cinsiyet.
    Gender,
    /// Başvuru zamanı.
    ReceivedAt,
    /// Mihmandarlık gerekçesi.
    Escort,
    /// Doğrudan başvurulan birim.
    DirectToUnit,
}

impl Field {
    /// Every field, in form order.
    pub const ALL: &'static [Field] = &[
        Field::Tckn,
        Field::Name,
        Field::Surname,
        Field::MotherMaidenInitials,
        Field::Phone,
        Field::Kind,
        Field::Channel,
        Field::Subject,
        Field::Category,
        Field::Province,
        Field::District,
        Field::BirthYear,
        Field::Gender,
        Field::ReceivedAt,
        Field::Escort,
        Field::DirectToUnit,
    ];

    /// The field's name on the Turkish form.
    pub fn label_tr(self) -> &'static str {
        match self {
            Field::Tckn => "T.C. Kimlik No",
            Field::Name => "Ad",
            Field::Surname => "Soyad",
            Field::MotherMaidenInitials => "Anne kızlık soyadının ilk ve son harfi",
            Field::Phone => "Cep telefonu numarası",
            Field::Kind => "Başvuru türü",
            Field::Channel => "Başvuru kanalı",
            Field::Subject => "Başvuru metni",
            Field::Category => "Başvuru kategorisi",
            Field::Province => "İl",
            Field::District => "İlçe",
            Field::BirthYear => "Doğum yılı",
            Field::Gender => "Cinsiyet",
            Field::ReceivedAt => "Başvuru zamanı",
            Field::Escort => "Mihmandarlık gerekçesi",
            Field::DirectToUnit => "Doğrudan başvurulan birim",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_tr())
    }
}

/// "A, B, C" for a list of category codes.
fn join_codes(codes: &[CategoryCode]) -> String {
    codes
        .iter()
        .map(CategoryCode::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The suggestions sentence for an unknown category (empty when there are none).
fn suggestions_sentence(codes: &[CategoryCode]) -> String {
    if codes.is_empty() {
        String::new()
    } else {
        format!(" Önerilen kategoriler: {}.", join_codes(codes))
    }
}

/// Sorun: one reason an application input is not processed. `Display` is a Turkish sentence
/// that can be reported to the citizen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Problem {
    /// A required field is empty or absent.
    #[error("{field} girilmemiş; bu bilgi zorunludur.")]
    MissingField {
        /// Which field.
        field: Field,
    },
    /// The TCKN does not parse.
    #[error("{0}.")]
    InvalidTckn(TcknError),
    /// The phone number is not a Turkish mobile number.
    #[error("{0}.")]
    InvalidPhone(PhoneError),
    /// A name or surname with characters other than letters, spaces, `-`, `'` or `.`, fewer
    /// than two letters or more than [`MAX_NAME_CHARS`](crate::validate::MAX_NAME_CHARS) characters.
    #[error(
        "{field} geçersiz: “{given}” (2–50 karakter; yalnızca harf, boşluk, tire veya kesme işareti)."
    )]
    InvalidName {
        /// [`Field::Name`] or [`Field::Surname`].
        field: Field,
        /// As given.
        given: String,
    },
    /// The mother's maiden initials are not exactly two letters.
    #[error(
        "Anne kızlık soyadının ilk ve son harfi iki harf olarak girilmeli (örneğin “KA”): “{given}”."
    )]
    InvalidMotherInitials {
        /// As given.
        given: String,
    },
    /// A birth year that is not a number between [`MIN_BIRTH_YEAR`](crate::validate::MIN_BIRTH_YEAR) and the year of application.
    #[error("Doğum yılı geçersiz: “{given}” (1900 ile başvuru yılı arasında olmalı).")]
    InvalidBirthYear {
        /// As given.
        given: String,
    },
    /// A gender that is not recognised.
    #[error("Cinsiyet “{given}” tanınmadı; kadın veya erkek olmalı.")]
    UnknownGender {
        /// As given.
        given: String,
    },
    /// A kind that is not şikâyet, talep or ihbar.
    #[error("Başvuru türü “{given}” tanınmadı; şikâyet, talep veya ihbar olmalı.")]
    UnknownKind {
        /// As given.
        given: String,
    },
    /// A channel that is not recognised.
    #[error(
        "Başvuru kanalı “{given}” tanınmadı; banko (sözlü), banko (yazılı), web, mobil, e-Devlet, KİOSK veya çağrı merkezi olmalı."
    )]
    UnknownChannel {
        /// As given.
        given: String,
    },
    /// An escort reason that is not recognised.
    #[error(
        "Mihmandarlık gerekçesi “{given}” tanınmadı; yaşlı, engelli, hasta, şehit yakını veya gazi olmalı."
    )]
    UnknownEscortReason {
        /// As given.
        given: String,
    },
    /// The application text is shorter than [`MIN_SUBJECT_CHARS`](crate::validate::MIN_SUBJECT_CHARS).
    #[error("Başvuru metni çok kısa ({len} karakter); en az {min} karakter olmalı.")]
    SubjectTooShort {
        /// Characters given (after trimming).
        len: usize,
        /// The minimum.
        min: usize,
    },
    /// The application text is longer than [`MAX_SUBJECT_CHARS`](crate::validate::MAX_SUBJECT_CHARS).
    #[error("Başvuru metni çok uzun ({len} karakter); en fazla {max} karakter olabilir.")]
    SubjectTooLong {
        /// Characters given (after trimming).
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// No category with that code; `suggestions` are categories whose keywords occur in the code
    /// or in the application text.
    #[error(
        "Başvuru kategorisi “{code}” tanımlı değil.{}",
        suggestions_sentence(suggestions)
    )]
    UnknownCategory {
        /// As given.
        code: String,
        /// Up to three likely categories, best first.
        suggestions: Vec<CategoryCode>,
    },
    /// No province with that plate or name.
    #[error("Girilen il (“{given}”) bulunamadı; il adı ya da 01–81 arası plaka kodu olmalı.")]
    UnknownProvince {
        /// As given.
        given: String,
    },
    /// No district with that name in the province.
    #[error("{province_name} ilinde “{district}” adında bir ilçe bulunamadı.")]
    UnknownDistrict {
        /// The province.
        plate: ProvincePlate,
        /// The province's name, for the message.
        province_name: String,
        /// The district as given.
        district: String,
    },
    /// A reception time that cannot be read.
    #[error(
        "Başvuru zamanı “{given}” okunamadı; 2026-11-23T10:30:00+03:00 veya 23.11.2026 10:30 biçiminde olmalı."
    )]
    InvalidDate {
        /// As given.
        given: String,
    },
    /// The input is not a JSON object of the expected shape (syntax error, unknown field, wrong
    /// type). Nothing else can be checked then; `detail` is the parser's message with its position.
    #[error("Başvuru verisi okunamadı (JSON biçimi hatalı): {detail}.")]
    MalformedInput {
        /// What the JSON parser said, with line and column.
        detail: String,
    },
    /// A field longer than its limit. The value is not echoed, only its length.
    #[error("{field} çok uzun ({len} karakter); en fazla {max} karakter olabilir.")]
    FieldTooLong {
        /// Which field.
        field: Field,
        /// Characters given.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A free-text field with a control character (other than tab and line breaks in the
    /// application text): an ANSI escape sequence, a NUL… The first one is named by its code.
    #[error("{field} denetim karakteri içeremez (U+{code:04X}).")]
    ControlCharacter {
        /// Which field.
        field: Field,
        /// The first control character's code point.
        code: u32,
    },
    /// Keys of the input object that are not fields of the form (a misspelt field name): all of
    /// them are listed, the other fields are still checked.
    #[error(
        "Başvuru verisinde bilinmeyen alan var: {} (alan adı yanlış yazılmış olabilir).",
        fields.join(", ")
    )]
    UnknownFields {
        /// The keys, made safe to show ([`redact::echo`](crate::redact::echo)).
        fields: Vec<String>,
    },
    /// A reception time in the future.
    #[error("Başvuru zamanı ileri bir tarih olamaz: “{given}”.")]
    FutureDate {
        /// As given.
        given: String,
    },
    /// A reception time before [`MIN_RECEIVED_YEAR`](crate::validate::MIN_RECEIVED_YEAR) (the first year of
    /// the business-day calendar; also before 1910 Istanbul's local mean time has an offset in
    /// seconds that RFC 3339 cannot write).
    #[error("Başvuru zamanı {min} yılından önce olamaz: “{given}”.", min = PAST_DATE_YEAR)]
    PastDate {
        /// As given.
        given: String,
    },
    /// A reason recorded as a Turkish sentence only, by code that did not keep problems
    /// structured (journals of event schema 1): the text as it was stored, the field unknown.
    /// [`validate`](crate::validate) never produces it.
    #[error("{text}")]
    Legacy {
        /// The sentence as stored.
        text: String,
    },
}

/// İşleme alınmadı: an application input rejected, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// All problems, in form order; never empty when returned by [`validate`](crate::validate::validate).
    pub problems: Vec<Problem>,
}

impl Rejection {
    /// A rejection for input that could not be read as an application input at all.
    ///
    /// The parser quotes the offending value (`invalid type: integer `10000000146``): the
    /// message goes through [`redact::serde_error`](crate::redact::serde_error), so a TCKN or a
    /// phone number sent as a JSON number, or a name sent where a flag belongs, is not echoed
    /// (KVKK).
    pub fn from_json_error(e: serde_json::Error) -> Rejection {
        Rejection {
            problems: vec![Problem::MalformedInput {
                detail: crate::redact::serde_error(&e),
            }],
        }
    }

    /// Every reason as a Turkish sentence, one per problem.
    pub fn reasons_tr(&self) -> Vec<String> {
        self.problems.iter().map(ToString::to_string).collect()
    }
}

impl fmt::Display for Rejection {
    /// All reasons, one per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Rejection {}
