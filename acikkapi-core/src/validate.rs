//! Doğrulama: turning a raw [`ApplicationInput`] into an [`Application`], or listing **every**
//! reason why not.
//!
//! The rule of the system: *eksik, yanlış veya hatalı bilgi içeren başvurular işleme alınmaz* —
//! an application with incomplete, false or erroneous data is not processed. A [`Rejection`]
//! lists all problems at once, each as a Turkish sentence that can be read out or sent to the
//! citizen, so that they can correct everything in one go.
//!
//! Normalisation on the way: names are trimmed, inner spaces collapsed and put in Turkish title
//! case; the province is accepted as plate or name; the district is resolved to its canonical
//! name; kinds, channels, genders and escort reasons are read in any case, with or without
//! Turkish letters; the category code is upper-cased.
//!
//! ```
//! use acikkapi_core::{application::*, geo::Geography, taxonomy::Taxonomy, validate::*};
//! let input: ApplicationInput = serde_json::from_str(r#"{
//!     "tckn": "10000000146", "name": "  ayşe  nur ", "surname": "YILMAZ",
//!     "mother_maiden_initials": "k.a.", "phone": "0532 000 00 01",
//!     "kind": "şikayet", "channel": "e-Devlet",
//!     "subject": "Mahallemizde üç gündür çöpler toplanmıyor.",
//!     "category": "yerel.diger", "province": "denizli", "district": "PAMUKKALE",
//!     "received_at": "2026-11-23T10:30:00+03:00"
//! }"#).unwrap();
//! let app = validate(&input, Geography::embedded(), Taxonomy::embedded()).unwrap();
//! assert_eq!(app.applicant.name, "Ayşe Nur");
//! assert_eq!(app.applicant.surname, "Yılmaz");
//! assert_eq!(app.applicant.mother_maiden_initials, ('K', 'A'));
//! assert_eq!(app.location.district, "Pamukkale");
//!
//! let bad = ApplicationInput { tckn: Some("12345678901".into()), ..input };
//! let rejection = validate(&bad, Geography::embedded(), Taxonomy::embedded()).unwrap_err();
//! assert_eq!(rejection.reasons_tr(),
//!            ["T.C. Kimlik No geçersiz: kontrol haneleri tutmuyor (123******01)"]);
//! ```

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::application::{
    Applicant, Application, ApplicationInput, ApplicationKind, Channel, EscortReason, Flags,
    Gender, Location, TextOrNumber,
};
use crate::error::{PhoneError, TcknError};
use crate::geo::{Geography, ProvincePlate};
use crate::ids::{PhoneNumber, Tckn};
use crate::taxonomy::{CategoryCode, Taxonomy};
use crate::text::{to_title_tr, to_upper_tr};

/// Shortest accepted application text, in characters.
pub const MIN_SUBJECT_CHARS: usize = 10;
/// Longest accepted application text, in characters.
pub const MAX_SUBJECT_CHARS: usize = 5000;
/// Longest accepted name or surname, in characters.
pub const MAX_NAME_CHARS: usize = 50;
/// Earliest accepted birth year.
pub const MIN_BIRTH_YEAR: i64 = 1900;
/// How far in the future a reception time may be (clock skew between counters), in minutes.
pub const FUTURE_TOLERANCE_MINUTES: i64 = 5;

/// A field of the application form, for [`Problem::MissingField`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
}

