//! Scripted routing on the native router: script decisions, fallback on every kind of script
//! failure, versions in decisions, atomic swaps under concurrent routing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use acikkapi_core::geo::ProvincePlate;
use acikkapi_core::routing::{DecidedBy, Priority, RouteRequest, Router, Target};
use acikkapi_core::taxonomy::CategoryCode;
use acikkapi_rules::{OrgEnv, RuleRegistry, RuleSet, ScriptedRouter};
use chrono::NaiveDate;

fn req(category: &str, district: &str) -> RouteRequest {
    RouteRequest::new(
        CategoryCode::parse(category).unwrap(),
        ProvincePlate::new(20).unwrap(),
        district,
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
    )
}

fn native() -> Router {
    Router::for_province(ProvincePlate::new(20).unwrap()).unwrap()
}

fn denizli(src: &str) -> RuleSet {
    RuleSet::compile(
        "test.rhai",
        src,
        Arc::new(OrgEnv::for_province(20).unwrap()),
    )
    .unwrap()
}

#[test]
fn script_decision_replaces_the_native_target() {
    let router =
        ScriptedRouter::for_province(acikkapi_core::geo::ProvincePlate::new(20).unwrap()).unwrap();
    let version = router.registry().version().unwrap();
    let d = router
        .route(&req("YEREL.SU_KESINTISI", "Merkezefendi"))
        .unwrap();
    assert_eq!(d.unit().unwrap().as_str(), "20.BUYUKSEHIR_BELEDIYESI");
    assert!(matches!(d.target, Target::Route { .. }));
    assert_eq!(
        d.decided_by,
        DecidedBy::Script {
            name: "20-denizli.rhai".into()
        }
    );
    assert_eq!(d.rule_set_version.as_deref(), Some(version.as_str()));

    let mut special = req("SAGLIK.TIBBI_HATA", "Tavas");
    special.special = true;
    special.importance = 3;
    let d = router.route(&special).unwrap();
    assert_eq!(d.unit().unwrap().as_str(), "20.SAGLIK_MUDURLUGU");
    assert_eq!(d.priority, Priority::Urgent);
    assert_eq!(d.deadline_days, 3);
}

#[test]
fn default_keeps_the_native_decision_and_records_the_version() {
    let router =
        ScriptedRouter::for_province(acikkapi_core::geo::ProvincePlate::new(20).unwrap()).unwrap();
    let r = req("SAGLIK.RANDEVU", "Merkezefendi");
    let d = router.route(&r).unwrap();
    let n = native().route(&r).unwrap();
    assert_eq!(d.target, n.target);
    assert_eq!(d.decided_by, DecidedBy::Native);
    assert!(d.rule_set_version.is_some());
    router.registry().clear();
    assert_eq!(router.route(&r).unwrap().rule_set_version, None);
}

#[test]
fn every_script_failure_falls_back_to_the_native_route() {
    let hostile = [
        ("loop { }", "limit exceeded"),
        ("let s = \"x\"; loop { s += s; }", "size limit"),
        ("let a = []; loop { a.push(a.len()); }", "limit exceeded"),
        ("fn f(n) { f(n + 1) } f(0)", "depth limit"),
        ("let x = 9223372036854775807; x + 1", "runtime error"),
        ("route_to(\"Hayali Müdürlük\")", "bad outcome"),
        ("route_to(\"20.MEB\").priority(\"çok acil\")", "bad outcome"),
        ("42", "bad outcome"),
        ("app.nope", "runtime error"),
    ];
    let r = req("YEREL.SU_KESINTISI", "Pamukkale");
    let expected = native().route(&r).unwrap();
    for (src, kind) in hostile {
        let rules = denizli(src);
        let version = rules.version().to_string();
        let router = ScriptedRouter::new(native(), RuleRegistry::with(20, rules));
        let t = Instant::now();
        let d = router.route(&r).unwrap();
        assert!(t.elapsed() < Duration::from_secs(1), "hang guard: {src}");
        let DecidedBy::Fallback { error } = &d.decided_by else {
            panic!("{src}: expected a fallback, got {:?}", d.decided_by);
        };
        assert!(error.contains(kind), "{src}: {error}");
        assert!(error.starts_with("test.rhai:"), "{src}: {error}");
        assert_eq!(d.target, expected.target, "{src}");
        assert_eq!(d.rule_set_version.as_deref(), Some(version.as_str()));
        assert!(d.trace.iter().any(|t| t.contains("betik hatası")), "{src}");
    }
}

