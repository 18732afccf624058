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
//! Hostile input (SECURITY.md G2, G5): every field but the application text is at most
//! [`MAX_FIELD_CHARS`] characters ([`Problem::FieldTooLong`], shown by its length); a value
//! quoted in a problem goes through [`redact::echo`](crate::redact::echo) (identifier-like digits
//! masked, control characters escaped, long values replaced by their length); the application
//! text and `direct_to_unit` refuse control characters ([`Problem::ControlCharacter`]; tab and
//! line breaks are allowed in the text), and invisible characters do not count towards the
//! text's minimum length; a leap second is refused. [`validate_json`] reads JSON text: a byte
//! order mark is dropped and every unknown key is listed ([`Problem::UnknownFields`]) with the
//! other problems.
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
//!            ["T.C. Kimlik No geçersiz: kontrol haneleri tutmuyor (123******01)."]);
//! ```

mod json;
mod summary;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;

use crate::application::{
    Applicant, Application, ApplicationInput, ApplicationKind, Channel, EscortReason, Flags,
    Gender, Location, TextOrNumber,
};
use crate::geo::{Geography, Province};
use crate::ids::{PhoneNumber, Tckn};
use crate::taxonomy::{CategoryCode, Taxonomy};
use crate::text::{to_title_tr, to_upper_tr};

pub use crate::error::{Field, Problem, Rejection};
pub use json::{
    MAX_UNKNOWN_FIELDS_LISTED, input_field_names, input_from_json, validate_json, validate_json_at,
};
pub use summary::{ProblemKind, ProblemSummary};

/// Shortest accepted application text, in characters.
pub const MIN_SUBJECT_CHARS: usize = 10;
/// Longest accepted application text, in characters.
pub const MAX_SUBJECT_CHARS: usize = 5000;
/// Longest accepted name or surname, in characters.
pub const MAX_NAME_CHARS: usize = 50;
/// Earliest accepted birth year.
pub const MIN_BIRTH_YEAR: i64 = 1900;
/// Earliest accepted reception year: the first year of the business-day calendar
/// ([`SUPPORTED_YEARS`](crate::calendar::SUPPORTED_YEARS)), so every valid application has a
/// deadline. (Found by fuzzing: a time in 1013 came back 8 seconds off from its JSON, Istanbul's
/// local mean time offset having seconds.)
pub const MIN_RECEIVED_YEAR: i32 = *crate::calendar::SUPPORTED_YEARS.start();
// The message of `Problem::PastDate` (in `error`, below the calendar) names the same year.
const _: () = assert!(MIN_RECEIVED_YEAR == crate::error::PAST_DATE_YEAR);
/// How far in the future a reception time may be (clock skew between counters), in minutes.
pub const FUTURE_TOLERANCE_MINUTES: i64 = 5;
/// Longest accepted value, in characters, of every field but the application text (which has
/// [`MAX_SUBJECT_CHARS`]): identifiers, codes, names of places and units, times. A longer value
/// is a [`Problem::FieldTooLong`], shown by its length, never echoed.
pub const MAX_FIELD_CHARS: usize = 200;

/// Validates and normalises an application input, with the current time as the reference for
/// "now" (the default reception time, and the limit for future dates). See [`validate_at`].
pub fn validate(
    input: &ApplicationInput,
    geo: &Geography,
    taxonomy: &Taxonomy,
) -> Result<Application, Rejection> {
    let now = crate::time::to_local(Utc::now());
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

/// Number of characters of `s`, counted only as far as needed to tell whether it exceeds `max`
/// (a byte length within the limit is a character count within it).
fn too_long(s: &str, max: usize) -> Option<usize> {
    (s.len() > max)
        .then(|| s.chars().count())
        .filter(|&n| n > max)
}

/// Collects problems while the fields are read.
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    /// The text of an optional field; `None` with a [`Problem::FieldTooLong`] when longer than
    /// [`MAX_FIELD_CHARS`].
    fn optional<'a>(&mut self, v: &'a Option<String>, field: Field) -> Option<&'a str> {
        self.capped(text(v)?, field)
    }

    /// `t`, or `None` with a [`Problem::FieldTooLong`] when longer than [`MAX_FIELD_CHARS`].
    fn capped<'a>(&mut self, t: &'a str, field: Field) -> Option<&'a str> {
        match too_long(t, MAX_FIELD_CHARS) {
            Some(len) => {
                self.problems.push(Problem::FieldTooLong {
                    field,
                    len,
                    max: MAX_FIELD_CHARS,
                });
                None
            }
            None => Some(t),
        }
    }

    /// The text of a required field; a [`Problem::MissingField`] when absent or blank, a
    /// [`Problem::FieldTooLong`] when longer than [`MAX_FIELD_CHARS`].
    fn required<'a>(&mut self, v: &'a Option<String>, field: Field) -> Option<&'a str> {
        self.present(v, field).and_then(|t| self.capped(t, field))
    }

    /// The text of a required field, of any length; a [`Problem::MissingField`] when absent or
    /// blank.
    fn present<'a>(&mut self, v: &'a Option<String>, field: Field) -> Option<&'a str> {
        let t = text(v);
        if t.is_none() {
            self.problems.push(Problem::MissingField { field });
        }
        t
    }

    /// `parse(s)`, or the problem `bad(echo)` when it gives nothing, where `echo` is `s` made
    /// safe to show ([`redact::echo`](crate::redact::echo)): every rejection message that quotes
    /// the input quotes it through here.
    fn read<T>(
        &mut self,
        s: &str,
        parse: impl FnOnce(&str) -> Option<T>,
        bad: impl FnOnce(String) -> Problem,
    ) -> Option<T> {
        let v = parse(s);
        if v.is_none() {
            self.problems.push(bad(crate::redact::echo(s)));
        }
        v
    }

    /// `s` when it has no control character; otherwise a [`Problem::ControlCharacter`] naming
    /// the first one (`allowed` lists the ones that may occur).
    fn no_control<'a>(&mut self, s: &'a str, field: Field, allowed: &[char]) -> Option<&'a str> {
        match s.chars().find(|c| c.is_control() && !allowed.contains(c)) {
            Some(c) => {
                self.problems.push(Problem::ControlCharacter {
                    field,
                    code: u32::from(c),
                });
                None
            }
            None => Some(s),
        }
    }

    /// `parse(s)`, or the problem made from its error.
    fn try_read<T, E>(
        &mut self,
        s: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
        bad: impl FnOnce(E) -> Problem,
    ) -> Option<T> {
        parse(s).map_err(|e| self.problems.push(bad(e))).ok()
    }
}