impl Field {
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
    #[error("{0}")]
    InvalidTckn(TcknError),
    /// The phone number is not a Turkish mobile number.
    #[error("{0}")]
    InvalidPhone(PhoneError),
    /// A name or surname with characters other than letters, spaces, `-`, `'` or `.`, fewer
    /// than two letters or more than [`MAX_NAME_CHARS`] characters.
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
    /// A birth year that is not a number between [`MIN_BIRTH_YEAR`] and the year of application.
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
    /// The application text is shorter than [`MIN_SUBJECT_CHARS`].
    #[error("Başvuru metni çok kısa ({len} karakter); en az {min} karakter olmalı.")]
    SubjectTooShort {
        /// Characters given (after trimming).
        len: usize,
        /// The minimum.
        min: usize,
    },
    /// The application text is longer than [`MAX_SUBJECT_CHARS`].
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
        "“{code}” diye bir başvuru kategorisi yok.{}",
        suggestions_sentence(suggestions)
    )]
    UnknownCategory {
        /// As given.
        code: String,
        /// Up to three likely categories, best first.
        suggestions: Vec<CategoryCode>,
    },
    /// No province with that plate or name.
    #[error("“{given}” adında ya da plakasında bir il bulunamadı.")]
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
    /// A reception time in the future.
    #[error("Başvuru zamanı ileri bir tarih olamaz: “{given}”.")]
    FutureDate {
        /// As given.
        given: String,
    },
}

/// İşleme alınmadı: an application input rejected, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// All problems, in form order; never empty when returned by [`validate`].
    pub problems: Vec<Problem>,
}

