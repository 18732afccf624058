//! Serde round trips of the public types that are stored or exchanged: generated valid
//! applications (full form), route requests and the decisions the router makes for them
//! (plain and explained), holidays of any supported year, notifications and outbox events, and
//! the coverage reports of the embedded organisations.

use acikkapi_core::application::{Application, ApplicationInput, TextOrNumber};
use acikkapi_core::calendar::{Calendar, Holiday, SUPPORTED_YEARS};
use acikkapi_core::geo::{Geography, ProvincePlate};
use acikkapi_core::ids::{Full, PhoneNumber, Tckn, TrackingNumber};
use acikkapi_core::notify::{DeliveryReceipt, IdempotencyKey, Notification, OutboxEvent};
use acikkapi_core::org::{CoverageReport, Organisation};
use acikkapi_core::routing::{Decision, RouteRequest, Router};
use acikkapi_core::taxonomy::Taxonomy;
use acikkapi_core::validate::validate_at;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let json = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(&back, value, "{json}");
}

/// Round trip of the stored form: serialized inside [`Full`] (identifiers unmasked).
fn round_trip_full<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let json = serde_json::to_string(&Full(value)).unwrap();
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(&back, value, "{json}");
}

const PLATES: [u8; 2] = [20, 34];

fn category() -> impl Strategy<Value = usize> {
    0..Taxonomy::embedded().categories().len()
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (0i64..3650)
        .prop_map(|d| NaiveDate::from_ymd_opt(2019, 1, 1).unwrap() + chrono::Duration::days(d))
}

fn request() -> impl Strategy<Value = RouteRequest> {
    (
        prop::sample::select(PLATES.to_vec()),
        category(),
        any::<prop::sample::Index>(),
        date(),
        prop::sample::select(vec!["sikayet", "talep", "ihbar"]),
        any::<(bool, bool, bool)>(),
        0u8..=5,
        "\\PC{0,40}",
    )
        .prop_map(
            |(plate, cat, district, date, kind, flags, importance, text)| {
                let plate = ProvincePlate::new(plate).unwrap();
                let districts = Geography::embedded().districts(plate);
                let district = &districts[district.index(districts.len())].name;
                let cat = Taxonomy::embedded().categories()[cat].code.clone();
                let mut r = RouteRequest::new(cat, plate, district, date);
                r.kind = acikkapi_core::application::ApplicationKind::parse(kind).unwrap();
                (r.special, r.ohal, r.confidential) = flags;
                r.importance = importance;
                r.text = text;
                r
            },
        )
}

fn input() -> impl Strategy<Value = ApplicationInput> {
    (
        (
            1u32..999_999_999,
            "[A-ZÇĞİÖŞÜ][a-zçğıöşü]{1,12}",
            "[a-zçğıöşü]{2,12}",
        ),
        (0u32..99_999_999, prop::option::of(1930u16..2010)),
        request(),
        (
            0i64..1_000_000,
            prop::sample::select(vec!["web", "e-Devlet", "banko_sozlu", "telefon"]),
        ),
        (
            any::<bool>(),
            prop::option::of(prop::sample::select(vec!["yaşlı", "engelli", "gazi"])),
        ),
    )
        .prop_map(
            |(
                (first_nine, name, surname),
                (phone, birth),
                r,
                (minutes, channel),
                (hide, escort),
            )| {
                let received = chrono_tz::Europe::Istanbul
                    .with_ymd_and_hms(2024, 1, 1, 9, 0, 0)
                    .unwrap()
                    + chrono::Duration::minutes(minutes);
                ApplicationInput {
                    tckn: Some(Tckn::from_first_nine(first_nine).expose().to_string()),
                    name: Some(name),
                    surname: Some(surname),
                    mother_maiden_initials: Some("KA".into()),
                    phone: Some(format!("53{phone:08}")),
                    birth_year: birth.map(|y| TextOrNumber::Number(y.into())),
                    kind: Some(r.kind.code().to_owned()),
                    channel: Some(channel.into()),
                    subject: Some(format!(
                        "Başvuru konusu: {} yeterince uzun bir metin.",
                        r.text
                    )),
                    category: Some(r.category.to_string()),
                    province: Some(TextOrNumber::Number(r.province.get().into())),
                    district: Some(r.district.clone()),
                    received_at: Some(received.to_rfc3339()),
                    special: Some(r.special),
                    confidential: Some(r.confidential),
                    ohal: Some(r.ohal),
                    escort: escort.map(String::from),
                    hide_identity: Some(hide),
                    ..ApplicationInput::default()
                }
            },
        )
}

fn utc(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn valid_applications_round_trip_in_full_form(input in input(), seq in 1u32..9_999_999) {
        let now = chrono_tz::Europe::Istanbul.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let mut app = validate_at(&input, Geography::embedded(), Taxonomy::embedded(), now)
            .unwrap_or_else(|r| panic!("{r}: {input:?}"));
        app.tracking_number = TrackingNumber::new(app.location.province, 2026, seq).ok();
        let json = serde_json::to_string(&Full(&app)).unwrap();
        let back: Application = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &app);
        // The default (log) form masks the identifiers and is not accepted back as an application.
        let log = serde_json::to_string(&app).unwrap();
        prop_assert!(!log.contains(app.applicant.id.expose()));
        prop_assert!(!log.contains(app.applicant.phone.national()));
        prop_assert!(serde_json::from_str::<Application>(&log).is_err());
        round_trip(&app.deidentified_applicant());
    }

    #[test]
    fn requests_and_decisions_round_trip(req in request()) {
        round_trip(&req);
        let router = Router::shared(req.province).unwrap();
        if let Ok(d) = router.route(&req) {
            round_trip::<Decision>(&d);
        }
        if let Ok(d) = router.explain(&req) {
            round_trip::<Decision>(&d);
        }
    }

    #[test]
    fn holidays_round_trip(year in SUPPORTED_YEARS) {
        for h in Calendar::legal().holidays(year).unwrap() {
            round_trip::<Holiday>(&h);
        }
    }

    #[test]
    fn notifications_and_outbox_events_round_trip(
        key in "\\PC{1,30}", recipient in "\\+90532[0-9]{7}", body in "\\PC{0,200}",
        at in 0i64..100_000_000,
        segments in prop::option::of(1u32..10), retry in prop::option::of(1i64..100_000),
    ) {
        let n = Notification::sms(key.clone(), PhoneNumber::parse(&recipient).unwrap(), body.clone());
        // Stored in full (the outbox's journal), shown masked.
        round_trip_full(&n);
        prop_assert!(!serde_json::to_string(&n).unwrap().contains(&recipient[6..]));
        let k = IdempotencyKey(key);
        for e in [
            OutboxEvent::Enqueued { notification: n.clone(), at: utc(at) },
            OutboxEvent::Delivered {
                key: k.clone(),
                at: utc(at),
                receipt: DeliveryReceipt { provider_id: body.clone(), segments },
            },
            OutboxEvent::AttemptFailed {
                key: k.clone(),
                at: utc(at),
                error: body.clone(),
                next_attempt_at: retry.map(|r| utc(at + r)),
            },
        ] {
            round_trip_full(&e);
        }
    }
}

#[test]
fn coverage_reports_round_trip() {
    for plate in PLATES {
        let org = Organisation::for_province(ProvincePlate::new(plate).unwrap()).unwrap();
        round_trip::<CoverageReport>(&org.coverage(Taxonomy::embedded()));
    }
}