#[test]
fn swapping_rule_sets_while_routing_never_mixes_versions() {
    let a = denizli("route_to(\"20.MEB\")");
    let b = denizli("route_to(\"20.SGK\")");
    let (va, vb) = (a.version().to_string(), b.version().to_string());
    let (a, b) = (Arc::new(a), Arc::new(b));
    let router = Arc::new(ScriptedRouter::new(native(), RuleRegistry::new(20)));
    router.registry().install_arc(a.clone());
    let stop = Arc::new(AtomicBool::new(false));
    let routed = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..3)
        .map(|i| {
            let (router, stop, routed) = (router.clone(), stop.clone(), routed.clone());
            let (va, vb) = (va.clone(), vb.clone());
            std::thread::spawn(move || {
                let r = req(
                    if i % 2 == 0 {
                        "YEREL.COP"
                    } else {
                        "SAGLIK.RANDEVU"
                    },
                    "Honaz",
                );
                let mut seen = (0, 0);
                let mut check = || {
                    let d = router.route(&r).unwrap();
                    routed.fetch_add(1, Ordering::Relaxed);
                    let unit = d.unit().unwrap().as_str().to_string();
                    match d.rule_set_version.as_deref() {
                        Some(v) if v == va => {
                            assert_eq!(unit, "20.MEB");
                            seen.0 += 1;
                        }
                        Some(v) if v == vb => {
                            assert_eq!(unit, "20.SGK");
                            seen.1 += 1;
                        }
                        other => panic!("unexpected version {other:?}"),
                    }
                };
                while !stop.load(Ordering::Acquire) {
                    check();
                }
                // The swapper left `b` installed: these see it.
                for _ in 0..10 {
                    check();
                }
                seen
            })
        })
        .collect();
    // Wait until routing is under way (with `a`), then swap 101 times (ending on `b`).
    while routed.load(Ordering::Relaxed) == 0 {
        std::thread::yield_now();
    }
    for n in 0..101 {
        let next = if n % 2 == 0 { b.clone() } else { a.clone() };
        router.registry().install_arc(next);
        std::thread::yield_now();
    }
    stop.store(true, Ordering::Release);
    let mut total = (0, 0);
    for w in workers {
        let (x, y) = w.join().unwrap();
        total.0 += x;
        total.1 += y;
    }
    assert!(total.0 > 0 && total.1 > 0, "{total:?}");
}

#[test]
fn validated_applications_are_routed_with_escort_visible() {
    use acikkapi_core::application::ApplicationInput;
    let (_, json) = acikkapi_core::samples::ALL[1];
    let input: ApplicationInput = serde_json::from_str(json).unwrap();
    let app = acikkapi_core::validate::validate(
        &input,
        acikkapi_core::geo::Geography::embedded(),
        acikkapi_core::taxonomy::Taxonomy::embedded(),
    )
    .unwrap();
    let view = acikkapi_rules::AppView::from_application(&app);
    assert!(view.escort);
    assert_eq!(view.province, 34);
    let rules = RuleSet::compile(
        "refakat.rhai",
        "if app.escort { route_to(\"34.ASH_MUDURLUGU\").priority(\"yuksek\") }",
        Arc::new(OrgEnv::for_province(34).unwrap()),
    )
    .unwrap();
    let native = Router::for_province(ProvincePlate::new(34).unwrap()).unwrap();
    let router = ScriptedRouter::new(native, RuleRegistry::with(34, rules));
    let d = router.route_application(&app).unwrap();
    assert_eq!(d.unit().unwrap().as_str(), "34.ASH_MUDURLUGU");
    assert_eq!(d.priority, Priority::High);
    assert_eq!(
        d.decided_by,
        DecidedBy::Script {
            name: "refakat.rhai".into()
        }
    );
}

