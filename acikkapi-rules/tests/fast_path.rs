//! The cached fast path returns exactly what naive evaluation returns.

use std::sync::{Arc, OnceLock};

use acikkapi_rules::{AppView, Field, RuleSet, StaticEnv};
use chrono::NaiveDate;
use proptest::prelude::*;

const CATEGORIES: &[&str] = &[
    "YEREL.SU_KESINTISI",
    "YEREL.KANALIZASYON",
    "YEREL.TOPLU_TASIMA",
    "YEREL.ULASIM_KARTI",
    "YEREL.OTOPARK",
    "YEREL.TRAFIK_DUZENI",
    "EMNIYET.HATALI_PARK",
    "EMNIYET.TRAFIK_IHLALI",
    "EMNIYET.UYUSTURUCU",
    "EMNIYET.TEROR",
    "SAGLIK.TIBBI_HATA",
    "SAGLIK.RANDEVU",
    "ENERJI.ELEKTRIK_KESINTISI",
    "KULTUR.TURIZM_TESISI",
    "ULASTIRMA.DENIZ",
    "ULASTIRMA.DEVLET_YOLU",
    "EGITIM.DIGER",
];
const DISTRICTS: &[&str] = &[
    "Pamukkale",
    "Merkezefendi",
    "Honaz",
    "Adalar",
    "Kadıköy",
    "Fatih",
];
const KINDS: &[&str] = &["sikayet", "talep", "ihbar"];
const CHANNELS: &[&str] = &["web", "e-devlet", "yuz_yuze", "telefon"];

/// A script that reads the received date through a helper, and numbers.
const DATED: &str = r#"
    let days = app.business_days_until("2026-12-31");
    if days < 5 && app.special { return route_to("20.VALILIK").deadline(2); }
    if app.importance * 2 + days % 3 > 8 { return route_to("20.MEB").priority("yuksek"); }
    switch app.channel { "telefon" => route_to("20.SGK"), _ => () }
"#;

fn rules() -> &'static [RuleSet] {
    static RULES: OnceLock<Vec<RuleSet>> = OnceLock::new();
    RULES.get_or_init(|| {
        let env = Arc::new(StaticEnv::with_turkish_calendar(&[
            ("20.VALILIK", "Denizli Valiliği"),
            ("20.MEB", "Denizli İl Milli Eğitim Müdürlüğü"),
            ("20.SGK", "Denizli Sosyal Güvenlik İl Müdürlüğü"),
        ]));
        vec![
            RuleSet::embedded(20).unwrap(),
            RuleSet::embedded(34).unwrap(),
            RuleSet::compile("dated.rhai", DATED, env).unwrap(),
        ]
    })
}

fn app_strategy() -> impl Strategy<Value = AppView> {
    (
        (
            0..CATEGORIES.len(),
            0..DISTRICTS.len(),
            0..KINDS.len(),
            0..CHANNELS.len(),
        ),
        (any::<bool>(), 0u8..=5, any::<bool>(), any::<bool>()),
        (0u32..60, "[a-zçğıöşü ]{0,20}"),
    )
        .prop_map(
            |((c, d, k, ch), (special, importance, ohal, confidential), (day, text))| AppView {
                category: CATEGORIES[c].into(),
                province: 20,
                district: DISTRICTS[d].into(),
                kind: KINDS[k].into(),
                channel: CHANNELS[ch].into(),
                special,
                importance,
                ohal,
                confidential,
                text,
                received: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
                    + chrono::Days::new(u64::from(day)),
                ..AppView::default()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn fast_path_equals_naive_evaluation(apps in proptest::collection::vec(app_strategy(), 1..40)) {
        for rules in rules() {
            for app in &apps {
                let naive = rules.evaluate(app).map(|e| (e.outcome, e.log));
                let fast = rules.decide(app).map(|e| (e.outcome, e.log));
                prop_assert_eq!(&fast, &naive, "{} on {:?}", rules.name(), app);
            }
        }
    }
}

#[test]
fn cache_keys_are_exactly_the_fields_read() {
    let r = rules();
    let fields = |i: usize| r[i].reads().fields.iter().copied().collect::<Vec<_>>();
    assert_eq!(
        fields(0),
        vec![
            Field::Category,
            Field::Heading,
            Field::District,
            Field::Special,
            Field::Importance
        ]
    );
    assert_eq!(
        fields(1),
        vec![
            Field::Category,
            Field::Kind,
            Field::District,
            Field::Special,
            Field::Importance
        ]
    );
    assert_eq!(
        fields(2),
        vec![
            Field::Channel,
            Field::Special,
            Field::Importance,
            Field::Received
        ]
    );
    assert!(r.iter().all(RuleSet::is_cacheable));
}

#[test]
fn scripts_that_read_text_or_pass_app_around_are_not_cached() {
    let env = Arc::new(StaticEnv::default());
    for src in [
        "if contains_word(app.text, \"su\") { () }",
        "let a = app; a.category; ()",
        "fn f(x) { x.category } f(app); ()",
    ] {
        let rules = RuleSet::compile("t.rhai", src, env.clone()).unwrap();
        assert!(!rules.is_cacheable(), "{src}");
        let app = AppView::new("YEREL.DIGER", 20, "Honaz");
        rules.decide(&app).unwrap();
        rules.decide(&app).unwrap();
        assert_eq!(rules.cache_stats().hits, 0, "{src}");
    }
    let rules = RuleSet::compile("t.rhai", "app.category; ()", env).unwrap();
    let app = AppView::new("YEREL.DIGER", 20, "Honaz");
    assert!(!rules.decide(&app).unwrap().cached);
    assert!(rules.decide(&app).unwrap().cached);
}
