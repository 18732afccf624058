//! Hostile and broken scripts end quickly in a typed error; the vocabulary behaves as documented.

use std::sync::Arc;
use std::time::{Duration, Instant};

use acikkapi_rules::{
    AppView, Error, LimitKind, Limits, RuleSet, ScriptOutcome, ScriptPriority, StaticEnv,
};

fn env() -> Arc<StaticEnv> {
    Arc::new(StaticEnv::new(
        &[
            ("20.DESKI", "Denizli Su ve Kanalizasyon İdaresi"),
            ("20.PAMUKKALE_KAYMAKAMLIGI", "Pamukkale Kaymakamlığı"),
        ],
        &[],
    ))
}

/// Default limits but a wall-clock budget that a debug build on a busy machine cannot hit first,
/// so the limit under test is the one that fires.
fn slow_machine() -> Limits {
    Limits {
        time_limit: Duration::from_secs(5),
        ..Limits::default()
    }
}

fn app() -> AppView {
    AppView::new("YEREL.DIGER", 20, "Pamukkale")
}

/// Runs a script and returns its error; guards against hangs with a generous bound.
fn fails(src: &str, limits: Limits) -> Error {
    let t = Instant::now();
    let err = match RuleSet::compile_with_limits("kotu.rhai", src, env(), limits) {
        Err(e) => e,
        Ok(rules) => rules
            .evaluate(&app())
            .expect_err("the script should have failed"),
    };
    assert!(
        t.elapsed() < Duration::from_secs(1),
        "hang guard: {:?}",
        t.elapsed()
    );
    assert_eq!(err.script(), Some("kotu.rhai"), "{err}");
    err
}

#[test]
fn endless_loop_hits_operations_limit() {
    let limits = Limits {
        time_limit: Duration::from_secs(5),
        ..Limits::default()
    };
    let e = fails("let x = 0;\nloop { x += 1; }", limits);
    assert_eq!(e.limit(), Some(LimitKind::Operations), "{e}");
    let Error::Limit { line, .. } = e else {
        unreachable!()
    };
    assert_eq!(line, 2);
}

#[test]
fn endless_loop_hits_time_limit_when_operations_are_unbounded() {
    let limits = Limits {
        max_operations: 0, // 0 = unlimited in Rhai
        time_limit: Duration::from_millis(20),
        ..Limits::default()
    };
    let e = fails("while true { }", limits);
    assert_eq!(e.limit(), Some(LimitKind::Time), "{e}");
}

#[test]
fn endless_loop_with_default_limits_is_stopped() {
    let e = fails("loop { }", Limits::default());
    assert!(
        matches!(e.limit(), Some(LimitKind::Operations | LimitKind::Time)),
        "{e}"
    );
}

#[test]
fn string_doubling_hits_size_limit() {
    let e = fails(
        "let s = \"ab\";\nfor i in 0..100 { s += s; }\nroute_to(s)",
        slow_machine(),
    );
    assert_eq!(e.limit(), Some(LimitKind::Size), "{e}");
}

#[test]
fn array_growth_hits_size_limit() {
    let e = fails("let a = [];\nloop { a.push(1); }", slow_machine());
    assert_eq!(e.limit(), Some(LimitKind::Size), "{e}");
}

#[test]
fn deep_recursion_hits_depth_limit() {
    let e = fails(
        "fn f(n) { f(n + 1) }\nf(0)",
        Limits {
            time_limit: Duration::from_secs(5),
            ..Limits::default()
        },
    );
    assert_eq!(e.limit(), Some(LimitKind::Depth), "{e}");
}

#[test]
fn deep_nesting_is_a_depth_limit_at_compile_time() {
    let src = format!("{}1{}", "(".repeat(500), ")".repeat(500));
    let e = fails(&src, Limits::default());
    assert_eq!(e.limit(), Some(LimitKind::Depth), "{e}");
}

#[test]
fn syntax_error_names_line_and_column() {
    let e = fails(
        "let x = 1;\nif x == { route_to(\"DESKİ\") }",
        Limits::default(),
    );
    match e {
        Error::Compile { line, column, .. } => {
            assert_eq!(line, 2);
            assert!(column > 0);
        }
        other => panic!("expected a compile error, got {other}"),
    }
}