/// A rule's `.deadline(n)` reaches the workflow engine: Denizli's rule 3 gives special health
/// applications of importance ≥ 3 three business days, and the engine's deadline follows it.
#[test]
fn a_rule_deadline_becomes_the_application_deadline() {
    use acikkapi_core::application::ApplicationInput;
    use acikkapi_core::journal::MemoryJournal;
    use acikkapi_core::samples;
    use acikkapi_core::workflow::application::{
        ApplicationCommand, ApplicationWorkflow, Assignment,
    };
    use acikkapi_core::workflow::ports::NullSink;
    use acikkapi_core::workflow::{Actor, CommandId, Engine, EngineOptions, InstanceId};

    let (_, json) = samples::ALL[3];
    let input: ApplicationInput = serde_json::from_str(json).unwrap();
    let mut engine = Engine::open(
        ApplicationWorkflow::default(),
        Arc::new(MemoryJournal::new()),
        NullSink,
        EngineOptions::default(),
    )
    .unwrap();
    let id = InstanceId::new("AK-20-2026-0000001-3");
    let bureau = Actor::clerk(
        "b1",
        acikkapi_core::org::UnitId::parse("20.ACIK_KAPI").unwrap(),
    );
    let now = acikkapi_core::workflow::ports::local_time(
        NaiveDate::from_ymd_opt(2026, 11, 19).unwrap(),
        15,
        0,
    );
    let mut n = 0;
    let mut run = |engine: &mut Engine<ApplicationWorkflow>, actor: &Actor, cmd| {
        n += 1;
        engine
            .execute(&id, CommandId::new(format!("c{n}")), None, actor, now, cmd)
            .unwrap()
    };
    run(
        &mut engine,
        &bureau,
        ApplicationCommand::Receive {
            input: Box::new(input),
        },
    );
    run(&mut engine, &bureau, ApplicationCommand::Register);
    let state = &engine.instance(&id).unwrap().state;
    let app = state.application.clone().unwrap();
    let seven_days = state.deadline.unwrap();

    let router =
        ScriptedRouter::for_province(acikkapi_core::geo::ProvincePlate::new(20).unwrap()).unwrap();
    // Applications carry no importance; the bureau grades it when routing.
    let decision = router.route_application_graded(&app, 3).unwrap();
    assert_eq!(decision.deadline_days, 3, "{decision:?}");
    let assignment =
        Assignment::from_decision(&decision, |u| router.native().unit_name(u)).unwrap();
    run(
        &mut engine,
        &bureau,
        ApplicationCommand::Route { assignment },
    );
    let vali = Actor::governor(
        acikkapi_core::workflow::GovernorPost::Vali,
        acikkapi_core::org::OfficerId::parse("20.VALILIK.VALI").unwrap(),
    );
    run(&mut engine, &vali, ApplicationCommand::Approve);

    let state = &engine.instance(&id).unwrap().state;
    let received = app.received_at.with_timezone(&chrono::Utc);
    let three_days = engine.calendar().deadline(received, 3).unwrap();
    assert_eq!(state.deadline, Some(three_days));
    assert!(three_days < seven_days);
}

/// Issue 12: a citizen's text of 4 116 characters with emoji (16 464 bytes) passed validation but
/// went over the scripts' 16 KiB string limit, so every rule reading `app.text` fell back without
/// a word. The string limit now covers the longest valid text, also in upper or lower case.
#[test]
fn the_longest_valid_texts_reach_scripts_that_read_them() {
    use acikkapi_core::application::ApplicationInput;
    use acikkapi_core::validate::MAX_SUBJECT_CHARS;
    let (_, json) = acikkapi_core::samples::ALL[1];
    let rules = RuleSet::compile(
        "metin.rhai",
        "let upper = to_upper(app.text);\nlet lower = to_lower(app.text);\n\
         if contains_word(app.text, \"su kesintisi\") && upper.len() >= lower.len() {\n\
             route_to(\"34.ASH_MUDURLUGU\")\n} else { reject(`${app.text.len()}`) }",
        Arc::new(OrgEnv::for_province(34).unwrap()),
    )
    .unwrap();
    let native = Router::for_province(ProvincePlate::new(34).unwrap()).unwrap();
    let router = ScriptedRouter::new(native, RuleRegistry::with(34, rules));
    let words = "Su kesintisi var ";
    let emoji_text = format!("{words}{}", "😀".repeat(4_116 - words.chars().count()));
    // Greek letters whose capitals are three characters: the worst case of `to_upper`.
    let greek_text = format!(
        "{words}{}",
        "ΐ".repeat(MAX_SUBJECT_CHARS - words.chars().count())
    );
    for text in [emoji_text, greek_text] {
        let mut input: ApplicationInput = serde_json::from_str(json).unwrap();
        input.subject = Some(text.clone());
        let app = acikkapi_core::validate::validate(
            &input,
            acikkapi_core::geo::Geography::embedded(),
            acikkapi_core::taxonomy::Taxonomy::embedded(),
        )
        .unwrap();
        // Over the old limit: the text itself, or its capitals.
        let upper = acikkapi_core::text::to_upper_tr(&app.subject);
        assert!(
            upper.len().max(app.subject.len()) > 16 * 1024,
            "{} bytes",
            upper.len()
        );
        let d = router.route_application(&app).unwrap();
        assert_eq!(
            d.decided_by,
            DecidedBy::Script {
                name: "metin.rhai".into()
            },
            "{} characters, {} bytes",
            text.chars().count(),
            text.len()
        );
    }
    // Longer than any valid text: the script fails on it and the fallback says so.
    let mut long = req("YEREL.SU_KESINTISI", "Merkezefendi");
    long.province = ProvincePlate::new(34).unwrap();
    long.district = "Kadıköy".into();
    long.text = "😀".repeat(10_000);
    let d = router.route(&long).unwrap();
    match &d.decided_by {
        DecidedBy::Fallback { error } => assert!(error.contains("size limit"), "{error}"),
        other => panic!("expected a fallback, got {other:?}"),
    }
}