/// Validates and normalises an application input against `now` (Europe/Istanbul time): the
/// reception time when the input has none, and the latest accepted reception time (plus
/// [`FUTURE_TOLERANCE_MINUTES`]). Deterministic; returns every problem at once, in form order.
pub fn validate_at(
    input: &ApplicationInput,
    geo: &Geography,
    taxonomy: &Taxonomy,
    now: DateTime<Tz>,
) -> Result<Application, Rejection> {
    let mut c = Checker {
        problems: Vec::new(),
    };

    // --- applicant ---
    let id = c
        .required(&input.tckn, Field::Tckn)
        .and_then(|s| c.try_read(s, Tckn::parse, Problem::InvalidTckn));
    let name = name_field(&mut c, &input.name, Field::Name);
    let surname = name_field(&mut c, &input.surname, Field::Surname);
    let initials = c
        .required(&input.mother_maiden_initials, Field::MotherMaidenInitials)
        .and_then(|s| {
            c.read(s, parse_initials, |given| Problem::InvalidMotherInitials {
                given,
            })
        });
    let phone = c
        .required(&input.phone, Field::Phone)
        .and_then(|s| c.try_read(s, PhoneNumber::parse, Problem::InvalidPhone));

    // The reception time bounds the birth year: read it now, report it in form order (last).
    let mut late = Checker {
        problems: Vec::new(),
    };
    let received_at = match text(&input.received_at) {
        None => Some(now),
        Some(_)
            if late
                .optional(&input.received_at, Field::ReceivedAt)
                .is_none() =>
        {
            None
        }
        Some(s) => late
            .read(s, parse_time, |given| Problem::InvalidDate { given })
            .and_then(|t| {
                let limit = now + chrono::Duration::minutes(FUTURE_TOLERANCE_MINUTES);
                late.read(
                    s,
                    |_| (t <= limit).then_some(t),
                    |given| Problem::FutureDate { given },
                )
            })
            .and_then(|t| {
                late.read(
                    s,
                    |_| (t.year() >= MIN_RECEIVED_YEAR).then_some(t),
                    |given| Problem::PastDate { given },
                )
            }),
    };
    let max_birth_year = i64::from(received_at.unwrap_or(now).year());
    let birth_year = match &input.birth_year {
        None => None,
        Some(TextOrNumber::Text(s)) if s.trim().is_empty() => None,
        Some(TextOrNumber::Text(s)) if c.capped(s, Field::BirthYear).is_none() => None,
        Some(v) => c.read(
            &v.to_string(),
            |s| {
                s.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|y| (MIN_BIRTH_YEAR..=max_birth_year).contains(y))
                    .and_then(|y| u16::try_from(y).ok())
            },
            |given| Problem::InvalidBirthYear { given },
        ),
    };
    let gender = c
        .optional(&input.gender, Field::Gender)
        .and_then(|s| c.read(s, Gender::parse, |given| Problem::UnknownGender { given }));

    // --- the application ---
    let kind = c.required(&input.kind, Field::Kind).and_then(|s| {
        c.read(s, ApplicationKind::parse, |given| Problem::UnknownKind {
            given,
        })
    });
    let channel = c
        .required(&input.channel, Field::Channel)
        .and_then(|s| c.read(s, Channel::parse, |given| Problem::UnknownChannel { given }));
    let subject = c
        .present(&input.subject, Field::Subject)
        .and_then(|s| subject_field(&mut c, s));
    let category = c.required(&input.category, Field::Category).and_then(|s| {
        let found = CategoryCode::parse(&normalise_code(s))
            .ok()
            .filter(|code| taxonomy.category(code).is_some());
        c.read(
            s,
            |_| found,
            |code| Problem::UnknownCategory {
                suggestions: suggest(taxonomy, s, text(&input.subject)),
                code,
            },
        )
    });
    let province: Option<&Province> = match &input.province {
        Some(TextOrNumber::Text(s))
            if !s.trim().is_empty() && c.capped(s.trim(), Field::Province).is_none() =>
        {
            None
        }
        Some(v) if !v.to_string().trim().is_empty() => c.read(
            v.to_string().trim(),
            |s| geo.find_province(s),
            |given| Problem::UnknownProvince { given },
        ),
        _ => {
            c.problems.push(Problem::MissingField {
                field: Field::Province,
            });
            None
        }
    };
    // Without a known province the district cannot be checked; the province is reported.
    let district = c.required(&input.district, Field::District).and_then(|s| {
        let p = province?;
        c.read(
            s,
            |s| geo.district(p.plate, s),
            |d| Problem::UnknownDistrict {
                plate: p.plate,
                province_name: p.name.clone(),
                district: collapse(&d),
            },
        )
    });
    c.problems.append(&mut late.problems);

    // --- flags ---
    let escort = c.optional(&input.escort, Field::Escort).and_then(|s| {
        c.read(s, EscortReason::parse, |given| {
            Problem::UnknownEscortReason { given }
        })
    });
    let direct_to_unit = c
        .optional(&input.direct_to_unit, Field::DirectToUnit)
        .and_then(|s| c.no_control(s, Field::DirectToUnit, &[]))
        .map(collapse);
    let flags = Flags {
        special: input.special.unwrap_or(false),
        confidential: input.confidential.unwrap_or(false),
        ohal: input.ohal.unwrap_or(false),
        escort,
        hide_identity: input.hide_identity.unwrap_or(false),
        direct_to_unit,
    };

    let problems = c.problems;
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