impl Rejection {
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

/// Validates and normalises an application input, with the current time as the reference for
/// "now" (the default reception time, and the limit for future dates). See [`validate_at`].
pub fn validate(
    input: &ApplicationInput,
    geo: &Geography,
    taxonomy: &Taxonomy,
) -> Result<Application, Rejection> {
    let now = Utc::now().with_timezone(&chrono_tz::Europe::Istanbul);
    validate_at(input, geo, taxonomy, now)
}

/// Trimmed, non-empty text of an optional field.
fn text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Trimmed with inner whitespace collapsed to single spaces.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Validates and normalises an application input against `now` (Europe/Istanbul time): the
/// reception time when the input has none, and the latest accepted reception time (plus
/// [`FUTURE_TOLERANCE_MINUTES`]). Deterministic; returns every problem at once.
pub fn validate_at(
    input: &ApplicationInput,
    geo: &Geography,
    taxonomy: &Taxonomy,
    now: DateTime<Tz>,
) -> Result<Application, Rejection> {
    let mut problems = Vec::new();
    let missing = |problems: &mut Vec<Problem>, field| {
        problems.push(Problem::MissingField { field });
    };

    // --- applicant ---
    let id = match text(&input.tckn) {
        None => {
            missing(&mut problems, Field::Tckn);
            None
        }
        Some(s) => Tckn::parse(s)
            .map_err(|e| problems.push(Problem::InvalidTckn(e)))
            .ok(),
    };
    let name = name_field(&input.name, Field::Name, &mut problems);
    let surname = name_field(&input.surname, Field::Surname, &mut problems);
    let initials = match text(&input.mother_maiden_initials) {
        None => {
            missing(&mut problems, Field::MotherMaidenInitials);
            None
        }
        Some(s) => {
            let parsed = parse_initials(s);
            if parsed.is_none() {
                problems.push(Problem::InvalidMotherInitials {
                    given: s.to_string(),
                });
            }
            parsed
        }
    };
    let phone = match text(&input.phone) {
        None => {
            missing(&mut problems, Field::Phone);
            None
        }
        Some(s) => PhoneNumber::parse(s)
            .map_err(|e| problems.push(Problem::InvalidPhone(e)))
            .ok(),
    };

    // The reception time is needed to check the birth year; read it first, report in order.
    let mut time_problems = Vec::new();
    let received_at = match text(&input.received_at) {
        None => Some(now),
        Some(s) => match parse_time(s) {
            None => {
                time_problems.push(Problem::InvalidDate {
                    given: s.to_string(),
                });
                None
            }
            Some(t) if t > now + chrono::Duration::minutes(FUTURE_TOLERANCE_MINUTES) => {
                time_problems.push(Problem::FutureDate {
                    given: s.to_string(),
                });
                None
            }
            Some(t) => Some(t),
        },
    };
    let max_birth_year = i64::from(received_at.unwrap_or(now).year());
    let birth_year = match &input.birth_year {
        None => None,
        Some(TextOrNumber::Text(s)) if s.trim().is_empty() => None,
        Some(v) => {
            let year = match v {
                TextOrNumber::Number(n) => Some(*n),
                TextOrNumber::Text(s) => s.trim().parse::<i64>().ok(),
            }
            .filter(|y| (MIN_BIRTH_YEAR..=max_birth_year).contains(y))
            .and_then(|y| u16::try_from(y).ok());
            if year.is_none() {
                problems.push(Problem::InvalidBirthYear {
                    given: v.to_string(),
                });
            }
            year
        }
    };
    let gender = match text(&input.gender) {
        None => None,
        Some(s) => {
            let g = Gender::parse(s);
            if g.is_none() {
                problems.push(Problem::UnknownGender {
                    given: s.to_string(),
                });
            }
            g
        }
    };

    // --- the application ---
    let kind = match text(&input.kind) {
        None => {
            missing(&mut problems, Field::Kind);
            None
        }
        Some(s) => {
            let k = ApplicationKind::parse(s);
            if k.is_none() {
                problems.push(Problem::UnknownKind {
                    given: s.to_string(),
                });
            }
            k
        }
    };
    let channel = match text(&input.channel) {
        None => {
            missing(&mut problems, Field::Channel);
            None
        }
        Some(s) => {
            let c = Channel::parse(s);
            if c.is_none() {
                problems.push(Problem::UnknownChannel {
                    given: s.to_string(),
                });
            }
            c
        }
    };
    let subject = match text(&input.subject) {
        None => {
            missing(&mut problems, Field::Subject);
            None
        }
        Some(s) => {
            let len = s.chars().count();
            if len < MIN_SUBJECT_CHARS {
                problems.push(Problem::SubjectTooShort {
                    len,
                    min: MIN_SUBJECT_CHARS,
                });
                None
            } else if len > MAX_SUBJECT_CHARS {
                problems.push(Problem::SubjectTooLong {
                    len,
                    max: MAX_SUBJECT_CHARS,
                });
                None
            } else {
                Some(s.to_string())
            }
        }
    };
    let category = match text(&input.category) {
        None => {
            missing(&mut problems, Field::Category);
            None
        }
        Some(s) => {
            let found = CategoryCode::parse(&s.to_ascii_uppercase())
                .ok()
                .filter(|c| taxonomy.category(c).is_some());
            if found.is_none() {
                problems.push(Problem::UnknownCategory {
                    code: s.to_string(),
                    suggestions: suggest(taxonomy, s, text(&input.subject)),
                });
            }
            found
        }
    };
    let province = match &input.province {
        Some(TextOrNumber::Number(n)) => {
            let p = geo.find_province(&n.to_string());
            if p.is_none() {
                problems.push(Problem::UnknownProvince {
                    given: n.to_string(),
                });
            }
            p
        }
        Some(TextOrNumber::Text(s)) if !s.trim().is_empty() => {
            let p = geo.find_province(s.trim());
            if p.is_none() {
                problems.push(Problem::UnknownProvince {
                    given: s.trim().to_string(),
                });
            }
            p
        }
        _ => {
            missing(&mut problems, Field::Province);
            None
        }
    };
    let district = match text(&input.district) {
        None => {
            missing(&mut problems, Field::District);
            None
        }
        // Without a known province the district cannot be checked; the province is reported.
        Some(s) => province.and_then(|p| {
            let d = geo.district(p.plate, s);
            if d.is_none() {
                problems.push(Problem::UnknownDistrict {
                    plate: p.plate,
                    province_name: p.name.clone(),
                    district: collapse(s),
                });
            }
            d
        }),
    };
    problems.extend(time_problems);

    // --- flags ---
    let escort = match text(&input.escort) {
        None => None,
        Some(s) => {
            let e = EscortReason::parse(s);
            if e.is_none() {
                problems.push(Problem::UnknownEscortReason {
                    given: s.to_string(),
                });
            }
            e
        }
    };
    let flags = Flags {
        special: input.special.unwrap_or(false),
        confidential: input.confidential.unwrap_or(false),
        ohal: input.ohal.unwrap_or(false),
        escort,
        hide_identity: input.hide_identity.unwrap_or(false),
        direct_to_unit: text(&input.direct_to_unit).map(collapse),
    };

    match (
        id,
        name,
        surname,
        initials,
        phone,
        kind,
        channel,
        subject,
        category,
        province,
        district,
        received_at,
    ) {
        (
            Some(id),
            Some(name),
            Some(surname),
            Some(mother_maiden_initials),
            Some(phone),
            Some(kind),
            Some(channel),
            Some(subject),
            Some(category),
            Some(province),
            Some(district),
            Some(received_at),
        ) if problems.is_empty() => Ok(Application {
            tracking_number: None,
            kind,
            channel,
            applicant: Applicant {
                id,
                name,
                surname,
                mother_maiden_initials,
                phone,
                birth_year,
                gender,
            },
            subject,
            category,
            location: Location {
                province: province.plate,
                district: district.name.clone(),
            },
            received_at,
            flags,
        }),
        _ => Err(Rejection { problems }),
    }
}

/// A name or surname: required, letters (any script), spaces, `-`, `'`, `’`, `.`; at least two
/// letters; at most [`MAX_NAME_CHARS`]. Normalised to Turkish title case with single spaces.
fn name_field(v: &Option<String>, field: Field, problems: &mut Vec<Problem>) -> Option<String> {
    let Some(s) = text(v) else {
        problems.push(Problem::MissingField { field });
        return None;
    };
    let s = collapse(s);
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    let allowed = s
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.'));
    if !allowed || letters < 2 || s.chars().count() > MAX_NAME_CHARS {
        problems.push(Problem::InvalidName { field, given: s });
        return None;
    }
    Some(to_title_tr(&s))
}

/// Two letters, ignoring dots, spaces and dashes (`"KA"`, `"k.a."`, `"K A"`), upper-cased the
/// Turkish way (`i` → `İ`).
fn parse_initials(s: &str) -> Option<(char, char)> {
    if !s
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, '.' | ' ' | '-'))
    {
        return None;
    }
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    let [a, b] = letters.as_slice() else {
        return None;
    };
    let up = |c: char| {
        let u: Vec<char> = to_upper_tr(&c.to_string()).chars().collect();
        match u.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    };
    Some((up(*a)?, up(*b)?))
}