#[test]
fn runtime_error_names_line() {
    let e = fails("let x = 1;\n\nlet y = x + \"a\" * 2;", Limits::default());
    match e {
        Error::Runtime { line, .. } => assert_eq!(line, 3),
        other => panic!("expected a runtime error, got {other}"),
    }
}

#[test]
fn huge_integer_operation_is_a_runtime_error() {
    let e = fails(
        "let x = 9223372036854775807;\nx * x * 2 ** 200",
        Limits::default(),
    );
    assert!(matches!(e, Error::Runtime { .. }), "{e}");
}

#[test]
fn unknown_unit_is_a_bad_outcome() {
    let e = fails("route_to(\"Olmayan Müdürlük\")", Limits::default());
    assert!(matches!(e, Error::BadOutcome { .. }), "{e}");
}

#[test]
fn wrong_return_type_is_a_bad_outcome() {
    let e = fails("42", Limits::default());
    assert!(matches!(e, Error::BadOutcome { .. }), "{e}");
}

#[test]
fn no_eval_no_sleep_no_time_no_modules() {
    for src in [
        "eval(\"1\")",
        "sleep(10)",
        "timestamp()",
        "import \"x\" as x;",
        "exit()",
    ] {
        let e = fails(src, Limits::default());
        assert!(
            matches!(e, Error::Compile { .. } | Error::Runtime { .. }),
            "{src}: {e}"
        );
    }
}

#[test]
fn app_is_read_only() {
    let e = fails("app.category = \"X\";", Limits::default());
    assert!(
        matches!(e, Error::Runtime { .. } | Error::Compile { .. }),
        "{e}"
    );
    let e = fails("app = 1;", Limits::default());
    assert!(
        matches!(e, Error::Runtime { .. } | Error::Compile { .. }),
        "{e}"
    );
}

#[test]
fn vocabulary() {
    let src = r#"
        print("kategori " + app.category);
        if app.district == "Pamukkale" && contains_word(app.text, "su kesintisi") {
            return route_to("Denizli Su ve Kanalizasyon İdaresi").priority("acil").deadline(3).note("su");
        }
        if search_key(app.text) == "trafik" { return redirect("20.PAMUKKALE_KAYMAKAMLIGI"); }
        if to_lower("İSTANBUL") != "istanbul" { return reject("Turkish lower case is broken"); }
        if app.business_days_until("2026-01-12") != 5 { return reject("calendar"); }
        if add_business_days(app.received, 1) != "2026-01-06" { return reject("add"); }
        if !unit_exists("DESKİ") && find_unit("denizli su ve kanalizasyon idaresi") == "20.DESKI" && find_unit("yok") == () {
            return reject("lookup");
        }
        default()
    "#;
    let rules = RuleSet::compile("v.rhai", src, env()).unwrap();
    let mut a = app();
    a.text = "Mahallemizde SU KESİNTİSİ var".into();
    let ev = rules.evaluate(&a).unwrap();
    assert_eq!(
        ev.outcome,
        ScriptOutcome::RouteTo {
            unit: "20.DESKI".into(),
            priority: Some(ScriptPriority::Urgent),
            deadline_days: Some(3),
            note: Some("su".into())
        }
    );
    assert_eq!(ev.log, vec!["kategori YEREL.DIGER".to_string()]);
    a.text = "Trafik!".into();
    assert_eq!(
        rules.evaluate(&a).unwrap().outcome.target_label(),
        "redirect:20.PAMUKKALE_KAYMAKAMLIGI"
    );
    a.text = "başka bir konu".into();
    // "DESKİ" is not a unit name (the full name is), so the lookup branch fires.
    assert_eq!(
        rules.evaluate(&a).unwrap().outcome,
        ScriptOutcome::Reject {
            reason: "lookup".into()
        }
    );
}

#[test]
fn unit_and_default_mean_native() {
    for src in [
        "()",
        "default()",
        "native()",
        "if false { route_to(\"20.DESKI\") }",
    ] {
        let rules = RuleSet::compile("d.rhai", src, env()).unwrap();
        assert_eq!(
            rules.evaluate(&app()).unwrap().outcome,
            ScriptOutcome::Default,
            "{src}"
        );
    }
}