/// The application text: trimmed, [`MIN_SUBJECT_CHARS`]..=[`MAX_SUBJECT_CHARS`] characters,
/// no control character but tab and line breaks. Invisible characters (zero-width spaces and
/// joiners, bidirectional marks: [`redact::is_invisible`](crate::redact::is_invisible)) are
/// kept but do not count towards the minimum: a text of nothing else is too short.
fn subject_field(c: &mut Checker, s: &str) -> Option<String> {
    let len = s.chars().count();
    if len <= MAX_SUBJECT_CHARS {
        c.no_control(s, Field::Subject, &['\t', '\n', '\r'])?;
    }
    let visible = s
        .chars()
        .filter(|&ch| !crate::redact::is_invisible(ch))
        .count();
    if visible < MIN_SUBJECT_CHARS {
        c.problems.push(Problem::SubjectTooShort {
            len: visible,
            min: MIN_SUBJECT_CHARS,
        });
        None
    } else if len < MIN_SUBJECT_CHARS {
        c.problems.push(Problem::SubjectTooShort {
            len,
            min: MIN_SUBJECT_CHARS,
        });
        None
    } else if len > MAX_SUBJECT_CHARS {
        c.problems.push(Problem::SubjectTooLong {
            len,
            max: MAX_SUBJECT_CHARS,
        });
        None
    } else {
        Some(s.to_string())
    }
}

/// A category code as a clerk might type it (`sağlık.diğer`) in the taxonomy's form
/// (`SAGLIK.DIGER`): Turkish upper case, Turkish letters folded to ASCII.
fn normalise_code(s: &str) -> String {
    to_upper_tr(s)
        .chars()
        .map(|c| match c {
            'Ç' => 'C',
            'Ğ' => 'G',
            'İ' => 'I',
            'Ö' => 'O',
            'Ş' => 'S',
            'Ü' => 'U',
            'Â' => 'A',
            'Î' => 'I',
            'Û' => 'U',
            other => other,
        })
        .collect()
}

/// A name or surname: required, letters (any script), spaces, `-`, `'`, `’`, `.`; at least two
/// letters; at most [`MAX_NAME_CHARS`]. Normalised to Turkish title case with single spaces.
fn name_field(c: &mut Checker, v: &Option<String>, field: Field) -> Option<String> {
    let s = collapse(c.required(v, field)?);
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    let allowed = s
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.'));
    if !allowed || letters < 2 || s.chars().count() > MAX_NAME_CHARS {
        c.problems.push(Problem::InvalidName {
            field,
            given: crate::redact::echo(&s),
        });
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
/// `2026-11-23 10:30[:00]` or `23.11.2026 10:30[:00]`. A leap second (`:60`) is refused at any
/// minute: chrono reads one at every minute, no counter's clock shows one (they repeat or smear
/// the second), and the last one was in 2016.
fn parse_time(s: &str) -> Option<DateTime<Tz>> {
    parse_time_or_leap(s).filter(|t| t.nanosecond() < 1_000_000_000)
}

fn parse_time_or_leap(s: &str) -> Option<DateTime<Tz>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(crate::time::to_local(t));
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
            .and_then(crate::time::from_local_checked)
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