/// RFC 3339 with any offset, or a local Istanbul time written `2026-11-23T10:30[:00]`,
/// `2026-11-23 10:30[:00]` or `23.11.2026 10:30[:00]`.
fn parse_time(s: &str) -> Option<DateTime<Tz>> {
    let istanbul = chrono_tz::Europe::Istanbul;
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&istanbul));
    }
    const LOCAL_FORMATS: [&str; 6] = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
    ];
    LOCAL_FORMATS.iter().find_map(|f| {
        NaiveDateTime::parse_from_str(s, f)
            .ok()
            .and_then(|n| istanbul.from_local_datetime(&n).earliest())
    })
}

/// Up to three categories suggested for an unknown code: first from the code's own words
/// (`SAGLIK.RANDEVU` → "saglik randevu"), then from the application text.
fn suggest(taxonomy: &Taxonomy, code: &str, subject: Option<&str>) -> Vec<CategoryCode> {
    let code_words: String = code
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut out: Vec<CategoryCode> = Vec::new();
    let from_code = taxonomy.suggest_categories_n(&code_words, 3);
    let from_subject = subject
        .map(|s| taxonomy.suggest_categories_n(s, 3))
        .unwrap_or_default();
    for s in from_code.into_iter().chain(from_subject) {
        if out.len() < 3 && !out.contains(&s.code) {
            out.push(s.code);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn now() -> DateTime<Tz> {
        chrono_tz::Europe::Istanbul
            .with_ymd_and_hms(2026, 11, 23, 12, 0, 0)
            .unwrap()
    }

    fn good() -> ApplicationInput {
        ApplicationInput {
            tckn: Some("10000000146".into()),
            name: Some("  ali   rıza ".into()),
            surname: Some("IŞIK".into()),
            mother_maiden_initials: Some("i.ç".into()),
            phone: Some("0532 000 00 01".into()),
            kind: Some("TALEP".into()),
            channel: Some("çağrı merkezi".into()),
            subject: Some("Sokak lambaları yanmıyor.".into()),
            category: Some("ENERJI.DIGER".into()),
            province: Some(TextOrNumber::Number(20)),
            district: Some("cal".into()),
            received_at: Some("23.11.2026 09:30".into()),
            ..Default::default()
        }
    }

    fn check(input: &ApplicationInput) -> Result<Application, Rejection> {
        validate_at(input, Geography::embedded(), Taxonomy::embedded(), now())
    }

    #[test]
    fn normalises_a_good_input() {
        let app = check(&good()).unwrap();
        assert_eq!(app.applicant.name, "Ali Rıza");
        assert_eq!(app.applicant.surname, "Işık");
        assert_eq!(app.applicant.mother_maiden_initials, ('İ', 'Ç'));
        assert_eq!(app.kind, ApplicationKind::Talep);
        assert_eq!(app.channel, Channel::CagriMerkezi);
        assert_eq!(app.location.district, "Çal");
        assert_eq!(app.location.province.get(), 20);
        assert_eq!(app.received_at.to_rfc3339(), "2026-11-23T09:30:00+03:00");
        assert_eq!(app.flags, Flags::default());
        assert_eq!(app.tracking_number, None);
    }

    #[test]
    fn empty_input_lists_every_missing_field() {
        let r = check(&ApplicationInput::default()).unwrap_err();
        let fields: Vec<Field> = r
            .problems
            .iter()
            .map(|p| match p {
                Problem::MissingField { field } => *field,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        use Field::*;
        assert_eq!(
            fields,
            [
                Tckn,
                Name,
                Surname,
                MotherMaidenInitials,
                Phone,
                Kind,
                Channel,
                Subject,
                Category,
                Province,
                District
            ]
        );
        assert_eq!(
            r.reasons_tr()[0],
            "T.C. Kimlik No girilmemiş; bu bilgi zorunludur."
        );
        assert_eq!(r.to_string().lines().count(), 11);
    }

    #[test]
    fn blank_strings_count_as_missing() {
        let input = ApplicationInput {
            name: Some("   ".into()),
            province: Some(TextOrNumber::Text(" ".into())),
            ..good()
        };
        let r = check(&input).unwrap_err();
        assert_eq!(
            r.problems,
            [
                Problem::MissingField { field: Field::Name },
                Problem::MissingField {
                    field: Field::Province
                }
            ]
        );
    }

    #[test]
    fn each_field_error() {
        let cases: Vec<(ApplicationInput, Problem)> = vec![
            (
                ApplicationInput {
                    name: Some("A".into()),
                    ..good()
                },
                Problem::InvalidName {
                    field: Field::Name,
                    given: "A".into(),
                },
            ),
            (
                ApplicationInput {
                    surname: Some("K4ya".into()),
                    ..good()
                },
                Problem::InvalidName {
                    field: Field::Surname,
                    given: "K4ya".into(),
                },
            ),
            (
                ApplicationInput {
                    mother_maiden_initials: Some("Kaya".into()),
                    ..good()
                },
                Problem::InvalidMotherInitials {
                    given: "Kaya".into(),
                },
            ),
            (
                ApplicationInput {
                    birth_year: Some(TextOrNumber::Number(2027)),
                    ..good()
                },
                Problem::InvalidBirthYear {
                    given: "2027".into(),
                },
            ),
            (
                ApplicationInput {
                    birth_year: Some(TextOrNumber::Text("elli".into())),
                    ..good()
                },
                Problem::InvalidBirthYear {
                    given: "elli".into(),
                },
            ),
            (
                ApplicationInput {
                    gender: Some("x".into()),
                    ..good()
                },
                Problem::UnknownGender { given: "x".into() },
            ),
            (
                ApplicationInput {
                    kind: Some("dilek".into()),
                    ..good()
                },
                Problem::UnknownKind {
                    given: "dilek".into(),
                },
            ),
            (
                ApplicationInput {
                    channel: Some("faks".into()),
                    ..good()
                },
                Problem::UnknownChannel {
                    given: "faks".into(),
                },
            ),
            (
                ApplicationInput {
                    escort: Some("çocuk".into()),
                    ..good()
                },
                Problem::UnknownEscortReason {
                    given: "çocuk".into(),
                },
            ),
            (
                ApplicationInput {
                    subject: Some(" kısa ".into()),
                    ..good()
                },
                Problem::SubjectTooShort {
                    len: 4,
                    min: MIN_SUBJECT_CHARS,
                },
            ),
            (
                ApplicationInput {
                    subject: Some("ç".repeat(5001)),
                    ..good()
                },
                Problem::SubjectTooLong {
                    len: 5001,
                    max: MAX_SUBJECT_CHARS,
                },
            ),
            (
                ApplicationInput {
                    province: Some(TextOrNumber::Number(82)),
                    ..good()
                },
                Problem::UnknownProvince { given: "82".into() },
            ),
            (
                ApplicationInput {
                    province: Some(TextOrNumber::Text("Denizlii".into())),
                    ..good()
                },
                Problem::UnknownProvince {
                    given: "Denizlii".into(),
                },
            ),
            (
                ApplicationInput {
                    district: Some("Kadıköy".into()),
                    ..good()
                },
                Problem::UnknownDistrict {
                    plate: ProvincePlate::new(20).unwrap(),
                    province_name: "Denizli".into(),
                    district: "Kadıköy".into(),
                },
            ),
            (
                ApplicationInput {
                    received_at: Some("dün".into()),
                    ..good()
                },
                Problem::InvalidDate {
                    given: "dün".into(),
                },
            ),
            (
                ApplicationInput {
                    received_at: Some("2026-11-23T12:06:00+03:00".into()),
                    ..good()
                },
                Problem::FutureDate {
                    given: "2026-11-23T12:06:00+03:00".into(),
                },
            ),
            (
                ApplicationInput {
                    tckn: Some("01234567890".into()),
                    ..good()
                },
                Problem::InvalidTckn(TcknError::LeadingZero {
                    input: "012******90".into(),
                }),
            ),
            (
                ApplicationInput {
                    phone: Some("0258 000 00 00".into()),
                    ..good()
                },
                Problem::InvalidPhone(PhoneError::NotMobile {
                    input: "025*********00".into(),
                }),
            ),
        ];
        for (input, expected) in cases {
            let r = check(&input).unwrap_err();
            assert_eq!(r.problems, [expected], "{input:?}");
            // Every sentence is Turkish prose ending with a full stop or a closing parenthesis.
            let s = r.to_string();
            assert!(s.ends_with('.') || s.ends_with(')'), "{s}");
        }
    }

    #[test]
    fn accepted_variants() {
        let ok = |input: ApplicationInput| check(&input).unwrap();
        assert_eq!(
            ok(ApplicationInput {
                received_at: None,
                ..good()
            })
            .received_at,
            now()
        );
        let app = ok(ApplicationInput {
            province: Some(TextOrNumber::Text("  ŞANLIURFA ".into())),
            district: Some("HALİLİYE".into()),
            birth_year: Some(TextOrNumber::Text(" 1960 ".into())),
            gender: Some("Erkek".into()),
            escort: Some("Şehit yakını".into()),
            special: Some(true),
            direct_to_unit: Some("  Halfeti   Kaymakamlığı ".into()),
            received_at: Some("2026-11-23T12:04:00+03:00".into()),
            ..good()
        });
        assert_eq!(app.location.province.get(), 63);
        assert_eq!(app.location.district, "Haliliye");
        assert_eq!(app.applicant.birth_year, Some(1960));
        assert_eq!(app.applicant.gender, Some(Gender::Male));
        assert_eq!(app.flags.escort, Some(EscortReason::MartyrRelative));
        assert!(app.flags.special);
        assert_eq!(
            app.flags.direct_to_unit.as_deref(),
            Some("Halfeti Kaymakamlığı")
        );
        assert_eq!(
            app.deidentified_applicant().age_group.map(|g| g.code()),
            Some("65+")
        );
    }

    #[test]
    fn unknown_category_suggests_from_the_text() {
        let input = ApplicationInput {
            category: Some("SAGLIK.RANDVU".into()),
            ..good()
        };
        let r = check(&input).unwrap_err();
        let [Problem::UnknownCategory { code, suggestions }] = r.problems.as_slice() else {
            panic!("{r:?}");
        };
        assert_eq!(code, "SAGLIK.RANDVU");
        assert!(suggestions.len() <= 3);
        for s in suggestions {
            assert!(Taxonomy::embedded().category(s).is_some());
        }
    }

    #[test]
    fn rejection_converts_into_the_crate_error_and_serializes() {
        let r = check(&ApplicationInput {
            kind: Some("?".into()),
            ..good()
        })
        .unwrap_err();
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"problems":[{"problem":"unknown_kind","given":"?"}]}"#
        );
        assert_eq!(serde_json::from_str::<Rejection>(&json).unwrap(), r);
        let tckn = check(&ApplicationInput {
            tckn: Some("1".into()),
            ..good()
        })
        .unwrap_err();
        let json = serde_json::to_string(&tckn).unwrap();
        assert_eq!(serde_json::from_str::<Rejection>(&json).unwrap(), tckn);
        let e: crate::Error = r.into();
        assert!(e.to_string().starts_with("başvuru işleme alınamaz"));
        assert!(e.to_string().ends_with("şikâyet, talep veya ihbar olmalı."));
    }

    #[test]
    fn initials_forms() {
        assert_eq!(parse_initials("KA"), Some(('K', 'A')));
        assert_eq!(parse_initials("k. a."), Some(('K', 'A')));
        assert_eq!(parse_initials("ıi"), Some(('I', 'İ')));
        assert_eq!(parse_initials("K"), None);
        assert_eq!(parse_initials("KAY"), None);
        assert_eq!(parse_initials("K1"), None);
    }

    proptest! {
        /// Arbitrary inputs never panic; a rejection is never empty; an acceptance has no problems.
        #[test]
        fn never_panics(
            tckn in proptest::option::of(".{0,12}"),
            name in proptest::option::of(".{0,12}"),
            phone in proptest::option::of("[0-9 +()-]{0,16}"),
            province in proptest::option::of(".{0,10}"),
            district in proptest::option::of(".{0,10}"),
            initials in proptest::option::of(".{0,4}"),
            received in proptest::option::of(".{0,25}"),
            year in proptest::option::of(any::<i64>()),
        ) {
            let input = ApplicationInput {
                tckn, name, phone, district,
                province: province.map(TextOrNumber::Text),
                mother_maiden_initials: initials,
                received_at: received,
                birth_year: year.map(TextOrNumber::Number),
                ..good()
            };
            match check(&input) {
                Ok(app) => prop_assert_eq!(Some(app.applicant.id.expose()), input.tckn.as_deref().map(str::trim)),
                Err(r) => prop_assert!(!r.problems.is_empty()),
            }
        }
    }
}
