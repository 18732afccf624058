//! Integration tests of the organisation files and the native router.

use acikkapi_core::geo::{Geography, ProvincePlate};
use acikkapi_core::org::{OfficerRole, Organisation, UnitId, UnitKind};
use acikkapi_core::routing::{DecidedBy, Priority, RouteRequest, Router, Rule, Target, Visibility};
use acikkapi_core::taxonomy::{CategoryCode, Level, Taxonomy};
use chrono::NaiveDate;
use proptest::prelude::*;

/// Routers built once per province for the property tests.
fn router(p: ProvincePlate) -> &'static Router {
    static CACHE: std::sync::OnceLock<Vec<std::sync::OnceLock<Router>>> =
        std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(|| (0..81).map(|_| std::sync::OnceLock::new()).collect());
    cache[usize::from(p.get() - 1)].get_or_init(|| Router::for_province(p).unwrap())
}

fn plate(n: u8) -> ProvincePlate {
    ProvincePlate::new(n).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn cat(code: &str) -> CategoryCode {
    CategoryCode::parse(code).unwrap()
}

/// A district-level category of the embedded taxonomy, if any; else the first category.
fn some_category(level: Level) -> CategoryCode {
    let tax = Taxonomy::embedded();
    tax.categories()
        .iter()
        .find(|c| c.level == level)
        .unwrap_or(&tax.categories()[0])
        .code
        .clone()
}

fn req(p: u8, district: &str, d: NaiveDate) -> RouteRequest {
    RouteRequest::new(cat("SAGLIK.DIGER"), plate(p), district, d)
}

#[test]
fn denizli_and_istanbul_files_load_clean() {
    for p in [20, 34] {
        let (name, text) = Organisation::embedded_file(plate(p)).unwrap();
        let org = Organisation::from_toml(text, name).unwrap_or_else(|e| panic!("{e}"));
        assert!(org.units().iter().all(|u| !u.generated), "{name}");
        assert!(org.units().len() > 100, "{name}: {}", org.units().len());
        let full = Organisation::for_province(plate(p)).unwrap();
        assert!(full.coverage(Taxonomy::embedded()).is_complete());
    }
}

#[test]
fn ordinary_route_goes_to_the_yetkili_with_a_7_day_deadline() {
    let r = Router::for_province(plate(20)).unwrap();
    let d = r
        .explain(&req(20, "Merkezefendi", date(2026, 11, 23)))
        .unwrap();
    let Target::Route { unit, officer } = &d.target else {
        panic!("{d:?}")
    };
    let (u, o) = r.org().officer(officer).unwrap();
    assert_eq!(&u.id, unit);
    assert_eq!(o.role, OfficerRole::Yetkili);
    assert_eq!(d.priority, Priority::Normal);
    assert_eq!(d.deadline_days, 7);
    assert_eq!(d.visibility, Visibility::Standard);
    assert_eq!(d.decided_by, DecidedBy::Native);
    assert_eq!(d.rule_set_version, None);
    assert_eq!(
        d.registered_by.as_ref().unwrap().as_str(),
        "20.MERKEZEFENDI.ACIK_KAPI"
    );
    assert_eq!(d.escalation.last().unwrap().as_str(), "20.VALILIK");
    assert_eq!(
        d.escalation_officers.last().unwrap().as_str(),
        "20.VALILIK.VALI"
    );
    assert!(d.trace.len() >= 4, "{:#?}", d.trace);
    // route() gives the same decision without the trace.
    let fast = r
        .route(&req(20, "MERKEZEFENDİ", date(2026, 11, 23)))
        .unwrap();
    assert!(fast.trace.is_empty());
    assert_eq!(fast.target, d.target);
    assert_eq!(fast.escalation, d.escalation);
}

#[test]
fn merkezefendi_registration_switches_on_2019_07_15() {
    let r = Router::for_province(plate(20)).unwrap();
    for (district, own) in [
        ("Merkezefendi", "20.MERKEZEFENDI.ACIK_KAPI"),
        ("Pamukkale", "20.PAMUKKALE.ACIK_KAPI"),
    ] {
        let before = r.explain(&req(20, district, date(2019, 7, 14))).unwrap();
        assert_eq!(before.registered_by.unwrap().as_str(), "20.ACIK_KAPI");
        assert!(
            before.trace.iter().any(|t| t.contains("2019-07-15")),
            "{:#?}",
            before.trace
        );
        let after = r.route(&req(20, district, date(2019, 7, 15))).unwrap();
        assert_eq!(after.registered_by.unwrap().as_str(), own);
    }
    // Before the province's unit existed: rejected.
    let early = r.route(&req(20, "Merkezefendi", date(2018, 6, 1))).unwrap();
    assert!(matches!(early.target, Target::Reject { .. }));
    assert_eq!(early.registered_by, None);
}

#[test]
fn special_goes_to_vali_vy_or_kaymakam() {
    let r = Router::for_province(plate(20)).unwrap();
    let mut q = req(20, "Tavas", date(2026, 11, 23));
    q.special = true;
    q.importance = 5;
    let d = r.route(&q).unwrap();
    assert_eq!(d.officer().unwrap().as_str(), "20.VALILIK.VALI");
    assert_eq!(d.priority, Priority::Urgent);
    assert_eq!(d.deadline_days, 3);
    assert!(d.escalation_officers.is_empty());

    q.importance = 2;
    let d = r.route(&q).unwrap();
    let officer = d.officer().unwrap();
    let (_, o) = r.org().officer(officer).unwrap();
    let province_category = Taxonomy::embedded()
        .category(&q.category)
        .is_some_and(|c| c.level == Level::Province);
    if province_category {
        assert_eq!(o.role, OfficerRole::ValiYardimcisi);
        assert_eq!(officer.as_str(), "20.VALILIK.VY_SOSYAL");
        assert_eq!(
            d.escalation_officers
                .iter()
                .map(|o| o.as_str())
                .collect::<Vec<_>>(),
            ["20.VALILIK.VALI"]
        );
    }
    assert_eq!(d.priority, Priority::High);
    assert_eq!(d.deadline_days, 5);

    // A district category in a district with a kaymakamlık: the kaymakam.
    let district_cat = some_category(Level::District);
    if Taxonomy::embedded().category(&district_cat).unwrap().level == Level::District {
        q.category = district_cat;
        let d = r.route(&q).unwrap();
        assert_eq!(
            d.officer().unwrap().as_str(),
            "20.TAVAS.KAYMAKAMLIK.KAYMAKAM"
        );
        assert_eq!(d.escalation.last().unwrap().as_str(), "20.VALILIK");
    }
}

#[test]
fn ohal_confidential_redirect() {
    let r = Router::for_province(plate(34)).unwrap();
    let mut q = req(34, "Kadıköy", date(2026, 11, 23));
    q.ohal = true;
    let d = r.explain(&q).unwrap();
    assert_eq!(d.unit().unwrap().as_str(), "34.OHAL");
    assert_eq!(
        r.org().unit(d.unit().unwrap()).unwrap().kind,
        UnitKind::OhalBurosu
    );
    assert!(d.trace.iter().any(|t| t.contains("OHAL")));
    // The bureau escalates to its vali yardımcısı (security) and the vali.
    assert_eq!(
        d.escalation_officers
            .iter()
            .map(|o| o.as_str())
            .collect::<Vec<_>>(),
        ["34.VALILIK.VY_GUVENLIK", "34.VALILIK.VALI"]
    );

    q.ohal = false;
    q.confidential = true;
    let d = r.route(&q).unwrap();
    let Visibility::Restricted { officers } = &d.visibility else {
        panic!("{d:?}")
    };
    assert!(officers.contains(d.officer().unwrap()));
    assert!(officers.iter().any(|o| o.as_str() == "34.VALILIK.VALI"));
    let (unit, _) = r.org().officer(d.officer().unwrap()).unwrap();
    assert!(officers.iter().any(|o| {
        unit.officers
            .iter()
            .any(|x| x.id == *o && x.role == OfficerRole::Yedek)
    }));

    q.confidential = false;
    q.direct_to_unit = Some("kadıköy belediyesi".into());
    let d = r.route(&q).unwrap();
    assert_eq!(
        d.target,
        Target::Redirect {
            unit: UnitId::parse("34.KADIKOY.BELEDIYE").unwrap()
        }
    );
    assert_eq!(
        d.escalation.first().unwrap().as_str(),
        "34.KADIKOY.BELEDIYE"
    );

    q.direct_to_unit = Some("Gotham Belediyesi".into());
    let d = r.explain(&q).unwrap();
    assert!(matches!(d.target, Target::Route { .. }));
    assert!(d.trace.iter().any(|t| t.contains("bulunamadı")));
}

#[test]
fn absent_yetkili_is_replaced_by_the_yedek() {
    let text = Organisation::embedded_file(plate(20)).unwrap().1.replace(
        "{ role = \"yetkili\", title = \"İl Sağlık Müdür Yardımcısı (Açık Kapı irtibat görevlisi)\" }",
        "{ role = \"yetkili\", title = \"İl Sağlık Müdür Yardımcısı (Açık Kapı irtibat görevlisi)\", unavailable = [{ from = \"2026-11-20\", to = \"2026-11-27\" }] }",
    );
    let org = Organisation::from_toml(&text, "t").unwrap();
    let r = Router::from_org(org);
    let tax = Taxonomy::embedded();
    let Some(c) = tax
        .categories()
        .iter()
        .find(|c| c.institution.as_str() == "SAGLIK_MUDURLUGU" && c.level == Level::Province)
    else {
        return;
    };
    let mut q = req(20, "Tavas", date(2026, 11, 23));
    q.category = c.code.clone();
    let d = r.explain(&q).unwrap();
    assert_eq!(d.officer().unwrap().as_str(), "20.SAGLIK_MUDURLUGU.YEDEK");
    assert!(d.substitute);
    q.date = date(2026, 11, 30);
    let d = r.route(&q).unwrap();
    assert_eq!(d.officer().unwrap().as_str(), "20.SAGLIK_MUDURLUGU.YETKILI");
    assert!(!d.substitute);
}

#[test]
fn bad_requests_are_errors() {
    let r = Router::for_province(plate(20)).unwrap();
    assert!(r.route(&req(34, "Kadıköy", date(2026, 1, 5))).is_err());
    assert!(r.route(&req(20, "Atlantis", date(2026, 1, 5))).is_err());
    let mut q = req(20, "Tavas", date(2026, 1, 5));
    q.category = cat("YOK.YOK");
    assert!(r.route(&q).is_err());
}

#[test]
fn decision_for_unit_builds_a_full_decision() {
    let r = Router::for_province(plate(20)).unwrap();
    let q = req(20, "Pamukkale", date(2026, 11, 23));
    let unit = UnitId::parse("20.PAMUKKALE.BELEDIYE").unwrap();
    let d = r
        .decision_for_unit(&q, &unit, "il kuralı: belediye")
        .unwrap();
    assert_eq!(d.unit(), Some(&unit));
    assert_eq!(
        d.officer().unwrap().as_str(),
        "20.PAMUKKALE.BELEDIYE.YETKILI"
    );
    assert_eq!(d.trace[0], "betik kararı: il kuralı: belediye");
    assert_eq!(d.escalation.last().unwrap().as_str(), "20.VALILIK");
    let k = UnitId::parse("20.PAMUKKALE.KAYMAKAMLIK").unwrap();
    assert!(r.decision_for_unit(&q, &k, "x").is_ok());
    assert!(
        r.decision_for_unit(&q, &UnitId::parse("20.YOK").unwrap(), "x")
            .is_err()
    );
    assert!(
        r.decision_for_unit(&q, &UnitId::parse("TR.SGB").unwrap(), "x")
            .is_err()
    );
}

#[test]
fn decisions_serialize_snake_case() {
    let r = Router::for_province(plate(20)).unwrap();
    let mut q = req(20, "Pamukkale", date(2026, 11, 23));
    q.confidential = true;
    let d = r.explain(&q).unwrap();
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(v["target"]["kind"], "route");
    assert_eq!(v["visibility"]["kind"], "restricted");
    assert_eq!(v["decided_by"]["kind"], "native");
    assert_eq!(v["deadline_days"], 7);
    let back: acikkapi_core::routing::Decision = serde_json::from_value(v).unwrap();
    assert_eq!(back, d);
    let rq: RouteRequest = serde_json::from_str(
        r#"{"category":"SAGLIK.DIGER","province":20,"district":"Pamukkale","date":"2026-11-23"}"#,
    )
    .unwrap();
    assert_eq!(
        rq.kind,
        acikkapi_core::application::ApplicationKind::Sikayet
    );
    assert_eq!(rq.channel, None);
    // Kind and channel are typed, read leniently; an unknown one is an error.
    let rq: RouteRequest = serde_json::from_str(
        r#"{"category":"SAGLIK.DIGER","province":20,"district":"Pamukkale","date":"2026-11-23","kind":"İhbar","channel":"e-devlet"}"#,
    )
    .unwrap();
    assert_eq!(rq.kind, acikkapi_core::application::ApplicationKind::Ihbar);
    assert_eq!(
        rq.channel,
        Some(acikkapi_core::application::Channel::EDevlet)
    );
    assert!(
        serde_json::from_str::<RouteRequest>(
            r#"{"category":"SAGLIK.DIGER","province":20,"district":"Pamukkale","date":"2026-11-23","channel":"güvercin"}"#,
        )
        .is_err()
    );
}

/// Every category routes somewhere in every district of all 81 provinces (generated, or
/// hand-written completed with generated units): the coverage report has no gap, and the router's
/// allocation-free path finds a unit and an officer for every (category, district) pair.
#[test]
fn every_category_routes_everywhere() {
    let tax = Taxonomy::embedded();
    let geo = Geography::embedded();
    let day = date(2026, 11, 23);
    for p in ProvincePlate::all() {
        let r = Router::for_province(p).unwrap();
        let cov = r.org().coverage(tax);
        assert!(cov.is_complete(), "{cov}");
        assert_eq!(
            r.table_size(),
            (tax.categories().len(), geo.districts(p).len())
        );
        // One full request per province through the public path…
        let first = RouteRequest::new(
            tax.categories()[0].code.clone(),
            p,
            &geo.districts(p)[0].name,
            day,
        );
        let mut resolved = r.resolve(&first).unwrap();
        // …then every pair through the index.
        for d in 0..geo.districts(p).len() {
            for c in 0..tax.categories().len() {
                resolved.category = c as u32;
                resolved.district = d as u32;
                let dec = r.route_resolved(&resolved);
                assert!(
                    matches!(dec.rule, Rule::Category(_)) && dec.officer != u32::MAX,
                    "{p} {} {}: {dec:?}",
                    geo.districts(p)[d].name,
                    tax.categories()[c].code
                );
            }
        }
    }
}

fn arb_request() -> impl Strategy<Value = (u8, usize, usize, i64, bool, u8, bool, bool, u8)> {
    (
        prop_oneof![Just(20u8), Just(34u8), 1u8..=81],
        0usize..64,
        0usize..400,
        -3000i64..6000,
        any::<bool>(),
        0u8..=7,
        any::<bool>(),
        any::<bool>(),
        0u8..3,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn routing_invariants((p, di, ci, days, special, importance, ohal, confidential, kind) in arb_request()) {
        let tax = Taxonomy::embedded();
        let plate = plate(p);
        let districts = Geography::embedded().districts(plate);
        let district = &districts[di % districts.len()].name;
        let category = tax.categories()[ci % tax.categories().len()].code.clone();
        let day = date(2019, 1, 1) + chrono::Duration::days(days);
        let r = router(plate);
        let mut q = RouteRequest::new(category, plate, district, day);
        q.special = special;
        q.importance = importance;
        q.ohal = ohal;
        q.confidential = confidential;
        q.kind = acikkapi_core::application::ApplicationKind::ALL[usize::from(kind)];
        let d = r.explain(&q).unwrap();
        match &d.target {
            Target::Route { unit, officer } => {
                // The officer belongs to the target unit.
                let (u, _) = r.org().officer(officer).unwrap();
                prop_assert_eq!(&u.id, unit);
            }
            Target::Redirect { .. } => prop_assert!(false, "no redirect asked"),
            Target::Reject { .. } => prop_assert!(day < date(2019, 1, 1)),
        }
        if !matches!(d.target, Target::Reject { .. }) {
            let mut seen = std::collections::HashSet::new();
            prop_assert!(d.escalation.iter().all(|u| seen.insert(u.clone())));
            prop_assert_eq!(d.escalation.last().unwrap().as_str(), format!("{plate}.VALILIK"));
            let mut seen = std::collections::HashSet::new();
            prop_assert!(d.escalation_officers.iter().all(|o| seen.insert(o.clone())));
            let vali = format!("{plate}.VALILIK.VALI");
            match d.escalation_officers.last() {
                Some(last) => prop_assert_eq!(last.as_str(), vali.as_str()),
                None => prop_assert_eq!(d.officer().unwrap().as_str(), vali.as_str()),
            }
            prop_assert!(!d.escalation_officers.contains(d.officer().unwrap()));
        }
        prop_assert!(d.deadline_days >= 1 && d.deadline_days <= 7);
        prop_assert!(!d.trace.is_empty());
    }

    #[test]
    fn routing_never_panics_on_any_text(district in "\\PC{0,20}", unit in proptest::option::of("\\PC{0,20}"), days in -100_000i64..100_000) {
        let r = router(plate(20));
        let mut q = RouteRequest::new(cat("SAGLIK.DIGER"), plate(20), &district, date(2020, 1, 1) + chrono::Duration::days(days));
        q.direct_to_unit = unit;
        let _ = r.explain(&q);
        let _ = r.route(&q);
    }
}

#[test]
fn applications_become_route_requests() {
    use acikkapi_core::application::ApplicationInput;
    use acikkapi_core::validate::validate;
    let tax = Taxonomy::embedded();
    let geo = Geography::embedded();
    let mut routed = 0;
    for (name, json) in acikkapi_core::samples::ALL {
        let input: ApplicationInput = serde_json::from_str(json).unwrap();
        let Ok(app) = validate(&input, geo, tax) else {
            continue;
        };
        let q = RouteRequest::from(&app);
        assert_eq!(q.category, app.category, "{name}");
        assert_eq!(q.province, app.location.province);
        assert_eq!(q.date, app.received_at.date_naive());
        assert_eq!(q.special, app.flags.special);
        assert_eq!((q.kind, q.channel), (app.kind, Some(app.channel)));
        let d = router(q.province).explain(&q).unwrap();
        if app.flags.direct_to_unit.is_some() {
            assert!(matches!(d.target, Target::Redirect { .. }), "{name}: {d:?}");
        } else {
            assert!(matches!(d.target, Target::Route { .. }), "{name}: {d:?}");
        }
        routed += 1;
    }
    assert!(routed >= 5, "{routed}");
}
