//! What a [`Problem`] is about, without what the applicant gave: the field and the kind of
//! reason, for counting rejections (analysts group *işleme alınmayan* applications by field).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::TcknError;
use crate::error::{Field, Problem};

/// The kind of a [`Problem`] (its variant), named as in the problem's JSON (`"problem"` tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProblemKind {
    /// [`Problem::MissingField`].
    MissingField,
    /// [`Problem::InvalidTckn`].
    InvalidTckn,
    /// [`Problem::InvalidPhone`].
    InvalidPhone,
    /// [`Problem::InvalidName`].
    InvalidName,
    /// [`Problem::InvalidMotherInitials`].
    InvalidMotherInitials,
    /// [`Problem::InvalidBirthYear`].
    InvalidBirthYear,
    /// [`Problem::UnknownGender`].
    UnknownGender,
    /// [`Problem::UnknownKind`].
    UnknownKind,
    /// [`Problem::UnknownChannel`].
    UnknownChannel,
    /// [`Problem::UnknownEscortReason`].
    UnknownEscortReason,
    /// [`Problem::SubjectTooShort`].
    SubjectTooShort,
    /// [`Problem::SubjectTooLong`].
    SubjectTooLong,
    /// [`Problem::UnknownCategory`].
    UnknownCategory,
    /// [`Problem::UnknownProvince`].
    UnknownProvince,
    /// [`Problem::UnknownDistrict`].
    UnknownDistrict,
    /// [`Problem::InvalidDate`].
    InvalidDate,
    /// [`Problem::MalformedInput`].
    MalformedInput,
    /// [`Problem::FieldTooLong`].
    FieldTooLong,
    /// [`Problem::ControlCharacter`].
    ControlCharacter,
    /// [`Problem::UnknownFields`].
    UnknownFields,
    /// [`Problem::FutureDate`].
    FutureDate,
    /// [`Problem::PastDate`].
    PastDate,
    /// [`Problem::Legacy`].
    Legacy,
}

impl ProblemKind {
    /// The name used in JSON (`"missing_field"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::MissingField => "missing_field",
            ProblemKind::InvalidTckn => "invalid_tckn",
            ProblemKind::InvalidPhone => "invalid_phone",
            ProblemKind::InvalidName => "invalid_name",
            ProblemKind::InvalidMotherInitials => "invalid_mother_initials",
            ProblemKind::InvalidBirthYear => "invalid_birth_year",
            ProblemKind::UnknownGender => "unknown_gender",
            ProblemKind::UnknownKind => "unknown_kind",
            ProblemKind::UnknownChannel => "unknown_channel",
            ProblemKind::UnknownEscortReason => "unknown_escort_reason",
            ProblemKind::SubjectTooShort => "subject_too_short",
            ProblemKind::SubjectTooLong => "subject_too_long",
            ProblemKind::UnknownCategory => "unknown_category",
            ProblemKind::UnknownProvince => "unknown_province",
            ProblemKind::UnknownDistrict => "unknown_district",
            ProblemKind::InvalidDate => "invalid_date",
            ProblemKind::MalformedInput => "malformed_input",
            ProblemKind::FieldTooLong => "field_too_long",
            ProblemKind::ControlCharacter => "control_character",
            ProblemKind::UnknownFields => "unknown_fields",
            ProblemKind::FutureDate => "future_date",
            ProblemKind::PastDate => "past_date",
            ProblemKind::Legacy => "legacy",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem reduced to what may be counted: its kind and the form field it is about (`None`
/// for problems of the whole input: malformed JSON, unknown keys, and legacy sentences).
/// Carries nothing the applicant wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ProblemSummary {
    /// The form field, when the problem is about one.
    pub field: Option<Field>,
    /// The kind of problem.
    pub kind: ProblemKind,
}

impl Problem {
    /// The kind of problem (its variant).
    pub fn kind(&self) -> ProblemKind {
        match self {
            Problem::MissingField { .. } => ProblemKind::MissingField,
            Problem::InvalidTckn(_) => ProblemKind::InvalidTckn,
            Problem::InvalidPhone(_) => ProblemKind::InvalidPhone,
            Problem::InvalidName { .. } => ProblemKind::InvalidName,
            Problem::InvalidMotherInitials { .. } => ProblemKind::InvalidMotherInitials,
            Problem::InvalidBirthYear { .. } => ProblemKind::InvalidBirthYear,
            Problem::UnknownGender { .. } => ProblemKind::UnknownGender,
            Problem::UnknownKind { .. } => ProblemKind::UnknownKind,
            Problem::UnknownChannel { .. } => ProblemKind::UnknownChannel,
            Problem::UnknownEscortReason { .. } => ProblemKind::UnknownEscortReason,
            Problem::SubjectTooShort { .. } => ProblemKind::SubjectTooShort,
            Problem::SubjectTooLong { .. } => ProblemKind::SubjectTooLong,
            Problem::UnknownCategory { .. } => ProblemKind::UnknownCategory,
            Problem::UnknownProvince { .. } => ProblemKind::UnknownProvince,
            Problem::UnknownDistrict { .. } => ProblemKind::UnknownDistrict,
            Problem::InvalidDate { .. } => ProblemKind::InvalidDate,
            Problem::MalformedInput { .. } => ProblemKind::MalformedInput,
            Problem::FieldTooLong { .. } => ProblemKind::FieldTooLong,
            Problem::ControlCharacter { .. } => ProblemKind::ControlCharacter,
            Problem::UnknownFields { .. } => ProblemKind::UnknownFields,
            Problem::FutureDate { .. } => ProblemKind::FutureDate,
            Problem::PastDate { .. } => ProblemKind::PastDate,
            Problem::Legacy { .. } => ProblemKind::Legacy,
        }
    }

