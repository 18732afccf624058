//! The bundled sample applications validate, or fail with exactly the expected problems; a valid
//! application survives a JSON round trip in the full (storage) form; a rejected input lists
//! every problem at once.

use std::path::PathBuf;

use acikkapi_core::application::{
    Application, ApplicationInput, ApplicationKind, Channel, EscortReason, Gender,
};
use acikkapi_core::geo::{Geography, ProvincePlate};
use acikkapi_core::ids::{Full, PhoneError, TcknError, TrackingNumber};
use acikkapi_core::taxonomy::Taxonomy;
use acikkapi_core::validate::{Problem, Rejection, validate, validate_at};
use chrono::TimeZone;

fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/samples")
}

fn load(name: &str) -> ApplicationInput {
    let path = samples_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn check(input: &ApplicationInput) -> Result<Application, Rejection> {
    let now = chrono_tz::Europe::Istanbul
        .with_ymd_and_hms(2026, 11, 23, 12, 0, 0)
        .unwrap();
    validate_at(input, Geography::embedded(), Taxonomy::embedded(), now)
}

fn plate(n: u8) -> ProvincePlate {
    ProvincePlate::new(n).unwrap()
}

#[test]
fn there_are_six_samples_and_all_are_covered_here() {
    let mut names: Vec<String> = std::fs::read_dir(samples_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "01_sikayet_edevlet_denizli.json",
            "02_talep_banko_mihmandar_istanbul.json",
            "03_ihbar_web_istanbul.json",
            "04_ozellikli_banko_yazili_denizli.json",
            "05_hatali_istanbul.json",
            "06_birime_dogrudan_denizli.json",
        ]
    );
}

#[test]
fn sample_01_sikayet_from_e_devlet() {
    let app = check(&load("01_sikayet_edevlet_denizli.json")).unwrap();
    assert_eq!(app.kind, ApplicationKind::Sikayet);
    assert_eq!(app.channel, Channel::EDevlet);
    assert_eq!(app.location.province, plate(20));
    assert_eq!(app.location.district, "Pamukkale");
    assert_eq!(app.category.as_str(), "YEREL.COP");
    assert_eq!(app.applicant.name, "Ayşe Nur");
    assert_eq!(app.applicant.gender, Some(Gender::Female));
    assert_eq!(app.received_at.to_rfc3339(), "2026-11-16T09:12:44+03:00");
    assert_eq!(app.flags, Default::default());
}

#[test]
fn sample_02_talep_at_the_counter_with_escort() {
    let app = check(&load("02_talep_banko_mihmandar_istanbul.json")).unwrap();
    assert_eq!(app.kind, ApplicationKind::Talep);
    assert_eq!(app.channel, Channel::BankoSozlu);
    assert_eq!(app.flags.escort, Some(EscortReason::Elderly));
    assert_eq!(app.applicant.name, "Mehmet Ali");
    assert_eq!(app.applicant.surname, "Öztürk");
    assert_eq!(app.applicant.mother_maiden_initials, ('Ş', 'N'));
    assert_eq!(app.applicant.phone.expose(), "+905420000002");
    assert_eq!(app.location.province, plate(34));
    assert_eq!(app.location.district, "Üsküdar");
    assert_eq!(app.received_at.to_rfc3339(), "2026-11-17T10:05:00+03:00");
    assert_eq!(
        app.deidentified_applicant().age_group.map(|g| g.code()),
        Some("65+")
    );
}

#[test]
fn sample_03_confidential_ihbar() {
    let app = check(&load("03_ihbar_web_istanbul.json")).unwrap();
    assert_eq!(app.kind, ApplicationKind::Ihbar);
    assert_eq!(app.channel, Channel::Web);
    assert!(app.flags.confidential && app.flags.hide_identity);
    assert_eq!(app.location.district, "Esenyurt");
    // 22:40 UTC is 01:40 the next day in İstanbul.
    assert_eq!(app.received_at.to_rfc3339(), "2026-11-19T01:40:00+03:00");
    assert_eq!(app.applicant.birth_year, None);
}

