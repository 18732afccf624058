//! Unit tests of validation.

use super::*;
use crate::application::{EscortReason, Gender};
use crate::error::{PhoneError, TcknError};
use crate::geo::ProvincePlate;
use chrono::TimeZone;
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
            // Fuzzing regression (fuzz/regressions/application_json/): a reception time in 1013
            // was accepted and did not survive its own JSON round trip.
            ApplicationInput {
                received_at: Some("1013-11-18T22:40:00Z".into()),
                ..good()
            },
            Problem::PastDate {
                given: "1013-11-18T22:40:00Z".into(),
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
        // Every reason is a sentence: capitalised, ending with a full stop.
        let s = r.to_string();
        assert!(s.ends_with('.'), "{s}");
        assert!(s.chars().next().is_some_and(char::is_uppercase), "{s}");
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
    let folded = ok(ApplicationInput {
        category: Some(" sağlık.diğer ".into()),
        ..good()
    });
    assert_eq!(folded.category.as_str(), "SAGLIK.DIGER");
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

/// Fuzzing regression (fuzz/regressions/application_json/tckn_as_number.json): a TCKN or a phone
/// number sent as a JSON number was echoed unmasked in the "malformed input" message.
#[test]
fn malformed_input_message_masks_quoted_values() {
    for (json, secret) in [
        (r#"{"tckn": 10000000146}"#, "10000000146"),
        (r#"{"phone": 5321234567}"#, "5321234567"),
        (r#"{"special": "Ayşe Yılmaz"}"#, "Ayşe Yılmaz"),
        (r#"{"tckn": 1.0000000146e10}"#, "10000000146"),
        // Backticks in an unknown field name broke the quote pairing (fuzz finding).
        (r#"{"mother_m``a``99000000110``X": 1}"#, "99000000110"),
    ] {
        let e = serde_json::from_str::<ApplicationInput>(json).unwrap_err();
        let r = Rejection::from_json_error(e);
        let text = format!("{r} {}", serde_json::to_string(&r).unwrap());
        assert!(!text.contains(secret), "{text}");
        assert!(text.contains("JSON"), "{text}");
    }
    let e = serde_json::from_str::<ApplicationInput>(r#"{"phonee": "x"}"#).unwrap_err();
    let r = Rejection::from_json_error(e).to_string();
    assert!(r.contains("`phonee`") && r.contains("`phone`"), "{r}");
}