#[test]
fn version_is_the_sha256_of_the_text() {
    let rules = RuleSet::compile("d.rhai", "default()", env()).unwrap();
    // sha256("default()")
    assert_eq!(rules.version(), acikkapi_rules::content_hash("default()"));
    assert_eq!(rules.version().len(), 64);
    let other = RuleSet::compile("d.rhai", "default() ", env()).unwrap();
    assert_ne!(rules.version(), other.version());
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    const TOKENS: &[&str] = &[
        "loop",
        "while true",
        "{",
        "}",
        "(",
        ")",
        ";",
        "app.category",
        "app.importance",
        "app",
        "+",
        "*",
        "**",
        "==",
        "if",
        "else",
        "let x = ",
        "x",
        "x += x",
        "1",
        "9223372036854775807",
        "\"ab\"",
        "route_to(\"20.DESKI\")",
        "route_to(x)",
        "redirect(",
        "reject(\"r\")",
        "default()",
        "fn f(n) { f(n + 1) }",
        "f(0)",
        "[1, 2]",
        ".push(x)",
        "#{a: 1}",
        "switch x {",
        "_ => ()",
        "=>",
        ",",
        "return",
        "print(x)",
        "add_business_days(\"2026-01-01\", x)",
        "contains_word(app.text, x)",
        "find_unit(x) ?? \"20.DESKI\"",
        ".priority(\"acil\")",
        ".deadline(x)",
        "eval(\"1\")",
        "import \"a\" as a;",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        /// Any token soup compiles to a typed error or runs to an outcome or a typed error,
        /// without panicking and without hanging.
        #[test]
        fn token_soup_never_panics_or_hangs(picks in proptest::collection::vec(0..TOKENS.len(), 0..40)) {
            let src: Vec<&str> = picks.iter().map(|&i| TOKENS[i]).collect();
            let src = src.join(" ");
            let t = Instant::now();
            if let Ok(rules) = RuleSet::compile("soup.rhai", &src, env()) {
                match rules.evaluate(&app()) {
                    Ok(_) => {}
                    Err(e) => prop_assert_eq!(e.script(), Some("soup.rhai")),
                }
            }
            prop_assert!(t.elapsed() < Duration::from_secs(1), "hang guard: {}", src);
        }
    }
}

/// Issue 12: a script saved with a UTF-8 byte-order mark (Notepad does) was a compile error at
/// 1:1. The mark is skipped; the version is still the SHA-256 of the file as written, and
/// positions are those of the text after it.
#[test]
fn a_byte_order_mark_is_skipped() {
    let src =
        "\u{feff}if app.district == \"Pamukkale\" {\n  route_to(\"20.DESKI\")\n} else { 1 / 0 }";
    let rules = RuleSet::compile("bom.rhai", src, env()).unwrap();
    assert_eq!(rules.version(), acikkapi_rules::content_hash(src));
    assert_eq!(rules.source(), src);
    let out = rules.evaluate(&app()).unwrap();
    assert_eq!(out.outcome.target_label(), "route:20.DESKI");
    let e = rules
        .evaluate(&AppView::new("YEREL.DIGER", 20, "Honaz"))
        .unwrap_err();
    let Error::Runtime { line, column, .. } = e else {
        panic!("{e}")
    };
    assert_eq!((line, column), (3, 12));
    assert!(
        rules.branches()[0].label.starts_with("if app.district"),
        "{:?}",
        rules.branches()
    );
    // Only a leading mark: one inside the text is still an error.
    assert!(RuleSet::compile("bom.rhai", "default()\u{feff}", env()).is_err());
}

/// Issue 12: the script size is capped with a typed error, before parsing.
#[test]
fn a_script_over_the_size_cap_is_refused_unparsed() {
    let limits = Limits {
        max_script_bytes: 100,
        ..Limits::default()
    };
    let src = format!("// {}\ndefault()", "x".repeat(100));
    let e = RuleSet::compile_with_limits("buyuk.rhai", &src, env(), limits.clone()).unwrap_err();
    assert_eq!(
        e,
        Error::ScriptTooLarge {
            script: "buyuk.rhai".into(),
            bytes: src.len(),
            max: 100
        }
    );
    assert_eq!(
        e.to_string(),
        format!(
            "buyuk.rhai: script too large: {} bytes, at most 100 are accepted",
            src.len()
        )
    );
    assert!(RuleSet::compile_with_limits("kucuk.rhai", "default()", env(), limits).is_ok());
    assert_eq!(
        Limits::default().max_script_bytes,
        acikkapi_rules::MAX_SCRIPT_BYTES
    );
}