#[test]
fn sample_04_special_application() {
    let app = check(&load("04_ozellikli_banko_yazili_denizli.json")).unwrap();
    assert!(app.flags.special);
    assert_eq!(app.channel, Channel::BankoYazili);
    assert_eq!(app.location.district, "Merkezefendi");
    assert_eq!(app.category.as_str(), "SAGLIK.RANDEVU");
}

#[test]
fn sample_05_lists_every_problem_at_once() {
    let r = check(&load("05_hatali_istanbul.json")).unwrap_err();
    // Suggestions depend on the taxonomy's keywords: compare them separately.
    let mut problems = r.problems.clone();
    let mut suggestions = Vec::new();
    for p in &mut problems {
        if let Problem::UnknownCategory { suggestions: s, .. } = p {
            suggestions = std::mem::take(s);
        }
    }
    assert_eq!(
        problems,
        [
            Problem::InvalidTckn(TcknError::Checksum {
                input: "100******47".into()
            }),
            Problem::InvalidPhone(PhoneError::NotMobile {
                input: "021*********05".into()
            }),
            Problem::UnknownCategory {
                code: "SAGLIK.RANDVU".into(),
                suggestions: vec![]
            },
            Problem::UnknownDistrict {
                plate: plate(34),
                province_name: "İstanbul".into(),
                district: "Karşıyaka".into()
            },
        ]
    );
    // The text speaks of "randevu": the intended category is among the suggestions.
    assert!(
        suggestions.iter().any(|c| c.as_str() == "SAGLIK.RANDEVU"),
        "{suggestions:?}"
    );
    assert!(suggestions.len() <= 3);
    let reasons = r.reasons_tr();
    assert_eq!(reasons.len(), 4);
    assert_eq!(
        reasons[0],
        "T.C. Kimlik No geçersiz: kontrol haneleri tutmuyor (100******47)."
    );
    assert_eq!(
        reasons[3],
        "İstanbul ilinde “Karşıyaka” adında bir ilçe bulunamadı."
    );
    assert!(
        reasons[2].starts_with("Başvuru kategorisi “SAGLIK.RANDVU” tanımlı değil."),
        "{}",
        reasons[2]
    );
    assert_eq!(r.to_string(), reasons.join("\n"));
    // Nothing in the rejection leaks the full TCKN or phone number as typed.
    let all = format!("{r} {r:?} {}", serde_json::to_string(&r).unwrap());
    assert!(!all.contains("10000000147") && !all.contains("000 00 05"));
}

#[test]
fn sample_06_direct_to_unit_by_a_foreigner() {
    let app = check(&load("06_birime_dogrudan_denizli.json")).unwrap();
    assert_eq!(
        app.flags.direct_to_unit.as_deref(),
        Some("Denizli İl Göç İdaresi Müdürlüğü")
    );
    assert!(app.applicant.id.is_foreigner());
    assert_eq!(app.channel, Channel::Mobil);
}

#[test]
fn valid_samples_also_pass_with_the_real_clock() {
    for name in [
        "01_sikayet_edevlet_denizli.json",
        "02_talep_banko_mihmandar_istanbul.json",
        "03_ihbar_web_istanbul.json",
        "04_ozellikli_banko_yazili_denizli.json",
        "06_birime_dogrudan_denizli.json",
    ] {
        let input = load(name);
        validate(&input, Geography::embedded(), Taxonomy::embedded())
            .unwrap_or_else(|r| panic!("{name}: {r}"));
    }
}