    /// The form field the problem is about; `None` for problems of the whole input
    /// ([`Problem::MalformedInput`], [`Problem::UnknownFields`]) and for
    /// [`Problem::Legacy`] sentences.
    pub fn field(&self) -> Option<Field> {
        Some(match self {
            Problem::MissingField { field }
            | Problem::InvalidName { field, .. }
            | Problem::FieldTooLong { field, .. }
            | Problem::ControlCharacter { field, .. } => *field,
            Problem::InvalidTckn(_) => Field::Tckn,
            Problem::InvalidPhone(_) => Field::Phone,
            Problem::InvalidMotherInitials { .. } => Field::MotherMaidenInitials,
            Problem::InvalidBirthYear { .. } => Field::BirthYear,
            Problem::UnknownGender { .. } => Field::Gender,
            Problem::UnknownKind { .. } => Field::Kind,
            Problem::UnknownChannel { .. } => Field::Channel,
            Problem::UnknownEscortReason { .. } => Field::Escort,
            Problem::SubjectTooShort { .. } | Problem::SubjectTooLong { .. } => Field::Subject,
            Problem::UnknownCategory { .. } => Field::Category,
            Problem::UnknownProvince { .. } => Field::Province,
            Problem::UnknownDistrict { .. } => Field::District,
            Problem::InvalidDate { .. } | Problem::FutureDate { .. } | Problem::PastDate { .. } => {
                Field::ReceivedAt
            }
            Problem::MalformedInput { .. }
            | Problem::UnknownFields { .. }
            | Problem::Legacy { .. } => {
                return None;
            }
        })
    }

    /// Field and kind, nothing the applicant wrote.
    ///
    /// ```
    /// use acikkapi_core::validate::{Field, Problem, ProblemKind};
    /// let p = Problem::MissingField { field: Field::Phone };
    /// assert_eq!(p.summary().field, Some(Field::Phone));
    /// assert_eq!(p.summary().kind, ProblemKind::MissingField);
    /// ```
    pub fn summary(&self) -> ProblemSummary {
        ProblemSummary {
            field: self.field(),
            kind: self.kind(),
        }
    }

    /// A reason stored as a Turkish sentence by code that kept no structure (event schema 1),
    /// read back: the structured problem when one renders to exactly that sentence (a missing
    /// field), else [`Problem::Legacy`] with the sentence. Either way the problem's `Display`
    /// is the stored sentence.
    ///
    /// ```
    /// use acikkapi_core::validate::{Field, Problem};
    /// let p = Problem::from_legacy_text("Cep telefonu numarası girilmemiş; bu bilgi zorunludur.");
    /// assert_eq!(p, Problem::MissingField { field: Field::Phone });
    /// let q = Problem::from_legacy_text("mükerrer başvuru");
    /// assert_eq!(q.to_string(), "mükerrer başvuru");
    /// assert_eq!(q.field(), None);
    /// ```
    pub fn from_legacy_text(text: &str) -> Problem {
        legacy_candidates(text)
            .into_iter()
            .find(|p| p.to_string() == text)
            .unwrap_or_else(|| Problem::Legacy {
                text: text.to_owned(),
            })
    }
}

/// The text between `prefix` and `suffix`, when `text` is exactly that.
fn between<'a>(text: &'a str, prefix: &str, suffix: &str) -> Option<&'a str> {
    text.strip_prefix(prefix)?.strip_suffix(suffix)
}