#[test]
fn full_json_round_trip_is_lossless_and_default_json_is_masked() {
    for name in [
        "01_sikayet_edevlet_denizli.json",
        "02_talep_banko_mihmandar_istanbul.json",
        "03_ihbar_web_istanbul.json",
        "04_ozellikli_banko_yazili_denizli.json",
        "06_birime_dogrudan_denizli.json",
    ] {
        let mut app = check(&load(name)).unwrap();
        app.tracking_number = Some(TrackingNumber::new(app.location.province, 2026, 42).unwrap());
        let stored = serde_json::to_string(&Full(&app)).unwrap();
        let back: Application = serde_json::from_str(&stored).unwrap();
        assert_eq!(back, app, "{name}");
        assert_eq!(back.received_at.timezone(), chrono_tz::Europe::Istanbul);
        let log = serde_json::to_string(&app).unwrap();
        assert!(!log.contains(app.applicant.id.expose()), "{name}");
        assert!(!log.contains(app.applicant.phone.expose()), "{name}");
        assert!(serde_json::from_str::<Application>(&log).is_err(), "{name}");
        let debug = format!("{app:?} {}", app.applicant);
        assert!(!debug.contains(app.applicant.id.expose()), "{name}");
        assert!(
            !debug.contains(&app.applicant.phone.expose()[3..]),
            "{name}"
        );
    }
}

#[test]
fn json_field_names_are_stable() {
    let app = check(&load("02_talep_banko_mihmandar_istanbul.json")).unwrap();
    let v: serde_json::Value = serde_json::to_value(Full(&app)).unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&v),
        [
            "applicant",
            "category",
            "channel",
            "flags",
            "kind",
            "location",
            "received_at",
            "subject",
            "tracking_number"
        ]
    );
    assert_eq!(
        keys(&v["applicant"]),
        [
            "birth_year",
            "gender",
            "id",
            "mother_maiden_initials",
            "name",
            "phone",
            "surname"
        ]
    );
    assert_eq!(
        keys(&v["flags"]),
        [
            "confidential",
            "direct_to_unit",
            "escort",
            "hide_identity",
            "ohal",
            "special"
        ]
    );
    assert_eq!(v["kind"], "talep");
    assert_eq!(v["channel"], "banko_sozlu");
    assert_eq!(v["flags"]["escort"], "elderly");
    assert_eq!(v["location"]["province"], "34");
    assert_eq!(v["applicant"]["mother_maiden_initials"], "ŞN");
    assert_eq!(v["received_at"], "2026-11-17T10:05:00+03:00");
}

#[test]
fn unknown_input_fields_are_rejected() {
    let err =
        serde_json::from_str::<ApplicationInput>(r#"{"tckn":"10000000146","ilce":"Pamukkale"}"#)
            .unwrap_err();
    assert!(err.to_string().contains("ilce"), "{err}");
}

// --- hostile input (issue 12: personal data and output safety) ----------------------------------

/// Sample 01 with one field replaced by `value`.
fn with_field(field: &str, value: serde_json::Value) -> ApplicationInput {
    let path = samples_dir().join("01_sikayet_edevlet_denizli.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v[field] = value;
    serde_json::from_value(v).unwrap_or_else(|e| panic!("{field}: {e}"))
}

/// Everything a rejection shows: its Turkish text and its default JSON.
fn shown(r: &Rejection) -> String {
    format!("{r}\n{}", serde_json::to_string(r).unwrap())
}

#[test]
fn tckn_or_phone_typed_into_another_field_is_masked_in_the_rejection() {
    let fields = [
        "name",
        "surname",
        "gender",
        "kind",
        "channel",
        "district",
        "province",
        "received_at",
        "mother_maiden_initials",
        "escort",
        "category",
    ];
    // The TCKN as typed, spaced out, and a phone number in its common forms.
    let secrets = [
        ("10000000146", "0000001"),
        ("100 000 001 46", "000 001"),
        ("0532 123 45 67", "123 45"),
        ("(532) 123-45-67", "123-45"),
        ("+90 532 123 45 67", "123 45"),
    ];
    for field in fields {
        for (secret, core) in secrets {
            let r = check(&with_field(field, secret.into())).expect_err(field);
            let out = shown(&r);
            assert!(!out.contains(core), "{field}: {secret:?} leaked in {out}");
            // The problem is still there, with the masked value: the clerk sees which field.
            assert!(out.contains('*'), "{field}: {out}");
        }
    }
    // A TCKN sent as a JSON number where a province belongs.
    let r = check(&with_field("province", 10000000146u64.into())).unwrap_err();
    assert!(!shown(&r).contains("0000001"), "{}", shown(&r));
    // Dates and short numbers stay readable.
    let r = check(&with_field("received_at", "23.11.2026 25:30".into())).unwrap_err();
    assert!(r.to_string().contains("23.11.2026 25:30"), "{r}");
    let r = check(&with_field("district", "Merkez 20100".into())).unwrap_err();
    assert!(r.to_string().contains("20100"), "{r}");
}

#[test]
fn control_characters_and_ansi_escapes_are_never_echoed_raw() {
    for field in [
        "name", "gender", "kind", "channel", "district", "category", "escort",
    ] {
        let r = check(&with_field(
            field,
            "\u{1b}[2J\u{1b}[31mkötü\u{7}\u{202e}".into(),
        ))
        .expect_err(field);
        let out = r.to_string();
        assert!(
            !out.chars()
                .any(|c| matches!(c, '\u{1b}' | '\u{7}' | '\u{202e}')),
            "{field}: {out:?}"
        );
        assert!(out.contains("\\u{1b}[2J"), "{field}: {out:?}");
    }
}

#[test]
fn subjects_without_visible_text_are_rejected() {
    for subject in [
        "\0".repeat(20),
        "\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\u{e}\u{f}\u{10}\u{11}".to_string(),
        "\u{200b}".repeat(20),
        "\u{200b}\u{200c}\u{200d}\u{2060}\u{feff}".repeat(4),
        format!("a{}", "\u{200b}".repeat(30)),
    ] {
        let r = check(&with_field("subject", subject.clone().into()))
            .expect_err(&format!("{subject:?}"));
        assert_eq!(r.problems.len(), 1, "{r}");
    }
    // ANSI escapes and other control characters in an otherwise good text are refused, with the
    // field named: the text goes to officers' screens and into reports.
    let r = check(&with_field(
        "subject",
        "Çöpler toplanmıyor \u{1b}[2J\u{1b}[31m bir haftadır.".into(),
    ))
    .unwrap_err();
    assert!(r.to_string().contains("Başvuru metni"), "{r}");
    // Line breaks, tabs and the zero-width joiner of an emoji stay allowed.
    let ok = "Çöpler\n\ttoplanmıyor 👩\u{200d}👧 bir haftadır.\r\nLütfen.";
    assert!(check(&with_field("subject", ok.into())).is_ok());
}

#[test]
fn oversized_fields_are_refused_with_their_length_not_their_content() {
    let huge = "x".repeat(1_000_000);
    for field in [
        "tckn",
        "name",
        "phone",
        "gender",
        "kind",
        "channel",
        "category",
        "province",
        "district",
        "received_at",
        "mother_maiden_initials",
        "escort",
        "direct_to_unit",
        "subject",
    ] {
        let r = check(&with_field(field, huge.clone().into())).expect_err(field);
        let out = shown(&r);
        assert!(out.len() < 2_000, "{field}: {} bytes shown", out.len());
        assert!(
            out.contains("1000000"),
            "{field}: the length is shown: {out}"
        );
    }
    // `direct_to_unit` is free text: bounded, and no control characters.
    let long_unit = "Pamukkale Belediyesi ".repeat(20);
    assert!(check(&with_field("direct_to_unit", long_unit.into())).is_err());
    assert!(check(&with_field("direct_to_unit", "Pamukkale\u{1b}[2J".into())).is_err());
    assert!(check(&with_field("direct_to_unit", "Pamukkale Belediyesi".into())).is_ok());
}

#[test]
fn leap_seconds_are_refused() {
    for t in [
        "2026-11-16T09:12:60+03:00",
        "2016-12-31T23:59:60Z",
        "2026-11-16T09:12:60",
        "16.11.2026 09:12:60",
    ] {
        let r = check(&with_field("received_at", t.into())).expect_err(t);
        assert!(
            matches!(r.problems.as_slice(), [Problem::InvalidDate { .. }]),
            "{t}: {r}"
        );
    }
    assert!(
        check(&with_field(
            "received_at",
            "2026-11-16T09:12:59+03:00".into()
        ))
        .is_ok()
    );
}