/// Structured problems a legacy sentence may be the rendering of; the caller keeps one only if
/// it renders to exactly the sentence, so a guess here can never change what is shown.
fn legacy_candidates(text: &str) -> Vec<Problem> {
    let mut out: Vec<Problem> = Field::ALL
        .iter()
        .map(|&field| Problem::MissingField { field })
        .collect();
    let numbers = |s: &str| -> Option<(usize, usize)> {
        let (a, b) = s.split_once(" karakter); en ")?;
        let b = b.strip_prefix("az ").or_else(|| b.strip_prefix("fazla "))?;
        let b = b.split_once(' ')?.0;
        Some((a.parse().ok()?, b.parse().ok()?))
    };
    if let Some((len, min)) = text
        .strip_prefix("Başvuru metni çok kısa (")
        .and_then(numbers)
    {
        out.push(Problem::SubjectTooShort { len, min });
    }
    if let Some((len, max)) = text
        .strip_prefix("Başvuru metni çok uzun (")
        .and_then(numbers)
    {
        out.push(Problem::SubjectTooLong { len, max });
    }
    // The TCKN problems quote the input masked, in parentheses at the end.
    let tckn = |prefix: &str| between(text, prefix, ").").map(str::to_owned);
    if let Some(input) = tckn("T.C. Kimlik No geçersiz: kontrol haneleri tutmuyor (") {
        out.push(Problem::InvalidTckn(TcknError::Checksum { input }));
    }
    if let Some(input) = tckn("T.C. Kimlik No yalnızca rakamlardan oluşmalı (") {
        out.push(Problem::InvalidTckn(TcknError::NotDigits { input }));
    }
    if let Some(input) = tckn("T.C. Kimlik No 0 ile başlayamaz (") {
        out.push(Problem::InvalidTckn(TcknError::LeadingZero { input }));
    }
    if let Some(rest) = tckn("T.C. Kimlik No 11 haneli olmalı (")
        && let Some((len, input)) = rest.split_once(" hane girildi: ")
        && let Ok(len) = len.parse()
    {
        out.push(Problem::InvalidTckn(TcknError::WrongLength {
            input: input.to_owned(),
            len,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_is_named_as_in_the_problems_json() {
        let problems = [
            Problem::MissingField { field: Field::Name },
            Problem::SubjectTooShort { len: 1, min: 10 },
            Problem::UnknownFields {
                fields: vec!["x".into()],
            },
            Problem::Legacy { text: "x".into() },
        ];
        for p in problems {
            let json = serde_json::to_value(&p).unwrap();
            assert_eq!(json["problem"], p.kind().as_str());
            assert_eq!(serde_json::to_value(p.kind()).unwrap(), p.kind().as_str());
        }
    }

    #[test]
    fn every_missing_field_sentence_reads_back_as_that_field() {
        for &field in Field::ALL {
            let p = Problem::MissingField { field };
            assert_eq!(Problem::from_legacy_text(&p.to_string()), p);
        }
    }

    #[test]
    fn sentences_of_other_problems_read_back_only_when_they_render_the_same() {
        let known = [
            Problem::SubjectTooShort { len: 1, min: 10 },
            Problem::SubjectTooLong {
                len: 5001,
                max: 5000,
            },
            Problem::InvalidTckn(TcknError::Checksum {
                input: "123******01".into(),
            }),
            Problem::InvalidTckn(TcknError::NotDigits {
                input: "12a******01".into(),
            }),
            Problem::InvalidTckn(TcknError::LeadingZero {
                input: "012******01".into(),
            }),
            Problem::InvalidTckn(TcknError::WrongLength {
                input: "123***".into(),
                len: 6,
            }),
        ];
        for p in known {
            assert_eq!(Problem::from_legacy_text(&p.to_string()), p);
        }
        for text in [
            "mükerrer başvuru",
            "Başvuru metni çok kısa (1 karakter); en az 10 karakter olmalı",
            "Başvuru metni çok kısa (x karakter); en az 10 karakter olmalı.",
            "Başvuru metni çok kısa (01 karakter); en az 10 karakter olmalı.",
            "Cep telefonu numarası girilmemiş; bu bilgi zorunludur. ",
            "T.C. Kimlik No 11 haneli olmalı (6 hane girildi 123***).",
        ] {
            let p = Problem::from_legacy_text(text);
            assert_eq!(p.kind(), ProblemKind::Legacy, "{text}");
            assert_eq!(p.field(), None);
            assert_eq!(p.to_string(), text);
        }
    }
}
